/**
 * A deterministic import table: emitters ask for names as they write code, the table prints one
 * declaration per module, sorted (tfjs first, then by path), names sorted, types as `import type`.
 */
import type { ImportDecl } from './print.js';

interface Entry {
  values: Set<string>;
  types: Set<string>;
  namespace?: string;
}

export class ImportTable {
  private readonly modules = new Map<string, Entry>();

  constructor(private readonly runtimeRoot: string) {}

  private entry(module: string): Entry {
    let e = this.modules.get(module);
    if (!e) this.modules.set(module, (e = { values: new Set(), types: new Set() }));
    return e;
  }

  /**
   * `import * as tf from '<runtime>/tf.js'` (tfjs as the runtime sees it: one tfjs instance even
   * where a project has another version of its own); returns `tf`.
   */
  tf(): string {
    this.entry(`${this.runtimeRoot}/tf.js`).namespace = 'tf';
    return 'tf';
  }

  /** A value from `runtime/<sub>` (e.g. `blocks/index.js`); `alias` renames it (`name as alias`). */
  runtime(sub: string, name: string, alias?: string): string {
    this.entry(`${this.runtimeRoot}/${sub}`).values.add(alias ? `${name} as ${alias}` : name);
    return alias ?? name;
  }

  runtimeType(sub: string, name: string): string {
    this.entry(`${this.runtimeRoot}/${sub}`).types.add(name);
    return name;
  }

  /** A value from a sibling generated file (`./generator.js`). */
  local(file: string, name: string): string {
    this.entry(`./${file}`).values.add(name);
    return name;
  }

  localType(file: string, name: string): string {
    this.entry(`./${file}`).types.add(name);
    return name;
  }

  declarations(): ImportDecl[] {
    const rank = (m: string) => (m.startsWith('@') ? 0 : m.startsWith('./') ? 2 : 1);
    const names = [...this.modules.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    const out: ImportDecl[] = [];
    for (const m of names) {
      const e = this.modules.get(m)!;
      if (e.namespace) out.push({ kind: 'import', moduleSpecifier: m, namespaceImport: e.namespace });
      const values = [...e.values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const types = [...e.types].filter((t) => !e.values.has(t)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      if (values.length) out.push({ kind: 'import', moduleSpecifier: m, namedImports: values });
      if (types.length) out.push({ kind: 'import', moduleSpecifier: m, namedImports: types, isTypeOnly: true });
    }
    return out;
  }
}
