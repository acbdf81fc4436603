import pc from 'picocolors';
import type { Diagnostic, SourceFiles } from './types.js';

export interface RenderOptions {
  format?: 'text' | 'json';
  /** ANSI colors; off unless asked for (golden tests render without). */
  color?: boolean;
  /** Source texts for code frames, by display path. */
  sources?: SourceFiles;
}

/** The one renderer of diagnostics: rustc/Prisma-style text, or JSON for tools. */
export function renderDiagnostics(diags: readonly Diagnostic[], options: RenderOptions = {}): string {
  if (options.format === 'json') return JSON.stringify({ diagnostics: diags.map(toJson) }, null, 2) + '\n';
  return diags.map((d) => renderOne(d, options)).join('\n');
}

function toJson(d: Diagnostic) {
  const { code, severity, message, file, line, col, endLine, endCol, help, notes, pointer } = d;
  return { code, severity, message, file, line, col, endLine, endCol, help, notes, pointer };
}

function renderOne(d: Diagnostic, options: RenderOptions): string {
  const c = pc.createColors(!!options.color);
  const sevColor = d.severity === 'error' ? c.red : c.yellow;
  let out = `${c.bold(sevColor(`${d.severity}[${d.code}]`))}${c.bold(`: ${d.message}`)}\n`;
  const source = options.sources?.get(d.file);
  const lines = source === undefined ? undefined : source.split(/\r?\n/);
  const gutter = String(Math.max(d.line, 1) + 0).length;
  const pad = ' '.repeat(gutter);
  out += `${pad}${c.blue('-->')} ${d.file}${d.line > 0 ? `:${d.line}:${d.col}` : ''}\n`;
  if (lines && d.line > 0 && d.line <= lines.length) {
    out += `${pad} ${c.blue('|')}\n`;
    const prev = d.line - 1;
    if (prev >= 1 && lines[prev - 1]!.trim() !== '') out += `${c.blue(String(prev).padStart(gutter))} ${c.blue('|')} ${lines[prev - 1]}\n`;
    const text = lines[d.line - 1]!;
    out += `${c.blue(String(d.line).padStart(gutter))} ${c.blue('|')} ${text}\n`;
    const start = Math.max(d.col, 1);
    let end = d.endLine === d.line && d.endCol !== undefined ? d.endCol : text.length + 1;
    if (end <= start) end = start + 1;
    end = Math.min(end, Math.max(text.length + 1, start + 1));
    out += `${pad} ${c.blue('|')} ${' '.repeat(start - 1)}${sevColor('^'.repeat(end - start))}\n`;
  }
  if (d.help) out += `${pad} ${c.blue('=')} ${c.bold('help')}: ${d.help}\n`;
  for (const note of d.notes ?? []) out += `${pad} ${c.blue('=')} ${c.bold('note')}: ${note}\n`;
  return out;
}

/** "2 errors, 1 warning" */
export function summarize(diags: readonly Diagnostic[]): string {
  const e = diags.filter((d) => d.severity === 'error').length;
  const w = diags.length - e;
  const parts = [];
  if (e) parts.push(`${e} error${e === 1 ? '' : 's'}`);
  if (w) parts.push(`${w} warning${w === 1 ? '' : 's'}`);
  return parts.join(', ') || 'no problems';
}
