/** Reading a vocabulary from disk (Node-only; the `Vocabulary` class itself is in vocab.ts, which the inference path uses). */
import { readTextFile } from '../io/read-file.js';
import { AttncError } from '../util/errors.js';
import { Vocabulary } from './vocab.js';

/** A `vocab.json` file, read under the shared text rule (size bound, UTF-8) and checked by `fromJSON`. */
export async function readVocabularyFile(file: string): Promise<Vocabulary> {
  const text = await readTextFile(file, { code: 'ATTNC_DATA_VOCAB', what: 'vocabulary' });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AttncError('ATTNC_DATA_VOCAB', `${file}: not valid JSON (${(e as Error).message})`, { path: file, cause: e });
  }
  return Vocabulary.fromJSON(json, file);
}
