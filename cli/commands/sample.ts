import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
// A leaf built into dist/ with the CLI (scripts/build.mjs), like error-codes.ts.
import { shownPath } from '../../runtime/util/shown-path.js';
import { defaultOutput, initCliBackend, intOption, loadTarget, shardOption, warnLine } from './model-target.js';

interface SampleCliOptions {
  text: string[];
  captions?: string;
  n: string;
  seed: string;
  out?: string;
  batchSize: string;
  shard?: string;
  panel: string;
  generated?: string;
}

/** Caption lines of a file: blank lines are skipped (they separate nothing), everything else is a caption. */
async function readCaptionFile(file: string): Promise<string[]> {
  const { AttncError } = await import('../../runtime/util/errors.js');
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new Error('not a file');
    if (st.size > 16 * 1024 * 1024) throw new AttncError('ATTNC_IO_READ', `${file}: ${st.size} bytes is too large for a caption file (limit 16 MiB)`, { path: file });
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof AttncError) throw e;
    throw new AttncError('ATTNC_IO_READ', `${file}: caption file not found or unreadable`, { path: file, cause: e, hint: 'one caption per line' });
  }
  return text.split(/\r?\n/).filter((l) => l.trim().length > 0);
}

export function register(program: Command): void {
  program
    .command('sample')
    .description('generate images from your own captions: every stage, attention figures and an index.html (exit 1 if a caption cannot be used)')
    .argument('<model>', 'run folder, checkpoint folder, or a spec .yaml (untrained model)')
    .option('--text <caption>', 'a caption (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--captions <file>', 'captions, one per line')
    .option('--n <count>', 'images per caption', '1')
    .option('--seed <int>', 'noise seed: the same seed gives the same images', '0')
    .option('--out <dir>', 'output folder (default <run>/sample, <run>/sample-<checkpoint>, or sample/<spec name>)')
    .option('--batch-size <b>', 'images per forward pass', '16')
    .option('--shard <k/n>', 'only captions i with i mod n = k (0-based); each shard writes its own folder')
    .option('--panel <px>', 'side of each attention-figure panel', '128')
    .option('--generated <folder>', 'generated model folder to load the checkpoint into (default: the one its manifest names)')
    .action(async (target: string, opts: SampleCliOptions, cmd: Command) => {
      const { AttncError } = await import('../../runtime/util/errors.js');
      const n = await intOption('--n', opts.n, 1, 10000);
      const seed = await intOption('--seed', opts.seed, 0, 0xffffffff);
      const batchSize = await intOption('--batch-size', opts.batchSize, 1, 4096);
      const panel = await intOption('--panel', opts.panel, 32, 1024);
      const shard = await shardOption(opts.shard);
      const captions = [...opts.text, ...(opts.captions ? await readCaptionFile(opts.captions) : [])];
      if (captions.length === 0) {
        throw new AttncError('ATTNC_USAGE_OPTION', 'no captions given', { hint: 'attnc sample <model> --text "this bird has red wings and a white belly" (or --captions file.txt)' });
      }
      await initCliBackend(cmd);
      const model = await loadTarget(target, warnLine, seed, opts.generated);
      const defaultOut = defaultOutput(target, 'sample', model.name);
      const outDir = opts.out ?? (shard.n > 1 ? path.join(defaultOut, `shard-${shard.k}-of-${shard.n}`) : defaultOut);
      const { sampleCaptions } = await import('../sample-run.js');
      const t0 = performance.now();
      try {
        const r = sampleCaptions(model, { captions, n, seed, batchSize, shard, outDir, panel, warn: warnLine });
        for (const e of r.errors) {
          process.stderr.write(`error: caption ${e.index + 1}: ${e.message}; nothing written for it\n${e.hint ? `  = help: ${e.hint}\n` : ''}`);
        }
        const images = r.captions.reduce((s, c) => s + c.samples.length, 0);
        const secs = (performance.now() - t0) / 1000;
        process.stdout.write(
          // Starts with ✓ like the other summaries, never with the model's (lower-case) name, which
          // displays that sentence-case output's first letter turned into "My-birds".
          `✓ ${model.name} (${model.source}): ${images} image(s) for ${r.captions.length} caption(s) in ${secs.toFixed(1)} s` +
            `${images > 0 ? `, ${((1000 * secs) / images).toFixed(0)} ms per image` : ''}\n  → ${shownPath(path.join(outDir, 'index.html'))}\n`,
        );
        if (r.errors.length > 0) process.exitCode = 1;
      } finally {
        model.dispose();
      }
    });
}
