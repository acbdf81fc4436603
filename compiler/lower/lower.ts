/**
 * Lowering: resolved spec → model graph. One function per network; each infers the tensor shapes
 * module by module (symbolic batch `B` and word count `T`) and lists the parameters from the module
 * constants (params.ts). Problems the schema and rules cannot see come back as located diagnostics.
 */
import type { Origins } from '../resolve/origins.js';
import { discriminatorSizes, spectralNormAt } from '../schema/derived.js';
import type { ResolvedSpec } from '../schema/types.js';
import type { LowerCode, LowerDiagnostic } from './codes.js';
import {
  shapeText,
  type Dim,
  type LossNode,
  type ModelGraph,
  type ModuleConfigs,
  type ModuleKind,
  type ModuleNode,
  type ModuleOf,
  type Network,
  type NetworkId,
  type OptimizerNode,
  type Origin,
  type ParamNode,
  type Phase,
  type PhaseId,
  type Shape,
  type TensorNode,
} from './graph.js';
import { specHash } from './hash.js';
import { lowerPlan } from './plan.js';
import * as P from './params.js';

export interface LowerInput {
  spec: ResolvedSpec;
  origins: Origins;
  /** Display path of the spec (relative to the project root). */
  file: string;
}

export type LowerResult = { ok: true; graph: ModelGraph; diagnostics: LowerDiagnostic[] } | { ok: false; diagnostics: LowerDiagnostic[] };

/** Vocabulary sizes of the datasets whose captions.pickle is fixed (docs/original.md §1, §9). */
const KNOWN_VOCAB: Record<string, number> = { cub: 5450, coco: 27297 };

/** A fact validation guarantees; failing it is a bug in attnc, not in the spec. */
function assert(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Error(`compiler bug: ${what}`);
}

const tensor = (name: string, shape: Shape, dtype: TensorNode['dtype'] = 'float32'): TensorNode => ({ name, shape: [...shape], dtype });

class Lowering {
  readonly diagnostics: LowerDiagnostic[] = [];
  constructor(readonly input: LowerInput) {}

  get spec(): ResolvedSpec {
    return this.input.spec;
  }

  origin(pointer: string): Origin {
    const o = this.input.origins.get(pointer);
    if (o && o.kind !== 'default' && o.file) return { kind: o.kind, file: o.file, line: o.keyLine ?? o.line, pointer };
    // A container without its own entry: the nearest located ancestor (a flow map's line).
    const loc = this.input.origins.locate(pointer, 'key');
    if (loc) return { kind: loc.file === this.input.file ? 'file' : loc.file.startsWith('<--set') ? 'override' : 'base', file: loc.file, line: loc.line, pointer };
    return { kind: 'default', line: 0, pointer };
  }

  report(code: LowerCode, pointer: string, message: string, help?: string): void {
    const loc = this.input.origins.locate(pointer, 'value') ?? { file: this.input.file, line: 1, col: 1 };
    this.diagnostics.push({
      code,
      severity: 'error',
      message,
      file: loc.file,
      line: loc.line,
      col: loc.col,
      ...(loc.endLine !== undefined ? { endLine: loc.endLine } : {}),
      ...(loc.endCol !== undefined ? { endCol: loc.endCol } : {}),
      pointer,
      ...(help ? { help } : {}),
    });
  }
}

/** Builds one network's module list and parameter list side by side. */
class NetworkBuilder {
  readonly modules: ModuleNode[] = [];
  readonly params: ParamNode[] = [];
  constructor(
    readonly id: NetworkId,
    readonly phaseOf: (trainable: boolean) => PhaseId | null,
  ) {}

  add<K extends ModuleKind>(
    id: string,
    kind: K,
    config: ModuleConfigs[K],
    io: { inputs: TensorNode[]; outputs: TensorNode[] },
    origin: Origin,
    params: (p: P.ParamList) => void,
    trainable = true,
  ): ModuleOf<K> {
    const list = new P.ParamList(id, trainable);
    params(list);
    let count = 0;
    let trainableCount = 0;
    for (const raw of list.items) {
      const size = P.sizeOf(raw.shape);
      this.params.push({
        name: raw.name,
        shape: raw.shape,
        torchShape: raw.torchShape,
        size,
        trainable: raw.trainable,
        network: this.id,
        module: id,
        phase: this.phaseOf(raw.trainable),
      });
      count += size ?? 0;
      if (raw.trainable) trainableCount += size ?? 0;
    }
    // TypeScript cannot correlate `kind` and `config` through the generic; `add`'s signature does.
    const node = { id, kind, config, inputs: io.inputs, outputs: io.outputs, paramCount: count, trainableCount, origin } as ModuleNode as ModuleOf<K>;
    this.modules.push(node);
    return node;
  }

