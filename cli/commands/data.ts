import type { Command } from 'commander';
// A leaf built into dist/ with the CLI (scripts/build.mjs), like error-codes.ts.
import { shownPath } from '../../runtime/util/shown-path.js';
import pc from 'picocolors';
import type { DataCheckReport } from '../../runtime/data/check.js';
import type { AttncError as AttncErrorClass } from '../../runtime/util/errors.js';
import { renderError } from '../report.js';

// The runtime's error class, loaded when an action runs: the built CLI loads no runtime module at
// start-up (cli/ts-loader.ts; test/cli/main.test.ts checks it).
let AttncError: typeof AttncErrorClass;
async function loadErrors(): Promise<void> {
  ({ AttncError } = await import('../../runtime/util/errors.js'));
}

function intOption(name: string, raw: string, min: number, max: number): number {
  const v = Number(raw);
  if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new AttncError('ATTNC_USAGE_OPTION', `${name} must be an integer in ${min}..${max}, got "${raw}"`, {
      hint: `for example ${name} ${Math.min(max, Math.max(min, name === '--size' ? 64 : name === '--n' ? 10000 : 0))}`,
    });
  }
  return v;
}

function fractionOption(name: string, raw: string, max: number): number {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < 0 || v > max) {
    throw new AttncError('ATTNC_USAGE_OPTION', `${name} must be a number in 0..${max}, got "${raw}"`, { hint: `for example ${name} 0.1` });
  }
  return v;
}

/** A live line on a terminal, a plain line every 10% otherwise (logs, CI). */
function progressReporter(total: number): { update(done: number): void; end(): void } {
  const tty = !!process.stderr.isTTY;
  let last = 0;
  let lastDecile = -1;
  const start = performance.now();
  return {
    update(done) {
      const now = performance.now();
      if (tty) {
        if (now - last < 100 && done < total) return;
        last = now;
        const rate = done / Math.max(1e-3, (now - start) / 1000);
        process.stderr.write(`\r  rendering ${done}/${total} (${Math.round((100 * done) / Math.max(1, total))}%, ${Math.round(rate)} img/s)   `);
      } else {
        const decile = Math.floor((10 * done) / Math.max(1, total));
        if (decile === lastDecile) return;
        lastDecile = decile;
        process.stderr.write(`  rendered ${done}/${total}\n`);
      }
    },
    end() {
      if (tty) process.stderr.write('\r' + ' '.repeat(60) + '\r');
    },
  };
}

export function register(program: Command): void {
  const data = program.command('data').description('datasets: check a dataset folder, generate the built-in synthetic birds');
  data
    .command('check')
    .description('open a dataset folder (CUB, COCO or custom) and read every split list, caption file and image header; report every problem (exit 0 none, 1 problems)')
    .argument('<dir>', 'dataset folder')
    .option('--kind <kind>', 'cub | coco | custom (default: detected from the folder)')
    .option('--split <name>', 'split to check, repeatable (default: train and test, and for CUB/COCO any other <split>/filenames.pickle)', collect, [])
    .option('--caps-per-image <n>', 'captions per image (default: CUB 10, COCO 5, custom 1)')
    .option('--follow-symlinks', 'follow symbolic links that lead out of the dataset folder')
    .option('--max-pixels <n>', 'largest image, width × height (default 50000000)')
    .option('--max-side <px>', 'longest image side (default 16384)')
    .option('--decode', 'decode every image fully, not only headers and structure (slower)')
    .option('--max-problems <n>', 'problems listed in text output (all in JSON)', '50')
    .option('--format <format>', 'text | json', 'text')
    .action(async (dir: string, opts: DataCheckCliOptions) => {
      process.exitCode = await runDataCheck(dir, opts);
    });
  data
    .command('synth')
    .description("write the synthetic birds dataset in AttnGAN's CUB layout (images, text/, split pickles, attributes.jsonl, preview.png)")
    .requiredOption('--out <dir>', 'output folder (created; must be empty or an earlier synth dataset)')
    .option('--n <count>', 'number of images, all splits together', '10000')
    .option('--size <px>', 'image side in pixels, 32..256', '128')
    .option('--seed <int>', 'dataset seed (same seed → identical files)', '0')
    .option('--test-fraction <f>', 'fraction of seen-combination images in test', '0.1')
    .option('--heldout-fraction <f>', 'fraction of the 729 colour combinations held out of train and test, 0..0.5', '0.1')
    .option('--force', 'write into a non-empty folder that is not a synth dataset')
    .action(async (opts: { out: string; n: string; size: string; seed: string; testFraction: string; heldoutFraction: string; force?: boolean }) => {
      await loadErrors();
      const n = intOption('--n', opts.n, 1, 1_000_000);
      const size = intOption('--size', opts.size, 32, 256);
      const seed = intOption('--seed', opts.seed, 0, 0xffffffff);
      const testFraction = fractionOption('--test-fraction', opts.testFraction, 1);
      const heldoutFraction = fractionOption('--heldout-fraction', opts.heldoutFraction, 0.5);
      const { synthBirds, writeSynthBirds } = await import('../../runtime/data/synthbirds/index.js');
      const t0 = performance.now();
      const ds = synthBirds({ n, size, seed, testFraction, heldoutFraction });
      const progress = progressReporter(n);
      let result;
      try {
        result = writeSynthBirds(ds, opts.out, { force: !!opts.force, onProgress: (done) => progress.update(done) });
      } finally {
        progress.end();
      }
      const secs = (performance.now() - t0) / 1000;
      const row = (name: string, note = '') => {
        const split = name as keyof typeof result.counts;
        return `  ${name.padEnd(8)} ${String(result.counts[split]).padStart(7)} images  ${String(result.classes[split]).padStart(4)} classes${note}\n`;
      };
      process.stdout.write(
        `synthetic birds: ${n} images of ${size}×${size}, seed ${seed}\n` +
          row('train') +
          row('test', '  (same colour combinations as train)') +
          row('heldout', `  (${ds.heldoutClassIds.length} colour combinations never in train/test)`) +
          `  vocabulary ${result.vocabularySize} words (with <end>), ${ds.captionsPerImage} captions per image\n` +
          `  wrote ${result.files} files, ${(result.bytes / 1e6).toFixed(1)} MB, in ${secs.toFixed(1)} s\n` +
          `  → ${shownPath(result.outDir)}  (look at preview.png)\n`,
      );
    });
}

