/**
 * G2 MSM on WebGPU (src/msm/gpu.ts with group 'g2': shaders/curve_g2.wgsl's step table,
 * msm_g2_*.wgsl) against the BigInt oracle (msmNaive, the affine group law), ffjavascript's
 * G2.multiExpAffine and the WASM engine, on both curves; edge inputs (zero scalars, 1, r - 1,
 * points at infinity, P and -P, repeated points) and the runtime pinned to 'webgpu' reporting
 * that the GPU ran it. Runs on lavapipe here: the first MSM per curve includes the pipelines'
 * compile (lavapipe compiles at the first dispatch), logged apart.
 *
 * Fails (never skips) without an adapter; every gpuMsm call checks that the device dispatched.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURVES, decodePoint, decodePoints, encodePoint, encodePoints, encodeScalars, fp2Field, g2, msmNaive, type CurveName, type G2Point } from '../../../src/math/index.js';
import { acquireGpu, type GpuContext } from '../../../src/gpu/index.js';
import { createRuntime, type Runtime } from '../../../src/runtime/runtime.js';
import { JobEvent, type JobReport } from '../../../src/index.js';
import {
  canonicalCsr,
  decodeXyzzG2,
  gpuCurveG2Op,
  gpuMsm,
  mirrorCsr,
  mirrorDigits,
  planChunk,
  SIGN_BIT,
  xyzzG2FromAffine,
  xyzzG2ToAffine,
  type CurveG2Op,
  type GpuMsmRequest,
  type XyzzG2Point,
} from '../../../src/msm/index.js';
import { isZkgpuError } from '../../../src/core/errors.js';
import type { FfCurve, FfModule } from '../../../bench/core/peers/ffjavascript.js';
import { rngFor, SEED } from '../../support/seed.js';

let ctx: GpuContext;
/** The CPU engine only: the WASM reference and the sample points. */
let cpu: Runtime;
/** A runtime with the GPU, for the 'webgpu' pinned path and its job reports. */
let gpuRuntime: Runtime;
const reports: JobReport[] = [];
const ff = new Map<CurveName, FfCurve>();

beforeAll(async () => {
  const c = await acquireGpu();
  if (!c) throw new Error('no WebGPU adapter: the GPU suites need one (lavapipe works; export XDG_RUNTIME_DIR=/tmp)');
  ctx = c;
  console.log(`[gpu msm g2] ${ctx.info.vendor} ${ctx.info.description} seed ${SEED}`);
  cpu = await createRuntime({ threads: 1, gpu: false });
  // The same device: its pipelines compile once (lavapipe compiles at the first dispatch).
  gpuRuntime = await createRuntime({ threads: 1, gpu: ctx.device });
  if (!gpuRuntime.gpu) throw new Error('createRuntime found no WebGPU adapter though acquireGpu did');
  gpuRuntime.addEventListener('job', (e) => {
    if (e instanceof JobEvent) reports.push(e.report);
  });
  // @ts-expect-error ffjavascript ships no types (bench/core/peers/ffjavascript.ts types what is used)
  const mod = (await import('ffjavascript')) as FfModule;
  ff.set('bn254', await mod.buildBn128(true));
  ff.set('bls12-381', await mod.buildBls12381(true));
}, 300_000);

afterAll(async () => {
  for (const c of ff.values()) await c.terminate();
  await gpuRuntime?.dispose();
  await cpu?.dispose();
  ctx?.dispose();
});

const pointCache = new Map<string, G2Point[]>();
/** n distinct valid G2 points from the WASM engine (BigInt scalar multiplications would take seconds). */
async function samplePoints(curve: CurveName, n: number): Promise<G2Point[]> {
  const key = `${curve}:${n}`;
  let pts = pointCache.get(key);
  if (!pts) {
    const seed = rngFor(`g2 points:${key}`).nextU32();
    pts = decodePoints(curve, 'g2', await cpu.samplePoints({ curve, group: 'g2', n, seed }));
    pointCache.set(key, pts);
  }
  return pts;
}

