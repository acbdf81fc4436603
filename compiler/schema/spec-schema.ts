/**
 * The spec's one source of truth. Every key, type, range and default lives here; the TypeScript
 * types of the resolved spec are `Static<>` of these schemas (compiler/schema/types.ts) and the
 * editor schema (attnc.schema.json) is generated from them.
 *
 * Defaults are AttnGAN's `code/miscc/config.py` defaults where the original has one (so a spec
 * states what the shipped `cfg/*.yml` state); model-shape values with no sensible default are required.
 */
import { Type } from '@sinclair/typebox';
import { Bool, Enum, Lit, NonNegInt, NonNegNum, Nullable, Obj, Path, PosInt, PosNum, Tagged } from './helpers.js';

export const SPEC_FORMAT_VERSION = 1;

// ── data ────────────────────────────────────────────────────────────────────────────────────────
export const SynthBirdsDataset = Obj({
  kind: Lit('synthbirds'),
  images: PosInt(2000, 'number of synthetic images, all splits together'),
  seed: NonNegInt(1, 'seed of the synthetic generator'),
  test_fraction: NonNegNum(0.1, 'fraction of seen-combination images in the test split', { maximum: 1 }),
  heldout_fraction: NonNegNum(0.1, 'fraction of the 729 colour combinations held out of train and test', { maximum: 1 }),
}, { description: 'built-in synthetic birds (no download)' });

export const CubDataset = Obj({
  kind: Lit('cub'),
  root: Type.String({ minLength: 1, description: 'folder in the AttnGAN birds layout (captions.pickle, train/, test/, text/, CUB_200_2011/)' }),
  bbox_crop: Bool(true, 'crop around the CUB bounding box (1.5x the larger side), as the original does for birds'),
}, { description: 'CUB-200-2011 in the AttnGAN layout' });

export const CocoDataset = Obj({
  kind: Lit('coco'),
  root: Type.String({ minLength: 1, description: 'folder in the AttnGAN COCO layout (captions.pickle, train/, test/, text/, images/)' }),
}, { description: 'COCO-2014 in the AttnGAN layout' });

export const CustomDataset = Obj({
  kind: Lit('custom'),
  root: Type.String({ minLength: 1, description: 'folder with train.txt and test.txt (one key a line, or "<key> <class id>"), text/<key>.txt and images/<key>.jpg (docs/datasets.md)' }),
  images_dir: Type.String({ minLength: 1, default: 'images' }),
  text_dir: Type.String({ minLength: 1, default: 'text' }),
  image_ext: Type.String({ minLength: 1, default: '.jpg' }),
  class_ids: Bool(false, 'every line of train.txt/test.txt gives a class id ("<key> <id>") for DAMSM same-class masking; false ignores any and gives image i of a split class i'),
}, { description: 'your own images and captions' });

export const Dataset = Tagged('kind', [SynthBirdsDataset, CubDataset, CocoDataset, CustomDataset], { description: 'which dataset, tagged by `kind`' });

export const Augmentation = Obj({
  resize_ratio: PosNum(76 / 64, 'resize the shorter side to size x ratio before the random crop (original 76/64)'),
  random_crop: Bool(true),
  horizontal_flip: Bool(true),
});

export const Data = Obj({
  dataset: Dataset,
  captions_per_image: PosInt(10, 'captions per image (TEXT.CAPTIONS_PER_IMAGE)'),
  words_num: PosInt(18, 'max words per caption; longer captions drop random words (TEXT.WORDS_NUM)', { maximum: 1000 }),
  long_captions: Enum(['random_drop', 'truncate'] as const, 'random_drop', 'how captions longer than words_num are shortened'),
  image_sizes: Type.Array(PosInt(undefined), { minItems: 1, description: 'image size fed to each discriminator; derived from generator.stages when omitted' }),
  augmentation: Augmentation,
});

// ── encoders ────────────────────────────────────────────────────────────────────────────────────
export const TextEncoder = Obj({
  rnn: Enum(['lstm', 'gru'] as const, 'lstm', 'recurrent cell (RNN_TYPE)'),
  bidirectional: Bool(true),
  layers: PosInt(1),
  embedding_dim: PosInt(300, 'word-embedding size fed to the RNN (RNN_ENCODER ninput)'),
  hidden_dim: PosInt(256, 'total hidden size over both directions = word/sentence feature size (EMBEDDING_DIM)'),
  dropout: NonNegNum(0.5, 'dropout on the word embeddings', { maximum: 1 }),
  sentence: Enum(['last', 'mean'] as const, 'last', 'sentence feature: last = final states of both directions (RNN_ENCODER); mean = mean of the word features over the real words (learns faster from the DAMSM loss, docs/tuning.md)'),
  weights: Path('pretrained text encoder (.pth from AttnGAN or an attnc checkpoint); null = train in the DAMSM phase'),
});

