/**
 * The one printer of generated files: ts-morph structures → text with fixed settings (2-space
 * indent, single quotes, LF, one trailing newline). No Project, no language service, no
 * organizeImports: what the emitters build is exactly what is printed.
 */
import { printStructure, StructureKind, type SourceFileStructure, type StatementStructures, type WriterFunction } from 'ts-morph';

export type Statement = string | WriterFunction | StatementStructures;

export function printSourceFile(header: string, statements: Statement[]): string {
  // Writer statements (type aliases, export blocks) get blank lines around them like structures do.
  const spaced = statements.map((st): Statement =>
    typeof st === 'function'
      ? (w) => {
          w.blankLineIfLastNot();
          st(w);
          w.blankLineIfLastNot();
        }
      : st,
  );
  const structure: SourceFileStructure = { kind: StructureKind.SourceFile, statements: spaced };
  const body = printStructure(structure, {
    indentNumberOfSpaces: 2,
    useTabs: false,
    newLine: '\n',
    useSingleQuote: true,
    insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true,
  });
  return normalize(`${header}\n${body}`);
}

/** LF only, no trailing spaces, no runs of blank lines, exactly one trailing newline. */
export function normalize(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      .split('\n')
      .map((l) => l.replace(/[ \t]+$/, ''))
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      // The import block always ends with a blank line, whatever statement follows it.
      .replace(/^(import [^\n]*;)\n(?!import |\n)/gm, '$1\n\n')
      .replace(/\n*$/, '\n')
  );
}
