import type { DiagnosticCode } from './catalog.js';

export type Severity = 'error' | 'warning';

/** A spec problem as data. Rendered in one place (render.ts); never thrown. */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  /** Display path (relative to the cwd), or a pseudo-file such as `<--set #1>`. */
  file: string;
  /** 1-based; 0 when there is no position (an unreadable file). */
  line: number;
  col: number;
  endLine?: number;
  endCol?: number;
  help?: string;
  notes?: string[];
  /** JSON pointer into the resolved spec, when the problem is about a value. */
  pointer?: string;
}

/** Source texts by display path, for code frames. */
export type SourceFiles = Map<string, string>;
