/**
 * GPU MSM (src/msm/gpu.ts) against the BigInt oracle (msmNaive, small n), the WASM engine (the
 * runtime's CPU path, every n), and the TypeScript mirrors of each stage. Runs on lavapipe here;
 * pipeline compile time is logged apart from run time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURVES, decodePoint, decodePoints, encodePoints, encodeScalars, g1, msmNaive, type CurveName, type G1Point } from '../../../src/math/index.js';
import { acquireGpu, type GpuContext } from '../../../src/gpu/index.js';
import { createRuntime, type Runtime } from '../../../src/runtime/runtime.js';
import {
  canonicalCsr,
  decodeXyzz,
  gpuMsm,
  mirrorBuckets,
  mirrorCsr,
  mirrorDigits,
  mirrorWindowSums,
  planChunk,
  warmGpuMsm,
  xyzzToAffine,
  type GpuMsmRequest,
} from '../../../src/msm/index.js';
import { isZkgpuError } from '../../../src/core/errors.js';
import { rngFor, SEED } from '../../support/seed.js';

let ctx: GpuContext;
let runtime: Runtime;
beforeAll(async () => {
  const c = await acquireGpu();
  if (!c) throw new Error('no WebGPU adapter: the GPU suites need one (lavapipe works)');
  ctx = c;
  console.log(`[gpu msm] ${ctx.info.vendor} ${ctx.info.description} seed ${SEED}`);
  runtime = await createRuntime({ threads: 1, gpu: false });
  for (const curve of ['bn254', 'bls12-381'] as const) {
    const t0 = performance.now();
    await warmGpuMsm(ctx, curve);
    console.log(`[gpu msm] ${curve} pipelines created in ${(performance.now() - t0).toFixed(0)} ms (lavapipe compiles at first dispatch; see the first MSM)`);
  }
}, 300_000);
afterAll(async () => {
  await runtime?.dispose();
  ctx?.dispose();
});

const pointCache = new Map<string, G1Point[]>();
/** n distinct valid points from the WASM engine (BigInt scalar multiplications would take seconds). */
async function samplePoints(curve: CurveName, n: number): Promise<G1Point[]> {
  const key = `${curve}:${n}`;
  let pts = pointCache.get(key);
  if (!pts) {
    const seed = rngFor(`points:${key}`).nextU32();
    pts = decodePoints(curve, 'g1', await runtime.samplePoints({ curve, group: 'g1', n, seed }));
    pointCache.set(key, pts);
  }
  return pts;
}

function randomScalars(curve: CurveName, n: number, name: string): bigint[] {
  const rng = rngFor(name);
  return Array.from({ length: n }, () => rng.nextBigInt(CURVES[curve].r));
}

interface Case {
  curve: CurveName;
  points: G1Point[];
  scalars: bigint[];
  naive?: boolean;
  extra?: Partial<GpuMsmRequest>;
}

/** GPU result == WASM result (bytes) and, where asked, == msmNaive; the GPU really dispatched. */
async function check({ curve, points, scalars, naive, extra }: Case): Promise<Uint8Array> {
  const pointBytes = encodePoints(curve, 'g1', points);
  const scalarBytes = encodeScalars(scalars);
  const before = ctx.dispatchCount;
  const got = await gpuMsm(ctx, { curve, points: pointBytes, scalars: scalarBytes, ...extra });
  if (points.length > 0) expect(ctx.dispatchCount).toBeGreaterThan(before);
  const wasm = await runtime.msm({ curve, group: 'g1', points: pointBytes, scalars: scalarBytes });
  expect(Buffer.from(got).toString('hex')).toBe(Buffer.from(wasm).toString('hex'));
  if (naive) expect(decodePoint(curve, 'g1', got)).toEqual(msmNaive(curve, 'g1', points, scalars));
  return got;
}

