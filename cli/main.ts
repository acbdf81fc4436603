import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { packageRoot } from '../compiler/package-root.js';
import { commands } from './commands/index.js';
import { renderError } from './report.js';
import { ensureTsLoader } from './ts-loader.js';

/** Commands that only run the compiler; every other one loads the TypeScript runtime (cli/ts-loader.ts). */
const COMPILER_ONLY = new Set(['validate', 'explain', 'compile', 'diff']);

/** Build the program; subcommands register themselves (cli/commands/index.ts). */
export async function buildProgram(): Promise<Command> {
  const program = new Command('attnc')
    .description('AttnGAN as a declarative model-graph compiler: YAML spec → typed TensorFlow.js code')
    .version(`attnc ${attncVersion()}`, '-V, --version', 'print the attnc version')
    .option('--backend <name>', 'tfjs backend: auto | tensorflow-gpu | tensorflow | wasm | cpu (env ATTNC_BACKEND)', process.env.ATTNC_BACKEND ?? 'auto')
    .option('--threads <n>', 'TensorFlow threads (default: one per core); small models such as the demo step faster on 1 (env ATTNC_THREADS)')
    .option('--gpu-memory <MiB>', 'tensorflow-gpu: cap TensorFlow\'s GPU memory (default: it grows as needed) (env ATTNC_GPU_MEMORY)')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .hook('preSubcommand', async (program, sub) => {
      // Read where the backend loads (runtime/backend/index.ts), in this process and its children.
      const gpuMemory = (program.opts() as { gpuMemory?: string }).gpuMemory;
      if (gpuMemory !== undefined) process.env.ATTNC_GPU_MEMORY = gpuMemory;
      const threads = (program.opts() as { threads?: string }).threads;
      if (threads !== undefined) process.env.ATTNC_THREADS = threads;
      if (!COMPILER_ONLY.has(sub.name())) await ensureTsLoader();
    });
  for (const load of commands) (await load()).register(program);
  return program;
}

/** The installed attnc's version, from its own package.json (wherever it is installed). */
export function attncVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Run the CLI; returns the process exit code (0 ok, 1 failure/invalid, 2 usage or I/O error). */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help / --version exit "successfully" through commander's exitOverride.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    return renderError(e);
  }
}
