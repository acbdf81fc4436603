/**
 * Parameter lists of every module kind, computed from its constants alone (no tensors, no tfjs).
 * Names and order follow the runtime modules (`namedParameterShapes()`), which follow PyTorch's
 * `named_parameters()`; test/compiler/lower/params.test.ts checks both against each other.
 * Only trainable-kind tensors are listed: BatchNorm running statistics are buffers, not parameters.
 */
import type { Dim, Shape } from './graph.js';

export interface RawParam {
  /** Dotted name relative to the network root. */
  name: string;
  shape: Dim[];
  torchShape: Dim[];
  /** False for tensors no optimizer may touch (the frozen Inception trunk). */
  trainable: boolean;
}

/** Collects parameters under a dotted prefix, the way `Module.addModule` nests names. */
export class ParamList {
  constructor(
    private readonly prefix = '',
    private readonly trainable = true,
    /** Shared by a list and all its children, so the order is registration order. */
    readonly items: RawParam[] = [],
  ) {}

  child(name: string | number, trainable = this.trainable): ParamList {
    return new ParamList(this.join(String(name)), trainable, this.items);
  }

  private join(name: string): string {
    return this.prefix ? `${this.prefix}.${name}` : name;
  }

  param(name: string, shape: Dim[], torchShape: Dim[] = shape): this {
    this.items.push({ name: this.join(name), shape, torchShape, trainable: this.trainable });
    return this;
  }

  /** `Conv2d`: weight [kh,kw,in,out] (torch [out,in,kh,kw]), optional bias [out]. */
  conv(name: string | number, inC: number, outC: number, k: number | [number, number], bias = false): this {
    const [kh, kw] = typeof k === 'number' ? [k, k] : k;
    const c = this.child(name);
    c.param('weight', [kh, kw, inC, outC], [outC, inC, kh, kw]);
    if (bias) c.param('bias', [outC]);
    return this;
  }

  /** A parameter no optimizer touches (`requires_grad=False`), whatever this list's trainability. */
  fixedParam(name: string, shape: Dim[]): this {
    this.items.push({ name: this.join(name), shape, torchShape: shape, trainable: false });
    return this;
  }

  /**
   * DM-GAN's `SpectralNorm(Conv2d(…, bias=True))`: `<name>.module.` bias [out], weight_u [out] and
   * weight_v [in·kh·kw] (non-trainable), weight_bar [kh,kw,in,out] (torch [out,in,kh,kw]).
   */
  spectralConv(name: string | number, inC: number, outC: number, k: number): this {
    const m = this.child(name).child('module');
    m.param('bias', [outC]).fixedParam('weight_u', [outC]).fixedParam('weight_v', [inC * k * k]);
    m.param('weight_bar', [k, k, inC, outC], [outC, inC, k, k]);
    return this;
  }

  /** `Linear`: weight [in,out] (torch [out,in]), optional bias [out]. */
  linear(name: string | number, inF: number, outF: number, bias: boolean): this {
    const c = this.child(name);
    c.param('weight', [inF, outF], [outF, inF]);
    if (bias) c.param('bias', [outF]);
    return this;
  }

  /** `BatchNorm`: weight (γ) and bias (β) [C]; running stats are buffers. */
  bn(name: string | number, channels: number): this {
    this.child(name).param('weight', [channels]).param('bias', [channels]);
    return this;
  }
}

export function sizeOf(shape: Shape): number | null {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') return null;
    n *= d;
  }
  return n;
}

// ── generator ────────────────────────────────────────────────────────────────────────────────────

/** `UpBlock(in, out)`: `1` conv3x3 in → 2·out, `2` BN(2·out). */
export function upBlockParams(p: ParamList, inC: number, outC: number): void {
  p.conv(1, inC, 2 * outC, 3).bn(2, 2 * outC);
}

/** `ResBlock(C)`: `block.0` conv C→2C, `block.1` BN(2C), `block.3` conv C→C, `block.4` BN(C). */
export function resBlockParams(p: ParamList, c: number): void {
  const b = p.child('block');
  b.conv(0, c, 2 * c, 3).bn(1, 2 * c).conv(3, c, c, 3).bn(4, c);
}

