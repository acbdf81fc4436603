import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { initCliBackend, intOption, warnLine } from './model-target.js';

export function register(program: Command): void {
  program
    .command('serve')
    .description('the model as a web page on localhost: type a caption, see every stage and each word\'s attention (exports to a temporary folder and serves it)')
    .argument('<model>', 'run folder, checkpoint folder, or a spec .yaml (untrained model)')
    .option('--port <port>', 'port to listen on (0: any free one)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--generated <folder>', 'generated model folder to load the checkpoint into (default: the one its manifest names)')
    .action(async (target: string, opts: { port: string; host: string; generated?: string }, cmd: Command) => {
      const port = await intOption('--port', opts.port, 0, 65535);
      await initCliBackend(cmd);
      const { exportWeb, loadWebTarget } = await import('../web-export.js');
      const { serveFolder } = await import('../serve.js');
      const web = await loadWebTarget(target, warnLine, opts.generated);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-serve-'));
      const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
      let served: Awaited<ReturnType<typeof serveFolder>>;
      try {
        const site = await exportWeb(web, dir);
        served = await serveFolder(dir, { port, host: opts.host });
        process.stdout.write(`${site.lines[1]!.trim()}\n✓ ${web.model.name} (${web.model.source}) at ${served.url}\n  open it in a browser; Ctrl-C stops (serving ${dir}, removed then)\n`);
      } catch (e) {
        cleanup();
        throw e;
      } finally {
        web.model.dispose();
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await served.close();
      cleanup();
    });
}
