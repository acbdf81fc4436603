import { AttncError } from '../util/errors.js';
import { cocoLayout } from './coco.js';
import type { FolderDatasetConfig } from './config.js';
import { cubLayout } from './cub.js';
import { customLayout } from './custom.js';
import type { Layout } from './layout.js';

/** The folder layout of a config's kind (docs/datasets.md). */
export function layoutFor(cfg: FolderDatasetConfig): Layout {
  switch (cfg.kind) {
    case 'cub':
      return cubLayout(cfg);
    case 'coco':
      return cocoLayout(cfg);
    case 'custom':
      return customLayout(cfg);
    default:
      throw new AttncError('ATTNC_DATA_CONFIG', `unknown dataset kind ${JSON.stringify((cfg as { kind: unknown }).kind)}`, {
        hint: 'use cub, coco, custom or synthbirds',
      });
  }
}