/** `CondAugment`: `fc` Linear(textDim → 4·cDim, bias). */
export function condAugmentParams(p: ParamList, textDim: number, cDim: number): void {
  p.linear('fc', textDim, 4 * cDim, true);
}

/** `cond_net` (no conditioning augmentation): `fc` Linear(textDim → 2·cDim, bias), GLU → c. */
export function sentenceCodeParams(p: ParamList, textDim: number, cDim: number): void {
  p.linear('fc', textDim, 2 * cDim, true);
}

/** Init stage: `fc.0` Linear(cDim+zDim → C·32, no bias), `fc.1` BN1d, then one UpBlock per doubling. */
export function initStageParams(p: ParamList, c: number, zDim: number, cDim: number, upBlocks: number): void {
  const features = c * 4 * 4 * 2;
  p.child('fc').linear(0, cDim + zDim, features, false).bn(1, features);
  let ch = c;
  for (let i = 1; i <= upBlocks; i++) {
    upBlockParams(p.child(`upsample${i}`), ch, ch / 2);
    ch /= 2;
  }
}

/** Attention stage on C channels: `att.conv_context` 1×1 wordDim→C, R ResBlocks(2C), `upsample` UpBlock(2C→C). */
export function attentionStageParams(p: ParamList, c: number, wordDim: number, residualBlocks: number): void {
  p.child('att').conv('conv_context', wordDim, c, 1);
  const res = p.child('residual');
  for (let r = 0; r < residualBlocks; r++) resBlockParams(res.child(r), 2 * c);
  upBlockParams(p.child('upsample'), 2 * c, c);
}

/**
 * DM-GAN's memory stage: `A` (words → 1) and `B` (image → 1) without bias, the Conv1d k=1 memory
 * maps `M_r`, `M_w` (→ 2C), `key`, `value` (2C → C) with bias, `response_gate.0` (conv1x1 2C → 1,
 * bias), then R ResBlocks on 2C and an upBlock 2C → C.
 */
export function memoryStageParams(p: ParamList, c: number, wordDim: number, residualBlocks: number): void {
  p.linear('A', wordDim, 1, false).linear('B', c, 1, false);
  const conv1d = (name: string, inC: number, outC: number) => p.child(name).child(0).param('weight', [1, inC, outC], [outC, inC, 1]).param('bias', [outC]);
  conv1d('M_r', c, 2 * c);
  conv1d('M_w', wordDim, 2 * c);
  conv1d('key', 2 * c, c);
  conv1d('value', 2 * c, c);
  p.child('response_gate').conv(0, 2 * c, 1, 1, true);
  const res = p.child('residual');
  for (let r = 0; r < residualBlocks; r++) resBlockParams(res.child(r), 2 * c);
  upBlockParams(p.child('upsample'), 2 * c, c);
}

/** `ImageHead`: `img.0` conv3x3 C→3, no bias. */
export function imageHeadParams(p: ParamList, c: number): void {
  p.child('img').conv(0, c, 3, 3);
}

// ── discriminators ───────────────────────────────────────────────────────────────────────────────

/**
 * The first `convs` stride-2 convs of `encode_image_by_16times(ndf)` (ndf, 2ndf, 4ndf, 8ndf
 * channels): all four for D64/128/256, three for the 32 px and two for the 16 px discriminator
 * (`EncodeImageBy{16,8,4}Times`). Convs at Sequential indices 0, 2, 5, 8; BN at 3, 6, 9 (none after
 * the first). DM-GAN's (`spectral`): SpectralNorm convs with biases at 0, 2, 4, 6, no BN.
 */
export function encodeImageParams(p: ParamList, ndf: number, convs: number, spectral = false): void {
  for (let i = 0; i < convs; i++) {
    const inC = i === 0 ? 3 : ndf * 2 ** (i - 1);
    const outC = ndf * 2 ** i;
    if (spectral) p.spectralConv(2 * i, inC, outC, 4);
    else if (i === 0) p.conv(0, inC, outC, 4);
    else p.conv(3 * i - 1, inC, outC, 4).bn(3 * i, outC);
  }
}

