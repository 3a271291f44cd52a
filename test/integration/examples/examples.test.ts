/**
 * examples/ run as a user runs them: each is its own small project importing 'zkgpu' through a
 * `file:../..` dependency, i.e. the built package (dist/, made by `npm run build`, which `npm ci`
 * runs). Here the link that `npm install` would make for that dependency is made directly
 * (examples/<name>/node_modules/zkgpu -> the repository); their other packages (snarkjs, vite)
 * resolve from the repository's node_modules. Each runs in a child process, as `npm start` or
 * `vite build` would; the browser app is built by Vite, served with COOP/COEP on 127.0.0.1 and
 * proved in headless Chromium. Every proof is verified by snarkjs here, not only by the example.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireChromium } from '../../support/chromium.js';
import { SEED } from '../../support/seed.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLES = join(ROOT, 'examples');
const VECTOR = join(ROOT, 'test/vectors/groth16/bn128/mulchain');
const NAMES = ['node-msm', 'groth16-prove', 'browser-vite'] as const;

interface Groth16Output {
  verified: boolean;
  proof: Record<string, unknown>;
  publicSignals: string[];
}

async function verifyWithSnarkjs(proof: unknown, publicSignals: string[]): Promise<boolean> {
  const vkey = JSON.parse(await readFile(join(VECTOR, 'vkey.json'), 'utf8'));
  return snarkjs.groth16.verify(vkey, publicSignals, proof);
}

/** The last stdout line of a child is its JSON result (Dawn may print warnings before it). */
function lastJsonLine<T>(stdout: string): T {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as T;
}

const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/src/index.js'))) {
    throw new Error("dist/ is missing: the examples import the built package ('zkgpu' -> dist/src/index.js). Run `npm run build` first.");
  }
  for (const name of NAMES) {
    const modules = join(EXAMPLES, name, 'node_modules');
    await mkdir(modules, { recursive: true });
    const link = join(modules, 'zkgpu');
    const present = await lstat(link).then(
      () => true,
      () => false,
    );
    if (!present) await symlink('../../..', link, 'dir');
  }
});

afterAll(async () => {
  // snarkjs's verifier keeps its curve's worker threads in a global until terminated.
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

describe('examples/', () => {
  it('node-msm: the runtime MSM equals zkgpu/math naive MSM', async () => {
    const { stdout } = await run(process.execPath, ['msm.mjs', '8', String(SEED)], { cwd: join(EXAMPLES, 'node-msm') });
    const out = lastJsonLine<{ n: number; seed: number; backend: string; matches: boolean }>(stdout);
    expect(out).toMatchObject({ n: 256, seed: SEED, matches: true });
    expect(['wasm', 'webgpu']).toContain(out.backend);
  });

  it('groth16-prove: proves the mulchain vector; snarkjs verifies the proof', async () => {
    const { stdout } = await run(process.execPath, ['prove.mjs'], { cwd: join(EXAMPLES, 'groth16-prove') });
    const out = lastJsonLine<Groth16Output>(stdout);
    expect(out.verified).toBe(true);
    expect(out.publicSignals).toEqual(JSON.parse(await readFile(join(VECTOR, 'public.json'), 'utf8')));
    expect(await verifyWithSnarkjs(out.proof, out.publicSignals)).toBe(true);
  });

  it('browser-vite: `vite build`, then a proof in Chromium that snarkjs verifies', async () => {
    requireChromium();
    const app = join(EXAMPLES, 'browser-vite');
    const outDir = await mkdtemp(join(tmpdir(), 'zkgpu-example-vite-'));
    cleanups.push(() => rm(outDir, { recursive: true, force: true }));
    await run(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir'], { cwd: app });

    const server = await serveIsolated(outDir);
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => (window as unknown as { __example?: { done: boolean } }).__example?.done === true, undefined, { timeout: 60_000 });
    const out = await page.evaluate(() => (window as unknown as { __example: Groth16Output & { error?: string; crossOriginIsolated: boolean } }).__example);

    expect(out.error, consoleLines.join('\n')).toBeUndefined();
    expect(out.crossOriginIsolated).toBe(true);
    expect(out.verified).toBe(true);
    expect(await verifyWithSnarkjs(out.proof, out.publicSignals)).toBe(true);
  });
});

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** The built app on 127.0.0.1 (any port), with the two headers that make the page cross-origin isolated. */
function serveIsolated(root: string): Promise<Server> {
  const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep)) {
      res.writeHead(403, headers).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404, headers).end(),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
