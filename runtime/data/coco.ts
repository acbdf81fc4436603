import * as path from 'node:path';
import type { FolderDatasetConfig, Split } from './dataset.js';
import type { Layout } from './layout.js';
import { exists, parseFilenames, readPickleFile } from './metadata.js';

/**
 * COCO-2014 as AttnGAN lays it out (reference §2.1): `<split>/filenames.pickle`, `text/<key>.txt`,
 * `images/<key>.jpg` (train2014 and val2014 merged). No classes: the class id of image i is i, so
 * DAMSM's same-class masking is a no-op, as in the original.
 */
export function cocoLayout(cfg: FolderDatasetConfig): Layout {
  const root = cfg.root;
  return {
    splitListPath: (split) => path.join(root, split, 'filenames.pickle'),
    async listSplit(split: Split) {
      const file = path.join(root, split, 'filenames.pickle');
      if (!(await exists(file))) return undefined;
      const keys = parseFilenames(await readPickleFile(file, 'filenames pickle'), file);
      return { keys, classIds: keys.map((_, i) => i) };
    },
    imageCandidates: (key) => [path.join(root, 'images', `${key}.jpg`), path.join(root, 'images', `${key}.png`)],
    textPath: (key) => path.join(root, 'text', `${key}.txt`),
  };
}
