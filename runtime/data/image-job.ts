import * as fs from 'node:fs/promises';
import { AttncError } from '../util/errors.js';
import { bboxCrop, decodeImage, pyramid, toSignedUnit, transformImage } from './images.js';
import type { BBox, RgbImage, TransformInfo } from './images.js';
import { mulberry32 } from './rng.js';

/** Everything needed to turn one image file into training input; plain data so a worker can run it. */
export interface ImageJob {
  imagePath: string;
  bbox: BBox | undefined;
  imageSizes: readonly number[];
  augment: boolean;
  /** Seeds the crop and flip. */
  seed: number;
}

export interface PreparedImage {
  /** The final-size crop. */
  image: RgbImage;
  info: TransformInfo;
}

/** Read, decode, bbox-crop and transform one image (same code on the main thread and in workers). */
export async function prepareImage(job: ImageJob): Promise<PreparedImage> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(job.imagePath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AttncError('ATTNC_DATA_IMAGE', `${job.imagePath}: cannot read image (${code === 'ENOENT' ? 'not found' : (code ?? (e as Error).message)})`, {
      path: job.imagePath,
      cause: e,
    });
  }
  let img = decodeImage(bytes, job.imagePath);
  if (job.bbox) img = bboxCrop(img, job.bbox, job.imagePath);
  const imsize = job.imageSizes[job.imageSizes.length - 1]!;
  const { image, info } = transformImage(img, imsize, job.augment, mulberry32(job.seed));
  return { image, info };
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
}

export async function runImageJob(job: ImageJob): Promise<ImageJobResult> {
  const { image, info } = await prepareImage(job);
  return { levels: pyramidFloats(image, job.imageSizes), info };
}
