import { AttncError } from '../util/errors.js';

// NLTK's RegexpTokenizer compiles r'\w+' with re.UNICODE, so a word is a run of letters, digits
// and '_' in any script; non-ASCII characters are removed from each token afterwards
// ("naïve" → "nave", not "na" + "ve"). Python's \w also excludes combining marks, like \p{L}\p{N}.
const WORD = /[\p{L}\p{N}_]+/gu;
const HAS_WORD = /[\p{L}\p{N}_]/u;
const NON_ASCII = /[^\x00-\x7f]/g;

/**
 * Tokenise one caption exactly like AttnGAN's `load_captions` (datasets.py:145-177):
 * replace "\uFFFD\uFFFD" by a space, lower-case, split into `\w+` runs (punctuation dropped),
 * strip non-ASCII characters from each token, drop tokens that became empty.
 */
export function tokenize(caption: string): string[] {
  const text = caption.replaceAll('\uFFFD\uFFFD', ' ').toLowerCase();
  const out: string[] = [];
  for (const m of text.matchAll(WORD)) {
    const t = m[0].replace(NON_ASCII, '');
    if (t.length > 0) out.push(t);
  }
  return out;
}

/** Whether the original would keep this line as a caption: non-empty with at least one `\w+` run. */
function hasWords(line: string): boolean {
  return HAS_WORD.test(line);
}

/**
 * The first `capsPerImage` captions of a caption file (one per line), tokenised. As in the
 * original, empty lines and lines without any word are skipped. Fewer captions than asked for is
 * an `AttncError` (`ATTNC_DATA_CAPTIONS`) naming the file: the original only printed a warning and
 * then mis-aligned every later image's captions.
 */
export function parseCaptionFile(text: string, capsPerImage: number, file: string): string[][] {
  const caps: string[][] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0 || !hasWords(line)) continue;
    caps.push(tokenize(line));
    if (caps.length === capsPerImage) break;
  }
  if (caps.length < capsPerImage) {
    throw new AttncError(
      'ATTNC_DATA_CAPTIONS',
      caps.length === 0
        ? `${file}: caption file is empty (expected ${capsPerImage} captions, one per line)`
        : `${file}: only ${caps.length} caption(s), expected ${capsPerImage} (one per line)`,
      { path: file, hint: 'set the dataset\'s captions-per-image to match the files, or use onBadFile: "skip"' },
    );
  }
  return caps;
}