  build(rest: Omit<Network, 'id' | 'modules' | 'params' | 'paramCount' | 'trainableCount'>): Network {
    let paramCount = 0;
    let trainableCount = 0;
    const symbolic: string[] = [];
    for (const p of this.params) {
      if (p.size === null) symbolic.push(`${p.name} ${shapeText(p.shape)}`);
      paramCount += p.size ?? 0;
      if (p.trainable) trainableCount += p.size ?? 0;
    }
    return {
      id: this.id,
      ...rest,
      modules: this.modules,
      params: this.params,
      paramCount,
      trainableCount,
      ...(symbolic.length ? { symbolicParams: `plus ${symbolic.join(', ')}` } : {}),
    };
  }
}

export function lower(input: LowerInput): LowerResult {
  const L = new Lowering(input);
  const spec = input.spec;
  const damsmOn = spec.train.damsm.enabled;
  const ganOn = spec.train.gan.enabled;
  const vocab: Dim = KNOWN_VOCAB[spec.data.dataset.kind] ?? 'V';

  const imageSizes = spec.generator.stages.map((s) => s.size);
  checkSupport(L);
  const text = lowerTextEncoder(L, vocab, damsmOn);
  const image = lowerImageEncoder(L, damsmOn);
  const generator = lowerGenerator(L, ganOn);
  const discriminators = lowerDiscriminators(L, ganOn);
  if (L.diagnostics.some((d) => d.severity === 'error') || !text || !image || !generator) {
    return { ok: false, diagnostics: L.diagnostics };
  }
  const networks: Network[] = [text, image, generator, ...discriminators];
  const hash = specHash(spec);
  const graph: ModelGraph = {
    graph: 1,
    name: spec.name,
    description: spec.description,
    specFile: input.file,
    specHash: hash,
    vocabSize: typeof vocab === 'number' ? vocab : null,
    wordsNum: spec.data.words_num,
    imageSizes,
    networks,
    phases: lowerPhases(L, networks),
    losses: lowerLosses(L),
    plan: lowerPlan(spec, input.file, hash),
  };
  return { ok: true, graph, diagnostics: L.diagnostics };
}

// ── text encoder ─────────────────────────────────────────────────────────────────────────────────

function lowerTextEncoder(L: Lowering, vocab: Dim, damsmOn: boolean): Network | undefined {
  const t = L.spec.text_encoder;
  if (!t.bidirectional || t.layers !== 1) {
    L.report('ATTNC3004', t.bidirectional ? '/text_encoder/layers' : '/text_encoder/bidirectional', `the runtime text encoder is a single-layer bidirectional ${t.rnn.toUpperCase()}`, 'use `bidirectional: true` and `layers: 1` (the AttnGAN encoder)');
    return undefined;
  }
  const hidden = t.hidden_dim / 2;
  const b = new NetworkBuilder('text_encoder', (tr) => (tr && damsmOn ? 'damsm' : null));
  const tokens = tensor('tokens', ['B', 'T'], 'int32');
  const embedded = tensor('embedded', ['B', 'T', t.embedding_dim]);
  b.add('encoder', 'embedding', { vocabSize: vocab, embeddingDim: t.embedding_dim, dropout: t.dropout }, { inputs: [tokens], outputs: [embedded] }, L.origin('/text_encoder/embedding_dim'), (p) =>
    p.param('weight', [vocab, t.embedding_dim]),
  );
  const words = tensor('words', ['B', 'T', t.hidden_dim]);
  const sentence = tensor('sentence', ['B', t.hidden_dim]);
  b.add('rnn', 'rnn', { rnn: t.rnn, inputDim: t.embedding_dim, hiddenPerDirection: hidden, sentence: t.sentence }, { inputs: [embedded], outputs: [words, sentence] }, L.origin(t.sentence === 'last' ? '/text_encoder/rnn' : '/text_encoder/sentence'), (p) => {
    const g = (t.rnn === 'lstm' ? 4 : 3) * hidden;
    for (const suffix of ['', '_reverse']) {
      p.param(`weight_ih_l0${suffix}`, [t.embedding_dim, g], [g, t.embedding_dim]);
      p.param(`weight_hh_l0${suffix}`, [hidden, g], [g, hidden]);
      p.param(`bias_ih_l0${suffix}`, [g]);
      p.param(`bias_hh_l0${suffix}`, [g]);
    }
  });
  return b.build({
    className: 'RnnTextEncoder',
    file: 'text-encoder.ts',
    inputs: [tokens, tensor('lengths', ['B'], 'int32')],
    outputs: [words, sentence],
    origin: L.origin('/text_encoder'),
  });
}

// ── image encoder ────────────────────────────────────────────────────────────────────────────────

