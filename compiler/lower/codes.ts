/**
 * Diagnostic codes of lowering (3xxx): shape and support problems the schema and the semantic
 * rules cannot see, found while building the model graph. Kept here, beside the phase that emits
 * them, until the shared catalog (compiler/diagnostics/catalog.ts) takes them over; the renderer
 * does not look codes up, so these render like any other diagnostic. 39xx: compiler bugs.
 */
import type { Diagnostic } from '../diagnostics/types.js';

export const lowerCatalog = {
  ATTNC3001: { title: 'init stage channels do not halve down to an integer', exit: 1 },
  ATTNC3002: { title: 'discriminator image size not supported', exit: 1 },
  ATTNC3003: { title: 'CNN image encoder grid does not divide the input size', exit: 1 },
  ATTNC3004: { title: 'configuration not supported by the runtime', exit: 1 },
  ATTNC3005: { title: 'tensor shapes do not match between modules', exit: 1 },
  ATTNC3901: { title: 'compiler bug: generated code does not type-check', exit: 1 },
  ATTNC3902: { title: 'generated code differs from the committed tree', exit: 1 },
} as const satisfies Record<string, { title: string; exit: 1 | 2 }>;

export type LowerCode = keyof typeof lowerCatalog;

/** A diagnostic of this phase; structurally a `Diagnostic` but for the code's type. */
export type LowerDiagnostic = Omit<Diagnostic, 'code'> & { code: LowerCode };

/** For the shared renderer, which reads codes as text only. */
export function asDiagnostics(diags: readonly LowerDiagnostic[]): Diagnostic[] {
  return diags as unknown as Diagnostic[];
}
