/**
 * attnc's side of the export check in tools/make_pth_fixtures.py --check-export: load every parity
 * fixture `.pth` into attnc's networks (by layer kind), export them again with the `.pth` writer, and
 * leave `<out>/<name>.pth` for PyTorch to load with `torch.load(weights_only=True)`.
 *
 *     npx tsx tools/pth-roundtrip.ts test/fixtures/pth /tmp/attnc-pth-roundtrip
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writePth } from '../runtime/io/pth-write.js';
import { exportState } from '../runtime/nn/state.js';
import { dispose, load, parityPairs } from '../test/runtime/io/parity-helpers.js';

const [, , , out] = process.argv;
if (!out) throw new Error('usage: tools/pth-roundtrip.ts <fixtures dir> <out dir>');
fs.mkdirSync(out, { recursive: true });
const nets = load('zip');
for (const [name, module] of parityPairs(nets)) {
  const tensors = [...exportState(module)].map(([n, t]) => ({ name: n, shape: t.shape, data: t.data }));
  fs.writeFileSync(path.join(out, `${name}.pth`), writePth(tensors));
  console.log(`${name}.pth: ${tensors.length} tensors`);
}
dispose(nets);