function lowerImageEncoder(L: Lowering, damsmOn: boolean): Network | undefined {
  const e = L.spec.image_encoder;
  const b = new NetworkBuilder('image_encoder', (tr) => (tr && damsmOn ? 'damsm' : null));
  const nef = e.embedding_dim;
  if (e.type === 'inception_v3') {
    const input = tensor('images', ['B', e.input_size, e.input_size, 3]);
    const mixed6e = tensor('mixed6e', ['B', 17, 17, 768]);
    const pooled = tensor('pooled', ['B', 2048]);
    // The trunk's tensors sit at the root of the state_dict (torchvision names), so its id is ''.
    const frozen = e.freeze_trunk;
    b.add('', 'inception_v3', { inputSize: e.input_size, frozen, trunkBatchNorm: e.trunk_batchnorm }, { inputs: [input], outputs: [mixed6e, pooled] }, L.origin(frozen ? '/image_encoder/type' : '/image_encoder/freeze_trunk'), P.inceptionTrunkParams, !frozen);
    const regions = tensor('regions', ['B', 17, 17, nef]);
    const global = tensor('global', ['B', nef]);
    b.add('emb_features', 'conv1x1', { inChannels: 768, outChannels: nef }, { inputs: [mixed6e], outputs: [regions] }, L.origin('/image_encoder/embedding_dim'), (p) =>
      p.param('weight', [1, 1, 768, nef], [nef, 768, 1, 1]),
    );
    b.add('emb_cnn_code', 'linear', { inFeatures: 2048, outFeatures: nef, bias: true }, { inputs: [pooled], outputs: [global] }, L.origin('/image_encoder/embedding_dim'), (p) =>
      p.param('weight', [2048, nef], [nef, 2048]).param('bias', [nef]),
    );
    return b.build({ className: 'ImageEncoder', file: 'image-encoder.ts', inputs: [input], outputs: [regions, global], origin: L.origin('/image_encoder') });
  }
  // Rule ATTNC2018 (cnn-local-size) guarantees input_size / local_size = 2^n, n ≥ 1.
  const n = Math.log2(e.input_size / e.local_size);
  assert(Number.isInteger(n) && n >= 1, `local_size ${e.local_size} unreachable from ${e.input_size} passed validation`);
  const input = tensor('images', ['B', e.input_size, e.input_size, 3]);
  let c = 3;
  let s = e.input_size;
  let prev = input;
  if (e.stem > 0) {
    const stemOut = tensor('stem', ['B', s, s, e.stem]);
    b.add('stem', 'cnn_block', { inChannels: 3, outChannels: e.stem, stride: 1 }, { inputs: [input], outputs: [stemOut] }, L.origin('/image_encoder/stem'), (p) =>
      p.conv('conv', 3, e.stem, 3).bn('bn', e.stem),
    );
    c = e.stem;
    prev = stemOut;
  }
  for (let i = 0; i < n; i++) {
    const out = e.channels * 2 ** i;
    const next = tensor(`h${i}`, ['B', s / 2, s / 2, out]);
    const inC = c;
    b.add(`blocks.${i}`, 'cnn_block', { inChannels: inC, outChannels: out, stride: 2 }, { inputs: [prev], outputs: [next] }, L.origin('/image_encoder/channels'), (p) =>
      p.conv('conv', inC, out, 4).bn('bn', out),
    );
    c = out;
    s /= 2;
    prev = next;
  }
  const local = prev;
  const regions = tensor('regions', ['B', s, s, nef]);
  const global = tensor('global', ['B', nef]);
  const logits = tensor('part_logits', ['B', s, s, SYNTH_BIRD_PARTS]);
  // pooling: parts (rule ATTNC2022: only with part_loss) has no global block: the global feature
  // is projected from the part-pooled region features.
  const pooling = e.pooling;
  const gc = pooling === 'parts' ? SYNTH_BIRD_PARTS * nef : 2 * c;
  let g: typeof regions | null = null;
  if (pooling !== 'parts') {
    g = tensor('global_code', ['B', gc]);
    b.add('global_block', 'cnn_block', { inChannels: c, outChannels: gc, stride: 2, pooling }, { inputs: [local], outputs: [g] }, L.origin(pooling === 'avg' ? '/image_encoder/channels' : '/image_encoder/pooling'), (p) =>
      p.conv('conv', c, gc, 4).bn('bn', gc),
    );
  }
  b.add('emb_features', 'conv1x1', { inChannels: c, outChannels: nef }, { inputs: [local], outputs: [regions] }, L.origin('/image_encoder/embedding_dim'), (p) =>
    p.param('weight', [1, 1, c, nef], [nef, c, 1, 1]),
  );
  const code = g ? [g] : [regions, logits];
  b.add('emb_cnn_code', 'linear', { inFeatures: gc, outFeatures: nef, bias: true }, { inputs: code, outputs: [global] }, L.origin(pooling === 'parts' ? '/image_encoder/pooling' : '/image_encoder/embedding_dim'), (p) =>
    p.param('weight', [gc, nef], [nef, gc]).param('bias', [nef]),
  );
  if (e.part_loss) {
    b.add('part_head', 'part_head', { inChannels: nef, parts: SYNTH_BIRD_PARTS }, { inputs: [regions], outputs: [logits] }, L.origin('/image_encoder/part_loss'), (p) =>
      p.param('weight', [1, 1, nef, SYNTH_BIRD_PARTS], [SYNTH_BIRD_PARTS, nef, 1, 1]).param('bias', [SYNTH_BIRD_PARTS]),
    );
  }
  return b.build({ className: 'ImageEncoder', file: 'image-encoder.ts', inputs: [input], outputs: [regions, global], origin: L.origin('/image_encoder') });
}

