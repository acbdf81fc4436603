import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('report the TensorFlow backend in use, versions, threads, and a speed probe of each backend')
    .option('--no-probe', 'skip the speed probe')
    .option('--format <format>', 'text | json', 'text')
    .action(async (opts: { probe: boolean; format: string }, cmd: Command) => {
      const { initBackend, parseBackendChoice, registerBackend, BACKEND_NAMES } = await import('../../runtime/backend/index.js');
      const { probeBackend, PROBE_WORKLOAD } = await import('../../runtime/backend/probe.js');
      const { renderDoctor } = await import('../doctor-report.js');
      const info = await initBackend(parseBackendChoice(cmd.optsWithGlobals().backend));
      const probes = [];
      if (opts.probe) {
        // Probe the backend in use, then every other one that loads (tensorflow-gpu only if present).
        const others = BACKEND_NAMES.filter((b) => b !== info.name && !info.skipped.some((s) => s.name === b));
        for (const b of [info.name, ...others]) {
          // tensorflow-gpu is probed only when in use: loading it beside tfjs-node would clash.
          if (b !== info.name && (b === 'tensorflow-gpu' || !(await registerBackend(b)))) continue;
          probes.push(await probeBackend(b));
        }
      }
      if (opts.format === 'json') {
        process.stdout.write(JSON.stringify({ ...info, node: process.version, probe: { workload: PROBE_WORKLOAD, results: probes } }, null, 2) + '\n');
      } else {
        process.stdout.write(renderDoctor(info, probes, PROBE_WORKLOAD));
      }
    });
}

