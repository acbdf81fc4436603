import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CnnImageEncoder } from '../../../runtime/encoders/image.js';

describe('CnnImageEncoder', () => {
  it('maps images to a region grid and a global code, all parameters trainable with gradients', () => {
    const enc = new CnnImageEncoder({ inputSize: 32, nef: 12, channels: [8, 16] });
    try {
      expect(enc.regionGrid).toEqual([8, 8]);
      expect(enc.namedParameterShapes().map(([n]) => n)).toEqual([
        'blocks.0.conv.weight', 'blocks.0.bn.weight', 'blocks.0.bn.bias',
        'blocks.1.conv.weight', 'blocks.1.bn.weight', 'blocks.1.bn.bias',
        'global_block.conv.weight', 'global_block.bn.weight', 'global_block.bn.bias',
        'emb_features.weight', 'emb_cnn_code.weight', 'emb_cnn_code.bias',
      ]);
      expect(enc.parameterCount({ trainableOnly: true })).toBe(enc.parameterCount());
      const before = tf.memory().numTensors;
      const img = tf.randomUniform([3, 40, 40, 3], -1, 1) as tf.Tensor4D; // resized to 32
      const vars = enc.trainableParameters();
      const { value, grads } = tf.variableGrads(() => {
        const o = enc.apply(img, true);
        expect(o.regions.shape).toEqual([3, 8, 8, 12]);
        expect(o.global.shape).toEqual([3, 12]);
        return tf.add(tf.sum(tf.square(o.regions)), tf.sum(tf.square(o.global))) as tf.Scalar;
      }, vars);
      for (const v of vars) {
        const g = grads[v.name]!.dataSync();
        expect(g.every(Number.isFinite)).toBe(true);
        expect(g.some((z) => z !== 0)).toBe(true);
      }
      const evalOut = enc.apply(img, false);
      expect(evalOut.regions.shape).toEqual([3, 8, 8, 12]);
      tf.dispose([img, value, evalOut.regions, evalOut.global, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      enc.dispose();
    }
  });

  it('with a stem and max pooling: stem.* parameters first, the global feature the max of the last block over space', () => {
    const enc = new CnnImageEncoder({ inputSize: 32, nef: 6, channels: [4, 8], stem: 5, pooling: 'max' });
    try {
      expect(enc.namedParameterShapes().slice(0, 3)).toEqual([
        ['stem.conv.weight', [3, 3, 3, 5]], ['stem.bn.weight', [5]], ['stem.bn.bias', [5]],
      ]);
      expect(enc.namedParameterShapes().find(([n]) => n === 'blocks.0.conv.weight')![1]).toEqual([4, 4, 5, 4]);
      const img = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const out = enc.apply(img, false);
      expect(out.regions.shape).toEqual([2, 8, 8, 6]);
      // Replay the network by hand: stem, blocks, global block, max over space, projection.
      type Block = { apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D };
      const parts = enc as unknown as { stem: Block; blocks: Block[]; globalBlock: Block; emb_cnn_code: { apply(x: tf.Tensor2D): tf.Tensor2D } };
      const manual = tf.tidy(() => {
        let h = parts.stem.apply(img, false);
        for (const b of parts.blocks) h = b.apply(h, false);
        return parts.emb_cnn_code.apply(tf.max(parts.globalBlock.apply(h, false), [1, 2]) as tf.Tensor2D);
      });
      const got = out.global.dataSync();
      manual.dataSync().forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
      tf.dispose([out.regions, out.global, manual]);
      expect(tf.memory().numTensors).toBe(before);
      img.dispose();
    } finally {
      enc.dispose();
    }
  });

  it('with parts: a part_head (1×1 conv with bias) last in the state dict, reading part logits from the projected regions', () => {
    const enc = new CnnImageEncoder({ inputSize: 32, nef: 6, channels: [4, 8], parts: 3 });
    const plain = new CnnImageEncoder({ inputSize: 32, nef: 6, channels: [4, 8] });
    try {
      const shapes = enc.namedParameterShapes();
      expect(shapes.slice(-2)).toEqual([['part_head.weight', [1, 1, 6, 3]], ['part_head.bias', [3]]]);
      expect(shapes.slice(0, -2)).toEqual(plain.namedParameterShapes());
      expect(() => plain.partLogits(tf.zeros([1, 8, 8, 6]) as tf.Tensor4D)).toThrow(/no part head/);
      const img = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const out = enc.apply(img, false);
      const logits = enc.partLogits(out.regions);
      expect(logits.shape).toEqual([2, 8, 8, 3]);
      const head = enc.part_head!;
      const manual = tf.tidy(() => tf.add(tf.conv2d(out.regions, head.weight as tf.Tensor4D, 1, 'valid'), head.bias!));
      const got = logits.dataSync();
      manual.dataSync().forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
      tf.dispose([out.regions, out.global, logits, manual]);
      expect(tf.memory().numTensors).toBe(before);
      img.dispose();
    } finally {
      enc.dispose();
      plain.dispose();
    }
  });

  it("pooling 'parts': no global block; the global feature projects each part's softmax-weighted mean of the regions", () => {
    const enc = new CnnImageEncoder({ inputSize: 32, nef: 4, channels: [4, 8], parts: 3, pooling: 'parts' });
    try {
      const names = enc.namedParameterShapes().map(([n]) => n);
      expect(names.some((n) => n.startsWith('global_block.'))).toBe(false);
      expect(enc.namedParameterShapes().find(([n]) => n === 'emb_cnn_code.weight')![1]).toEqual([3 * 4, 4]);
      const img = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const out = enc.apply(img, false);
      // By hand, per image and part: Σ p·r / Σ p over the 8×8 regions, the parts side by side.
      const regions = out.regions.arraySync();
      const logits = enc.partLogits(out.regions);
      const p = tf.tidy(() => tf.softmax(logits).arraySync() as number[][][][]);
      const pooled: number[][] = regions.map((img4, b) => {
        const row: number[] = [];
        for (let k = 0; k < 3; k++) {
          const acc = [0, 0, 0, 0];
          let mass = 0;
          img4.forEach((line, y) => line.forEach((r, x) => { const w = p[b]![y]![x]![k]!; mass += w; r.forEach((v, d) => (acc[d]! += w * v)); }));
          row.push(...acc.map((v) => v / (mass + 1e-6)));
        }
        return row;
      });
      const manual = tf.tidy(() => enc.emb_cnn_code.apply(tf.tensor2d(pooled)));
      const got = out.global.dataSync();
      manual.dataSync().forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
      tf.dispose([out.regions, out.global, logits, manual]);
      expect(tf.memory().numTensors).toBe(before);
      img.dispose();
      expect(() => new CnnImageEncoder({ inputSize: 32, nef: 4, channels: [4, 8], pooling: 'parts' })).toThrow(/part head/);
    } finally {
      enc.dispose();
    }
  });

  it('rejects a size that does not halve down to a grid', () => {
    expect(() => new CnnImageEncoder({ inputSize: 30, nef: 4, channels: [4, 4] })).toThrow(/integer/);
  });
});
