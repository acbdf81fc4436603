import pc from 'picocolors';
import type { BackendInfo } from '../runtime/backend/index.js';
import type { ProbeResult } from '../runtime/backend/probe.js';

/** Text rendering of `attnc doctor`: facts first, then probe times with ratios to the backend in use. */
export function renderDoctor(info: BackendInfo, probes: ProbeResult[], workload: string): string {
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
  let out = rows.map(([k, v]) => `  ${k.padEnd(16)} ${v}`).join('\n') + '\n';
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
