/**
 * Pins the bytes that the seeded RNG decides: the synthetic birds written for one seed and the
 * seeded initial weights of a generated model. Changing the RNG must not move either (or the
 * synthetic dataset's documented version must be bumped and these values with it). The loader's
 * epoch is pinned too, so a change to its draws is a deliberate one (it moved once, when its
 * per-sample seeds became `Rng.stream(seed).fork(position)`).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createModel } from '../../../generated/tiny/index.js';
import { disposeBatch, openDataset } from '../../../runtime/data/dataset.js';
import { synthBirds } from '../../../runtime/data/synthbirds/dataset.js';
import { writeSynthBirds } from '../../../runtime/data/synthbirds/write.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-rng-pins-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function treeHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else h.update(path.relative(dir, p)).update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

describe('seeded RNG pins', () => {
  it('synthbirds: seed 5, 40 images at 32 px write the same bytes as format v1', () => {
    const out = path.join(tmp, 'birds');
    writeSynthBirds(synthBirds({ n: 40, size: 32, seed: 5 }), out);
    expect(treeHash(out)).toBe('ccf63f04ffee284873a20b99804c88230575e38569b8afb12eeaa5f916c7a59a');
  });

  it('data loader: the order, caption choice, word drop, crops and flips of one seeded epoch', async () => {
    const ds = await openDataset({
      kind: 'synthbirds', synth: { images: 24, seed: 2 }, split: 'train', capsPerImage: 10, wordsNum: 6,
      imageSizes: [16, 32], augment: true, resizeRatio: 1.125, onBadFile: 'error', seed: 7,
    });
    const h = createHash('sha256');
    for await (const b of ds.batches({ batchSize: 4, seed: 11 })) {
      h.update(JSON.stringify([b.keys, b.captionIndex, b.lengths, Array.from(b.captions.dataSync())]));
      for (const t of b.images) h.update(Buffer.from((t.dataSync() as Float32Array).buffer));
      disposeBatch(b);
    }
    expect(h.digest('hex')).toBe('f0abe4fd6d18428d466c65bdaeb043e7e9b76ce0cfb45cf5c7051770065b749c');
  });

  it('generated tiny model: seed 3 gives the same initial weights', () => {
    const model = createModel({ vocabSize: 50, seed: 3 });
    const h = createHash('sha256');
    const nets = [model.textEncoder, model.imageEncoder, model.generator, ...model.discriminators];
    for (const net of nets) {
      for (const [name, t] of net.namedParameters()) h.update(name).update(Buffer.from((t.dataSync() as Float32Array).buffer));
    }
    for (const net of nets) net.dispose();
    expect(h.digest('hex')).toBe('47b9a589838fc692b059c10e471a568fb3472e95bddba2aefa36dfcee4b5e854');
  });
});
