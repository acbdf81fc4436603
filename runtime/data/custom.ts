import * as path from 'node:path';
import { AttncError } from '../util/errors.js';
import type { FolderDatasetConfig, Split } from './config.js';
import { checkKey } from './dataset-keys.js';
import type { Layout } from './layout.js';
import { readListFile } from '../io/read-file.js';

export const CUSTOM_IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.JPG', '.JPEG', '.PNG'];

/**
 * A plain folder (docs/datasets.md): `images/<key>.{jpg,jpeg,png}`, `text/<key>.txt` (one caption a
 * line; both folder names configurable), `train.txt` / `test.txt` (one key a line, optionally followed by an integer class id).
 * No pickles needed; without class ids, image i of a split has class i (like COCO).
 */
export function customLayout(cfg: FolderDatasetConfig): Layout {
  const root = cfg.root;
  const listPath = (split: Split) => path.join(root, `${split}.txt`);
  const imagesDir = path.join(root, cfg.imagesDir ?? 'images');
  const textDir = path.join(root, cfg.textDir ?? 'text');
  // The configured extension first; the usual ones are still found (content is sniffed anyway).
  const exts = cfg.imageExt ? [cfg.imageExt, ...CUSTOM_IMAGE_EXTENSIONS.filter((e) => e !== cfg.imageExt)] : CUSTOM_IMAGE_EXTENSIONS;
  const folders = `${cfg.imagesDir ?? 'images'}/ and ${cfg.textDir ?? 'text'}/`;
  return {
    imageFolder: imagesDir,
    textFolder: textDir,
    splitListPath: listPath,
    async listSplit(split: Split) {
      const file = listPath(split);
      const lines = await readListFile(file, 'split list', 'ATTNC_DATA_SPLIT');
      if (!lines) return undefined;
      const keys: string[] = [];
      const classIds: number[] = [];
      let withClass = 0;
      lines.forEach(({ line: n, text: line }) => {
        if (line.startsWith('#')) return;
        const [name, classId] = splitClassId(line);
        const key = checkKey(name.replace(/\.(jpe?g|png)$/i, ''), { file, entry: `line ${n}` }, folders);
        keys.push(key);
        if (classId !== undefined) withClass++;
        classIds.push(classId ?? keys.length - 1);
      });
      if (cfg.listClassIds === false) return { keys, classIds: keys.map((_, i) => i), file };
      if (cfg.listClassIds === true && withClass !== keys.length) {
        throw new AttncError('ATTNC_DATA_SPLIT', `${file}: ${keys.length - withClass} of ${keys.length} lines have no class id, and class ids are required`, {
          path: file,
          hint: 'write "<key> <class id>" on every line, or set data.dataset.class_ids: false',
        });
      }
      if (withClass !== 0 && withClass !== keys.length) {
        throw new AttncError('ATTNC_DATA_SPLIT', `${file}: ${withClass} of ${keys.length} lines have a class id; give one on every line or none`, { path: file });
      }
      return { keys, classIds, file };
    },
    imageCandidates: (key) => exts.map((ext) => path.join(imagesDir, key + ext)),
    textPath: (key) => path.join(textDir, `${key}.txt`),
  };
}

/**
 * "<key> <class id>" or "<key>" (a trimmed line): the last whitespace-separated word is the class id
 * when it is an integer. Scanned by hand: a lazy regex here is quadratic on a long hostile line.
 */
export function splitClassId(line: string): [string, number | undefined] {
  let i = line.length;
  while (i > 0 && !/\s/.test(line[i - 1]!)) i--;
  const last = line.slice(i);
  if (i === 0 || !/^-?\d+$/.test(last)) return [line, undefined];
  return [line.slice(0, i).trimEnd(), Number(last)];
}
