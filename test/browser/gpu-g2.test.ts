/**
 * The WebGPU G2 MSM in a real browser: the page in test/browser/g2/ is built by Vite from the
 * TypeScript sources (as an app bundling zkgpu would, so the G2 shaders must be found through the
 * bundle), served by Vite's preview server on 127.0.0.1 and opened in headless Chromium (Debian's,
 * SwiftShader WebGPU). The page runs a G2 MSM per curve (n = 8 with edges) and checks it against
 * the BigInt oracle and the device's dispatch count (main.ts); this file asserts its reports.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { SEED } from '../support/seed.js';
import type { G2PageResults } from './g2/main.js';

/** SwiftShader compiles the sort and G2 pipelines of both curves on their first dispatches. */
const PAGE_TIMEOUT_MS = 170_000;
const root = fileURLToPath(new URL('./g2/', import.meta.url));

let browser: Browser | undefined;
let server: PreviewServer | undefined;
let outDir = '';
let page: Page;
let results: G2PageResults;
const consoleLines: string[] = [];
const pageLog = () => (consoleLines.length ? `\npage console:\n  ${consoleLines.join('\n  ')}` : '\n(page console empty)');

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'zkgpu-browser-g2-'));
  const config = { root, configFile: false as const, logLevel: 'error' as const, build: { outDir, target: 'es2022', emptyOutDir: true } };
  await build(config);
  server = await preview({ ...config, preview: { host: '127.0.0.1', port: 0 } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the Vite preview server reported no local URL');
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('console', (m) => void consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => void consoleLines.push(`[pageerror] ${e.stack ?? e.message}`));
  const t0 = performance.now();
  await page.goto(`${url}?seed=${SEED}`);
  try {
    await page.waitForFunction(() => window.__zkgpuG2?.done === true, undefined, { timeout: PAGE_TIMEOUT_MS, polling: 200 });
  } catch (e) {
    throw new Error(`the G2 page did not finish within ${PAGE_TIMEOUT_MS} ms (seed ${SEED}): ${(e as Error).message}${pageLog()}`);
  }
  results = (await page.evaluate(() => window.__zkgpuG2)) as G2PageResults;
  console.log(
    `[browser g2] ${results.adapter}; page ${Math.round(performance.now() - t0)} ms\n` +
      results.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name} (${c.ms} ms): ${c.detail}`).join('\n'),
  );
}, 200_000);

afterAll(async () => {
  await page?.close();
  await browser?.close();
  await server?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('WebGPU G2 MSM in headless Chromium', () => {
  it('ran to the end without errors on a SwiftShader adapter', () => {
    expect(results.error, `page error${pageLog()}`).toBeUndefined();
    expect(
      consoleLines.filter((l) => /^\[(pageerror|error)\]/.test(l)),
      pageLog(),
    ).toEqual([]);
    expect(results.adapter, pageLog()).toMatch(/swiftshader/i);
    expect(results.seed).toBe(SEED);
  });
  for (const curve of ['bn254', 'bls12-381']) {
    it(`${curve}: G2 MSM, n = 8 with r - 1, 0, a repeated point, P and -P and infinity, equals msmNaive, on the GPU`, () => {
      const check = results.checks.find((c) => c.name.startsWith(`webgpu msm ${curve} g2`));
      expect(check, `no ${curve} check ran (page error: ${results.error ?? 'none'})${pageLog()}`).toBeDefined();
      expect(check!.ok, `${check!.name}: ${check!.detail} (seed ${SEED})${pageLog()}`).toBe(true);
    });
  }
});