/**
 * The parts a synthetic bird's masks tell apart (background, wing, belly, crown, beak, rest of the
 * bird): the runtime's `PARTS` (runtime/data/synthbirds/render.ts), which the compiler does not
 * import; test/compiler/lower/params.test.ts compares the two.
 */
export const SYNTH_BIRD_PARTS = 6;

// ── generator ────────────────────────────────────────────────────────────────────────────────────

/**
 * DF-GAN's channel plans (`get_G_in_out_chs` / `get_D_in_out_chs`): nf·min(2^i, 8) for
 * i < log2(size) − 1, as (in, out) pairs; the generator's runs from the deepest down. The runtime
 * builds the same (blocks/fusion.ts, discriminators/one-way.ts; the params test compares them).
 */
function dfganChannels(nf: number, size: number, order: 'generator' | 'discriminator'): Array<[number, number]> {
  const ch = Array.from({ length: Math.round(Math.log2(size)) - 1 }, (_, i) => nf * Math.min(2 ** i, 8));
  if (order === 'generator') ch.reverse();
  return ch.slice(0, -1).map((c, i) => [c, ch[i + 1]!]);
}

/** DF-GAN's `NetG`: fc(z) to 4×4×8nf, one fusion up-block per doubling, `to_rgb`. */
function lowerFusionGenerator(L: Lowering, ganOn: boolean): Network {
  const g = L.spec.generator;
  const stage = g.stages[0]!;
  const textDim = L.spec.text_encoder.hidden_dim;
  const nf = g.gf_dim;
  const ptr = '/generator/stages/0';
  const b = new NetworkBuilder('generator', (tr) => (tr && ganOn ? 'gan' : null));
  const z = tensor('z', ['B', g.z_dim]);
  const sent = tensor('sentence', ['B', textDim]);
  let h = tensor('h4', ['B', 4, 4, 8 * nf]);
  b.add('fc', 'linear', { inFeatures: g.z_dim, outFeatures: 8 * nf * 16, bias: true }, { inputs: [z], outputs: [h] }, L.origin('/generator/z_dim'), (p) =>
    p.param('weight', [g.z_dim, 8 * nf * 16], [8 * nf * 16, g.z_dim]).param('bias', [8 * nf * 16]),
  );
  const condDim = g.z_dim + textDim;
  const cond = tensor('cond', ['B', condDim]);
  let s = 4;
  dfganChannels(nf, stage.size, 'generator').forEach(([i, o], k) => {
    s *= 2;
    const next = tensor(`h${s}`, ['B', s, s, o]);
    b.add(`GBlocks.${k}`, 'fusion_up_block', { inChannels: i, outChannels: o, condDim, size: s }, { inputs: [h, cond], outputs: [next] }, L.origin(ptr), (p) => P.fusionUpBlockParams(p, condDim, i, o));
    h = next;
  });
  const img = tensor(`image${stage.size}`, ['B', stage.size, stage.size, 3]);
  const ch = h.shape[3] as number;
  b.add('to_rgb', 'rgb_head', { channels: ch }, { inputs: [h], outputs: [img] }, L.origin(ptr), (p) => P.rgbHeadParams(p, ch));
  return b.build({ className: 'Generator', file: 'generator.ts', inputs: [z, sent], outputs: [img], origin: L.origin('/generator') });
}

