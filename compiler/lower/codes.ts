/**
 * Diagnostic codes of lowering (3xxx) live in the shared catalog (compiler/diagnostics/catalog.ts):
 * 3001, 3002, 3004 shape and support problems found while building the model graph, 3901 "generated code
 * does not type-check" (a compiler bug), 3902 drift of a committed tree. This file names the subset.
 */
import type { DiagnosticCode } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/types.js';

export type LowerCode = Extract<DiagnosticCode, `ATTNC3${string}`>;

/** A diagnostic of this phase: an ordinary `Diagnostic` with a 3xxx code. */
export type LowerDiagnostic = Diagnostic & { code: LowerCode };
