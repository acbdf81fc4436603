import type { Command } from 'commander';
// Type only: the runtime loads in the action (after main.ts registered the TS loader), not at start-up.
import type { AttncError } from '../../runtime/util/errors.js';

type ErrorClass = typeof AttncError;

function intOption(AttncError: ErrorClass, name: string, raw: string, min: number, max: number): number {
  const v = Number(raw);
  if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new AttncError('ATTNC_USAGE_OPTION', `${name} must be an integer in ${min}..${max}, got "${raw}"`, {
      hint: `for example ${name} ${Math.min(max, Math.max(min, name === '--size' ? 64 : name === '--n' ? 10000 : 0))}`,
    });
  }
  return v;
}

function fractionOption(AttncError: ErrorClass, name: string, raw: string, max: number): number {
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
  const data = program.command('data').description('datasets: generate the built-in synthetic birds');
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
      const { AttncError } = await import('../../runtime/util/errors.js');
      const n = intOption(AttncError, '--n', opts.n, 1, 1_000_000);
      const size = intOption(AttncError, '--size', opts.size, 32, 256);
      const seed = intOption(AttncError, '--seed', opts.seed, 0, 0xffffffff);
      const testFraction = fractionOption(AttncError, '--test-fraction', opts.testFraction, 1);
      const heldoutFraction = fractionOption(AttncError, '--heldout-fraction', opts.heldoutFraction, 0.5);
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
          `  → ${result.outDir}  (look at preview.png)\n`,
      );
    });
}
