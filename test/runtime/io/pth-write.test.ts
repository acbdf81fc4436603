import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { readPth, readPthFile } from '../../../runtime/io/pth.js';
import { encodeStateDictPickle, writePth } from '../../../runtime/io/pth-write.js';
import { readPickleAt } from '../../../runtime/io/pickle.js';
import { stateDictPickleHooks } from '../../../runtime/io/pth-pickle.js';
import { exportState } from '../../../runtime/nn/state.js';
import { AttncError } from '../../../runtime/util/errors.js';
import { dispose, fixture, load, parityPairs } from './parity-helpers.js';

// Export is the importer run backwards: PyTorch's .pth → attnc networks → exported .pth → read
// again gives the very same tensors (bit for bit), in state_dict order, minus num_batches_tracked
// (never stored by attnc; PyTorch's BatchNorm fills it in on load_state_dict). That PyTorch itself
// loads these files with torch.load(weights_only=True) and reproduces the reference outputs is
// checked when the fixtures are made (tools/make_pth_fixtures.py --check-export).
describe('.pth export', () => {
  it('import → export → import gives identical tensors for every parity network', () => {
    const before = tf.memory().numTensors;
    const nets = load('legacy');
    try {
      for (const [name, module] of parityPairs(nets)) {
        const original = readPthFile(fixture(`${name}.pth`)).tensors.filter((t) => !t.name.endsWith('num_batches_tracked'));
        const exported = [...exportState(module)].map(([n, t]) => ({ name: n, shape: t.shape, data: t.data }));
        const again = readPth(writePth(exported), `${name}-exported.pth`);
        expect(again.format).toBe('zip');
        expect(again.tensors.map((t) => t.name)).toEqual(original.map((t) => t.name));
        for (let i = 0; i < original.length; i++) {
          expect(again.tensors[i]!.shape).toEqual(original[i]!.shape);
          expect(Buffer.from(again.tensors[i]!.data.buffer, again.tensors[i]!.data.byteOffset, again.tensors[i]!.data.byteLength))
            .toEqual(Buffer.from(original[i]!.data.buffer, original[i]!.data.byteOffset, original[i]!.data.byteLength));
        }
      }
    } finally {
      dispose(nets);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the pickle uses only the globals torch.load(weights_only=True) allows', () => {
    const pkl = encodeStateDictPickle([
      { name: 'w', shape: [2, 3], data: new Float32Array(6) },
      { name: 'bn.num_batches_tracked', shape: [], data: new Int32Array([7]) },
    ]);
    const globals: string[] = [];
    const hooks = stateDictPickleHooks(new Map());
    readPickleAt(pkl, 0, 'x.pkl', { ...hooks, global: (m, n, refuse) => (globals.push(`${m}.${n}`), hooks.global(m, n, refuse)) });
    expect(new Set(globals)).toEqual(new Set(['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch.FloatStorage', 'torch.LongStorage']));
    // and the safe reader (without the .pth hooks) refuses it, as it should any object pickle
    expect(() => readPickleAt(pkl, 0, 'x.pkl')).toThrow(AttncError);
  });

  it('int64 tensors (num_batches_tracked) round-trip; a shape that does not match its data is refused', () => {
    const bytes = writePth([{ name: 'n', shape: [], data: new Int32Array([123456]) }, { name: 'w', shape: [2], data: new Float32Array([1.5, -2]) }]);
    const p = readPth(bytes, 'ints.pth');
    expect(p.tensors[0]).toMatchObject({ name: 'n', shape: [], dtype: 'int64' });
    expect([...p.tensors[0]!.data]).toEqual([123456]);
    expect([...p.tensors[1]!.data]).toEqual([1.5, -2]);
    expect(() => writePth([{ name: 'w', shape: [3], data: new Float32Array(2) }])).toThrow(/does not match/);
  });

  it('the fixtures written by PyTorch in both formats hold the same tensors', () => {
    for (const name of ['netG', 'text_encoder', 'netD256']) {
      const zip = readPthFile(fixture(`${name}.pth`));
      const legacy = readPth(fs.readFileSync(fixture(`${name}_legacy.pth`)), name);
      expect(zip.format).toBe('zip');
      expect(legacy.format).toBe('legacy');
      expect(legacy.tensors.map((t) => [t.name, t.shape, t.dtype])).toEqual(zip.tensors.map((t) => [t.name, t.shape, t.dtype]));
      legacy.tensors.forEach((t, i) => expect([...t.data]).toEqual([...zip.tensors[i]!.data]));
    }
  });
});
