/** `attnc train`: the app layer between the CLI flags, the compiler (for --set and resolved.yaml) and the runtime runner. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import pc from 'picocolors';
import { AttncError } from '../runtime/util/errors.js';
import { shownPath } from '../runtime/util/shown-path.js';

export interface TrainArgs {
  data?: string;
  phase: string;
  set: string[];
  out?: string;
  resume?: string;
  maxSteps?: string;
  maxMinutes?: string;
  seed?: string;
  workers: string;
  keep: string;
}

/** Spec keys that only change the plan (data, cadence, seeds): safe to override without recompiling. */
const PLAN_ONLY = [
  /^data\.dataset\./,
  /^data\.augmentation\./,
  /^data\.long_captions$/,
  /^train\.(damsm|gan)\.(enabled|batch_size|epochs|seed|log_every|sample_every|snapshot_interval)$/,
  /^evaluation\./,
];

function int(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new AttncError('ATTNC_USAGE', `${name} must be an integer ≥ ${min}, got "${v}"`);
  return n;
}

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new AttncError('ATTNC_USAGE', `${name} must be a positive number, got "${v}"`);
  return n;
}

export async function runTrain(generated: string, o: TrainArgs, backend: string | undefined): Promise<number> {
  if (!['damsm', 'gan', 'all'].includes(o.phase)) throw new AttncError('ATTNC_USAGE', `--phase must be damsm, gan or all, not "${o.phase}"`);
  const maxSteps = int('--max-steps', o.maxSteps, 1);
  const maxMinutes = num('--max-minutes', o.maxMinutes);
  const seed = int('--seed', o.seed, 0);
  const workers = int('--workers', o.workers, 0)!;
  const keep = int('--keep', o.keep, 1)!;
  const { loadGenerated } = await import('../runtime/model/load.js');
  const { gen, dir } = await loadGenerated(generated);
  const { resolvedSpec, plan } = await resolvePlan(gen, dir, o.set);
  const { initBackend, parseBackendChoice } = await import('../runtime/backend/index.js');
  await initBackend(parseBackendChoice(backend));
  const { train } = await import('../runtime/train/trainer.js');
  const { resolveCheckpoint } = await import('../runtime/io/checkpoint.js');
  const { nextRunDir } = await import('../runtime/train/run-folder.js');
  const { consoleReporter } = await import('../runtime/train/reporter.js');
  let resume: string | undefined;
  let runDir: string;
  if (o.resume) {
    resume = resolveCheckpoint(o.resume);
    runDir = o.out ?? path.dirname(path.dirname(resume));
  } else runDir = o.out ?? nextRunDir('runs', plan.name);
  const stop: { requested: NodeJS.Signals | null } = { requested: null };
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.requested) process.exit(sig === 'SIGINT' ? 130 : 143);
    stop.requested = sig;
    process.stderr.write(`\n${sig}: finishing the current step, then writing a checkpoint (send it again to quit at once)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const reporter = consoleReporter();
  try {
    const r = await train({
      gen: { ...gen, plan },
      generatedDir: dir,
      runDir,
      phases: o.phase === 'all' ? undefined : [o.phase],
      resume,
      maxSteps,
      maxMinutes,
      seed,
      dataRoot: o.data,
      workers,
      keep,
      resolvedSpec,
      reporter,
      stop,
    });
    reporter.done();
    const rel = (p: string | null) => (p ? shownPath(p) : '(none)');
    const out = process.stdout;
    out.write(`${pc.green('✓')} ${r.ended === 'completed' ? 'training finished' : `stopped (${r.ended})`} after ${r.steps} steps\n`);
    out.write(`  run folder      ${rel(r.runDir)}\n`);
    out.write(`  last checkpoint ${rel(r.lastCheckpoint)}\n`);
    if (r.bestCheckpoint && r.best) out.write(`  best (${metricLabel(r.best.metric)} ${(r.best.value * 100).toFixed(1)} %) ${rel(r.bestCheckpoint)}\n`);
    if (r.samples.length) out.write(`  samples         ${rel(r.samples.at(-1)!)}\n`);
    out.write(`  metrics         ${rel(path.join(r.runDir, 'metrics.jsonl'))}, TensorBoard: tensorboard --logdir ${rel(path.join(r.runDir, 'tensorboard'))}\n`);
    return r.ended === 'SIGINT' ? 130 : r.ended === 'SIGTERM' ? 143 : 0;
  } finally {
    reporter.done();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** How the summary names a monitored metric. */
function metricLabel(metric: string): string {
  return metric === 'damsm_r1' ? 'DAMSM R@1' : metric;
}

/**
 * The spec behind the generated folder (for resolved.yaml with origins), with `--set` applied to the
 * plan. Overrides that would change the generated code are refused: recompile for those.
 */
async function resolvePlan(gen: import('../runtime/model/contract.js').GeneratedModel, dir: string, set: string[]) {
  // Compiled from a shipped spec (`attnc compile attnc:tiny`): the shipped file, wherever attnc is installed.
  const { resolveShipped } = await import('../compiler/resolve/extends.js');
  const shipped = resolveShipped(gen.SPEC.file);
  const specFile = shipped
    ? 'abs' in shipped ? gen.SPEC.file : undefined
    : [path.resolve(gen.SPEC.file), path.resolve(dir, '..', '..', gen.SPEC.file)].find((f) => fs.existsSync(f));
  if (!specFile) {
    if (set.length) throw new AttncError('ATTNC_USAGE', `--set needs the spec ${gen.SPEC.file}, which is not found from here`, { hint: 'run attnc train from the folder you compiled in, or recompile with the values you want' });
    return { resolvedSpec: `# spec ${gen.SPEC.file} (sha256 ${gen.SPEC.sha256}) not found; the plan:\n${JSON.stringify(gen.plan, null, 2)}\n`, plan: gen.plan };
  }
  const { loadSpec, renderDiagnostics } = await import('../compiler/spec.js');
  const { explainYaml } = await import('../compiler/resolve/explain.js');
  const { lowerPlan } = await import('../compiler/lower/plan.js');
  const { specHash } = await import('../compiler/lower/hash.js');
  for (const s of set) {
    const key = s.split('=')[0]!.trim();
    if (!PLAN_ONLY.some((re) => re.test(key))) {
      throw new AttncError('ATTNC_USAGE', `--set ${key}: this value is compiled into the model code`, { hint: `recompile with \`attnc compile ${gen.SPEC.file} --set ${s}\` (train only overrides data, epochs, batch sizes, seeds, cadence and evaluation)` });
    }
  }
  const base = await loadSpec(specFile);
  if (!base.ok) {
    process.stderr.write(renderDiagnostics(base.diagnostics, { sources: base.sourceFiles }) + "\n");
    throw new AttncError('ATTNC_SPEC_INVALID', `${gen.SPEC.file}: the spec no longer validates`, { path: specFile });
  }
  if (specHash(base.spec) !== gen.SPEC.sha256) {
    throw new AttncError('ATTNC_GENERATED_STALE', `${dir} is out of date: ${gen.SPEC.file} changed since it was compiled`, { path: dir, hint: `run \`attnc compile ${gen.SPEC.file}\`` });
  }
  const r = set.length ? await loadSpec(specFile, { set }) : base;
  if (!r.ok) {
    process.stderr.write(renderDiagnostics(r.diagnostics, { sources: r.sourceFiles }) + "\n");
    throw new AttncError('ATTNC_SPEC_INVALID', 'invalid --set override', { hint: 'see the diagnostics above' });
  }
  // The plan keeps the compiled spec's hash: checkpoints stay compatible across plan-only overrides.
  const plan = lowerPlan(r.spec, gen.SPEC.file, gen.SPEC.sha256);
  return { resolvedSpec: explainYaml(r.spec, r.origins, { showOrigin: true }), plan };
}
