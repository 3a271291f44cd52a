/**
 * The CPU engine in a real browser. The page in test/browser/ is bundled by Vite from the
 * TypeScript sources (as an app bundling zkgpu would) two ways: a production build served by a
 * small static server, and Vite's dev server. Both are cross-origin isolated, on 127.0.0.1 only,
 * and run in headless Chromium (Debian's /usr/bin/chromium through playwright-core). The page
 * checks every result against @noble/curves or the BigInt oracle itself (main.ts) and reports on
 * window.__zkgpu; this file asserts those reports and that the work ran on module Web Workers.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build, createServer as createViteServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as snarkjs from 'snarkjs';
import { launchChromium } from '../support/chromium.js';
import { SEED } from '../support/seed.js';
import type { PageResults } from './main.js';
import { ISOLATION_HEADERS } from './vite.config.js';

// SwiftShader compiles the MSM pipelines on their first dispatch (tens of seconds on 2 cores).
const PAGE_TIMEOUT_MS = 150_000;
const here = fileURLToPath(new URL('.', import.meta.url));
const configFile = join(here, 'vite.config.ts');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

/**
 * A static server for `root` on 127.0.0.1 (any port), `headers` on every response, .wasm as
 * application/wasm: the built page with COOP/COEP, the Groth16 vectors with CORS/CORP.
 */
