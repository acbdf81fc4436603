import type { Command } from 'commander';

interface DiffCliOptions {
  setA: string[];
  setB: string[];
  patch?: boolean;
  format: string;
  exitCode?: boolean;
  color?: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** Exit status for a failure when `--exit-code` reserves 0/1/2 for the result. */
export const DIFF_ERROR_EXIT = 3;

export function register(program: Command): void {
  program
    .command('diff')
    .description('compare two specs or generated folders: spec values, model graph, checkpoint compatibility')
    .argument('<a>', 'spec file or generated folder (the old side), e.g. spec/attngan1.yaml or generated/attngan1')
    .argument('<b>', 'spec file or generated folder (the new side)')
    .option('--set-a <path=value>', 'override a value of spec a (YAML), repeatable', collect, [])
    .option('--set-b <path=value>', 'override a value of spec b (YAML), repeatable', collect, [])
    .option('--patch', 'append the unified diff of the generated code (manifest.json left out)')
    .option('--format <format>', 'text | json', 'text')
    .option('--exit-code', 'exit 0 no difference, 1 compatible (training-only, weight-compatible), 2 partially-compatible or breaking; 3 on any error')
    .option('--color', 'force colored output')
    .option('--no-color', 'disable colored output')
    .addHelpText(
      'after',
      `
Classes (worst change wins):
  none                  only name/description differ
  training-only         hyperparameters: lr, λ, γ, batch, epochs, schedule, EMA, seed, data, evaluation
  weight-compatible     same parameter names and shapes; the model or its loss computes differently
  partially-compatible  some networks or modules cannot load a checkpoint, others can warm-start
  breaking              no module can load a checkpoint of <a>

Exit status:
  without --exit-code   0 compared (whatever the difference), 1 invalid spec, 2 usage or I/O error
  with --exit-code      0 none, 1 training-only or weight-compatible, 2 partially-compatible or
                        breaking, 3 invalid spec, usage or I/O error (like git diff --exit-code)

Examples:
  attnc diff spec/attngan1.yaml spec/attngan2.yaml
  attnc diff spec/attngan2.yaml spec/attngan2.yaml --set-b losses[1].lambda=50 --exit-code
  attnc diff generated/attngan2 spec/attngan2.yaml --patch     # what would recompiling change?`,
    )
    .action(async (a: string, b: string, opts: DiffCliOptions) => {
      process.exitCode = await runDiff(a, b, opts);
    });
}

export async function runDiff(a: string, b: string, opts: DiffCliOptions): Promise<number> {
  const fail = (code: 1 | 2) => (opts.exitCode ? DIFF_ERROR_EXIT : code);
  if (opts.format !== 'text' && opts.format !== 'json') {
    process.stderr.write(`error: --format must be text or json, not "${opts.format}"\n`);
    return fail(2);
  }
  const { loadSide } = await import('../../compiler/diff/load.js');
  const { renderDiagnostics, summarize, exitCodeFor } = await import('../../compiler/spec.js');
  const sides = [await loadSide(a, { set: opts.setA, setFlag: '--set-a' }), await loadSide(b, { set: opts.setB, setFlag: '--set-b' })] as const;
  const colorErr = opts.color ?? (!!process.stderr.isTTY && !process.env.NO_COLOR);
  let status: 0 | 1 | 2 = 0;
  const errors: object[] = [];
  sides.forEach((s, i) => {
    const which = i === 0 ? 'a' : 'b';
    if (s.ok) {
      if (s.diagnostics.length && opts.format === 'text') process.stderr.write(renderDiagnostics(s.diagnostics, { color: colorErr, sources: s.sourceFiles }) + '\n');
      return;
    }
    if (s.usage !== undefined) {
      status = 2;
      errors.push({ side: which, file: s.file, message: s.usage, diagnostics: [] });
      if (opts.format === 'text') process.stderr.write(`error: ${s.usage}\n`);
      return;
    }
    status = Math.max(status, exitCodeFor(s.diagnostics) || 1) as 1 | 2;
    errors.push({ side: which, file: s.file, ...(JSON.parse(renderDiagnostics(s.diagnostics, { format: 'json' })) as object) });
    if (opts.format === 'text') {
      process.stderr.write(renderDiagnostics(s.diagnostics, { color: colorErr, sources: s.sourceFiles }) + '\n');
      process.stderr.write(`✗ ${which}: ${s.file}: ${summarize(s.diagnostics)}\n`);
    }
  });
  if (!sides[0].ok || !sides[1].ok) {
    if (opts.format === 'json') process.stdout.write(JSON.stringify({ ok: false, errors }, null, 2) + '\n');
    return fail(status === 0 ? 1 : status);
  }
  const { diffSides } = await import('../../compiler/diff/diff.js');
  const { renderDiffJson, renderDiffText } = await import('../../compiler/diff/render.js');
  const result = diffSides(sides[0].side, sides[1].side, { patch: !!opts.patch });
  const color = opts.color ?? (!!process.stdout.isTTY && !process.env.NO_COLOR);
  process.stdout.write(opts.format === 'json' ? renderDiffJson(result) : renderDiffText(result, { color }));
  return opts.exitCode ? result.classification.exitCode : 0;
}
