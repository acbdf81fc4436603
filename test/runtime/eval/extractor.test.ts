import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { InceptionV3Trunk } from '../../../runtime/encoders/inception.js';
import { inceptionExtractor } from '../../../runtime/eval/extractor.js';
import { writePth } from '../../../runtime/io/pth-write.js';
import { encodeSafetensors } from '../../../runtime/io/safetensors.js';
import { Linear } from '../../../runtime/nn/layers.js';
import { exportState } from '../../../runtime/nn/state.js';
import { isAttncError } from '../../../runtime/util/errors.js';

/** torchvision's inception_v3 layout with random weights and 10 classes (plus an AuxLogits key, which is ignored). */
class TorchvisionInception extends InceptionV3Trunk {
  readonly fc = this.addModule('fc', new Linear({ inFeatures: 2048, outFeatures: 10, bias: true }));
}

describe('Inception-v3 extractor from a weights file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-inception-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const net = new TorchvisionInception();
  const state = exportState(net);
  state.set('AuxLogits.fc.weight', { shape: [10, 768], data: new Float32Array(7680) });
  const expected = tf.tidy(() => {
    const x = tf.image.resizeBilinear(tf.linspace(-1, 1, 2 * 75 * 75 * 3).reshape([2, 75, 75, 3]) as tf.Tensor4D, [299, 299]);
    const { pooled } = net.trunk(x, false);
    return [pooled.dataSync() as Float32Array, tf.softmax(net.fc.apply(pooled)).dataSync() as Float32Array] as const;
  });
  net.dispose();

  for (const ext of ['safetensors', 'pth'] as const) {
    it(`loads torchvision names from .${ext}: pool3 features and class probabilities match the network`, () => {
      const file = path.join(dir, `inception.${ext}`);
      const entries = [...state].map(([name, t]) => [name, t] as const);
      fs.writeFileSync(file, ext === 'safetensors' ? encodeSafetensors(entries) : writePth(entries.map(([name, t]) => ({ name, shape: t.shape, data: t.data }))));
      const e = inceptionExtractor(file);
      expect([e.name, e.dim, e.classes]).toEqual(['inception-v3', 2048, 10]);
      const before = tf.memory().numTensors;
      const x = tf.tidy(() => tf.linspace(-1, 1, 2 * 75 * 75 * 3).reshape([2, 75, 75, 3]) as tf.Tensor4D);
      const { features, probs } = e.apply(x);
      const f = features.dataSync() as Float32Array;
      const p = probs.dataSync() as Float32Array;
      tf.dispose([x, features, probs]);
      expect(tf.memory().numTensors).toBe(before);
      expect(f.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[0][i]!)), 0)).toBeLessThan(1e-4);
      expect(p.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[1][i]!)), 0)).toBeLessThan(1e-5);
      e.dispose();
    });
  }

  it('a missing file, another format or a state dict without fc are clear errors', () => {
    const noFc = path.join(dir, 'nofc.safetensors');
    fs.writeFileSync(noFc, encodeSafetensors([['x', { shape: [1], data: new Float32Array(1) }]]));
    for (const [file, re] of [[path.join(dir, 'missing.pth'), /not found/], [path.join(dir, 'w.onnx'), /not found/], [noFc, /no fc\.weight/]] as const) {
      if (file.endsWith('.onnx')) fs.writeFileSync(file, 'x');
      try {
        inceptionExtractor(file);
        expect.unreachable();
      } catch (e) {
        expect(isAttncError(e)).toBe(true);
        expect((e as Error).message).toMatch(file.endsWith('.onnx') ? /expected torchvision's inception_v3 state dict as \.pth or \.safetensors/ : re);
      }
    }
  });
});