function serveFiles(root: string, headers: Record<string, string>): Promise<Server> {
  const server = createHttpServer((req, res) => {
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

/**
 * The committed Groth16 vectors, served on another port: the page fetches them by URL as a web
 * app fetches its key; CORS and CORP let a cross-origin isolated page read them.
 */
const VECTORS = fileURLToPath(new URL('../vectors/groth16', import.meta.url));
const VECTOR_HEADERS = { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };
let vectorsUrl = '';

let browser: Browser | undefined;
/** Cleanups for servers and temporary folders, run in afterAll whatever failed. */
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  browser = await launchChromium();
  const vectors = await serveFiles(VECTORS, VECTOR_HEADERS);
  cleanups.push(() => new Promise((resolve) => vectors.close(resolve)));
  vectorsUrl = `http://127.0.0.1:${(vectors.address() as AddressInfo).port}`;
}, 30_000);

afterAll(async () => {
  await browser?.close();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

type Mode = 'vite build' | 'vite dev server';

/** Builds or serves the page, returns its URL. */
async function startPage(mode: Mode): Promise<string> {
  if (mode === 'vite dev server') {
    const vite: ViteDevServer = await createViteServer({
      configFile,
      logLevel: 'error',
      server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    });
    cleanups.push(() => vite.close());
    await vite.listen();
    const url = vite.resolvedUrls?.local[0];
    if (!url) throw new Error('the Vite dev server reported no local URL');
    return url;
  }
  const outDir = await mkdtemp(join(tmpdir(), 'zkgpu-browser-'));
  cleanups.push(() => rm(outDir, { recursive: true, force: true }));
  // logLevel error: the Node-only branches' lazy node: imports are externalised with warnings.
  await build({ configFile, logLevel: 'error', build: { outDir } });
  const server = await serveFiles(outDir, ISOLATION_HEADERS);
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe.each<Mode>(['vite build', 'vite dev server'])('CPU engine in headless Chromium (%s)', (mode) => {
  let page: Page;
  let results: PageResults;
  const consoleLines: string[] = [];
  const workerUrls: string[] = [];
  let liveWorkers = 0;

  const pageLog = () => (consoleLines.length ? `\npage console:\n  ${consoleLines.join('\n  ')}` : '\n(page console empty)');

  beforeAll(async () => {
    if (!browser) throw new Error('chromium did not start');
    const t0 = performance.now();
    const url = await startPage(mode);
    const ready = performance.now() - t0;
    page = await browser.newPage();
    page.on('console', (m) => void consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => void consoleLines.push(`[pageerror] ${e.stack ?? e.message}`));
    page.on('requestfailed', (r) => void consoleLines.push(`[requestfailed] ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('worker', (w) => {
      workerUrls.push(w.url());
      liveWorkers++;
      w.on('close', () => void liveWorkers--);
      w.on('console', (m) => void consoleLines.push(`[worker ${m.type()}] ${m.text()}`));
    });
    // The page asks for its live workers at checkpoints, while its pool is running.
    await page.exposeFunction('__zkgpuWorkers', () => page.workers().map((w) => w.url()));

    const t1 = performance.now();
    await page.goto(`${url}?seed=${SEED}&vectors=${encodeURIComponent(vectorsUrl)}`);
    try {
      await page.waitForFunction(() => window.__zkgpu?.done === true, undefined, { timeout: PAGE_TIMEOUT_MS, polling: 100 });
    } catch (e) {
      throw new Error(`the browser page (${mode}) did not finish within ${PAGE_TIMEOUT_MS} ms (seed ${SEED}): ${(e as Error).message}${pageLog()}`);
    }
    results = (await page.evaluate(() => window.__zkgpu)) as PageResults;
    console.log(
      `[browser, ${mode}] ${results.info.userAgent}; hardwareConcurrency ${results.info.hardwareConcurrency}; ` +
        `${mode === 'vite build' ? 'build + serve' : 'dev server start'} ${Math.round(ready)} ms, page ${Math.round(performance.now() - t1)} ms\n` +
        results.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name} (${c.ms} ms): ${c.detail}`).join('\n'),
    );
  }, 200_000);

  afterAll(async () => {
    await page?.close();
  });

  function expectCheck(prefix: string): void {
    const check = results.checks.find((c) => c.name.startsWith(prefix));
    expect(check, `no check named "${prefix}..." ran (page error: ${results.error ?? 'none'})${pageLog()}`).toBeDefined();
    expect(check!.ok, `${check!.name}: ${check!.detail} (seed ${SEED})${pageLog()}`).toBe(true);
  }

  it('the page ran to the end without errors, cross-origin isolated, on 2 module Web Workers', () => {
    expect(results.error, `page error${pageLog()}`).toBeUndefined();
    expect(
      consoleLines.filter((l) => /^\[(pageerror|requestfailed|error)\]/.test(l)),
      pageLog(),
    ).toEqual([]);
    expect(results.info.crossOriginIsolated).toBe(true);
    expect(results.info.hardwareConcurrency).toBeGreaterThanOrEqual(1);
    expect(results.info.threads).toBe(2);
    // Seen by the browser itself while the pool ran: two live workers, both the CPU worker entry.
    expect(results.info.workersAfterMsm, pageLog()).toHaveLength(2);
    for (const url of results.info.workersAfterMsm!) expect(url).toMatch(/\/cpu-worker[-.][\w.-]*(\?.*)?$/);
  });

  it('BN254 G1 MSM, n = 9000 split across 2 workers, equals @noble/curves', () => expectCheck('msm bn254 g1'));
  it('BLS12-381 G2 MSM, n = 20, equals the BigInt oracle', () => expectCheck('msm bls12-381 g2'));
  it('NTT 2^16 (four-step split) equals the BigInt reference and inverts exactly', () => expectCheck('ntt bn254 2^16'));
  it('coset NTT 2^4 equals the DFT definition and inverts exactly', () => expectCheck('coset ntt'));

  it("Groth16 prove and fullProve from URLs on the page's workers (both curves, both QAP paths); snarkjs verifies every proof", async () => {
    for (const name of ['groth16 bn128/mulchain prove', 'groth16 bls12381/mulchain prove', 'groth16 bn128/mulchain fullProve']) expectCheck(name);
    const proofs = results.groth16 ?? [];
    expect(proofs.map((p) => p.vector)).toEqual(['bn128/mulchain', 'bls12381/mulchain', 'bn128/mulchain']);
    for (const p of proofs) {
      const vkey = JSON.parse(await readFile(join(VECTORS, p.vector, 'vkey.json'), 'utf8'));
      expect(await snarkjs.groth16.verify(vkey, p.publicSignals, p.proof), `${p.vector} (${p.how})`).toBe(true);
      // The same proof with another public signal must fail: the verifier really checks.
      const wrong = [...p.publicSignals];
      wrong[0] = String(BigInt(wrong[0]) + 1n);
      expect(await snarkjs.groth16.verify(vkey, wrong, p.proof), `${p.vector} (${p.how}), altered signal`).toBe(false);
    }
  });

  it('the runtime found a WebGPU adapter in the browser', () => {
    // Headless Chromium without a GPU gives SwiftShader, which 'auto' must class as software.
    expect(results.info.gpu, pageLog()).toMatch(/swiftshader/i);
  });
  it('WebGPU NTT (BN254 2^10, BLS12-381 2^8) equals the BigInt reference and wasm, on the GPU', () => {
    expectCheck('webgpu ntt bn254');
    expectCheck('webgpu ntt bls12-381');
  });
  it('WebGPU G1 MSM (BN254, n = 300, edges) equals the BigInt oracle and wasm, on the GPU', () => expectCheck('webgpu msm bn254'));
  it('WebGPU BabyBear NTT 2^12 equals the reference and wasm, on the GPU', () => expectCheck('webgpu ntt babybear'));

  it('an MSM aborted midway rejects with ABORTED and the pool recovers', () => {
    expectCheck('abort msm');
    // Both busy workers were terminated and replaced: 2 at the start, 2 replacements.
    // (The scheduler check's own runtime, made afterwards, starts 2 more.)
    expect(workerUrls).toHaveLength(6);
    expect(results.info.workersAfterAbort).toHaveLength(2);
  });

  it('the scheduler splits an MSM across SwiftShader and the workers under a tiny GPU budget; concurrent jobs equal the BigInt oracle', () => expectCheck('scheduler split msm'));

  it('dispose() ends every worker', async () => {
    expectCheck('dispose');
    await expect.poll(() => liveWorkers, { timeout: 5_000 }).toBe(0);
  });
});
