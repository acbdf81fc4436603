import { DEFAULT_IMAGE_LIMITS } from './image-header.js';
import type { ImageLimits } from './image-header.js';
import { bboxCrop, decodeImage, pyramid, toSignedUnit, transformImage } from './images.js';
import type { Augment, BBox, RgbImage, TransformInfo } from './images.js';
import { readBoundedFile } from '../io/read-file.js';
import { Rng } from '../util/rng.js';
import type { BirdAttributes } from './synthbirds/attributes.js';
import { regionPartFractions } from './synthbirds/region-parts.js';
import { renderBird, renderBirdWithMasks, type PartMasks } from './synthbirds/render.js';
import { AttncError } from '../util/errors.js';

/** An image file on disk, cropped to `bbox` first when there is one (CUB). */
export interface FileImageSource {
  imagePath: string;
  bbox: BBox | undefined;
  synth?: undefined;
}

/** A synthetic bird rendered in memory (`kind: 'synthbirds'`): a pure function of these fields. */
export interface SynthImageSource {
  synth: { attributes: BirdAttributes; renderSeed: number; size: number };
  /** Names the image in messages (the item's key). */
  name: string;
}

export type ImageSource = FileImageSource | SynthImageSource;

/** Everything needed to turn one image into training input; plain data so a worker can run it. */
export type ImageJob = ImageSource & {
  imageSizes: readonly number[];
  augment: Augment;
  /** Shorter side → int(final size · ratio) before the crop (default 76/64). */
  resizeRatio?: number;
  /** Checked before a file is read and decoded (default DEFAULT_IMAGE_LIMITS); the same in workers. */
  limits?: ImageLimits;
  /** Seeds the crop and flip. */
  seed: number;
  /**
   * With a synthetic bird: also the share of each part in every cell of this grid over the final
   * picture (`regionPartFractions`), for an image encoder's part loss. Synthetic birds only.
   */
  partGrid?: number;
};

/** The image's path or name, for messages. */
export function imageName(src: ImageSource): string {
  return src.synth ? src.name : src.imagePath;
}

export interface PreparedImage {
  /** The final-size crop. */
  image: RgbImage;
  info: TransformInfo;
  /** [partGrid²·K] part shares per cell when the job asks for them. */
  parts?: Float32Array;
}

async function loadSource(src: ImageSource, limits: ImageLimits, withMasks: boolean): Promise<RgbImage & { masks?: PartMasks }> {
  if (src.synth) {
    const { attributes, renderSeed, size } = src.synth;
    if (withMasks) {
      const r = renderBirdWithMasks(attributes, size, renderSeed);
      return { data: r.rgb, width: r.width, height: r.height, masks: r.masks };
    }
    const r = renderBird(attributes, size, renderSeed);
    return { data: r.rgb, width: r.width, height: r.height };
  }
  if (withMasks) {
    throw new AttncError('ATTNC_DATA_CONFIG', `${src.imagePath}: part masks exist only for synthetic birds (data.kind: synthbirds)`, { path: src.imagePath });
  }
  const bytes = await readBoundedFile(src.imagePath, { code: 'ATTNC_DATA_IMAGE', what: 'image', maxBytes: limits.maxFileBytes });
  const img = decodeImage(bytes, src.imagePath, limits);
  return src.bbox ? bboxCrop(img, src.bbox, src.imagePath) : img;
}

/** Read, decode, bbox-crop (or render) and transform one image (same code on the main thread and in workers). */
export async function prepareImage(job: ImageJob): Promise<PreparedImage> {
  const img = await loadSource(job, job.limits ?? DEFAULT_IMAGE_LIMITS, job.partGrid !== undefined);
  const imsize = job.imageSizes[job.imageSizes.length - 1]!;
  const { image, info } = transformImage(img, imsize, job.augment, Rng.stream(job.seed), job.resizeRatio);
  if (!img.masks) return { image, info };
  return { image, info, parts: regionPartFractions(img.masks, info, imsize, job.partGrid!) };
}

/** The pyramid levels of a prepared image as float32 HWC in [−1, 1], one array per size. */
export function pyramidFloats(image: RgbImage, sizes: readonly number[]): Float32Array[] {
  return pyramid(image, sizes).map((level) => {
    const out = new Float32Array(level.width * level.height * 3);
    toSignedUnit(level, out, 0);
    return out;
  });
}

export interface ImageJobResult {
  levels: Float32Array[];
  info: TransformInfo;
  parts?: Float32Array;
}

export async function runImageJob(job: ImageJob): Promise<ImageJobResult> {
  const { image, info, parts } = await prepareImage(job);
  return { levels: pyramidFloats(image, job.imageSizes), info, ...(parts ? { parts } : {}) };
}
