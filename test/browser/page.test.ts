/**
 * The benchmark page (bench/web) end to end: built by Vite into a temporary folder, served by
 * `zkgpu page --dir` (the CLI from source, a real child process on 127.0.0.1), opened in headless
 * Chromium (Debian's, SwiftShader WebGPU). `/?run=quick` (its own sizes, one timed run) must reach
 * benchState 'done' with a report that bench/core's zod schema accepts, every MSM/NTT case checked
 * and timed, the Groth16 proofs verified by snarkjs (in the page, then again here), the cost
 * models measured and a Groth16 estimate drawn from them. The full suite at one small size on the
 * workers proves the BLS12-381 circuit too and times G2.
 * The compare view loads a committed CLI report beside it and must draw one series per machine
 * (the plots' pixels are looked at, not only the DOM) and the cost columns; a malformed report and
 * another schema version must each get their sentence. Screenshots go to ZKGPU_PAGE_SCREENSHOTS
 * (default: the OS temp dir).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import * as snarkjs from 'snarkjs';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchReport, parseReport, validateReport } from '../../bench/core/schema.js';
import { formatMs } from '../../bench/web/analysis.js';
import { estimateGroth16 } from '../../bench/web/estimates.js';
import { launchChromium, requireChromium } from '../support/chromium.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI_REPORT = join(ROOT, 'test/support/bench/cli-quick-lavapipe.json');
const SHOTS = process.env.ZKGPU_PAGE_SCREENSHOTS || join(tmpdir(), 'zkgpu-page-screenshots');
/**
 * The quick suite as a visitor gets it, but one timed run and calibrate's two-size ladder: its
 * cases and both engines (WebGPU at the software adapter's sizes) at about half the cost. Most of
 * what is left is SwiftShader compiling the MSM pipelines (31-36 s here).
 */
const QUICK_PARAMS = 'run=quick&runs=1&calibrate=quick';
/** The full suite's cases at 2^10 on the workers only (no GPU pipelines to compile): both curves, G2, both circuits. */
const FULL_PARAMS = 'run=full&sizes=10&runs=1&backends=wasm&calibrate=quick';
const RUN_TIMEOUT_MS = 150_000;

let browser: Browser | undefined;
let server: ChildProcess | undefined;
let origin = '';
let buildDir = '';

/** `zkgpu page --port 0 --dir DIR` from source; resolves with the URL it prints. */
function startPageServer(dir: string): Promise<string> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'page', '--port', '0', '--dir', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  server = proc;
  let stderr = '';
  proc.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((ok, fail) => {
    let out = '';
    proc.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = /zkgpu page: (http:\/\/\S+\/)/.exec(out);
      if (m) ok(m[1]);
    });
    proc.once('exit', (code) => fail(new Error(`zkgpu page exited (${code}) before listening:\n${stderr}`)));
  });
}

beforeAll(async () => {
  requireChromium();
  buildDir = await mkdtemp(join(tmpdir(), 'zkgpu-page-'));
  await build({ configFile: join(ROOT, 'bench/web/vite.config.ts'), logLevel: 'error', build: { outDir: buildDir } });
  origin = await startPageServer(buildDir);
  await mkdir(SHOTS, { recursive: true });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
});

async function openPage(path: string, width = 1100): Promise<{ page: Page; logs: string[] }> {
  const page = await browser!.newPage({ viewport: { width, height: 900 } });
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(new URL(path, origin).href);
  return { page, logs };
}

/** Pixels in the plot canvases that are not the background: a blank plot has only axes drawn outside them. */
async function plotInk(page: Page, selector: string): Promise<number[]> {
  return page.$$eval(selector, (figures) =>
    figures.map((f) => {
      const canvas = f.querySelector('canvas');
      if (!canvas) return 0;
      const ctx = canvas.getContext('2d')!;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let ink = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 230 || data[i + 1] < 230 || data[i + 2] < 230)) ink++;
      return ink;
    }),
  );
}

/** Waits for the suite to end; fails with the progress list and the console when it does not end in 'done'. */
async function waitForRun(page: Page, logs: string[]): Promise<void> {
  await page
    .waitForFunction(() => ['done', 'error'].includes(document.documentElement.dataset.benchState ?? ''), undefined, { timeout: RUN_TIMEOUT_MS })
    .catch(async (e) => {
      const progress = await page.$$eval('#progress li', (lis) => lis.map((li) => li.textContent));
      throw new Error(`${e}\nprogress:\n${progress.join('\n')}\nconsole:\n${logs.join('\n')}`);
    });
  const state = await page.evaluate(() => document.documentElement.dataset.benchState);
  const errors = await page.$$eval('#errors .error', (n) => n.map((e) => e.textContent));
  expect(state, `${errors.join('\n')}\n${logs.join('\n')}`).toBe('done');
}

