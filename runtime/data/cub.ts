import * as path from 'node:path';
import { AttncError } from '../util/errors.js';
import type { FolderDatasetConfig, Split } from './config.js';
import type { BBox } from './images.js';
import type { Layout } from './layout.js';
import { exists, filenamesPicklePath, parseClassInfo, readPickleFile, readSplitKeys } from './metadata.js';
import { readListFile } from '../io/read-file.js';

/**
 * CUB-200-2011 as AttnGAN lays it out (docs/original.md §1):
 * `<split>/filenames.pickle`, `<split>/class_info.pickle`, `text/<key>.txt`,
 * `CUB_200_2011/images/<key>.jpg`, `CUB_200_2011/images.txt`, `CUB_200_2011/bounding_boxes.txt`.
 * Without `class_info.pickle` the class ids are 0..N-1 (as the original does). `bboxCrop: false`
 * uses the whole images (and does not need the two CUB_200_2011 text files).
 */
export function cubLayout(cfg: FolderDatasetConfig): Layout {
  const root = cfg.root;
  const imageFolder = path.join(root, 'CUB_200_2011', 'images');
  const textFolder = path.join(root, 'text');
  return {
    imageFolder,
    textFolder,
    splitListPath: (split) => filenamesPicklePath(root, split),
    async listSplit(split: Split) {
      const list = await readSplitKeys(root, split, 'text/ and CUB_200_2011/images/');
      if (!list) return undefined;
      const keys = list.keys;
      const classFile = path.join(root, split, 'class_info.pickle');
      const classIds = (await exists(classFile))
        ? parseClassInfo(await readPickleFile(classFile, 'class info pickle'), classFile, keys.length)
        : keys.map((_, i) => i);
      return { keys, classIds, file: list.file };
    },
    imageCandidates: (key) => [path.join(imageFolder, `${key}.jpg`), path.join(imageFolder, `${key}.png`)],
    textPath: (key) => path.join(textFolder, `${key}.txt`),
    ...(cfg.bboxCrop === false ? {} : { bboxes: () => readCubBboxes(path.join(root, 'CUB_200_2011')) }),
  };
}

/**
 * `images.txt` ("<id> <relpath>") joined with `bounding_boxes.txt` ("<id> <x> <y> <w> <h>"),
 * keyed by relpath without its extension, as in `load_bbox` (datasets.py:110-131).
 */
export async function readCubBboxes(dir: string): Promise<Map<string, BBox>> {
  const imagesFile = path.join(dir, 'images.txt');
  const bboxFile = path.join(dir, 'bounding_boxes.txt');
  const images = await readListFile(imagesFile, 'image list', 'ATTNC_DATA_BBOX');
  const boxes = await readListFile(bboxFile, 'bounding box list', 'ATTNC_DATA_BBOX');
  const missing = !images ? imagesFile : !boxes ? bboxFile : undefined;
  if (missing) {
    throw new AttncError('ATTNC_DATA_MISSING', `${missing}: not found (CUB needs it for the bounding-box crop)`, {
      path: missing,
      hint: 'copy images.txt and bounding_boxes.txt from CUB_200_2011, or use the custom layout for images without boxes',
    });
  }
  const byId = new Map<string, string>();
  images!.forEach(({ line: n, text: line }) => {
    const m = /^(\S+)\s+(.+)$/.exec(line);
    if (!m) throw new AttncError('ATTNC_DATA_BBOX', `${imagesFile}:${n}: expected "<id> <relative path>"`, { path: imagesFile });
    byId.set(m[1]!, m[2]!.replace(/\.[^./]+$/, ''));
  });
  const out = new Map<string, BBox>();
  boxes!.forEach(({ line: n, text: line }) => {
    const parts = line.split(/\s+/);
    const nums = parts.slice(1).map(Number);
    if (parts.length !== 5 || nums.some((v) => !Number.isFinite(v)) || nums[2]! <= 0 || nums[3]! <= 0) {
      throw new AttncError('ATTNC_DATA_BBOX', `${bboxFile}:${n}: expected "<id> <x> <y> <width> <height>" with positive size`, { path: bboxFile });
    }
    const key = byId.get(parts[0]!);
    if (key === undefined) throw new AttncError('ATTNC_DATA_BBOX', `${bboxFile}:${n}: image id ${parts[0]} is not in images.txt`, { path: bboxFile });
    out.set(key, [nums[0]!, nums[1]!, nums[2]!, nums[3]!]);
  });
  return out;
}
