import type { Command } from 'commander';

/** One line per subcommand; each module exports `register(program)`. Order = order in `--help`. */
export const commands: Array<() => Promise<{ register(program: Command): void }>> = [
  () => import('./doctor.js'),
  () => import('./setup.js'),
  () => import('./validate.js'),
  () => import('./explain.js'),
  () => import('./compile.js'),
  () => import('./diff.js'),
  () => import('./data.js'),
  () => import('./train.js'),
  () => import('./sample.js'),
  () => import('./eval.js'),
  () => import('./import.js'),
  () => import('./export.js'),
  () => import('./serve.js'),
];
