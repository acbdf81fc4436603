/** What every emitter receives, and the small helpers they share. */
import type { Dim, ModelGraph, ModuleNode, Network, NetworkId, Origin, Shape } from '../lower/graph.js';
import { originText } from '../resolve/origins.js';
import { ImportTable } from './imports.js';
import type { Doc, Lines, RawDecl } from './print.js';

export interface EmitContext {
  graph: ModelGraph;
  /** Import path of the runtime from the output folder (`../../runtime` for `generated/<name>/`). */
  runtimeRoot: string;
}

/** Per-file state: the import table the emitter fills while it writes code. */
export function fileScope(ctx: EmitContext): { imports: ImportTable } {
  return { imports: new ImportTable(ctx.runtimeRoot) };
}

/**
 * JSDoc for a generated declaration: what it is, then where in the spec it came from. Text from the
 * spec (a description, a file name) cannot end the comment: `*\/` is written `*\\/`.
 */
export function doc(description: string | string[], origin: Origin): Doc {
  const lines = Array.isArray(description) ? description : [description];
  return commentText(`${lines.join('\n')}\n\n@generated from ${originText(origin)} (${origin.pointer || '/'})`);
}

/** Text that is safe inside a block comment. */
export function commentText(text: string): string {
  return text.replace(/\*\//g, '*\\/');
}

/** A body from lines; each string is one line, indented relative to the body (false and undefined skipped). */
export function lines(...ls: Array<string | false | undefined>): Lines {
  return ls.filter((l): l is string => l !== false && l !== undefined);
}

/** Top-level lines printed as they are (an export block, a constant written out). */
export function raw(...ls: Array<string | false | undefined>): RawDecl {
  return { kind: 'raw', lines: lines(...ls) };
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

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * The one way a value becomes TypeScript source: strings single-quoted with every character that
 * could end or break the literal escaped, numbers and booleans as written, arrays of scalars on one
 * line, objects one key per line (so a change to one value is a one-line diff), 2-space indent.
 */
export function literal(v: unknown, indent = ''): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `'${v.replace(/[\\'\n\r\u2028\u2029]/g, (c) => ESCAPES[c]!)}'`;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`compiler bug: ${v} has no literal`);
    return String(v);
  }
  if (typeof v === 'boolean') return String(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.every((x) => typeof x !== 'object' || x === null)) return `[${v.map((x) => literal(x)).join(', ')}]`;
    return `[\n${v.map((x) => `${inner}${literal(x, inner)},`).join('\n')}\n${indent}]`;
  }
  if (typeof v !== 'object') throw new Error(`compiler bug: a ${typeof v} has no literal`);
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, x]) => `${inner}${IDENTIFIER.test(k) ? k : literal(k)}: ${literal(x, inner)},`).join('\n')}\n${indent}}`;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/**
 * `export type Name = { … };` with one member per line. Type aliases rather than interfaces so that
 * records of tensors are `tf.TensorContainer`s (tf.tidy can return them).
 */
export function typeAlias(name: string, docText: string | undefined, members: string[]): RawDecl {
  return raw(docText ? `/** ${commentText(docText)} */` : undefined, `export type ${name} = {`, ...members.map((m) => `  ${m}`), '};');
}

/**
 * The argument of one `model.generator.apply` call: a fusion generator (DF-GAN) takes only z and the
 * sentence; the AttnGAN family also takes the words, their mask and, with conditioning augmentation,
 * its ε.
 */
export function generatorArgs(ctx: EmitContext, training: boolean): string {
  const gen = network(ctx, 'generator');
  if (isFusionGenerator(gen)) return `{ z: noise.z, sentence: captions.sentence, training: ${training} }`;
  const eps = hasConditioningAugmentation(gen) ? ', noise: noise.eps' : '';
  return `{ z: noise.z, sentence: captions.sentence, words: captions.words, mask: captions.mask, training: ${training}${eps} }`;
}

/** True when the generator's sentence code is CA_NET (`ca_net`, with ε and mu/logvar), not `cond_net`. */
export function hasConditioningAugmentation(net: Network): boolean {
  return net.modules.some((m) => m.kind === 'cond_augment');
}

/** True when the generator is DF-GAN's one-stage fusion network. */
export function isFusionGenerator(net: Network): boolean {
  return net.modules.some((m) => m.kind === 'fusion_up_block');
}
