import type { Command } from 'commander';

interface ExplainCliOptions { set: string[]; format: string; showOrigin?: boolean; color?: boolean }

const collect = (v: string, prev: string[]) => [...prev, v];

export function register(program: Command): void {
  program
    .command('explain')
    .description('print the fully resolved spec (extends merged, overrides and defaults applied)')
    .argument('<spec>', 'spec file, e.g. spec/attngan2.yaml')
    .option('--set <path=value>', 'override a value (YAML), repeatable', collect, [])
    .option('--show-origin', 'annotate every value with `# from file:line` or `# default`')
    .option('--format <format>', 'yaml | json', 'yaml')
    .option('--color', 'force colored diagnostics')
    .option('--no-color', 'disable colored diagnostics')
    .action(async (file: string, opts: ExplainCliOptions) => {
      process.exitCode = await runExplain(file, opts);
    });
}

export async function runExplain(file: string, opts: ExplainCliOptions): Promise<number> {
  const { loadSpec, renderDiagnostics, exitCodeFor } = await import('../../compiler/spec.js');
  const { explainYaml, originTable } = await import('../../compiler/resolve/explain.js');
  if (opts.format !== 'yaml' && opts.format !== 'json') {
    process.stderr.write(`error: --format must be yaml or json, not "${opts.format}"\n`);
    return 2;
  }
  const result = await loadSpec(file, { set: opts.set });
  const color = opts.color ?? (!!process.stderr.isTTY && !process.env.NO_COLOR);
  if (result.diagnostics.length) process.stderr.write(renderDiagnostics(result.diagnostics, { color, sources: result.sourceFiles }) + '\n');
  if (!result.ok) return exitCodeFor(result.diagnostics);
  if (opts.format === 'json') {
    const out = opts.showOrigin ? { spec: result.spec, origins: originTable(result.spec, result.origins) } : result.spec;
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else {
    const header = `# ${result.file} resolved${opts.set.length ? ` with ${opts.set.map((s) => `--set ${s}`).join(' ')}` : ''}\n`;
    process.stdout.write(header + explainYaml(result.spec, result.origins, { showOrigin: !!opts.showOrigin }));
  }
  return 0;
}
