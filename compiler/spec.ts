/**
 * Public entry point of the spec front end (load → resolve → validate), for commands and tests that
 * need only the resolved spec and its origins. The phases run in the one driver, pipeline.ts.
 */
export { loadSpec, type LoadOptions, type SpecResult } from './pipeline.js';
export type * from './schema/types.js';
export type { Diagnostic, Severity, SourceFiles } from './diagnostics/types.js';
export type { DiagnosticCode } from './diagnostics/catalog.js';
export { catalog, exitCodeFor } from './diagnostics/catalog.js';
export { renderDiagnostics, summarize } from './diagnostics/render.js';
export type { RenderOptions } from './diagnostics/render.js';
export { Origins } from './resolve/origins.js';
export type { Origin, OriginKind, Location } from './resolve/origins.js';
export { toPointer, toDotted } from './parse/pointer.js';
