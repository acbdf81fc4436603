/**
 * tfjs's WASM binaries a web export holds beside index.html: the SIMD build (every current
 * browser) and the plain one. The threaded build needs a cross-origin-isolated page, which a plain
 * static server does not give, so it is left out (the worker points its name at the SIMD file).
 */
export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'] as const;
