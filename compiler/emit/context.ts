/** What every emitter receives, and the small helpers they share. */
import type { JSDocStructure, OptionalKind, WriterFunction } from 'ts-morph';
import type { Dim, ModelGraph, ModuleNode, Network, NetworkId, Origin, Shape } from '../lower/graph.js';
import { originText } from '../resolve/origins.js';
import { ImportTable } from './imports.js';

export interface EmitContext {
  graph: ModelGraph;
  /** Import path of the runtime from the output folder (`../../runtime` for `generated/<name>/`). */
  runtimeRoot: string;
}

/** Per-file state: the import table the emitter fills while it writes code. */
export function fileScope(ctx: EmitContext): { imports: ImportTable } {
  return { imports: new ImportTable(ctx.runtimeRoot) };
}

/** JSDoc for a generated declaration: what it is, then where in the spec it came from. */
export function doc(description: string | string[], origin: Origin): OptionalKind<JSDocStructure> {
  const lines = Array.isArray(description) ? description : [description];
  return { description: `${lines.join('\n')}\n\n@generated from ${originText(origin)} (${origin.pointer || '/'})` };
}

/** A method body from lines; each string is one line, indented relative to the body. */
export function lines(...ls: Array<string | false | undefined>): WriterFunction {
  return (w) => {
    for (const l of ls) if (l !== false && l !== undefined) w.writeLine(l);
  };
}

export function network(ctx: EmitContext, id: NetworkId): Network {
  const n = ctx.graph.networks.find((x) => x.id === id);
  if (!n) throw new Error(`compiler bug: no network ${id} in the graph`);
  return n;
}

export function discriminators(ctx: EmitContext): Network[] {
  return ctx.graph.networks.filter((n) => n.id.startsWith('discriminator_'));
}

export function moduleNode(net: Network, id: string): ModuleNode {
  const m = net.modules.find((x) => x.id === id);
  if (!m) throw new Error(`compiler bug: no module ${id} in ${net.id}`);
  return m;
}

/** A dimension lowering made concrete (image sizes, channels); a symbol here is a compiler bug. */
export function concrete(d: Dim | undefined): number {
  if (typeof d !== 'number') throw new Error(`compiler bug: expected a concrete dimension, got ${String(d)}`);
  return d;
}

/** `7,084,592` */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** A literal for a generated constant. */
export function lit(v: number | string | boolean): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

/**
 * `export type Name = { … };` with one member per line. Printed as a statement because ts-morph
 * indents multi-line type-alias writers oddly; type aliases rather than interfaces so that records
 * of tensors are `tf.TensorContainer`s (tf.tidy can return them).
 */
export function typeAlias(name: string, docText: string | undefined, members: string[]): WriterFunction {
  return (w) => {
    if (docText) w.writeLine(`/** ${docText} */`);
    w.writeLine(`export type ${name} = {`);
    for (const m of members) w.writeLine(`  ${m}`);
    w.writeLine('};');
  };
}
