/**
 * The one printer of generated files: declarations → text with fixed settings (2-space indent,
 * single quotes as the emitters write them, LF, one blank line between top-level statements, one
 * trailing newline). What the emitters build is exactly what is printed.
 *
 * Why our own printer and strings rather than an AST library: generated code is a handful of
 * declaration shapes (functions, classes with fields and methods, type aliases, constants, imports)
 * whose bodies are short lines of tfjs calls with a shape comment each. Building those bodies as
 * AST nodes would triple the emitters' size and hide the code they write; printing declarations
 * through a general printer (ts-morph's, before) re-indented multi-line initializers and type
 * aliases and needed a regex pass to place blank lines, three workarounds for one small job. Here
 * the layout rules are a page long, deterministic and tested by the golden trees in generated/ and
 * the strict type check of every compile, which is what proves the text is valid TypeScript.
 */

/** A doc comment: one line prints as `/** … *\/`, more lines as a block. */
export type Doc = string;

/** Lines of code, relative to where they are printed (the printer indents them). */
export type Lines = readonly string[];

export interface Parameter {
  name: string;
  type: string;
  initializer?: string;
  hasQuestionToken?: boolean;
}

export interface FunctionDecl {
  kind: 'function';
  name: string;
  isExported?: boolean;
  docs?: Doc[];
  parameters?: Parameter[];
  returnType?: string;
  statements: Lines;
}

export interface PropertyDecl {
  name: string;
  isReadonly?: boolean;
  type?: string;
  initializer?: string;
  /** Text after the `;` on the same line (a shape comment). */
  trailingTrivia?: string;
  docs?: Doc[];
}

export interface MethodDecl {
  name: string;
  docs?: Doc[];
  parameters?: Parameter[];
  returnType?: string;
  statements: Lines;
}

export interface ClassDecl {
  kind: 'class';
  name: string;
  isExported?: boolean;
  extends?: string;
  docs?: Doc[];
  properties?: PropertyDecl[];
  methods?: MethodDecl[];
}

export interface TypeAliasDecl {
  kind: 'type';
  name: string;
  isExported?: boolean;
  docs?: Doc[];
  type: string;
}

export interface ConstDecl {
  kind: 'const';
  name: string;
  type?: string;
  isExported?: boolean;
  docs?: Doc[];
  initializer: string;
}

export interface ImportDecl {
  kind: 'import';
  moduleSpecifier: string;
  namedImports?: string[];
  namespaceImport?: string;
  isTypeOnly?: boolean;
}

/** Lines printed as they are (an export block, a type alias written member by member). */
export interface RawDecl {
  kind: 'raw';
  lines: Lines;
}

export type Statement = FunctionDecl | ClassDecl | TypeAliasDecl | ConstDecl | ImportDecl | RawDecl;

function docLines(docs: readonly Doc[] | undefined, indent: string): string[] {
  const out: string[] = [];
  for (const d of docs ?? []) {
    const ls = d.split('\n');
    if (ls.length === 1) out.push(`${indent}/** ${ls[0]} */`);
    else out.push(`${indent}/**`, ...ls.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)), `${indent} */`);
  }
  return out;
}

function params(ps: readonly Parameter[] | undefined): string {
  return (ps ?? []).map((p) => `${p.name}${p.hasQuestionToken ? '?' : ''}: ${p.type}${p.initializer === undefined ? '' : ` = ${p.initializer}`}`).join(', ');
}

/** Body lines indented; a line holding several (a multi-line literal) has each indented alike. */
function body(statements: Lines, indent: string): string[] {
  return statements.flatMap((l) => l.split('\n')).map((l) => (l ? `${indent}${l}` : ''));
}

function callable(head: string, d: { parameters?: Parameter[]; returnType?: string; statements: Lines }, indent: string): string[] {
  return [`${indent}${head}(${params(d.parameters)})${d.returnType ? `: ${d.returnType}` : ''} {`, ...body(d.statements, `${indent}  `), `${indent}}`];
}

function printStatement(s: Statement): string[] {
  const exp = (x: { isExported?: boolean }) => (x.isExported ? 'export ' : '');
  switch (s.kind) {
    case 'raw':
      return [...s.lines];
    case 'import':
      if (s.namespaceImport) return [`import * as ${s.namespaceImport} from '${s.moduleSpecifier}';`];
      return [`import ${s.isTypeOnly ? 'type ' : ''}{ ${(s.namedImports ?? []).join(', ')} } from '${s.moduleSpecifier}';`];
    case 'type':
      return [...docLines(s.docs, ''), `${exp(s)}type ${s.name} = ${s.type};`];
    case 'const':
      return [...docLines(s.docs, ''), `${exp(s)}const ${s.name}${s.type ? `: ${s.type}` : ''} = ${s.initializer};`];
    case 'function':
      return [...docLines(s.docs, ''), ...callable(`${exp(s)}function ${s.name}`, s, '')];
    case 'class': {
      const out = [...docLines(s.docs, ''), `${exp(s)}class ${s.name}${s.extends ? ` extends ${s.extends}` : ''} {`];
      for (const p of s.properties ?? []) {
        out.push(...docLines(p.docs, '  '));
        out.push(`  ${p.isReadonly ? 'readonly ' : ''}${p.name}${p.type ? `: ${p.type}` : ''}${p.initializer === undefined ? '' : ` = ${p.initializer}`};${p.trailingTrivia ?? ''}`);
      }
      (s.methods ?? []).forEach((m, i) => {
        if (i > 0 || (s.properties ?? []).length > 0) out.push('');
        out.push(...docLines(m.docs, '  '), ...callable(m.name, m, '  '));
      });
      out.push('}');
      return out;
    }
  }
}

/**
 * A file: the header, the imports (one block), then each statement with one blank line between.
 * Trailing spaces are trimmed (an empty doc line, a blank body line).
 */
export function printSourceFile(header: string, statements: readonly Statement[]): string {
  const imports = statements.filter((s) => s.kind === 'import');
  const rest = statements.filter((s) => s.kind !== 'import');
  const blocks = [...(imports.length ? [imports.flatMap(printStatement)] : []), ...rest.map(printStatement)];
  const text = `${header}\n${blocks.map((b) => b.join('\n')).join('\n\n')}\n`;
  return text.replace(/[ \t]+$/gm, '');
}
