import * as path from 'node:path';
import type { FolderDatasetConfig, Split } from './dataset.js';
import type { Layout } from './layout.js';
import { filenamesPicklePath, readSplitKeys } from './metadata.js';

/**
 * COCO-2014 as AttnGAN lays it out (reference §2.1): `<split>/filenames.pickle`, `text/<key>.txt`,
 * `images/<key>.jpg` (train2014 and val2014 merged). No classes: the class id of image i is i, so
 * DAMSM's same-class masking is a no-op, as in the original.
 */
export function cocoLayout(cfg: FolderDatasetConfig): Layout {
  const root = cfg.root;
  return {
    splitListPath: (split) => filenamesPicklePath(root, split),
    async listSplit(split: Split) {
      const list = await readSplitKeys(root, split);
      return list && { keys: list.keys, classIds: list.keys.map((_, i) => i) };
    },
    imageCandidates: (key) => [path.join(root, 'images', `${key}.jpg`), path.join(root, 'images', `${key}.png`)],
    textPath: (key) => path.join(root, 'text', `${key}.txt`),
  };
}
