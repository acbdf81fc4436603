import type { DiagnosticCode } from '../diagnostics/catalog.js';
import type { Diagnostic, Severity } from '../diagnostics/types.js';
import type { Origins } from '../resolve/origins.js';
import type { ResolvedSpec } from '../schema/types.js';
import { locateDiag } from './locate.js';

export interface RuleReport {
  /** JSON pointer of the offending value (`/generator/stages/1/size`). */
  pointer: string;
  message: string;
  help?: string;
  notes?: string[];
  severity?: Severity;
  /** Underline the key instead of the value. */
  at?: 'key' | 'value';
}

/** A semantic rule: one cross-field check on a schema-valid resolved spec. One file per rule. */
export interface Rule {
  code: DiagnosticCode;
  /** kebab-case name, e.g. `stage-sizes-double`. */
  name: string;
  description: string;
  check(spec: ResolvedSpec, ctx: RuleContext): void;
}

export interface RuleContext {
  origins: Origins;
  report(r: RuleReport): void;
  /** `spec/x.yaml:12` or `default` — for notes that point at the other side of a mismatch. */
  where(pointer: string): string;
}

export function runRules(rules: readonly Rule[], spec: ResolvedSpec, origins: Origins, mainFile: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const rule of rules) {
    const ctx: RuleContext = {
      origins,
      where: (p) => origins.describe(p),
      report: (r) => {
        out.push({
          ...locateDiag(origins, r.pointer, r.at ?? 'value', mainFile),
          code: rule.code,
          severity: r.severity ?? 'error',
          message: r.message,
          pointer: r.pointer,
          ...(r.help ? { help: r.help } : {}),
          ...(r.notes?.length ? { notes: r.notes } : {}),
        });
      },
    };
    rule.check(spec, ctx);
  }
  return out;
}
