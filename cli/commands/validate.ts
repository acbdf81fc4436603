import type { Command } from 'commander';

interface ValidateOptions { set: string[]; format: string; color?: boolean }

const collect = (v: string, prev: string[]) => [...prev, v];

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a spec: YAML, extends, overrides, schema and semantic rules (exit 0 valid, 1 invalid, 2 usage/IO)')
    .argument('<spec>', 'spec file, e.g. spec/attngan2.yaml')
    .option('--set <path=value>', 'override a value (YAML), repeatable: --set train.gan.batch_size=8', collect, [])
    .option('--format <format>', 'text | json', 'text')
    .option('--color', 'force colored output')
    .option('--no-color', 'disable colored output')
    .action(async (file: string, opts: ValidateOptions) => {
      process.exitCode = await runValidate(file, opts);
    });
}

/** Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage or I/O error. */
export async function runValidate(file: string, opts: ValidateOptions): Promise<number> {
  const { loadSpec, renderDiagnostics, summarize, exitCodeFor } = await import('../../compiler/spec.js');
  if (opts.format !== 'text' && opts.format !== 'json') {
    process.stderr.write(`error: --format must be text or json, not "${opts.format}"\n`);
    return 2;
  }
  const result = await loadSpec(file, { set: opts.set });
  const code = result.ok ? 0 : exitCodeFor(result.diagnostics);
  if (opts.format === 'json') {
    const body = JSON.parse(renderDiagnostics(result.diagnostics, { format: 'json' })) as object;
    process.stdout.write(JSON.stringify({ file: result.file, valid: result.ok, ...body }, null, 2) + '\n');
    return code;
  }
  const color = opts.color ?? (!!process.stderr.isTTY && !process.env.NO_COLOR);
  if (result.diagnostics.length) {
    process.stderr.write(renderDiagnostics(result.diagnostics, { color, sources: result.sourceFiles }) + '\n');
  }
  if (result.ok) {
    const s = result.spec;
    const sizes = s.generator.stages.map((st) => st.size).join('→');
    const warn = result.diagnostics.length ? `, ${summarize(result.diagnostics)}` : '';
    process.stdout.write(`✓ ${result.file} is valid (${s.name}: ${s.generator.stages.length} stage${s.generator.stages.length === 1 ? '' : 's'} ${sizes} px, gf ${s.generator.gf_dim}, df ${s.discriminators.df_dim}, ` +
      `${s.data.dataset.kind} data, ${s.losses.map((l) => l.type).join('+')} losses${warn})\n`);
  } else {
    process.stderr.write(`✗ ${result.file}: ${summarize(result.diagnostics)}\n`);
  }
  return code;
}
