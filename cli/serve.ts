/**
 * `attnc serve`'s web server: a folder over HTTP with Node's http module, GET and HEAD only, the
 * right MIME type for each file of a web export (.wasm must be application/wasm for streaming
 * compilation), nothing outside the folder, localhost unless told otherwise.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { AttncError } from '../runtime/util/errors.js';

export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream',
  '.png': 'image/png',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ServedFolder {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The file a request path names inside `dir` (index.html for a folder), or null when it is outside or absent. */
export function fileFor(dir: string, urlPath: string): string | null {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  const file = path.resolve(dir, '.' + path.posix.normalize('/' + rel));
  if (file !== dir && !file.startsWith(dir + path.sep)) return null;
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) return fileFor(dir, path.posix.join(urlPath.split('?')[0]!, 'index.html'));
    return st.isFile() ? file : null;
  } catch {
    return null;
  }
}

/** Serves `dir` on `host:port` (port 0: a free one). ATTNC_SERVE_PORT when the port is taken or not allowed. */
export function serveFolder(dir: string, opts: { port: number; host?: string }): Promise<ServedFolder> {
  const root = path.resolve(dir);
  const host = opts.host ?? '127.0.0.1';
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const file = fileFor(root, req.url ?? '/');
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    const type = MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    const size = fs.statSync(file).size;
    res.writeHead(200, { 'content-type': type, 'content-length': size, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'is in use' : e.code === 'EACCES' ? 'is not allowed (ports below 1024 need privileges)' : `cannot be used (${e.message})`;
      reject(new AttncError('ATTNC_SERVE_PORT', `port ${opts.port} on ${host} ${why}`, { hint: 'pass another --port, or --port 0 for any free one', cause: e }));
    });
    server.listen(opts.port, host, () => {
      const port = (server.address() as AddressInfo).port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${port}/`,
        port,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
