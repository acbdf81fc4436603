// The measurements of bench/gpu-check.sh, each in a process of its own on the backend named, and
// its report. The model is the generated birds AttnGAN2 (random weights, vocabulary 5,450,
// 18-word captions, seed 1) as in bench/gan-iteration.ts.
//   npx tsx bench/gpu-check/run.ts run --backend B --batch 16 [--iters 3] [--sample 1,16]
//   npx tsx bench/gpu-check/run.ts report <results folder> <markdown file>
// `run` prints one JSON line: the backend, whether TensorFlow has a GPU device, the losses of the
// first GAN step (seeded: the same inputs on every backend), then the seconds of `--iters` more
// GAN iterations and of sampling at 256 px at each `--sample` batch size (one model build for all).
import type * as TF from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    backend: { type: 'string', default: 'auto' },
    batch: { type: 'string', default: '16' },
    sample: { type: 'string', default: '' },
    iters: { type: 'string' },
  },
});
const what = positionals[0];

if (what === 'report') {
  report(positionals[1]!, positionals[2]!);
} else if (what === 'run') {
  await measure();
} else {
  process.stderr.write('usage: npx tsx bench/gpu-check/run.ts run --backend <name> --batch <n> [--iters n] [--sample 1,16] | report <results> <out.md>\n');
  process.exit(2);
}

async function measure(): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const { initBackend, parseBackendChoice } = await import('../../runtime/backend/index.js');
  const { readLosses } = await import('../../runtime/optim/index.js');
  const { drawNoise } = await import('../../runtime/model/noise.js');
  tf.env().set('PROD', true);
  const info = await initBackend(parseBackendChoice(values.backend), { quiet: true });
  const g = await import('../../generated/attngan2/index.js');
  const t0 = performance.now();
  const model = g.createModel({ seed: 1 });
  const build = (performance.now() - t0) / 1000;
  const T = 18;
  const inputs = (B: number) => {
    const lengths = Array.from({ length: B }, (_, b) => [18, 16, 14, 12, 10, 9, 8, 7][b % 8]!).sort((x, y) => y - x);
    const ids = new Int32Array(B * T);
    for (let b = 0; b < B; b++) for (let t = 0; t < lengths[b]!; t++) ids[b * T + t] = 1 + ((b * 131 + t * 17) % 5449);
    // Seeded uniform images: the same numbers on every backend (tfjs draws them in JavaScript).
    const images = [64, 128, 256].map((s, i) => tf.randomUniform([B, s, s, 3], -1, 1, 'float32', 7 + i) as TF.Tensor4D) as [TF.Tensor4D, TF.Tensor4D, TF.Tensor4D];
    return { images, tokens: tf.tensor2d(ids, [B, T], 'int32'), lengths, classIds: Array.from({ length: B }, (_, i) => i + 1) };
  };
  const time = (step: () => void, iters: number) => {
    const times: number[] = [];
    for (let i = 0; i < iters; i++) {
      const t = performance.now();
      step();
      times.push((performance.now() - t) / 1000);
    }
    const sorted = [...times].sort((a, b) => a - b);
    return { median_s: sorted[Math.floor(sorted.length / 2)] ?? null, times };
  };
  const out: Record<string, unknown> = { backend: info.name, usingGpuDevice: info.gpu?.usingGpuDevice ?? false, build_s: build, tf32Override: process.env.NVIDIA_TF32_OVERRIDE ?? null };
  const B = Number(values.batch);
  const batch = inputs(B);
  const opts = g.createGanOptimizers();
  const ema = g.createGeneratorEma(model);
  let it = 0;
  // The step's noise from runtime/model/noise.ts: the same numbers on every backend.
  const noiseOf = (step: number) => drawNoise({ purpose: 'train', seed: 1, step, batchSize: B }, g.plan.noise);
  const t = performance.now();
  const n0 = noiseOf(it++);
  const r = g.ganStep(model, opts, batch, n0, ema);
  tf.dispose([n0.z, n0.eps]);
  const losses: Record<string, number> = {};
  r.discriminators.forEach((d, i) => {
    for (const [k, v] of Object.entries(readLosses(d))) losses[`D${i}/${k}`] = v;
  });
  for (const [k, v] of Object.entries(readLosses(r.generator))) losses[`G/${k}`] = v;
  const first = (performance.now() - t) / 1000;
  const timed = time(() => {
    const noise = noiseOf(it++);
    const s = g.ganStep(model, opts, batch, noise, ema);
    tf.dispose([noise.z, noise.eps, ...s.discriminators.flatMap((l) => Object.values(l))]);
    readLosses(s.generator); // one read per iteration, as the reference's float(errG)
  }, Number(values.iters ?? 3));
  Object.assign(out, { batch: B, losses, first_s: first, ...timed });
  const sample: Record<string, unknown> = {};
  for (const SB of values.sample.split(',').filter(Boolean).map(Number)) {
    const { tokens, lengths } = inputs(SB);
    const noise = drawNoise({ purpose: 'sample', seed: 1, indices: Array.from({ length: SB }, (_, b) => b) }, g.plan.noise);
    const step = () => {
      const s = g.sample(model, tokens, lengths, noise);
      tf.tidy(() => tf.sum(s.images[2]!).dataSync());
      tf.dispose([s.images, s.attn]);
    };
    const t1 = performance.now();
    step();
    const firstSample = (performance.now() - t1) / 1000;
    sample[SB] = { first_s: firstSample, ...time(step, SB === 1 ? 20 : 5) };
    tf.dispose([noise.z, noise.eps]);
  }
  Object.assign(out, { sample, tensors: tf.memory().numTensors });
  process.stdout.write(JSON.stringify(out) + '\n');
}