/** `downBlock` (4×4/2) and `Block3x3_leakRelu` (3×3): `0` conv, `1` BN; DM-GAN's: `0` SpectralNorm conv with bias. */
export function convBnParams(p: ParamList, inC: number, outC: number, k: number, spectral = false): void {
  if (spectral) p.spectralConv(0, inC, outC, k);
  else p.conv(0, inC, outC, k).bn(1, outC);
}

export function uncondLogitsParams(p: ParamList, ndf: number): void {
  p.child('outlogits').conv(0, 8 * ndf, 1, 4, true);
}

export function condLogitsParams(p: ParamList, ndf: number, nef: number, spectral = false): void {
  convBnParams(p.child('jointConv'), 8 * ndf + nef, 8 * ndf, 3, spectral);
  p.child('outlogits').conv(0, 8 * ndf, 1, 4, true);
}

// ── encoders ─────────────────────────────────────────────────────────────────────────────────────

/** torchvision `BasicConv2d`: `conv` (no bias) + `bn` (eps 1e-3). */
function basicConv(p: ParamList, name: string, inC: number, outC: number, k: number | [number, number]): void {
  const c = p.child(name);
  c.conv('conv', inC, outC, k).bn('bn', outC);
}

/** The Inception-v3 modules `CNN_ENCODER` keeps (torchvision names and order), frozen. */
export function inceptionTrunkParams(p: ParamList): void {
  basicConv(p, 'Conv2d_1a_3x3', 3, 32, 3);
  basicConv(p, 'Conv2d_2a_3x3', 32, 32, 3);
  basicConv(p, 'Conv2d_2b_3x3', 32, 64, 3);
  basicConv(p, 'Conv2d_3b_1x1', 64, 80, 1);
  basicConv(p, 'Conv2d_4a_3x3', 80, 192, 3);
  const inceptionA = (name: string, inC: number, pool: number) => {
    const m = p.child(name);
    basicConv(m, 'branch1x1', inC, 64, 1);
    basicConv(m, 'branch5x5_1', inC, 48, 1);
    basicConv(m, 'branch5x5_2', 48, 64, 5);
    basicConv(m, 'branch3x3dbl_1', inC, 64, 1);
    basicConv(m, 'branch3x3dbl_2', 64, 96, 3);
    basicConv(m, 'branch3x3dbl_3', 96, 96, 3);
    basicConv(m, 'branch_pool', inC, pool, 1);
  };
  inceptionA('Mixed_5b', 192, 32);
  inceptionA('Mixed_5c', 256, 64);
  inceptionA('Mixed_5d', 288, 64);
  const b = p.child('Mixed_6a');
  basicConv(b, 'branch3x3', 288, 384, 3);
  basicConv(b, 'branch3x3dbl_1', 288, 64, 1);
  basicConv(b, 'branch3x3dbl_2', 64, 96, 3);
  basicConv(b, 'branch3x3dbl_3', 96, 96, 3);
  const inceptionC = (name: string, c7: number) => {
    const m = p.child(name);
    basicConv(m, 'branch1x1', 768, 192, 1);
    basicConv(m, 'branch7x7_1', 768, c7, 1);
    basicConv(m, 'branch7x7_2', c7, c7, [1, 7]);
    basicConv(m, 'branch7x7_3', c7, 192, [7, 1]);
    basicConv(m, 'branch7x7dbl_1', 768, c7, 1);
    basicConv(m, 'branch7x7dbl_2', c7, c7, [7, 1]);
    basicConv(m, 'branch7x7dbl_3', c7, c7, [1, 7]);
    basicConv(m, 'branch7x7dbl_4', c7, c7, [7, 1]);
    basicConv(m, 'branch7x7dbl_5', c7, 192, [1, 7]);
    basicConv(m, 'branch_pool', 768, 192, 1);
  };
  inceptionC('Mixed_6b', 128);
  inceptionC('Mixed_6c', 160);
  inceptionC('Mixed_6d', 160);
  inceptionC('Mixed_6e', 192);
  const d = p.child('Mixed_7a');
  basicConv(d, 'branch3x3_1', 768, 192, 1);
  basicConv(d, 'branch3x3_2', 192, 320, 3);
  basicConv(d, 'branch7x7x3_1', 768, 192, 1);
  basicConv(d, 'branch7x7x3_2', 192, 192, [1, 7]);
  basicConv(d, 'branch7x7x3_3', 192, 192, [7, 1]);
  basicConv(d, 'branch7x7x3_4', 192, 192, 3);
  const inceptionE = (name: string, inC: number) => {
    const m = p.child(name);
    basicConv(m, 'branch1x1', inC, 320, 1);
    basicConv(m, 'branch3x3_1', inC, 384, 1);
    basicConv(m, 'branch3x3_2a', 384, 384, [1, 3]);
    basicConv(m, 'branch3x3_2b', 384, 384, [3, 1]);
    basicConv(m, 'branch3x3dbl_1', inC, 448, 1);
    basicConv(m, 'branch3x3dbl_2', 448, 384, 3);
    basicConv(m, 'branch3x3dbl_3a', 384, 384, [1, 3]);
    basicConv(m, 'branch3x3dbl_3b', 384, 384, [3, 1]);
    basicConv(m, 'branch_pool', inC, 192, 1);
  };
  inceptionE('Mixed_7b', 1280);
  inceptionE('Mixed_7c', 2048);
}