let ownReport: BenchReport | undefined;

describe('benchmark page (zkgpu page, headless Chromium)', () => {
  it('serves the page cross-origin isolated, .wasm as application/wasm', async () => {
    const res = await fetch(origin);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const html = await res.text();
    const wasm = /assets\/zkgpu-[\w-]+\.wasm/.exec(
      await (await fetch(`${origin}${/assets\/main-[\w-]+\.js/.exec(html)?.[0] ?? /assets\/index-[\w-]+\.js/.exec(html)![0]}`)).text(),
    );
    if (wasm) expect((await fetch(`${origin}${wasm[0]}`)).headers.get('content-type')).toBe('application/wasm');
    expect((await fetch(`${origin}nope/../../etc/passwd`)).status).toBe(404);
  });

  it(
    '/?run=quick runs to done; the report validates and every case was checked',
    async () => {
      const { page, logs } = await openPage(`/?${QUICK_PARAMS}`);
      await waitForRun(page, logs);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      const report = (await page.evaluate(() => JSON.parse(JSON.stringify(window.zkgpuBenchReport)))) as BenchReport;
      expect(validateReport(report)).toEqual([]);
      const parsed = parseReport(report, 'the page');
      expect(parsed.kind ?? 'msm-ntt').toBe('msm-ntt');
      ownReport = report;
      expect(report.runner).toBe('browser');
      expect(report.failures).toEqual([]);
      // Both ops on both engines, each checked: the workers at the suite's sizes (ffjavascript, from
      // snarkjs's build, checks and is timed), WebGPU at the software adapter's (ffjavascript checks).
      const engines = [...new Set(report.results.filter((r) => r.impl === 'zkgpu').map((r) => r.backend))];
      expect(engines.sort()).toEqual(['wasm', 'webgpu']);
      for (const [op, wasmLogN, gpuLogN] of [
        ['msm', 14, 10],
        ['ntt', 16, 12],
      ] as const) {
        const wasm = report.results.find((r) => r.op === op && r.impl === 'zkgpu' && r.backend === 'wasm');
        expect(wasm?.logN, `${op} on wasm`).toBe(wasmLogN);
        expect(wasm?.checkedAgainst).toEqual(['ffjavascript']);
        const gpu = report.results.find((r) => r.op === op && r.impl === 'zkgpu' && r.backend === 'webgpu');
        expect(gpu?.logN, `${op} on webgpu`).toBe(gpuLogN);
        expect(gpu?.checkedAgainst).toEqual(['ffjavascript']);
        const peer = report.results.filter((r) => r.op === op && r.impl === 'ffjavascript');
        expect(peer.map((r) => [r.logN, r.checkedAgainst])).toEqual([[wasmLogN, ['zkgpu-wasm']]]);
      }
      expect(report.results.every((r) => r.checked === true && r.runs === 1)).toBe(true);
      expect(report.hardware.userAgent).toMatch(/Chrome/);
      expect(report.hardware.gpu?.architecture).toBe('swiftshader');
      // Groth16: both provers verified in the page; the zkgpu proof's stages are there for the breakdown.
      const g = report.groth16?.[0];
      expect(g?.failures).toEqual([]);
      expect(g?.results.map((r) => r.impl).sort()).toEqual(['snarkjs', 'zkgpu']);
      expect(Object.keys(g!.results.find((r) => r.impl === 'zkgpu')!.stageMedians ?? {})).toContain('msmH');
      // The page's UI: every progress bar full, the per-engine plots drawn.
      const bars = await page.$$eval('#progress li', (lis) => lis.map((li) => ({ cls: li.className, value: (li.querySelector('progress') as HTMLProgressElement).position })));
      // Four kernel cases, the proof, the calibration.
      expect(bars.length).toBe(6);
      expect(bars.every((b) => b.cls === 'ok' && b.value === 1)).toBe(true);
      const ink = await plotInk(page, '#results-body figure.plot:not(.stages)');
      expect(ink.length).toBeGreaterThanOrEqual(2);
      expect(ink.every((n) => n > 200)).toBe(true);
      expect(await page.$$eval('#results-body .stages .bar', (b) => b.length)).toBeGreaterThan(4);
      // The page verified each proof with snarkjs's browser build; snarkjs in Node must agree.
      const proofs = await page.evaluate(() => window.zkgpuBenchProofs ?? []);
      expect(proofs.map((p) => p.impl).sort()).toEqual(['snarkjs', 'zkgpu']);
      const vkey = JSON.parse(await readFile(join(ROOT, 'test/vectors/groth16/bn128/mulchain/vkey.json'), 'utf8'));
      for (const p of proofs) expect(await snarkjs.groth16.verify(vkey, p.publicSignals, p.proof), `${p.impl}'s proof`).toBe(true);
      // The cost models of the kernels a proof runs, measured by zkgpu's calibrate on the workers.
      expect(report.costModels?.map((m) => `${m.kernel} ${m.backend}`).sort()).toEqual(['msm:bn254:g1 wasm', 'msm:bn254:g2 wasm', 'ntt:bn254 wasm']);
      // A Groth16 proof at a million constraints, estimated from them and labelled as an estimate.
      await page.fill('#g16-constraints', '1000000');
      await page.press('#g16-constraints', 'Enter');
      const g16 = await page.textContent('#g16-estimate-body');
      expect(g16).toMatch(/Estimates, not measurements/);
      const expected = estimateGroth16(report, g!, 1_000_000);
      if (typeof expected === 'string') throw new Error(expected);
      expect(g16).toContain(`≈ ${formatMs(expected.ms)}`);
      expect(g16).toMatch(/domain 2\^20/);
      expect(g16).toMatch(/models extrapolated/);
      await page.screenshot({ path: join(SHOTS, 'run.png'), fullPage: true });
      await page.locator('#estimate').screenshot({ path: join(SHOTS, 'estimate.png') });
      // A permalink carries the report: opening it loads the same report into the compare view.
      await page.click('#make-link');
      const link = await page.inputValue('#permalink');
      expect(link).toMatch(/#report=[\w-]+$/);
      const again = await openPage(new URL(link).pathname + new URL(link).hash);
      await again.page.waitForSelector('#machines .machine');
      expect(await again.page.$$eval('#machines .machine .name', (n) => n.map((e) => e.textContent))).toHaveLength(1);
      await again.page.close();
      await page.close();
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  it(
    '/?run=full on the workers: BLS12-381 and BN254 circuits, zkgpu beside snarkjs, both proofs checked; G2 timed',
    async () => {
      const { page, logs } = await openPage(`/?${FULL_PARAMS}`);
      await waitForRun(page, logs);
      const report = (await page.evaluate(() => JSON.parse(JSON.stringify(window.zkgpuBenchReport)))) as BenchReport;
      expect(validateReport(report)).toEqual([]);
      expect(report.failures).toEqual([]);
      for (const [curve, group] of [
        ['bn254', 'g1'],
        ['bls12-381', 'g1'],
        ['bn254', 'g2'],
        ['bls12-381', 'g2'],
      ] as const) {
        const row = report.results.find((r) => r.op === 'msm' && r.curve === curve && r.group === group && r.impl === 'zkgpu');
        expect(row?.checkedAgainst, `msm ${curve} ${group}`).toEqual(['ffjavascript']);
      }
      expect(report.groth16?.map((s) => s.config.circuit)).toEqual(['bn128/mulchain', 'bls12381/mulchain']);
      for (const s of report.groth16 ?? []) {
        expect(s.failures, s.config.circuit).toEqual([]);
        expect(s.results.map((r) => r.impl).sort()).toEqual(['snarkjs', 'zkgpu']);
      }
      // Each proof the page verified, verified again here with its curve's key.
      const proofs = await page.evaluate(() => window.zkgpuBenchProofs ?? []);
      expect(proofs.map((p) => `${p.circuit} ${p.impl}`).sort()).toEqual([
        'bls12381/mulchain snarkjs',
        'bls12381/mulchain zkgpu',
        'bn128/mulchain snarkjs',
        'bn128/mulchain zkgpu',
      ]);
      for (const p of proofs) {
        const vkey = JSON.parse(await readFile(join(ROOT, `test/vectors/groth16/${p.circuit}/vkey.json`), 'utf8'));
        expect(await snarkjs.groth16.verify(vkey, p.publicSignals, p.proof), `${p.circuit}: ${p.impl}'s proof`).toBe(true);
      }
      // Models on both curves, so the BLS12-381 proof has its estimate too.
      expect(new Set(report.costModels?.map((m) => m.kernel))).toEqual(
        new Set(['msm:bn254:g1', 'msm:bn254:g2', 'ntt:bn254', 'msm:bls12-381:g1', 'msm:bls12-381:g2', 'ntt:bls12-381']),
      );
      await page.selectOption('#g16-circuit', 'bls12381/mulchain');
      await page.fill('#g16-constraints', '100000');
      await page.press('#g16-constraints', 'Enter');
      const bls = estimateGroth16(report, report.groth16![1], 100_000);
      if (typeof bls === 'string') throw new Error(bls);
      expect(await page.textContent('#g16-estimate-body')).toContain(`≈ ${formatMs(bls.ms)}`);
      await page.screenshot({ path: join(SHOTS, 'run-full-wasm.png'), fullPage: true });
      await page.close();
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  it('compares a CLI report with this browser run: one series per machine, fastest marked, cost columns', async () => {
    const cli = JSON.parse(await readFile(CLI_REPORT, 'utf8'));
    expect(validateReport(cli)).toEqual([]);
    const { page, logs } = await openPage('/?compare=');
    // Both reports through the page's own loader: the CLI fixture by URL is not served by zkgpu page,
    // so it goes in through the file picker, and the browser run through the file picker too.
    const files = [{ name: 'cli-quick-lavapipe.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(cli)) }];
    if (ownReport) files.push({ name: 'browser-quick.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(ownReport)) });
    await page.setInputFiles('#file', files);
    await page.waitForFunction((n) => document.querySelectorAll('#machines .machine').length === n, files.length);
    expect(await page.$$eval('#errors .error', (n) => n.length), logs.join('\n')).toBe(0);
    const figures = await page.$$eval('#compare-body figure.plot', (f) => f.map((x) => JSON.parse((x as HTMLElement).dataset.series ?? '[]') as string[]));
    expect(figures.length).toBeGreaterThanOrEqual(2);
    for (const series of figures) expect(series).toHaveLength(files.length);
    // uPlot's legend: one entry per machine besides the x column.
    const legends = await page.$$eval('#compare-body figure.plot', (f) => f.map((x) => x.querySelectorAll('.u-legend .u-series').length - 1));
    for (const n of legends) expect(n).toBe(files.length);
    const ink = await plotInk(page, '#compare-body figure.plot');
    expect(
      ink.every((n) => n > 200),
      `ink per plot: ${ink.join(', ')}`,
    ).toBe(true);
    // A table per case, the fastest machine marked; the price turns times into costs.
    const tables = await page.$$('#compare-body table.case-table');
    expect(tables.length).toBeGreaterThanOrEqual(4);
    expect(await page.$$eval('#compare-body table.case-table', (ts) => ts.every((t) => t.querySelectorAll('tr.fastest').length === 1))).toBe(true);
    await page.fill('#price-0', '4.5');
    await page.press('#price-0', 'Enter');
    await page.dispatchEvent('#price-0', 'change');
    const head = await page.$$eval('#compare-body table.case-table thead th', (th) => th.map((t) => t.textContent));
    expect(head).toContain('cost per 1M ops');
    const costs = await page.$$eval('#compare-body table.case-table', (ts) => ts.map((t) => (t.querySelector('tbody tr td:nth-child(5)') as HTMLElement).textContent));
    expect(costs.some((c) => c !== '—' && c !== '0' && Number(c) > 0)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'compare.png'), fullPage: true });
    // Estimate at 2^20 from the measured sizes, labelled as such.
    await page.selectOption('#est-family', 'msm bn254 g1');
    await page.fill('#est-logn', '20');
    await page.press('#est-logn', 'Enter');
    const est = await page.textContent('#estimate-body');
    expect(est).toMatch(/Estimates, not measurements/);
    expect(est).toMatch(/extrapolated/);
    await page.locator('#machines').screenshot({ path: join(SHOTS, 'cost-machines.png') });
    await page
      .locator('#compare-body table.case-table')
      .first()
      .screenshot({ path: join(SHOTS, 'cost-table.png') });
    // Phone-sized screen: nothing wider than the viewport but the scrollable tables.
    await page.setViewportSize({ width: 390, height: 844 });
    // The plots follow their container through a ResizeObserver: let it run.
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#compare-body canvas')).every((c) => c.getBoundingClientRect().right <= innerWidth));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(SHOTS, 'compare-phone.png'), fullPage: false });
    await page.close();
  });

  it('a malformed report and another schema version each get a clear message', async () => {
    const { page } = await openPage('/');
    const v2 = { schema: 'zkgpu-bench', schemaVersion: 2, results: [] };
    await page.setInputFiles('#file', [
      { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"schema": "zkgpu-bench", ') },
      { name: 'v2.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(v2)) },
      { name: 'missing.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ schema: 'zkgpu-bench', schemaVersion: 1, createdAt: 'x' })) },
    ]);
    await page.waitForFunction(() => document.querySelectorAll('#errors .error').length === 3);
    const messages = await page.$$eval('#errors .error', (n) => n.map((e) => e.textContent ?? ''));
    expect(messages[0]).toMatch(/^broken\.json is not JSON/);
    expect(messages[1]).toMatch(/v2\.json .*this reader knows version 1, the report is version 2/);
    expect(messages[2]).toMatch(/missing\.json is not a valid zkgpu-bench v1 report: createdAt/);
    expect(await page.$$eval('#machines .machine', (n) => n.length)).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'bad-report.png') });
    await page.close();
  });
});