type Run = {
  backend: string;
  usingGpuDevice: boolean;
  batch: number;
  losses: Record<string, number>;
  first_s: number;
  median_s: number | null;
  times: number[];
  build_s: number;
  sample: Record<string, { first_s: number; median_s: number; times: number[] }>;
};

/** The largest relative difference between two runs' losses, and where. */
export function lossDiff(a: Record<string, number>, b: Record<string, number>): { max: number; at: string; n: number } {
  let max = -1;
  let at = '';
  const keys = Object.keys(a).filter((k) => k in b);
  for (const k of keys) {
    const d = Math.abs(a[k]! - b[k]!) / Math.max(Math.abs(a[k]!), 1e-12);
    if (d > max) [max, at] = [d, k];
  }
  return { max: Math.max(max, 0), at, n: keys.length };
}

/** The markdown table README's "GPU" section takes, from the results folder gpu-check.sh wrote. */
function report(dir: string, file: string): void {
  // A JSON file (doctor's), or the last line of a measurement's output.
  const read = <T>(name: string): T | null => {
    let text: string;
    try {
      text = fs.readFileSync(path.join(dir, name), 'utf8').trim();
    } catch {
      return null;
    }
    for (const candidate of [text, text.split('\n').pop()!]) {
      try {
        return JSON.parse(candidate) as T;
      } catch { /* next */ }
    }
    return null;
  };
  const env = read<{ mode: string; date: string; host: string; load: string; commit: string; device: string; tiny_s: number; tiny_steps: number; tiny_line: string; total_s: number }>('env.json')!;
  const doctor = read<{ name: string; gpu: { reason: string | null; tensorflow: { devices: { name: string; memoryMB: number; computeCapability: string }[]; cudnn?: string } | null; driver: string | null; library: { cuda?: string; cudnn?: string } | null }; placement?: { fastPaths: { id: string; fallback?: string }[] } }>('doctor.json');
  const dev = read<Run>('device.json');
  const devStrict = read<Run>('device-tf32-off.json');
  const cpu = read<Run>('cpu.json');
  const s = (x: number | null | undefined, d = 3) => (x == null ? '—' : `${x.toFixed(d)} s`);
  const rows: [string, string][] = [];
  const gpuDev = doctor?.gpu.tensorflow?.devices[0];
  rows.push(['doctor', doctor
    ? `backend ${doctor.name}; ${gpuDev ? `${gpuDev.name}, ${gpuDev.memoryMB.toLocaleString('en-US')} MB, compute capability ${gpuDev.computeCapability}, driver ${doctor.gpu.driver}, CUDA ${doctor.gpu.library?.cuda ?? '?'}, cuDNN ${doctor.gpu.tensorflow?.cudnn ?? doctor.gpu.library?.cudnn ?? '?'}` : `no GPU: ${doctor.gpu.reason}`}`
    : 'failed (see doctor.txt)']);
  const fallbacks = doctor?.placement?.fastPaths.filter((f) => f.fallback) ?? [];
  rows.push(['fast paths', doctor?.placement ? (fallbacks.length ? `fall back: ${fallbacks.map((f) => `${f.id} (${f.fallback})`).join('; ')}` : `all ${doctor.placement.fastPaths.length} stay on the ${env.device === 'gpu' ? 'GPU' : 'device'}`) : '—']);
  rows.push([`GAN iteration, birds AttnGAN2, batch ${dev?.batch ?? '?'}`, dev ? `${s(dev.median_s)} median of ${dev.times.length} (first ${s(dev.first_s, 2)}, model build ${s(dev.build_s, 1)})` : 'failed']);
  for (const [b, r] of Object.entries(dev?.sample ?? {})) rows.push([`sampling 256 px, batch ${b}`, `${s(r.median_s)} median of ${r.times.length} (first ${s(r.first_s, 2)})`]);
  const check = (a: Run | null, label: string) => {
    if (!a || !cpu) return `${label}: failed`;
    const d = lossDiff(cpu.losses, a.losses);
    return `${label}: max relative difference ${d.max.toExponential(1)} (${d.at}) over ${d.n} losses — ${d.max <= 1e-3 ? 'pass' : '**FAIL**'} (≤ 1e-3)`;
  };
  rows.push([`losses of the first GAN step, ${cpu?.backend ?? 'tensorflow'} vs ${dev?.backend ?? '?'}`, [devStrict ? check(devStrict, 'TF32 off') : null, check(dev, devStrict ? 'TF32 as default' : 'same step')].filter(Boolean).join('; ')]);
  rows.push([`tiny demo, first ${env.tiny_steps} steps`, `${s(env.tiny_s, 0)} (${env.tiny_line})`]);
  const title = env.device === 'gpu'
    ? `GPU check, ${env.date} UTC, ${gpuDev?.name ?? 'GPU'} (${env.host}), attnc ${env.commit}`
    : `GPU check dry run on the CPU (no GPU: the "device" side ran on ${dev?.backend ?? '?'}), ${env.date} UTC, ${env.host}, attnc ${env.commit}`;
  const md = `### ${title}\n\n| check | result |\n|---|---|\n${rows.map(([a, b]) => `| ${a} | ${b} |`).join('\n')}\n\n` +
    `\`bench/gpu-check.sh${env.mode === 'cpu' ? ' --cpu' : ''}\`, ${s(env.total_s, 0)} in all; load average at the start ${env.load}.\n`;
  fs.writeFileSync(file, md);
  process.stdout.write(md);
}