describe('GPU MSM vs msmNaive and the WASM engine: BN254', () => {
  const curve = 'bn254';
  it('random inputs, n = 1, 2, 3, 100', async () => {
    const t0 = performance.now();
    for (const n of [1, 2, 3, 100]) {
      await check({ curve, points: await samplePoints(curve, n), scalars: randomScalars(curve, n, `bn:${n}`), naive: true });
    }
    console.log(`[gpu msm] bn254 n = 1..100 incl. first dispatch (compile) and oracles: ${(performance.now() - t0).toFixed(0)} ms`);
  });
  it('random inputs, n = 1000 and 4096', async () => {
    for (const n of [1000, 4096]) await check({ curve, points: await samplePoints(curve, n), scalars: randomScalars(curve, n, `bn:${n}`) });
  });
  it('n = 0 is infinity (all zero bytes)', async () => {
    const got = await gpuMsm(ctx, { curve, points: new Uint8Array(0), scalars: new Uint8Array(0) });
    expect(got).toEqual(new Uint8Array(64));
  });
  it('edges: zero, 1, r - 1, limb boundaries, duplicates, P and -P, infinity points', async () => {
    const G = g1(curve);
    const r = CURVES[curve].r;
    const pts = await samplePoints(curve, 100);
    const P = pts.slice(0, 12);
    const points: G1Point[] = [P[0], P[1], P[2], P[3], P[3], P[4], G.neg(P[4]), G.infinity, P[5], P[6], P[7], P[8], G.infinity, P[9], P[10], P[11], P[0]];
    const scalars: bigint[] = [0n, 1n, r - 1n, 5n, 5n, 7n, 7n, 123n, (1n << 16n) - 1n, 1n << 32n, (1n << 128n) + 1n, r - 2n, 0n, 1n << 253n, r >> 1n, 2n ** 15n, r - 1n];
    await check({ curve, points, scalars, naive: true });
    // all scalars zero, all points infinity, P + (-P) cancelling exactly: infinity
    expect(await check({ curve, points: P.slice(0, 5), scalars: [0n, 0n, 0n, 0n, 0n] })).toEqual(new Uint8Array(64));
    expect(await check({ curve, points: [G.infinity, G.infinity, G.infinity], scalars: [1n, r - 1n, 99n] })).toEqual(new Uint8Array(64));
    expect(await check({ curve, points: [P[0], G.neg(P[0])], scalars: [r - 1n, r - 1n] })).toEqual(new Uint8Array(64));
    // s P + (r - s) P = r P = infinity
    expect(await check({ curve, points: [P[1], P[1]], scalars: [12345n, r - 12345n] })).toEqual(new Uint8Array(64));
  });
  it('all-equal scalars (every point in one bucket per window, split over many segments), n = 4096', async () => {
    const n = 4096;
    const points = await samplePoints(curve, n);
    const s = randomScalars(curve, 1, 'bn:equal')[0];
    const t0 = performance.now();
    await check({ curve, points, scalars: Array(n).fill(s) });
    // and one point 300 times with scalar r - 1: the mixed additions hit P + P (doubling) at once
    await check({ curve, points: Array(300).fill(points[7]), scalars: Array(300).fill(CURVES[curve].r - 1n) });
    console.log(`[gpu msm] bn254 all-equal scalars n = 4096 (+ WASM check): ${(performance.now() - t0).toFixed(0)} ms`);
  });
  it('window widths 1, 2, 7, 12 give the same result', async () => {
    const points = await samplePoints(curve, 100);
    const scalars = randomScalars(curve, 100, 'bn:windows');
    for (const windowBits of [1, 2, 7, 12]) await check({ curve, points, scalars, extra: { windowBits } });
  });
  it('chunked: n = 1000 in chunks of 300 (last one 100), partial sums added', async () => {
    const points = await samplePoints(curve, 1000);
    const scalars = randomScalars(curve, 1000, 'bn:chunks');
    const before = ctx.dispatchCount;
    await check({ curve, points, scalars, extra: { maxChunkPoints: 300 } });
    const single = ctx.dispatchCount;
    await check({ curve, points, scalars });
    // four chunks run four times the passes of one
    expect(single - before).toBeGreaterThanOrEqual(3 * (ctx.dispatchCount - single));
  });
});

describe('GPU MSM vs msmNaive and the WASM engine: BLS12-381', () => {
  const curve = 'bls12-381';
  it('random inputs, n = 1, 3, 100, 1000', async () => {
    const t0 = performance.now();
    for (const n of [1, 3, 100]) {
      await check({ curve, points: await samplePoints(curve, n), scalars: randomScalars(curve, n, `bls:${n}`), naive: n <= 3 });
    }
    console.log(`[gpu msm] bls12-381 n = 1..100 incl. first dispatch (compile): ${(performance.now() - t0).toFixed(0)} ms`);
    await check({ curve, points: await samplePoints(curve, 1000), scalars: randomScalars(curve, 1000, 'bls:1000') });
  });
  it('edges and a chunked run', async () => {
    const G = g1(curve);
    const r = CURVES[curve].r;
    const P = (await samplePoints(curve, 100)).slice(0, 6);
    const points = [P[0], P[1], G.neg(P[1]), G.infinity, P[2], P[2], P[3], P[4], P[5]];
    const scalars = [r - 1n, 9n, 9n, 5n, 1n, 1n, 0n, 1n << 254n, (1n << 48n) - 1n];
    await check({ curve, points, scalars, naive: true });
    expect(await check({ curve, points: [P[0], G.neg(P[0])], scalars: [3n, 3n] })).toEqual(new Uint8Array(96));
    await check({ curve, points: await samplePoints(curve, 100), scalars: randomScalars(curve, 100, 'bls:chunks'), extra: { maxChunkPoints: 33 } });
  });
});

