// `createModel` (every network built with seeded weights) for a generated model, each run in a
// fresh process, so it includes the first-call costs a user pays (backend start excluded).
//   npx tsx bench/create-model.ts [--model attngan2] [--runs 3]
// Prints per run: wall ms of createModel, its CPU ms, and a checksum of the weights (must be equal
// across runs: same seed → same weights).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};

if (process.argv.includes('--child')) {
  const tf = await import('@tensorflow/tfjs');
  const { initBackend } = await import('../runtime/backend/index.js');
  tf.env().set('PROD', true);
  await initBackend('tensorflow', { quiet: true });
  const gen = await import(`../generated/${arg('model', 'attngan2')}/index.js`);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const model = gen.createModel({ seed: 1, vocabSize: 100 });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  // Checksum: Σ w·(i mod 7 + 1) over a few big weights.
  let sum = 0;
  for (const net of [model.generator, ...model.discriminators]) {
    for (const [, v] of net.namedParameters().slice(-4)) {
      sum += tf.tidy(() => tf.sum(tf.mul(v, tf.range(0, v.size).mod(7).add(1).reshape(v.shape))).dataSync()[0]!);
    }
  }
  console.log(JSON.stringify({ wall, cpu: (cpu.user + cpu.system) / 1000, checksum: sum }));
  gen.disposeModel(model);
} else {
  const model = arg('model', 'attngan2');
  const runs = Number(arg('runs', '3'));
  const walls: number[] = [];
  for (let r = 0; r < runs; r++) {
    const res = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', '--model', model], {
      encoding: 'utf8',
    });
    const line = res.stdout.trim().split('\n').pop() ?? '';
    if (res.status !== 0 || !line.startsWith('{')) throw new Error(`child failed: ${res.stderr.slice(-2000)}`);
    const { wall, cpu, checksum } = JSON.parse(line) as { wall: number; cpu: number; checksum: number };
    walls.push(wall);
    console.log(`${model} run ${r + 1}: createModel ${wall.toFixed(0)} ms wall, ${cpu.toFixed(0)} ms CPU, checksum ${checksum.toPrecision(12)}`);
  }
  walls.sort((a, b) => a - b);
  console.log(`${model}: median ${walls[Math.floor(walls.length / 2)]!.toFixed(0)} ms`);
}