// ── DF-GAN (tobran/DF-GAN code/models/GAN.py) ───────────────────────────────────────────────────

/** `Affine(cond, C)`: `fc_gamma` and `fc_beta`, each `linear1` cond→C and `linear2` C→C, with biases. */
function affineParams(p: ParamList, condDim: number, c: number): void {
  for (const mlp of ['fc_gamma', 'fc_beta']) p.child(mlp).linear('linear1', condDim, c, true).linear('linear2', c, c, true);
}

/** `G_Block(cond, in, out)`: `c1` 3×3 in→out, `c2` 3×3 out→out, `fuse1` (affine0/1 on in), `fuse2` (on out), `c_sc` 1×1 when in ≠ out; convs with bias. */
export function fusionUpBlockParams(p: ParamList, condDim: number, inC: number, outC: number): void {
  p.conv('c1', inC, outC, 3, true).conv('c2', outC, outC, 3, true);
  for (const [fuse, c] of [['fuse1', inC], ['fuse2', outC]] as const) {
    const f = p.child(fuse);
    affineParams(f.child('affine0'), condDim, c);
    affineParams(f.child('affine1'), condDim, c);
  }
  if (inC !== outC) p.conv('c_sc', inC, outC, 1, true);
}

/** `to_rgb`: LeakyReLU (`0`), conv 3×3 C→3 with bias (`1`), tanh. */
export function rgbHeadParams(p: ParamList, c: number): void {
  p.conv(1, c, 3, 3, true);
}

/** `D_Block(in, out)`: `gamma` [1] first (a module's own tensors come before its children's), `conv_r.0` 4×4 and `conv_r.2` 3×3 without bias, `conv_s` 1×1 with bias (built always). */
function dBlockParams(p: ParamList, inC: number, outC: number): void {
  p.param('gamma', [1]).conv('conv_r.0', inC, outC, 4).conv('conv_r.2', outC, outC, 3).conv('conv_s', inC, outC, 1, true);
}

/** `NetD(ndf, size)`: `conv_img` 3×3 3→ndf with bias, then `DBlocks.<i>` over the channel plan. */
export function oneWayTrunkParams(p: ParamList, ndf: number, blocks: ReadonlyArray<readonly [number, number]>): void {
  p.conv('conv_img', 3, ndf, 3, true);
  blocks.forEach(([i, o], k) => dBlockParams(p.child('DBlocks').child(k), i, o));
}

/** `NetC(ndf, cond)`: `joint_conv.0` 3×3 (8·ndf + cond → 2·ndf) and `joint_conv.2` 4×4 (2·ndf → 1), no biases. */
export function jointConditionalParams(p: ParamList, ndf: number, condDim: number): void {
  p.conv('joint_conv.0', 8 * ndf + condDim, 2 * ndf, 3).conv('joint_conv.2', 2 * ndf, 1, 4);
}
