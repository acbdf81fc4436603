import type { Command } from 'commander';
// A leaf built into dist/ with the CLI (scripts/build.mjs), like error-codes.ts.
import { shownPath } from '../../runtime/util/shown-path.js';

interface CompileCliOptions {
  out?: string;
  set: string[];
  check?: boolean;
  all?: boolean;
  graph?: boolean;
  params?: boolean;
  format: string;
  typecheck: boolean;
  verbose?: boolean;
  color?: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function register(program: Command): void {
  program
    .command('compile')
    .description('spec → generated/<name>/ typed TypeScript model code (exit 0 ok, 1 invalid spec / drift / compiler bug, 2 usage or I/O)')
    .argument('[spec]', 'spec file, e.g. spec/attngan2.yaml (with --check or --all and no spec: every spec/*.yaml)')
    .option('--all', 'compile every spec/*.yaml of the project (nearest package.json) into its generated/<name>/')
    .option('-o, --out <dir>', 'output folder (default generated/<name> in the current folder)')
    .option('--set <path=value>', 'override a value (YAML), repeatable', collect, [])
    .option('--check', 'regenerate in memory and compare with the output folder; exit 1 with a unified diff on drift')
    .option('--graph', 'print the model graph instead of writing files')
    .option('--params', 'with --graph: list every parameter')
    .option('--format <format>', 'text | json (for --graph and diagnostics)', 'text')
    .option('--no-typecheck', 'skip the strict type check of the generated code')
    .option('-v, --verbose', 'phase timings on stderr')
    .option('--color', 'force colored output')
    .option('--no-color', 'disable colored output')
    .action(async (spec: string | undefined, opts: CompileCliOptions) => {
      process.exitCode = await runCompile(spec, opts);
    });
}

export async function runCompile(specArg: string | undefined, opts: CompileCliOptions): Promise<number> {
  if (opts.format !== 'text' && opts.format !== 'json') {
    process.stderr.write(`error: --format must be text or json, not "${opts.format}"\n`);
    return 2;
  }
  const { compileSpec, findProjectRoot, shippedSpecs } = await import('../../compiler/pipeline.js');
  const { renderDiagnostics, summarize, exitCodeFor } = await import('../../compiler/spec.js');
  const color = opts.color ?? (!!process.stderr.isTTY && !process.env.NO_COLOR);
  let specs: string[];
  // The project-wide forms compile <project>/spec/*.yaml into <project>/generated/; a named spec
  // goes to generated/<name>/ under the working directory (or -o).
  let outRoot: string | undefined;
  if (specArg) specs = [specArg];
  else if (opts.check || opts.all) {
    const project = findProjectRoot(process.cwd());
    const found = await shippedSpecs(project);
    if (!found?.length) {
      process.stderr.write(`error: ${project} has no spec/*.yaml for \`attnc compile ${opts.check ? '--check' : '--all'}\` to compile\n  = help: name a spec: \`attnc compile my-model.yaml\`\n`);
      return 2;
    }
    specs = found;
    outRoot = (await import('node:path')).join(project, 'generated');
  } else {
    process.stderr.write('error: missing spec (only `attnc compile --check` and `--all` run without one)\n');
    return 2;
  }
  if (specs.length > 1 && opts.out) {
    process.stderr.write('error: -o needs a single spec\n');
    return 2;
  }
  let status = 0;
  for (const file of specs) {
    const result = await compileSpec(file, {
      set: opts.set,
      outDir: opts.out,
      outRoot,
      typecheck: opts.typecheck && !opts.graph,
      progress: opts.verbose ? (l) => process.stderr.write(`  ${l}\n`) : undefined,
    });
    if (!result.ok) {
      if (opts.format === 'json') process.stdout.write(renderDiagnostics(result.diagnostics, { format: 'json' }));
      else process.stderr.write(renderDiagnostics(result.diagnostics, { color, sources: result.sourceFiles }) + '\n');
      const code = exitCodeFor(result.diagnostics) || 1;
      process.stderr.write(`✗ ${result.file}: ${summarize(result.diagnostics)}\n`);
      status = Math.max(status, code);
      continue;
    }
    if (result.diagnostics.length && opts.format === 'text') {
      process.stderr.write(renderDiagnostics(result.diagnostics, { color, sources: result.sourceFiles }) + '\n');
    }
    const { renderGraphJson, renderGraphText } = await import('../../compiler/lower/render.js');
    if (opts.graph) {
      process.stdout.write(opts.format === 'json' ? renderGraphJson(result.graph) : renderGraphText(result.graph, { params: opts.params }));
      continue;
    }
    const path = await import('node:path');
    const shown = shownPath(result.outDir);
    if (opts.check) {
      const drift = await result.files.check(result.outDir, path.relative(result.projectRoot, result.outDir).split(path.sep).join('/'));
      if (drift.length) {
        for (const d of drift) process.stdout.write(d.patch);
        process.stderr.write(`✗ ${shown} is out of date with ${result.graph.specFile}: ${drift.map((d) => `${d.file} (${d.status})`).join(', ')}\n  run \`attnc compile ${result.graph.specFile}\` to update it\n`);
        status = Math.max(status, 1);
      } else {
        process.stderr.write(`✓ ${shown} is up to date with ${result.graph.specFile}\n`);
      }
      continue;
    }
    const { written, removed } = await result.files.write(result.outDir);
    const g = result.graph.networks.find((n) => n.id === 'generator')!;
    const cached = result.typecheck && 'cached' in result.typecheck && result.typecheck.cached;
    const tc = result.typecheck ? (cached ? ', type check cached' : `, type-checked in ${(result.typecheck.ms / 1000).toFixed(1)} s`) : '';
    process.stderr.write(
      `✓ ${result.graph.specFile} → ${shown}/ (${result.files.paths().length} files, ${written.length} changed${removed.length ? `, ${removed.length} removed` : ''}; generator ${g.paramCount.toLocaleString('en-US')} parameters${tc})\n`,
    );
  }
  return status;
}
