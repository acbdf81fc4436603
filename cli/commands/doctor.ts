import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('report the TensorFlow backend in use, versions, threads, the GPU (or why there is none), and a speed probe of each backend')
    .option('--no-probe', 'skip the speed probe')
    .option('--placement', 'also show on which device TensorFlow runs each native fast path (loads the backend once more in a child process)')
    .option('--format <format>', 'text | json', 'text')
    .action(async (opts: { probe: boolean; placement?: boolean; format: string }, cmd: Command) => {
      const { initBackend, parseBackendChoice, registerBackend, BACKEND_NAMES } = await import('../../runtime/backend/index.js');
      const { probeBackend, PROBE_WORKLOAD } = await import('../../runtime/backend/probe.js');
      const { gpuStatus } = await import('../../runtime/backend/gpu.js');
      const { renderDoctor } = await import('../doctor-report.js');
      const info = await initBackend(parseBackendChoice(cmd.optsWithGlobals().backend));
      const gpu = await gpuStatus(info.gpu?.placement);
      let placement = info.gpu?.placement;
      if (opts.placement && !placement && info.name === 'tensorflow') {
        const { checkPlacement } = await import('../../runtime/backend/placement.js');
        placement = await checkPlacement('tensorflow');
      }
      const probes = [];
      if (opts.probe) {
        // Probe the backend in use, then every other one that loads here (never the other native
        // library: the CPU and GPU TensorFlow cannot share a process).
        const others = BACKEND_NAMES.filter((b) => b !== info.name && !info.skipped.some((s) => s.name === b));
        for (const b of [info.name, ...others]) {
          if (b !== info.name && (b === 'tensorflow-gpu' || !(await registerBackend(b)))) continue;
          probes.push(await probeBackend(b));
        }
      }
      if (opts.format === 'json') {
        process.stdout.write(JSON.stringify({ ...info, node: process.version, gpu: gpuJson(gpu), placement: opts.placement ? placement : undefined, probe: { workload: PROBE_WORKLOAD, results: probes } }, null, 2) + '\n');
      } else {
        process.stdout.write(renderDoctor(info, probes, PROBE_WORKLOAD, gpu, opts.placement ? placement : undefined));
      }
    });
}

/** The GPU status without the placement log details doctor's JSON has elsewhere. */
function gpuJson(g: Awaited<ReturnType<typeof import('../../runtime/backend/gpu.js').gpuStatus>>) {
  return { library: g.library ?? null, driver: g.system.driver ?? null, driverCuda: g.system.driverCuda ?? null, gpus: g.system.gpus, source: g.system.source, tensorflow: g.tf ?? null, reason: g.reason };
}
