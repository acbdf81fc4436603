export type { Diagnostic, Severity, SourceFiles } from './types.js';
export { catalog, exitCodeFor, isKnownCode } from './catalog.js';
export type { DiagnosticCode } from './catalog.js';
export { renderDiagnostics, summarize } from './render.js';
export type { RenderOptions } from './render.js';
export { suggest, helpFor, editDistance } from './suggest.js';
