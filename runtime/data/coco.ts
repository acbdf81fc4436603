import * as path from 'node:path';
import type { FolderDatasetConfig, Split } from './config.js';
import type { Layout } from './layout.js';
import { filenamesPicklePath, readSplitKeys } from './metadata.js';

/**
 * COCO-2014 as AttnGAN lays it out (docs/original.md §1): `<split>/filenames.pickle`, `text/<key>.txt`,
 * `images/<key>.jpg` (train2014 and val2014 merged). No classes: the class id of image i is i, so
 * DAMSM's same-class masking is a no-op, as in the original.
 */
export function cocoLayout(cfg: FolderDatasetConfig): Layout {
  const root = cfg.root;
  const imageFolder = path.join(root, 'images');
  const textFolder = path.join(root, 'text');
  return {
    imageFolder,
    textFolder,
    splitListPath: (split) => filenamesPicklePath(root, split),
    async listSplit(split: Split) {
      const list = await readSplitKeys(root, split, 'text/ and images/');
      return list && { keys: list.keys, classIds: list.keys.map((_, i) => i), file: list.file };
    },
    imageCandidates: (key) => [path.join(imageFolder, `${key}.jpg`), path.join(imageFolder, `${key}.png`)],
    textPath: (key) => path.join(textFolder, `${key}.txt`),
  };
}
