/**
 * `zkgpu page`: serves the built benchmark page (bench/web, built into dist/page/) with the
 * headers `crossOriginIsolated` needs (COOP/COEP: SharedArrayBuffer for the wasm workers) and
 * .wasm as application/wasm (streaming compilation). Loopback only unless --host says otherwise.
 * A static file server and nothing more: it imports no part of the library.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CliIO } from './io.js';

export const PAGE_USAGE = `Usage: zkgpu page [options]

Serves the benchmark page: open it in any browser to run zkgpu's MSM, NTT and a Groth16 proof
beside snarkjs on that device (WebGPU where the browser has it, WebAssembly workers always), then
compare with reports from other machines (zkgpu bench --json) and price each proof.

  /?run=quick | /?run=full     start a suite on load
  /?compare=URL,URL            load reports to compare

Options:
  --port P      port to listen on (default 8080; 0 picks a free one)
  --host H      address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 lets other
                devices on your network open it: a phone, another laptop)
  --dir DIR     serve this build of the page instead of the packaged one (npm run build:page)
  -h, --help    this text

The page needs cross-origin isolation; this server sends Cross-Origin-Opener-Policy: same-origin
and Cross-Origin-Embedder-Policy: require-corp. Browsers offer WebGPU and SharedArrayBuffer only
to secure contexts: localhost, or HTTPS (put a TLS proxy in front for other devices).`;

class PageUsageError extends Error {
  readonly code = 'USAGE';
}

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.wgsl': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/**
 * The packaged build: dist/page/ beside dist/src/ (bin/zkgpu.js runs dist/src/cli/page.js), or,
 * running from the sources (tsx src/cli/page.ts), the same dist/page/ at the repository root.
 */
export function defaultPageDir(): string | null {
  for (const rel of ['../../page/', '../../dist/page/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return null;
}

export interface PageOptions {
  port: number;
  host: string;
  /** Null when no --dir was given and the page is not built. */
  dir: string | null;
}

export function parsePageArgs(argv: readonly string[]): PageOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { port: { type: 'string' }, host: { type: 'string' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
      strict: true,
    }));
  } catch (e) {
    throw new PageUsageError(e instanceof Error ? e.message : String(e));
  }
  if (values.help) return 'help';
  const port = Number(values.port ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new PageUsageError(`--port must be a whole number from 0 to 65535, got "${values.port}"`);
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') throw new PageUsageError('--host must not be empty');
  const dir = values.dir !== undefined ? resolve(values.dir) : defaultPageDir();
  if (dir !== null && !existsSync(join(dir, 'index.html'))) throw new PageUsageError(`--dir ${dir}: no index.html there (build the page with npm run build:page)`);
  return { port, host, dir };
}

function handler(root: string) {
  const base = root.endsWith(sep) ? root : root + sep;
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...PAGE_HEADERS, Allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      // Not new URL(): a path starting with // would parse as a host.
      path = decodeURIComponent((req.url ?? '/').split(/[?#]/)[0]);
    } catch {
      res.writeHead(400, PAGE_HEADERS).end('bad URL');
      return;
    }
    const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(base) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...PAGE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    readFile(file).then(
      (body) => {
        const type = MIME[extname(file)] ?? 'application/octet-stream';
        // index.html must be re-read after an upgrade; hashed assets never change.
        const cache = extname(file) === '.html' ? 'no-cache' : 'public, max-age=3600';
        res.writeHead(200, { ...PAGE_HEADERS, 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': cache });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => res.writeHead(500, PAGE_HEADERS).end(),
    );
  };
}

/** Listens until SIGINT/SIGTERM; prints one line `zkgpu page: http://HOST:PORT/ (serving DIR)`. */
export async function runPage(argv: string[], io: CliIO): Promise<number> {
  const options = parsePageArgs(argv);
  if (options === 'help') {
    io.out(PAGE_USAGE);
    return 0;
  }
  if (options.dir === null) {
    io.err('zkgpu page: the benchmark page is not built here: run `npm run build:page` (it writes dist/page/), or pass --dir');
    return 1;
  }
  const server = createServer(handler(options.dir));
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, ok);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  io.out(`zkgpu page: http://${shownHost}:${address.port}/ (serving ${options.dir}; Ctrl-C stops)`);
  if (options.host !== '127.0.0.1' && options.host !== 'localhost' && options.host !== '::1') {
    io.err('note: other devices reach this page over plain HTTP: browsers keep WebGPU and SharedArrayBuffer for secure contexts (HTTPS or localhost)');
  }
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => done());
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