function lowerGenerator(L: Lowering, ganOn: boolean): Network | undefined {
  const g = L.spec.generator;
  const textDim = L.spec.text_encoder.hidden_dim;
  // Rule ATTNC2001 (first-stage-init) makes a fusion stage the only one; ATTNC2020 turns CA off with it.
  if (g.stages[0]?.type === 'fusion') return lowerFusionGenerator(L, ganOn);
  const b = new NetworkBuilder('generator', (tr) => (tr && ganOn ? 'gan' : null));
  const sent = tensor('sentence', ['B', textDim]);
  const z = tensor('z', ['B', g.z_dim]);
  const words = tensor('words', ['B', 'T', textDim]);
  const mask = tensor('mask', ['B', 'T'], 'bool');
  const c = tensor('c', ['B', g.condition_dim]);
  if (g.conditioning_augmentation) {
    b.add('ca_net', 'cond_augment', { textDim, cDim: g.condition_dim }, { inputs: [sent], outputs: [c, tensor('mu', ['B', g.condition_dim]), tensor('logvar', ['B', g.condition_dim])] }, L.origin('/generator/conditioning_augmentation'), (p) =>
      P.condAugmentParams(p, textDim, g.condition_dim),
    );
  } else {
    b.add('cond_net', 'sentence_code', { textDim, cDim: g.condition_dim }, { inputs: [sent], outputs: [c] }, L.origin('/generator/conditioning_augmentation'), (p) =>
      P.sentenceCodeParams(p, textDim, g.condition_dim),
    );
  }
  const lastHeadsOnly = g.heads === 'last';
  let h: TensorNode | undefined;
  let channels = 0;
  const outputs: TensorNode[] = [];
  const head = (stageIndex: number, hidden: TensorNode, ch: number, size: number, ptr: string) => {
    const id = lastHeadsOnly ? 'img_net' : `img_net${stageIndex + 1}`;
    const img = tensor(`image${size}`, ['B', size, size, 3]);
    b.add(id, 'image_head', { channels: ch }, { inputs: [hidden], outputs: [img] }, L.origin(ptr), (p) => P.imageHeadParams(p, ch));
    outputs.push(img);
  };
  g.stages.forEach((stage, i) => {
    const ptr = `/generator/stages/${i}`;
    if (stage.type === 'init') {
      const cc = g.gf_dim * stage.channels_mult;
      const k = Math.log2(stage.size / 4);
      const out = cc / 2 ** k;
      if (!Number.isInteger(k) || !Number.isInteger(out) || out < 1) {
        L.report('ATTNC3001', `${ptr}/channels_mult`, `gf_dim ${g.gf_dim} × channels_mult ${stage.channels_mult} = ${cc} channels at 4×4 cannot halve ${k} times to reach ${stage.size}×${stage.size}`, `make gf_dim × channels_mult a multiple of ${2 ** Math.max(k, 0)}`);
        return;
      }
      h = tensor(`h${i + 1}`, ['B', stage.size, stage.size, out]);
      channels = out;
      b.add(`h_net${i + 1}`, 'init_stage', { channels: cc, zDim: g.z_dim, cDim: g.condition_dim, upBlocks: k, size: stage.size }, { inputs: [c, z], outputs: [h] }, L.origin(ptr), (p) =>
        P.initStageParams(p, cc, g.z_dim, g.condition_dim, k),
      );
    } else if (stage.type === 'attention' || stage.type === 'memory') {
      if (!h) return;
      const wordDim = stage.type === 'attention' ? stage.attention.word_dim : stage.memory.word_dim;
      const maskMode = stage.type === 'attention' ? stage.attention.mask : stage.memory.mask;
      const prevSize = h.shape[1] as number;
      // Rules ATTNC2004 (attention-word-dim) and ATTNC2002 (stage-sizes-double) guarantee these.
      assert(wordDim === textDim, `${stage.type} word_dim ${wordDim} ≠ text encoder words ${textDim} passed validation`);
      assert(stage.size === 2 * prevSize, `stage size ${stage.size} after ${prevSize} passed validation`);
      const next = tensor(`h${i + 1}`, ['B', stage.size, stage.size, channels]);
      const attn = tensor(`attn${i}`, ['B', prevSize, prevSize, 'T']);
      const ch = channels;
      const config = { channels: ch, wordDim, residualBlocks: stage.residual_blocks, maskMode, size: stage.size };
      const io = { inputs: [h, words, mask], outputs: [next, attn] };
      if (stage.type === 'attention') {
        b.add(`h_net${i + 1}`, 'attention_stage', config, io, L.origin(ptr), (p) => P.attentionStageParams(p, ch, wordDim, stage.residual_blocks));
      } else {
        b.add(`h_net${i + 1}`, 'memory_stage', config, io, L.origin(ptr), (p) => P.memoryStageParams(p, ch, wordDim, stage.residual_blocks));
      }
      h = next;
    }
    if (h && !lastHeadsOnly) head(i, h, channels, stage.size, ptr);
  });
  if (h && lastHeadsOnly) head(g.stages.length - 1, h, channels, g.stages[g.stages.length - 1]!.size, '/generator/heads');
  return b.build({ className: 'Generator', file: 'generator.ts', inputs: [z, sent, words, mask], outputs, origin: L.origin('/generator') });
}

