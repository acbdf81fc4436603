/** The one font attnc draws text with (DejaVu Sans from the `dejavu-fonts-ttf` package), registered once. */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';

export const FONT_FAMILY = 'DejaVu Sans';
let registered = false;

export function ensureFont(): string {
  if (!registered) {
    const dir = path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json'));
    GlobalFonts.registerFromPath(path.join(dir, 'ttf', 'DejaVuSans.ttf'), FONT_FAMILY);
    registered = true;
  }
  return FONT_FAMILY;
}