export const InceptionImageEncoder = Obj({
  type: Lit('inception_v3'),
  embedding_dim: PosInt(256, 'projection size of local and global features (nef)'),
  input_size: PosInt(299, 'images are resized (bilinear) to this size before the trunk'),
  trunk_weights: Path('ImageNet Inception-v3 weights for the frozen trunk'),
  weights: Path('pretrained DAMSM image encoder (.pth); null = train the projections in the DAMSM phase'),
  freeze_trunk: Bool(true),
  trunk_batchnorm: Enum(['batch', 'running'] as const, 'batch', "the trunk's BatchNorm while the DAMSM phase trains the encoder: batch = batch statistics, running statistics drift (the original: cnn_model.train()); running = always the stored statistics. Elsewhere (GAN training, sampling) the trunk always uses its running statistics"),
}, { description: 'Inception-v3 trunk (Mixed_6e local, Mixed_7c global) with 1x1 conv + linear projections' });

export const CnnImageEncoder = Obj({
  type: Lit('cnn'),
  embedding_dim: PosInt(256, 'projection size of local and global features'),
  input_size: PosInt(64, 'size of the images it reads: the DAMSM stage\'s size'),
  channels: PosInt(32, 'channels of the first conv; doubled at each downsampling'),
  local_size: PosInt(8, 'spatial size of the local (region) feature map', { minimum: 2 }),
  stem: NonNegInt(0, 'channels of a 3x3 stride-1 conv block at full resolution before the first downsampling; 0 = none'),
  pooling: Enum(['avg', 'max', 'parts'] as const, 'avg', "how the global feature is made: avg or max over space of the global block (max: a small part is not averaged away); parts (needs part_loss): no global block, the region features averaged once per part under the part head's softmax and projected side by side, so the global feature says what is on each part"),
  part_loss: Nullable(Obj({
    weight: PosNum(1, 'weight of the part cross-entropy beside the four DAMSM terms'),
  }), { default: null, description: "synthetic birds only: a 1x1 conv head (`part_head`) on the region features predicts which part (background, wing, belly, crown, beak, rest of the bird) each region shows, trained in the DAMSM phase by a cross-entropy against the rendered part masks, so the region features the word loss reads know where the parts are; null = none (the original)" }),
  weights: Path('pretrained small-CNN encoder; null = train from scratch in the DAMSM phase'),
}, { description: 'a small CNN trained from scratch (CPU-sized models)' });

export const ImageEncoder = Tagged('type', [InceptionImageEncoder, CnnImageEncoder]);

// ── generator ───────────────────────────────────────────────────────────────────────────────────
export const InitStage = Obj({
  type: Lit('init'),
  size: PosInt(undefined, 'output size of this stage (4 x 2^k)', { minimum: 8 }),
  channels_mult: PosInt(16, 'the fc output has gf_dim x mult channels at 4x4 (ngf*16)'),
}, { description: 'fc from [c, z] to 4x4, then upBlocks to `size`' });

export const Attention = Obj({
  word_dim: PosInt(256, 'size of the word features attended to (= text_encoder.hidden_dim)'),
  mask: Enum(['correct', 'original_bug'] as const, 'correct', 'original_bug reproduces the mask tiling of GlobalAttention.py:105 (parity with released weights)'),
});

export const AttentionStage = Obj({
  type: Lit('attention'),
  size: PosInt(undefined, 'output size of this stage (twice the previous stage)', { minimum: 8 }),
  residual_blocks: NonNegInt(2, 'ResBlocks after the attention concat (R_NUM)', { maximum: 64 }),
  attention: Attention,
}, { description: 'word attention, concat, residual blocks, upBlock x2' });

export const Memory = Obj({
  word_dim: PosInt(256, 'size of the word features written to the memory (= text_encoder.hidden_dim)'),
  mask: Enum(['correct', 'original_bug'] as const, 'correct', 'original_bug reproduces DM-GAN\'s Memory.forward mask tiling (mask.repeat(queryL, 1), as GlobalAttention.py:105; parity with released weights)'),
});

export const MemoryStage = Obj({
  type: Lit('memory'),
  size: PosInt(undefined, 'output size of this stage (twice the previous stage)', { minimum: 8 }),
  residual_blocks: NonNegInt(2, 'ResBlocks on [h, h] after the response gate (R_NUM)', { maximum: 64 }),
  memory: Memory,
}, { description: 'DM-GAN dynamic memory: gated memory writing from the words, key addressing and value reading per pixel, response gate, residual blocks, upBlock x2' });