// ── discriminators ───────────────────────────────────────────────────────────────────────────────

/** DF-GAN's one-way discriminator on the last image: NetD (`netD.*`) and NetC (`netC.*`) as one network. */
function lowerOneWayDiscriminator(L: Lowering, ganOn: boolean): Network[] {
  const ndf = L.spec.discriminators.df_dim;
  const condDim = L.spec.text_encoder.hidden_dim;
  const size = L.spec.generator.stages[L.spec.generator.stages.length - 1]!.size;
  if (!Number.isInteger(Math.log2(size)) || size < 8) {
    L.report('ATTNC3002', '/discriminators/type', `no one-way discriminator for ${size}×${size} images: its D_Blocks halve a power of two down to 4×4`, 'make the last generator stage a power of two ≥ 8');
    return [];
  }
  const id = `discriminator_${size}` as NetworkId;
  const b = new NetworkBuilder(id, (tr) => (tr && ganOn ? 'gan' : null));
  const img = tensor('image', ['B', size, size, 3]);
  const features = tensor('features', ['B', 4, 4, 8 * ndf]);
  const blocks = dfganChannels(ndf, size, 'discriminator');
  b.add('netD', 'one_way_trunk', { ndf, size, blocks: blocks.length }, { inputs: [img], outputs: [features] }, L.origin('/discriminators/df_dim'), (p) => P.oneWayTrunkParams(p, ndf, blocks));
  const sent = tensor('sentence', ['B', condDim]);
  b.add('netC', 'joint_conditional', { ndf, condDim }, { inputs: [features, sent], outputs: [tensor('logits', ['B'])] }, L.origin('/discriminators/type'), (p) => P.jointConditionalParams(p, ndf, condDim));
  return [b.build({ className: `Discriminator${size}`, file: 'discriminators.ts', inputs: [img, sent], outputs: [features], origin: L.origin('/discriminators') })];
}

function lowerDiscriminators(L: Lowering, ganOn: boolean): Network[] {
  const d = L.spec.discriminators;
  if (d.type === 'one_way') return lowerOneWayDiscriminator(L, ganOn);
  const nef = L.spec.text_encoder.hidden_dim;
  const ndf = d.df_dim;
  const out: Network[] = [];
  for (const size of discriminatorSizes(L.spec)) {
    const sn = spectralNormAt(L.spec, size);
    const k = Math.log2(size / 64);
    if (!Number.isInteger(k) || k < -2) {
      L.report('ATTNC3002', '/discriminators', `no discriminator for ${size}×${size} images: sizes are 16, 32 or 64·2^k (64, 128, 256, …)`, 'make every generator stage with a discriminator at least 16 px');
      continue;
    }
    const id = `discriminator_${size}` as NetworkId;
    const b = new NetworkBuilder(id, (tr) => (tr && ganOn ? 'gan' : null));
    const ptr = '/discriminators';
    const img = tensor('image', ['B', size, size, 3]);
    let h: TensorNode;
    if (k < 0) {
      // 32 / 16 px: the first three / two stride-2 convs of the 16× encoder to 4×4 (4ndf / 2ndf),
      // then 3×3 blocks doubling the channels up to the heads' 8ndf.
      const by = size / 4;
      const convs = Math.log2(by);
      h = tensor(`s${by}`, ['B', 4, 4, ndf * 2 ** (convs - 1)]);
      b.add(`img_code_s${by}`, by === 8 ? 'encode_image_by_8' : 'encode_image_by_4', { ndf, spectralNorm: sn }, { inputs: [img], outputs: [h] }, L.origin(`${ptr}/df_dim`), (p) =>
        P.encodeImageParams(p, ndf, convs, sn),
      );
      for (let j = 1; j <= -k; j++) {
        const inC = ndf * 2 ** (convs - 2 + j);
        const from = h;
        h = tensor(`s${by}_${j}`, ['B', 4, 4, 2 * inC]);
        b.add(`img_code_s${by}_${j}`, 'block3x3_leaky', { inChannels: inC, outChannels: 2 * inC, spectralNorm: sn }, { inputs: [from], outputs: [h] }, L.origin(`${ptr}/df_dim`), (p) =>
          P.convBnParams(p, inC, 2 * inC, 3, sn),
        );
      }
    } else {
      h = tensor('s16', ['B', size / 16, size / 16, 8 * ndf]);
      b.add('img_code_s16', 'encode_image_by_16', { ndf, spectralNorm: sn }, { inputs: [img], outputs: [h] }, L.origin(`${ptr}/df_dim`), (p) => P.encodeImageParams(p, ndf, 4, sn));
    }
    let ch = 8 * ndf;
    let s = size / 16;
    for (let i = 0; i < k; i++) {
      const next = tensor(`s${32 * 2 ** i}`, ['B', s / 2, s / 2, 2 * ch]);
      const inC = ch;
      const from = h;
      b.add(`img_code_s${32 * 2 ** i}`, 'down_block', { inChannels: inC, outChannels: 2 * inC, spectralNorm: sn }, { inputs: [from], outputs: [next] }, L.origin(`${ptr}/df_dim`), (p) =>
        P.convBnParams(p, inC, 2 * inC, 4, sn),
      );
      h = next;
      ch *= 2;
      s /= 2;
    }
    const last = 16 * 2 ** k;
    for (let j = 1; j <= k; j++) {
      const next = tensor(`s${last}_${j}`, ['B', 4, 4, ch / 2]);
      const inC = ch;
      const from = h;
      b.add(`img_code_s${last}_${j}`, 'block3x3_leaky', { inChannels: inC, outChannels: inC / 2, spectralNorm: sn }, { inputs: [from], outputs: [next] }, L.origin(`${ptr}/df_dim`), (p) =>
        P.convBnParams(p, inC, inC / 2, 3, sn),
      );
      h = next;
      ch /= 2;
    }
    const outputs: TensorNode[] = [tensor('code', ['B', 4, 4, 8 * ndf])];
    if (d.unconditional) {
      b.add('UNCOND_DNET', 'uncond_logits', { ndf }, { inputs: [h], outputs: [tensor('uncond', ['B'])] }, L.origin(`${ptr}/unconditional`), (p) => P.uncondLogitsParams(p, ndf));
    }
    if (d.conditional) {
      b.add('COND_DNET', 'cond_logits', { ndf, nef, spectralNorm: sn }, { inputs: [h, tensor('sentence', ['B', nef])], outputs: [tensor('cond', ['B'])] }, L.origin(`${ptr}/conditional`), (p) =>
        P.condLogitsParams(p, ndf, nef, sn),
      );
    }
    out.push(b.build({ className: `Discriminator${size}`, file: 'discriminators.ts', inputs: [img], outputs, origin: L.origin(ptr) }));
  }
  return out;
}