describe('GPU MSM stages vs the TypeScript mirrors', () => {
  for (const curve of ['bn254', 'bls12-381'] as const) {
    it(`${curve}: digits, CSR offsets and entries, bucket sums, window sums`, async () => {
      const n = curve === 'bn254' ? 300 : 60;
      const points = await samplePoints(curve, n);
      const scalars = randomScalars(curve, n, `stages:${curve}`);
      // a few edges: zero, r - 1, repeated scalars (a long bucket) and an infinity point
      scalars[0] = 0n;
      scalars[1] = CURVES[curve].r - 1n;
      for (let i = 2; i < 40; i++) scalars[i] = 77n;
      points[3] = g1(curve).infinity;
      const pointBytes = encodePoints(curve, 'g1', points);
      const scalarBytes = encodeScalars(scalars);
      const plan = planChunk(curve, n, { maxBinding: ctx.limits.maxStorageBufferBindingSize, maxChunkPoints: n });
      const stage = async (debugStopAfter: GpuMsmRequest['debugStopAfter']) => gpuMsm(ctx, { curve, points: pointBytes, scalars: scalarBytes, debugStopAfter });
      const u32 = (b: Uint8Array) => new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);

      const digits = mirrorDigits(scalarBytes, plan.c, plan.windows);
      expect(u32(await stage('digits'))).toEqual(digits);
      const { offsets, csr } = mirrorCsr(digits, n, plan.c, plan.windows);
      expect(u32(await stage('offsets'))).toEqual(offsets);
      // order inside a bucket is unspecified on the GPU (atomics): compare each bucket as a sorted set
      expect(canonicalCsr(offsets, u32(await stage('csr')))).toEqual(canonicalCsr(offsets, csr));

      const buckets = mirrorBuckets(curve, points, offsets, csr);
      const gpuBuckets = await stage('buckets');
      expect(buckets.map((_, k) => xyzzToAffine(curve, decodeXyzz(curve, gpuBuckets, k)))).toEqual(buckets);
      const windows = mirrorWindowSums(curve, buckets, plan.windows);
      const gpuWindows = await stage('windows');
      expect(windows.map((_, w) => xyzzToAffine(curve, decodeXyzz(curve, gpuWindows, w)))).toEqual(windows);
    });
  }
});

describe('GPU MSM: abort, bad input, buffers', () => {
  const curve = 'bn254';
  it('an aborted signal rejects with AbortError (ABORTED), before and during the run', async () => {
    const points = encodePoints(curve, 'g1', await samplePoints(curve, 100));
    const scalars = encodeScalars(randomScalars(curve, 100, 'abort'));
    const pre = new AbortController();
    pre.abort(new Error('stop'));
    await expect(gpuMsm(ctx, { curve, points, scalars, signal: pre.signal })).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    const during = new AbortController();
    const run = gpuMsm(ctx, { curve, points, scalars, signal: during.signal, maxChunkPoints: 10 });
    during.abort();
    await expect(run).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED' });
  });
  it('length mismatches and unknown curves are ZkgpuErrors', async () => {
    const bad = (req: Partial<GpuMsmRequest>) =>
      gpuMsm(ctx, { curve, points: new Uint8Array(64), scalars: new Uint8Array(32), ...req } as GpuMsmRequest).then(
        () => 'resolved',
        (e: unknown) => (isZkgpuError(e) ? e.code : String(e)),
      );
    expect(await bad({ points: new Uint8Array(63) })).toBe('LENGTH_MISMATCH');
    expect(await bad({ scalars: new Uint8Array(64) })).toBe('LENGTH_MISMATCH');
    expect(await bad({ curve: 'p256' as CurveName })).toBe('UNKNOWN_CURVE');
    expect(await bad({ maxChunkPoints: 0 })).toBe('INVALID_ARGUMENT');
  });
  it('every pooled buffer is back in the pool after the calls', () => {
    expect(ctx.pool.stats().inUseBytes).toBe(0);
  });
});
