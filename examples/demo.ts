/**
 * `npm start`: the whole tool in one go on the demo spec (attnc:tiny tuned to draw caption colours)
 * — compile, train on the built-in synthetic
 * birds (DAMSM pretraining, then the GAN) for a few minutes on 2 cores, then sample the captions in
 * examples/captions.txt. Prints where the sample grid and the run folder are.
 *
 * Every step is an `attnc` command a user can run alone; this file only strings them together.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const repo = path.resolve(import.meta.dirname, '..');
const cli = path.join(repo, 'bin', 'attnc.mjs');
const minutes = process.env.ATTNC_DEMO_MINUTES ?? '';

/**
 * When stdout or stderr is a file (`npm start > log 2>&1`), this process and every command it runs
 * write through one appending descriptor of it: the attnc commands reopen a log file for appending
 * once TensorFlow has loaded (runtime/backend/quiet-stderr.ts), and a writer that did not append
 * would keep an offset that falls behind theirs and write over their output.
 */
function appending(fd: 1 | 2): number | null {
  try {
    return fs.fstatSync(fd).isFile() ? fs.openSync(`/proc/self/fd/${fd}`, 'a') : null;
  } catch {
    return null; // not Linux, or the descriptor cannot be reopened: write as usual
  }
}
const out = appending(1);
const err = appending(2);

function say(fd: 1 | 2, text: string): void {
  const file = fd === 1 ? out : err;
  if (file !== null) fs.writeSync(file, text);
  else (fd === 1 ? process.stdout : process.stderr).write(text);
}

function attnc(...args: string[]): void {
  say(2, `\n$ attnc ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: ['inherit', out ?? 'inherit', err ?? 'inherit'], cwd: repo, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '2' } });
  if (r.status !== 0) {
    say(2, `attnc ${args[0]} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status ?? 1);
  }
}

const started = Date.now();
attnc('compile', 'spec/demo.yaml');
const runs = path.join(repo, 'runs');
let n = 1;
while (fs.existsSync(path.join(runs, `demo-${n}`))) n++;
const run = path.join('runs', `demo-${n}`);
attnc('train', 'generated/demo', '--out', run, ...(minutes ? ['--max-minutes', minutes] : []));
attnc('sample', run, '--captions', 'examples/captions.txt', '--n', '2', '--seed', '1', '--out', path.join(run, 'demo-samples'));
const took = ((Date.now() - started) / 60000).toFixed(1);
say(1, `\nDemo done in ${took} min.\n  run folder   ${run}\n  samples      ${path.join(run, 'demo-samples', 'index.html')} (and the PNGs beside it)\n  training     ${path.join(run, 'samples')} (EMA grids per snapshot), TensorBoard: tensorboard --logdir ${path.join(run, 'tensorboard')}\n  measure it   npx attnc eval ${run} --split heldout   (colour combinations never seen in training)\n  in a browser npx attnc serve ${run}   (type a caption, watch every word's attention)\n`);