// ── phases and losses ────────────────────────────────────────────────────────────────────────────

function optimizerNode(o: { lr: number; beta1: number; beta2: number; epsilon: number; weight_decay: number }): OptimizerNode {
  return { lr: o.lr, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon, weightDecay: o.weight_decay };
}

function lowerPhases(L: Lowering, networks: Network[]): Phase[] {
  const t = L.spec.train;
  const ds = networks.filter((n) => n.id.startsWith('discriminator_')).map((n) => n.id);
  const clip = (c: typeof t.damsm.grad_clip) => (c ? { maxNorm: c.max_norm, params: c.params } : null);
  const schedule = (s: typeof t.damsm.schedule): Phase['schedule'] => (s.type === 'exponential' ? { type: 'exponential', factor: s.factor, floor: s.floor } : { type: 'constant' });
  return [
    {
      id: 'damsm',
      enabled: t.damsm.enabled,
      trains: ['text_encoder', 'image_encoder'],
      frozen: [],
      optimizers: [{ id: 'encoders', networks: ['text_encoder', 'image_encoder'], optimizer: optimizerNode(t.damsm.optimizer) }],
      batchSize: t.damsm.batch_size,
      epochs: t.damsm.epochs,
      gradClip: clip(t.damsm.grad_clip),
      schedule: schedule(t.damsm.schedule),
      ema: null,
      ...(L.spec.image_encoder.type === 'cnn' && L.spec.image_encoder.part_loss
        ? { partLoss: { weight: L.spec.image_encoder.part_loss.weight, grid: L.spec.image_encoder.local_size, origin: L.origin('/image_encoder/part_loss') } }
        : {}),
      origin: L.origin('/train/damsm'),
    },
    {
      id: 'gan',
      enabled: t.gan.enabled,
      trains: ['generator', ...ds],
      frozen: ['text_encoder', 'image_encoder'],
      optimizers: [
        { id: 'generator', networks: ['generator'], optimizer: optimizerNode(t.gan.generator_optimizer) },
        ...ds.map((id) => ({ id, networks: [id], optimizer: optimizerNode(t.gan.discriminator_optimizer) })),
      ],
      batchSize: t.gan.batch_size,
      epochs: t.gan.epochs,
      gradClip: clip(t.gan.grad_clip),
      schedule: schedule(t.gan.schedule),
      ema: t.gan.ema ? { decay: t.gan.ema.decay } : null,
      // checkSupport reports the inits the runtime lacks.
      init: t.gan.init === 'pytorch' ? 'pytorch' : 'orthogonal',
      origin: L.origin('/train/gan'),
    },
  ];
}