function randomScalars(curve: CurveName, n: number, name: string): bigint[] {
  const rng = rngFor(name);
  return Array.from({ length: n }, () => rng.nextBigInt(CURVES[curve].r));
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

interface Case {
  curve: CurveName;
  points: G2Point[];
  scalars: bigint[];
  /** Also against msmNaive (BigInt, O(n) scalar multiplications: small n only). */
  naive?: boolean;
  /** Also against ffjavascript's G2.multiExpAffine. */
  ffjs?: boolean;
  extra?: Partial<GpuMsmRequest>;
}

/** GPU result == WASM result (bytes), and where asked == msmNaive and == ffjavascript; the GPU really dispatched. */
async function check({ curve, points, scalars, naive, ffjs, extra }: Case): Promise<Uint8Array> {
  const pointBytes = encodePoints(curve, 'g2', points);
  const scalarBytes = encodeScalars(scalars);
  const before = ctx.dispatchCount;
  const got = await gpuMsm(ctx, { curve, group: 'g2', points: pointBytes, scalars: scalarBytes, ...extra });
  if (points.length > 0) expect(ctx.dispatchCount).toBeGreaterThan(before);
  const wasm = await cpu.msm({ curve, group: 'g2', points: pointBytes, scalars: scalarBytes });
  expect(hex(got)).toBe(hex(wasm));
  if (naive) expect(hex(got)).toBe(hex(encodePoint(curve, 'g2', msmNaive(curve, 'g2', points, scalars))));
  if (ffjs) {
    const G = ff.get(curve)!.G2;
    const out = new Uint8Array(2 * G.F.n8);
    G.toRprLEM(out, 0, await G.multiExpAffine(pointBytes, scalarBytes, false, ''));
    expect(hex(got)).toBe(hex(out));
  }
  return got;
}

for (const curve of ['bn254', 'bls12-381'] as const) {
  describe(`G2 MSM on the GPU: ${curve}`, () => {
    const G = g2(curve);
    const r = CURVES[curve].r;
    const infinityBytes = new Uint8Array(4 * CURVES[curve].fpBytes);

    it('first MSM (compiles the G2 pipelines), then random n = 1, 2, 3, 40 vs msmNaive and ffjavascript', async () => {
      const t0 = performance.now();
      await check({ curve, points: await samplePoints(curve, 4), scalars: randomScalars(curve, 4, `${curve}:first`), naive: true });
      console.log(`[gpu msm g2] ${curve}: pipelines + first MSM (n = 4) ${(performance.now() - t0).toFixed(0)} ms`);
      for (const n of [1, 2, 3, 40]) {
        await check({ curve, points: await samplePoints(curve, n), scalars: randomScalars(curve, n, `${curve}:${n}`), naive: n <= 3, ffjs: true });
      }
    });

    it('edges vs msmNaive: zero, 1, r - 1, limb boundaries, repeated points (P + P in a bucket), P and -P, infinity points', async () => {
      const P = (await samplePoints(curve, 16)).slice(0, 12);
      const points: G2Point[] = [P[0], P[1], P[2], P[3], P[3], P[4], G.neg(P[4]), G.infinity, P[5], P[6], P[7], P[8], G.infinity, P[9], P[10], P[11], P[0]];
      const scalars: bigint[] = [0n, 1n, r - 1n, 5n, 5n, 7n, 7n, 123n, (1n << 16n) - 1n, 1n << 32n, (1n << 128n) + 1n, r - 2n, 0n, 1n << 250n, r >> 1n, 2n ** 15n, r - 1n];
      await check({ curve, points, scalars, naive: true, ffjs: true });
      // all scalars zero, all points infinity, P + (-P) cancelling, s P + (r - s) P = r P: infinity
      expect(await check({ curve, points: P.slice(0, 5), scalars: [0n, 0n, 0n, 0n, 0n] })).toEqual(infinityBytes);
      expect(await check({ curve, points: [G.infinity, G.infinity, G.infinity], scalars: [1n, r - 1n, 99n] })).toEqual(infinityBytes);
      expect(await check({ curve, points: [P[0], G.neg(P[0])], scalars: [r - 1n, r - 1n] })).toEqual(infinityBytes);
      expect(await check({ curve, points: [P[1], P[1]], scalars: [12345n, r - 12345n] })).toEqual(infinityBytes);
      // n = 0: infinity without a dispatch
      expect(await gpuMsm(ctx, { curve, group: 'g2', points: new Uint8Array(0), scalars: new Uint8Array(0) })).toEqual(infinityBytes);
    });

    it('one point 60 times with scalar r - 1 (every mixed addition doubles) and all-equal scalars (one bucket split over segments)', async () => {
      const P = await samplePoints(curve, 60);
      await check({ curve, points: Array(60).fill(P[7]), scalars: Array(60).fill(r - 1n), naive: true });
      const s = randomScalars(curve, 1, `${curve}:equal`)[0];
      await check({ curve, points: P, scalars: Array(60).fill(s), ffjs: true });
    });

    it('random n = 255 (not a power of two) vs ffjavascript, through the runtime pinned to webgpu: the job report says webgpu', async () => {
      const n = 255;
      const points = await samplePoints(curve, n);
      const scalars = randomScalars(curve, n, `${curve}:runtime`);
      reports.length = 0;
      const t0 = performance.now();
      const got = await gpuRuntime.msm({ curve, group: 'g2', points: encodePoints(curve, 'g2', points), scalars: encodeScalars(scalars), backend: 'webgpu' });
      console.log(`[gpu msm g2] ${curve} n = ${n}: webgpu (${ctx.info.description}) ${(performance.now() - t0).toFixed(0)} ms`);
      const jobs = reports.filter((j) => j.op === 'msm' && j.group === 'g2');
      expect(jobs).toHaveLength(1);
      expect(jobs[0].backend, jobs[0].reason).toBe('webgpu');
      expect(jobs[0].fallback).toBeUndefined();
      const G2 = ff.get(curve)!.G2;
      const want = new Uint8Array(2 * G2.F.n8);
      G2.toRprLEM(want, 0, await G2.multiExpAffine(encodePoints(curve, 'g2', points), encodeScalars(scalars), false, ''));
      expect(hex(got)).toBe(hex(want));
    });

    it('window widths 1, 5, 11 and chunks of 17 points (partial sums added on the host) give the same point', async () => {
      const points = await samplePoints(curve, 40);
      const scalars = randomScalars(curve, 40, `${curve}:windows`);
      for (const windowBits of [1, 5, 11]) await check({ curve, points, scalars, extra: { windowBits } });
      const before = ctx.dispatchCount;
      await check({ curve, points, scalars, extra: { maxChunkPoints: 17 } });
      const chunked = ctx.dispatchCount - before;
      const single = ctx.dispatchCount;
      await check({ curve, points, scalars });
      // three chunks (17, 17, 6 points) run about three times the passes of one (the scan's depth follows c)
      expect(chunked).toBeGreaterThan(2 * (ctx.dispatchCount - single));
    });
  });
}

describe('G2 step table on the GPU: element-wise operations vs the affine group law', () => {
  for (const curve of ['bn254', 'bls12-381'] as const) {
    it(`${curve}: add, mixed add, mixed sub, double, with p = q, p = -q and infinity operands`, async () => {
      const G = g2(curve);
      const F = fp2Field(curve);
      const rng = rngFor(`g2 ops:${curve}`);
      const [A, B, C] = await samplePoints(curve, 3);
      const O = G.infinity;
      const pairs: [G2Point, G2Point][] = [
        [A, B],
        [A, A],
        [A, G.neg(A)],
        [O, B],
        [C, O],
        [O, O],
      ];
      const a = pairs.map(([p]) => xyzzG2FromAffine(curve, p, F.random(rng)));
      const affineB = (p: G2Point): XyzzG2Point => (p.infinity ? { X: F.zero, Y: F.zero, ZZ: F.zero, ZZZ: F.zero } : xyzzG2FromAffine(curve, p));
      const want: Record<CurveG2Op, (p: G2Point, q: G2Point) => G2Point> = {
        add: (p, q) => G.add(p, q),
        addAffine: (p, q) => G.add(p, q),
        subAffine: (p, q) => G.sub(p, q),
        double: (p) => G.double(p),
      };
      for (const op of Object.keys(want) as CurveG2Op[]) {
        const b = pairs.map(([, q]) => (op === 'add' ? xyzzG2FromAffine(curve, q, F.random(rng)) : affineB(q)));
        const got = await gpuCurveG2Op(ctx, curve, op, a, b);
        got.forEach((g, i) => expect(G.eq(xyzzG2ToAffine(curve, g), want[op](...pairs[i])), `${op} pair ${i}`).toBe(true));
      }
    });
  }
});

describe('G2 MSM stages (BN254): bucket and window sums vs the BigInt group law', () => {
  it('buckets (some split over segments and combined) and window sums, from the shared digit and CSR passes', async () => {
    const curve = 'bn254';
    const G = g2(curve);
    const n = 50;
    const points = (await samplePoints(curve, 60)).slice(0, n);
    const scalars = randomScalars(curve, n, 'g2 stages');
    scalars[0] = 0n;
    scalars[1] = CURVES[curve].r - 1n;
    for (let i = 2; i < 30; i++) scalars[i] = 77n; // a 28-entry bucket per window: over one 16-entry segment
    points[3] = G.infinity;
    const pointBytes = encodePoints(curve, 'g2', points);
    const scalarBytes = encodeScalars(scalars);
    const plan = planChunk(curve, n, { maxBinding: ctx.limits.maxStorageBufferBindingSize, maxChunkPoints: n }, undefined, 'g2');
    const stage = (debugStopAfter: GpuMsmRequest['debugStopAfter']) => gpuMsm(ctx, { curve, group: 'g2', points: pointBytes, scalars: scalarBytes, debugStopAfter });
    const u32 = (b: Uint8Array) => new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    const digits = mirrorDigits(scalarBytes, plan.c, plan.windows);
    const { offsets, csr } = mirrorCsr(digits, n, plan.c, plan.windows);
    expect(canonicalCsr(offsets, u32(await stage('csr')))).toEqual(canonicalCsr(offsets, csr));
    const buckets: G2Point[] = [];
    for (let k = 0; k + 1 < offsets.length; k++) {
      let acc = G.infinity;
      for (let e = offsets[k]; e < offsets[k + 1]; e++) {
        const p = points[csr[e] & ~SIGN_BIT];
        acc = G.add(acc, (csr[e] & SIGN_BIT) !== 0 ? G.neg(p) : p);
      }
      buckets.push(acc);
    }
    const gpuBuckets = await stage('buckets');
    buckets.forEach((b, k) => expect(G.eq(xyzzG2ToAffine(curve, decodeXyzzG2(curve, gpuBuckets, k)), b), `bucket ${k}`).toBe(true));
    const B = plan.buckets;
    const gpuWindows = await stage('windows');
    for (let w = 0; w < plan.windows; w++) {
      let sum = G.infinity;
      for (let v = 1; v <= B; v++) sum = G.add(sum, G.mul(buckets[w * B + v - 1], BigInt(v)));
      expect(G.eq(xyzzG2ToAffine(curve, decodeXyzzG2(curve, gpuWindows, w)), sum), `window ${w}`).toBe(true);
    }
    expect(decodePoint(curve, 'g2', await gpuMsm(ctx, { curve, group: 'g2', points: pointBytes, scalars: scalarBytes }))).toEqual(msmNaive(curve, 'g2', points, scalars));
  });
});

describe('G2 shaders', () => {
  for (const name of ['curve_g2', 'msm_g2_bucket', 'msm_g2_reduce', 'msm_g2_curve_test']) {
    it(`shaders/${name}.wgsl is valid WGSL on its own`, async () => {
      const code = readFileSync(new URL(`../../../shaders/${name}.wgsl`, import.meta.url), 'utf8');
      const info = await ctx.device.createShaderModule({ label: `standalone:${name}`, code }).getCompilationInfo();
      expect(info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}: ${m.message}`)).toEqual([]);
    });
  }
});

describe('G2 MSM: bad input and buffers', () => {
  it('a G1-sized point buffer or an unknown group is a ZkgpuError naming it', async () => {
    const code = (req: Partial<GpuMsmRequest>) =>
      gpuMsm(ctx, { curve: 'bn254', group: 'g2', points: new Uint8Array(128), scalars: new Uint8Array(32), ...req } as GpuMsmRequest).then(
        () => 'resolved',
        (e: unknown) => (isZkgpuError(e) ? `${e.code}: ${e.message}` : String(e)),
      );
    expect(await code({ points: new Uint8Array(64) })).toMatch(/^LENGTH_MISMATCH: .*bn254 G2 points \(128 bytes each\)/);
    expect(await code({ group: 'g3' as 'g2' })).toMatch(/^INVALID_ARGUMENT: .*group/);
  });
  it('every pooled buffer is back in the pool after the calls', () => {
    expect(ctx.pool.stats().inUseBytes).toBe(0);
  });
});