export const FusionStage = Obj({
  type: Lit('fusion'),
  size: PosInt(undefined, 'output size of the image (a power of two, 2^k with k ≥ 3)', { minimum: 8 }),
}, { description: "DF-GAN's one-stage generator (NetG): fc from z to 4x4x(8·gf_dim), fusion upsampling blocks (nearest x2, convs, and affine modulation of the features by MLPs of [z, sentence]) to `size`, then LeakyReLU, a 3x3 conv and tanh. It is the only stage; gf_dim is DF-GAN's nf" });

export const Stage = Tagged('type', [InitStage, AttentionStage, MemoryStage, FusionStage], { description: 'one generator stage, tagged by `type`' });

export const Generator = Obj({
  gf_dim: PosInt(128, 'base channel count (GAN.GF_DIM)'),
  z_dim: PosInt(100, 'noise size (GAN.Z_DIM)'),
  condition_dim: PosInt(100, 'conditioning-augmentation output size (GAN.CONDITION_DIM)'),
  conditioning_augmentation: Bool(true, 'CA_NET (reparameterised sentence code + KL); false: the sentence code without noise or KL, c = GLU(Linear(sentence)) (`cond_net`), so the first stage draws from the caption from the first step'),
  heads: Enum(['all', 'last'] as const, 'all', 'image heads on every stage (AttnGAN) or only the last (AttnDCGAN, GAN.B_DCGAN)'),
  stages: Type.Array(Stage, { minItems: 1, maxItems: 8, description: 'ordered stages; the first is `init`' }),
  weights: Path('generator weights to start from (.pth netG or attnc checkpoint)'),
});

// ── discriminators ──────────────────────────────────────────────────────────────────────────────
export const Discriminators = Obj({
  type: Enum(['attngan', 'one_way'] as const, 'attngan', "attngan: AttnGAN's D_NETs (image code to 4x4, conditional and unconditional logits heads; the keys below). one_way: DF-GAN's NetD + NetC, one network on the last image (a residual D_Block trunk to 4x4x8·df_dim, the sentence tiled and concatenated, one conditional output); only df_dim applies"),
  per_stage: Bool(true, 'one discriminator per stage (AttnGAN) or a single one on the last image (AttnDCGAN)'),
  df_dim: PosInt(64, 'base channel count (GAN.DF_DIM)'),
  conditional: Bool(true, 'conditional logits head (image code + sentence embedding)'),
  unconditional: Bool(true, 'unconditional logits head (b_jcu)'),
  spectral_norm: Type.Unsafe<boolean | number[]>({
    anyOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'integer', minimum: 8 }, minItems: 1, uniqueItems: true }],
    default: false,
    description:
      "DM-GAN's discriminators (code/spectral.py): every image-code conv and the conditional head's joint conv wrapped in SpectralNorm (`weight_bar` plus non-trainable `weight_u`, `weight_v`; one power-iteration step per forward), with a bias and no BatchNorm; false: AttnGAN's bias-free convs followed by BatchNorm; a list of image sizes (e.g. [64]): only the discriminators of those sizes",
  }),
});

// ── losses ──────────────────────────────────────────────────────────────────────────────────────
export const AdversarialWeights = Obj({
  conditional: NonNegNum(1, "multiplies the conditional terms (D's real and fake, G's); 1 = the original"),
  unconditional: NonNegNum(1, "multiplies the unconditional terms (D's real and fake, G's); 1 = the original"),
  mismatched: NonNegNum(1, "multiplies D's mismatched-pair term (inside the original's /3 or /2); 1 = the original"),
}, { description: 'per-term weights; each multiplies its mean BCE term before the averaging (the logged terms stay unweighted)' });

export const AdversarialLoss = Obj({
  type: Lit('adversarial'),
  conditional: Bool(true, 'real/fake given the sentence'),
  unconditional: Bool(true, 'real/fake without the sentence'),
  mismatched: Bool(true, 'real image with a shifted caption counts as fake (D only)'),
  weights: AdversarialWeights,
  averaging: Enum(['original', 'paper'] as const, 'original', 'original: D terms averaged /2 and /3, G terms summed; paper: 1/2 factors of the paper'),
});