function lowerLosses(L: Lowering): LossNode[] {
  const lastStage = L.spec.generator.stages.length - 1;
  return L.spec.losses.map((l, i): LossNode => {
    const origin = L.origin(`/losses/${i}`);
    switch (l.type) {
      case 'adversarial':
        return { type: 'adversarial', conditional: l.conditional, unconditional: l.unconditional, mismatched: l.mismatched, weights: { ...l.weights }, averaging: l.averaging, origin };
      case 'damsm':
        return {
          type: 'damsm',
          lambda: l.lambda,
          ...(l.warmup_steps > 0 ? { warmupSteps: l.warmup_steps } : {}),
          ...(l.negative_queue > 0 ? { negativeQueue: l.negative_queue } : {}),
          ...(l.part_words && (l.part_words.weight > 0 || l.part_words.pretrain_weight > 0) ? { partWords: { weight: l.part_words.weight, pretrainWeight: l.part_words.pretrain_weight } } : {}),
          gamma1: l.gamma1,
          gamma2: l.gamma2,
          gamma3: l.gamma3,
          stage: l.stage === 'last' ? lastStage : l.stage,
          aggregation: l.aggregation,
          classMasking: l.class_masking,
          origin,
        };
      case 'kl':
        return { type: 'kl', weight: l.weight, reduction: l.reduction, origin };
      case 'hinge':
        return { type: 'hinge', origin };
      case 'ma_gp':
        return { type: 'ma_gp', weight: l.weight, power: l.power, origin };
    }
  });
}

// ── what the emitted training code supports ─────────────────────────────────────────────────────

/** Spec options the schema accepts but the runtime losses and emitted steps cannot express yet. */
function checkSupport(L: Lowering): void {
  const spec = L.spec;
  const unsupported = (pointer: string, what: string, help: string) => L.report('ATTNC3004', pointer, what, help);
  spec.losses.forEach((l, i) => {
    if (l.type !== 'adversarial') return;
    const ptr = `/losses/${i}`;
    if (!l.conditional) unsupported(`${ptr}/conditional`, 'an adversarial loss without the conditional term is not supported by the runtime losses', 'keep `conditional: true`');
    if (!l.mismatched) unsupported(`${ptr}/mismatched`, 'an adversarial loss without mismatched pairs is not supported by the runtime losses', 'keep `mismatched: true`');
    if (l.averaging !== 'original') unsupported(`${ptr}/averaging`, "only the original code's averaging is supported", 'use `averaging: original`');
  });
  if (!spec.discriminators.conditional) unsupported('/discriminators/conditional', 'discriminators without the conditional head are not supported', 'keep `conditional: true`');
  const init = spec.train.gan.init;
  if (init !== 'orthogonal' && init !== 'pytorch') unsupported('/train/gan/init', `init '${init}' is not in the runtime (AttnGAN's orthogonal weights_init, or PyTorch's default layer init)`, 'use `init: orthogonal` or `init: pytorch`');
  const opts: Array<[string, { weight_decay: number }]> = [
    ['/train/damsm/optimizer', spec.train.damsm.optimizer],
    ['/train/gan/generator_optimizer', spec.train.gan.generator_optimizer],
    ['/train/gan/discriminator_optimizer', spec.train.gan.discriminator_optimizer],
  ];
  for (const [ptr, o] of opts) if (o.weight_decay !== 0) unsupported(`${ptr}/weight_decay`, 'Adam with weight decay is not supported yet', 'set `weight_decay: 0`');
  if (!spec.losses.some((l) => l.type === 'damsm')) unsupported('/losses', 'the emitted DAMSM step needs a `damsm` loss term for its γs', 'add `{ type: damsm }` (with `lambda: 0` it only sets the DAMSM phase, as DF-GAN)');
  const fusion = spec.generator.stages[0]?.type === 'fusion';
  if (fusion && spec.discriminators.type !== 'one_way') unsupported('/discriminators/type', "a fusion generator trains with DF-GAN's one-way discriminator in the runtime", 'set `discriminators: { type: one_way }`');
  if (!fusion && spec.discriminators.type === 'one_way') unsupported('/discriminators/type', 'the runtime pairs the one-way discriminator with the fusion generator only', 'use a `fusion` stage, or `discriminators.type: attngan`');
  spec.losses.forEach((l, i) => {
    if (fusion && l.type === 'damsm' && l.lambda !== 0) unsupported(`/losses/${i}/lambda`, "the fusion generator's loss has no DAMSM term in the runtime (DF-GAN's has none)", 'set `lambda: 0`: the term then sets only the DAMSM pretraining γs');
  });
}
