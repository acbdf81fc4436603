import pc from 'picocolors';
import type { BackendInfo } from '../runtime/backend/index.js';
import type { GpuStatus } from '../runtime/backend/gpu.js';
import type { PlacementReport } from '../runtime/backend/placement.js';
import type { ProbeResult } from '../runtime/backend/probe.js';

const row = (k: string, v: string) => `  ${k.padEnd(16)} ${v}\n`;

/** Text rendering of `attnc doctor`: facts first, the GPU, then probe times with ratios to the backend in use. */
export function renderDoctor(info: BackendInfo, probes: ProbeResult[], workload: string, gpu?: GpuStatus, placement?: PlacementReport): string {
  const rows: [string, string][] = [
    ['backend', info.name + (info.name.startsWith('tensorflow') ? ' (native)' : ' (fallback: slow)')],
    ['requested', info.requested],
    ['tfjs', info.tfjsVersion],
    ['libtensorflow', info.libtensorflow ?? '—'],
    ['threads', String(info.threads)],
    ['library from', info.librarySource ?? '—'],
    ['node', `${process.version} (${process.platform}-${process.arch})`],
  ];
  // The whole first line of the reason: it usually ends in the path that was not found.
  for (const s of info.skipped) rows.push([`skipped ${s.name}`, s.reason.split('\n')[0]!]);
  let out = rows.map(([k, v]) => row(k, v)).join('');
  if (gpu) out += renderGpu(gpu);
  if (placement) out += renderPlacement(placement);
  if (probes.length) {
    out += `speed probe (${workload}):\n`;
    // Ratios are against the native backend when it ran, else against the backend in use.
    const ref = probes.find((p) => p.backend === 'tensorflow' && p.ms !== undefined) ?? probes.find((p) => p.backend === info.name);
    for (const p of probes) {
      if (p.ms === undefined) {
        out += `  ${p.backend.padEnd(16)} ${pc.dim(`unavailable: ${p.error}`)}\n`;
        continue;
      }
      const ratio = ref?.ms ? `${(p.ms / ref.ms).toFixed(1)}× ${ref.backend}` : '';
      const mark = p.backend === info.name ? '  (in use)' : '';
      out += `  ${p.backend.padEnd(16)} ${p.ms.toFixed(1).padStart(9)} ms   ${ratio}${mark}\n`;
    }
  }
  return out;
}

/** The GPU: the provisioned library, the driver and devices, what TensorFlow sees, or why none. */
export function renderGpu(g: GpuStatus): string {
  let out = 'gpu:\n';
  out += row('library', g.library ? g.library.description : 'not provisioned (`npx attnc setup --gpu`)');
  out += row('nvidia driver', g.system.driver ? `${g.system.driver}${g.system.driverCuda ? ` (supports CUDA ≤ ${g.system.driverCuda})` : ''}` : '—');
  for (const d of g.system.gpus) {
    const facts = [d.memoryMiB !== undefined ? `${d.memoryMiB.toLocaleString('en-US')} MiB` : null, d.computeCapability ? `compute capability ${d.computeCapability}` : null].filter(Boolean);
    out += row(`gpu ${d.index}`, `${d.name}${facts.length ? `, ${facts.join(', ')}` : ''} (${g.system.source})`);
  }
  if (g.library) {
    out += row('cuda / cudnn', `${g.library.cuda ?? '?'} / ${g.library.cudnn ?? '?'} (the provisioned wheels)`);
    const { reached, missed } = g.library.cudaLibraries;
    const names = (dirs: string[]) => dirs.map((d) => d.split('/').slice(-2, -1)[0]).join(', ');
    out += row('cuda libraries', g.library.standIn
      ? 'none loaded (a CPU build of TensorFlow)'
      : `TensorFlow's run path reaches ${reached.length} of ${reached.length + missed.length} unpacked${missed.length ? `; not ${names(missed)}` : ''}`);
  }
  if (g.tf) {
    const seen = g.tf.devices.map((d) => `${d.device} ${d.name}, ${d.memoryMB.toLocaleString('en-US')} MB, compute capability ${d.computeCapability}`);
    out += row('tensorflow sees', g.tf.usingGpuDevice && seen.length ? seen.join('; ') + (g.tf.cudnn ? `; cuDNN ${g.tf.cudnn} loaded` : '') : 'no GPU device');
  }
  out += row(g.reason ? 'no gpu' : 'gpu', g.reason ?? 'tensorflow-gpu runs on the GPU (`--backend auto` picks it)');
  return out;
}

/** Each fast path's ops and the device TensorFlow ran them on; falls back where it must. */
export function renderPlacement(p: PlacementReport): string {
  let out = `fast-path placement (${p.backend}${p.usingGpuDevice ? ', on a GPU' : ''}):\n`;
  for (const f of p.fastPaths) {
    const devices = [...new Set(f.ops.map((o) => (o.device ? /device:([A-Z_]+:\d+)$/.exec(o.device)?.[1] ?? o.device : '?')))].join(', ');
    const status = f.fallback ? pc.yellow(`falls back: ${f.fallback}`) : f.error ? pc.red(`failed: ${f.error}`) : 'ok';
    out += `  ${f.id.padEnd(16)} ${devices.padEnd(8)} ${status}  ${pc.dim(f.ops.map((o) => o.op).join(' '))}\n`;
  }
  return out;
}