export const DamsmLoss = Obj({
  type: Lit('damsm'),
  lambda: NonNegNum(1, 'weight in the generator loss (TRAIN.SMOOTH.LAMBDA)'),
  warmup_steps: NonNegInt(0, 'generator steps over which the weight ramps linearly from 0 to lambda, so G first learns from the discriminators what a picture looks like; 0 = the original (lambda from the first step)'),
  negative_queue: NonNegInt(0, "captions of earlier GAN batches (newest first) kept as extra negatives of G's DAMSM term, so a generated image must match its own caption better than more captions that share its wing colour or scene; the text encoder is frozen in the GAN phase, so their features stay exact; 0 = the original (the batch's own captions only)"),
  part_words: Nullable(Obj({
    weight: NonNegNum(1, "in G's loss (with lambda above 0; ramped with warmup_steps)"),
    pretrain_weight: NonNegNum(0, 'in the DAMSM phase, where both encoders train on it; 0 = G only'),
  }), { default: null, description: "a part-word term: each word the caption attaches to a part (\"red\" in \"red crown\") is matched against the image encoder's feature of that part (its regions averaged under the part head), not the regions it attends to, so a red wing cannot stand in for a red crown; needs the part head (image_encoder.part_loss) and the synthetic birds' captions; null = none (the original)" }),
  gamma1: PosNum(5, 'word-attention sharpness (TRAIN.SMOOTH.GAMMA1)'),
  gamma2: PosNum(5, 'word-region aggregation (TRAIN.SMOOTH.GAMMA2)'),
  gamma3: PosNum(10, 'softmax smoothing of the matching scores (TRAIN.SMOOTH.GAMMA3)'),
  stage: Type.Unsafe<'last' | number>({ anyOf: [{ const: 'last' }, { type: 'integer', minimum: 0 }], default: 'last', description: 'which generator stage the DAMSM loss sees: `last` or a stage index' }),
  aggregation: Enum(['code', 'paper'] as const, 'code', 'code: log-sum-exp without the paper\'s 1/gamma2 power; paper: with it'),
  class_masking: Bool(true, 'mask same-class non-matching pairs (class ids)'),
});

export const KlLoss = Obj({
  type: Lit('kl'),
  weight: NonNegNum(1),
  reduction: Enum(['mean', 'sum'] as const, 'mean', 'the original averages over batch and dims'),
});

export const HingeLoss = Obj({
  type: Lit('hinge'),
}, { description: "DF-GAN's hinge losses with the one-way discriminator: D minimises mean relu(1 − D(real, s)) + (mean relu(1 + D(fake, s)) + mean relu(1 + D(real shifted by one, s)))/2; G minimises −mean D(fake, s)" });

export const MaGpLoss = Obj({
  type: Lit('ma_gp'),
  weight: NonNegNum(2, 'k: weight of the penalty'),
  power: PosNum(6, 'p: power of the gradient norm'),
}, { description: "DF-GAN's matching-aware gradient penalty on D: k · mean ‖(∂D(x, s)/∂x, ∂D(x, s)/∂s)‖^p at the real images and their sentences (second-order gradients into D); with `hinge` on the one-way D's output, with `adversarial` on the pre-sigmoid logit of AttnGAN's conditional head" });

export const LossTerm = Tagged('type', [AdversarialLoss, DamsmLoss, KlLoss, HingeLoss, MaGpLoss], { description: 'one loss term, tagged by `type`' });

// ── training ────────────────────────────────────────────────────────────────────────────────────
export const Optimizer = Obj({
  type: Enum(['adam'] as const, 'adam'),
  lr: PosNum(2e-4, 'learning rate', { maximum: 10 }),
  beta1: NonNegNum(0.5, undefined, { maximum: 1 }),
  beta2: NonNegNum(0.999, undefined, { maximum: 1 }),
  epsilon: PosNum(1e-8),
  weight_decay: NonNegNum(0),
});

export const ConstantSchedule = Obj({ type: Lit('constant') });
export const ExponentialSchedule = Obj({
  type: Lit('exponential'),
  factor: PosNum(0.98, 'lr multiplied by this after each epoch', { maximum: 1 }),
  floor: PosNum(undefined, 'the decay stops once lr is at or below this value'),
});
export const LrSchedule = Tagged('type', [ConstantSchedule, ExponentialSchedule], { default: { type: 'constant' } });

export const GradClip = Nullable(Obj({
  max_norm: PosNum(undefined, 'total-norm clip'),
  params: Enum(['all', 'text_encoder'] as const, 'all', 'which parameters are clipped'),
}), { default: null });

export const Ema = Nullable(Obj({
  decay: PosNum(0.999, undefined, { maximum: 1 }),
}), { default: { decay: 0.999 }, description: 'moving average of the generator weights saved in checkpoints; null disables' });

