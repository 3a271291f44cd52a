/**
 * Browser page for test/browser/gpu-g2.test.ts: the WebGPU G2 MSM (src/msm/gpu.ts, group 'g2') on
 * the browser's adapter (SwiftShader in headless Chromium), BN254 and BLS12-381, random points and
 * scalars plus edges (r - 1, 1, 0, a repeated point, P and -P, infinity), each result checked
 * against the BigInt oracle computed here, and the device's dispatch count checked so that a run
 * which never reached the GPU cannot pass. Results go to window.__zkgpuG2; ?seed=N replays a run.
 */
import { acquireGpu } from '../../../src/gpu/index.js';
import { gpuMsm } from '../../../src/msm/index.js';
import { CURVES, createRng, encodePoint, encodePoints, encodeScalars, g2, msmNaive, randomSeed, type G2Point } from '../../../src/math/index.js';

export interface G2PageCheck {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}

export interface G2PageResults {
  done: boolean;
  seed: number;
  /** The adapter's description (SwiftShader in CI), or null without WebGPU. */
  adapter: string | null;
  checks: G2PageCheck[];
  error?: string;
}

declare global {
  interface Window {
    __zkgpuG2?: G2PageResults;
  }
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const logEl = document.getElementById('log');
const seedParam = new URLSearchParams(location.search).get('seed');
const seed = seedParam === null ? randomSeed() : Number(seedParam);
const results: G2PageResults = { done: false, seed, adapter: null, checks: [] };

async function run(): Promise<void> {
  const ctx = await acquireGpu();
  if (!ctx) throw new Error('no WebGPU adapter in this browser (expected SwiftShader with --enable-unsafe-webgpu)');
  results.adapter = `${ctx.info.vendor} ${ctx.info.architecture} ${ctx.info.description}`.trim();
  try {
    for (const curve of ['bn254', 'bls12-381'] as const) {
      const G = g2(curve);
      const r = CURVES[curve].r;
      const rng = createRng(`browser g2:${curve}:${seed}`);
      const P = Array.from({ length: 5 }, () => G.random(rng));
      const points: G2Point[] = [P[0], P[1], P[1], P[2], G.neg(P[2]), G.infinity, P[3], P[4]];
      const scalars = [r - 1n, 1n, 5n, 7n, 7n, 3n, 0n, rng.nextBigInt(r)];
      const t0 = performance.now();
      const before = ctx.dispatchCount;
      const got = await gpuMsm(ctx, { curve, group: 'g2', points: encodePoints(curve, 'g2', points), scalars: encodeScalars(scalars) });
      const ms = Math.round(performance.now() - t0);
      const want = encodePoint(curve, 'g2', msmNaive(curve, 'g2', points, scalars));
      const dispatched = ctx.dispatchCount - before;
      const ok = dispatched > 0 && hex(got) === hex(want);
      const detail = ok ? `${dispatched} dispatches, equals msmNaive` : `${dispatched} dispatches; got ${hex(got)}, want ${hex(want)}`;
      results.checks.push({ name: `webgpu msm ${curve} g2 n=${points.length} vs msmNaive`, ok, ms, detail });
      if (logEl) logEl.textContent += `${ok ? 'ok  ' : 'FAIL'} ${curve} g2 (${ms} ms incl. pipeline compile): ${detail}\n`;
    }
  } finally {
    ctx.dispose();
  }
}

run()
  .catch((e: unknown) => {
    results.error = e instanceof Error ? (e.stack ?? e.message) : String(e);
  })
  .finally(() => {
    results.done = true;
    window.__zkgpuG2 = results;
  });