const collect = (v: string, prev: string[]) => [...prev, v];

export interface DataCheckCliOptions {
  kind?: string;
  split?: string[];
  capsPerImage?: string;
  followSymlinks?: boolean;
  maxPixels?: string;
  maxSide?: string;
  decode?: boolean;
  maxProblems?: string;
  format?: string;
  color?: boolean;
}

/** `attnc data check`: exit 0 when the dataset has no problems, 1 when it has (or cannot be opened), 2 for bad options. */
export async function runDataCheck(dir: string, opts: DataCheckCliOptions): Promise<number> {
  try {
    await loadErrors();
    const format = opts.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new AttncError('ATTNC_USAGE_OPTION', `--format must be text or json, got "${format}"`);
    if (opts.kind !== undefined && !['cub', 'coco', 'custom'].includes(opts.kind)) {
      throw new AttncError('ATTNC_USAGE_OPTION', `--kind must be cub, coco or custom, got "${opts.kind}"`);
    }
    const maxProblems = intOption('--max-problems', opts.maxProblems ?? '50', 0, 1_000_000);
    const { checkDataset } = await import('../../runtime/data/check.js');
    const tty = format === 'text' && !!process.stderr.isTTY;
    const report = await checkDataset(dir, {
      ...(opts.kind ? { kind: opts.kind as 'cub' | 'coco' | 'custom' } : {}),
      ...(opts.split?.length ? { splits: opts.split } : {}),
      ...(opts.capsPerImage !== undefined ? { capsPerImage: intOption('--caps-per-image', opts.capsPerImage, 1, 1000) } : {}),
      followSymlinks: !!opts.followSymlinks,
      imageLimits: {
        ...(opts.maxPixels !== undefined ? { maxPixels: intOption('--max-pixels', opts.maxPixels, 1, Number.MAX_SAFE_INTEGER) } : {}),
        ...(opts.maxSide !== undefined ? { maxSide: intOption('--max-side', opts.maxSide, 1, 1_000_000) } : {}),
      },
      decode: !!opts.decode,
      ...(tty ? { onProgress: (done: number, total: number) => { if (done % 100 === 0 || done === total) process.stderr.write(`\r  checking images ${done}/${total}   `); } } : {}),
    });
    if (tty) process.stderr.write('\r' + ' '.repeat(40) + '\r');
    if (format === 'json') process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else process.stdout.write(renderDataCheck(report, maxProblems, opts.color ?? (!!process.stdout.isTTY && !process.env.NO_COLOR)));
    return report.problems.length ? 1 : 0;
  } catch (e) {
    return renderError(e);
  }
}

function renderDataCheck(r: DataCheckReport, maxProblems: number, color: boolean): string {
  const c = color ? pc : { red: String, green: String, yellow: String, dim: String, bold: String };
  let out = `${c.bold(r.root)}: ${r.kind} layout${r.kindDetected ? ' (detected)' : ''}\n`;
  for (const s of r.splits) {
    const listed = s.listed === undefined ? 'list unreadable' : `${s.listed} listed`;
    out += `  ${s.split.padEnd(8)} ${listed}, ${s.indexed} with captions and an image file, ${s.imagesOk} image(s) ok` +
      (s.emptyCaptions ? `, ${s.emptyCaptions} empty caption(s)` : '') + '\n';
  }
  out += `  ${r.imagesChecked} image(s) checked` + (r.exampleFiles ? `, ${r.exampleFiles} example caption file(s)` : '') + '\n';
  for (const w of r.warnings) out += `${c.yellow('warning')}: ${w}\n`;
  for (const p of r.problems.slice(0, maxProblems)) {
    out += `${c.red('error')}${c.dim(`[${p.code}]`)}: ${p.message}\n`;
    if (p.hint) out += `  = help: ${p.hint}\n`;
  }
  if (r.problems.length > maxProblems) out += c.dim(`… and ${r.problems.length - maxProblems} more (--max-problems, or --format json for all)\n`);
  const byCode = new Map<string, number>();
  for (const p of r.problems) byCode.set(p.code, (byCode.get(p.code) ?? 0) + 1);
  out += r.problems.length
    ? c.red(`✗ ${r.problems.length} problem(s) in ${r.root}: ${[...byCode].map(([k, n]) => `${n} ${k}`).join(', ')}\n`)
    : c.green(`✓ no problems in ${r.root}\n`);
  return out;
}