export const DamsmPhase = Obj({
  enabled: Bool(true, 'false when the encoders come from weights files'),
  batch_size: PosInt(64),
  epochs: PosInt(600),
  optimizer: Obj({
    type: Enum(['adam'] as const, 'adam'),
    lr: PosNum(2e-4, 'TRAIN.ENCODER_LR', { maximum: 10 }),
    beta1: NonNegNum(0.5, undefined, { maximum: 1 }),
    beta2: NonNegNum(0.999, undefined, { maximum: 1 }),
    epsilon: PosNum(1e-8),
    weight_decay: NonNegNum(0),
    reset_each_epoch: Bool(true, 'the original re-creates Adam every epoch'),
  }),
  schedule: LrSchedule,
  grad_clip: GradClip,
  log_every: PosInt(50, 'log losses every N encoder steps'),
  snapshot_interval: PosInt(2000, 'save every N epochs'),
  seed: NonNegInt(100),
});

export const GanPhase = Obj({
  enabled: Bool(true),
  batch_size: PosInt(64),
  epochs: PosInt(600),
  generator_optimizer: Optimizer,
  discriminator_optimizer: Optimizer,
  schedule: LrSchedule,
  grad_clip: GradClip,
  ema: Ema,
  init: Enum(['orthogonal', 'pytorch', 'normal', 'glorot'] as const, 'orthogonal', "weight init of G and D: orthogonal = AttnGAN's weights_init; pytorch = PyTorch's default layer init (DF-GAN calls no init function; its Affine layers start at the identity)"),
  log_every: PosInt(100, 'log losses every N generator steps'),
  sample_every: PosInt(1000, 'write EMA samples and attention maps for a fixed noise/caption batch every N generator steps'),
  snapshot_interval: PosInt(2000, 'save every N epochs'),
  seed: NonNegInt(100),
});

export const Train = Obj({
  damsm: DamsmPhase,
  gan: GanPhase,
});

// ── evaluation ──────────────────────────────────────────────────────────────────────────────────
export const RPrecision = Obj({
  type: Lit('r_precision'),
  candidates: PosInt(100, 'ground-truth caption + (candidates-1) mismatched ones', { minimum: 2 }),
  folds: PosInt(10),
  samples: PosInt(30000),
});
export const Fid = Obj({
  type: Lit('fid'),
  extractor: Enum(['inception_v3_pool3', 'image_encoder'] as const, 'inception_v3_pool3'),
  weights: Path('feature-extractor weights'),
  samples: PosInt(30000),
});
export const InceptionScore = Obj({
  type: Lit('inception_score'),
  extractor: Enum(['inception_v3_imagenet', 'inception_v3_cub'] as const, 'inception_v3_imagenet'),
  weights: Path('classifier weights'),
  splits: PosInt(10),
  samples: PosInt(30000),
});
export const Metric = Tagged('type', [RPrecision, Fid, InceptionScore]);

export const Sampling = Obj({
  repeats: PosInt(1, 'passes over the test split (one random caption per image) when generating images for metrics; DM-GAN used 10 for ~30k CUB images'),
  captions_file: Path('text file with one caption per line for `attnc sample` (gen_example); null = the test split'),
  attention_maps: Enum(['none', 'all_words', 'top_words'] as const, 'top_words', 'attention figures: all_words = one map per word (build_super_images), top_words = the 5 most confident words (build_super_images2)'),
  truncation: Nullable(PosNum(undefined, 'bound of the truncated normal', { minimum: 0.05 }), { default: null, description: "the truncation trick when sampling (attnc sample, eval, sample grids): z drawn from a standard normal truncated to ±t (DF-GAN's test setting: trunc_rate 0.88); training noise is never truncated; null = untruncated" }),
});

export const Evaluation = Obj({
  batch_size: PosInt(100),
  metrics: Type.Array(Metric, { default: [] }),
  sampling: Sampling,
});

// ── the whole spec ──────────────────────────────────────────────────────────────────────────────
export const SpecSchema = Obj({
  attnc: Type.Integer({ const: SPEC_FORMAT_VERSION, description: 'spec format version' }),
  name: Type.String({ minLength: 1, pattern: '^[A-Za-z][A-Za-z0-9_.-]*$', description: 'model name (generated/<name>)' }),
  description: Type.String({ default: '' }),
  data: Data,
  text_encoder: TextEncoder,
  image_encoder: ImageEncoder,
  generator: Generator,
  discriminators: Discriminators,
  losses: Type.Array(LossTerm, { minItems: 1 }),
  train: Train,
  evaluation: Evaluation,
}, { $id: 'https://attnc.dev/schema/spec-v1.json', title: 'attnc spec' });
