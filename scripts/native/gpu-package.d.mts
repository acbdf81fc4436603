// Types of gpu-package.mjs for the TypeScript that imports it (cli/setup/gpu.ts).
export function gpuRoot(cache: string): string;
export function gpuPackageDir(tfjsNodeDir: string): string;
export function readGpuManifest(cache: string): Record<string, unknown> | null;
export function layOutGpuPackage(o: { tfjsNodeDir: string; packageDir: string; site: string }): void;
export function gpuBindingCache(cache: string, tfjsNodeVersion: string): string;
export function provideGpuBinding(o: { root: string; packageDir: string; site: string; cache: string; tfjsNodeVersion: string }): 'cached binding' | 'built from source';
export function writePackageManifest(packageDir: string, manifest: object, extra: { tfjsNode: string; binding: string }): void;
export function relayGpuPackage(o: { root: string; tfjsNodeDir: string; cache: string }): boolean;
