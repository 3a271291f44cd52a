/**
 * The witness-aware GPU MSM (src/msm/gpu.ts): the terms whose scalar is 1 run apart as a 1-bit
 * MSM, every chunk runs only the windows its largest scalar needs. Each scalar mix (all zero, all
 * one, 0/1, small below 2^8, small + dense, dense, boundaries 2^k - 1, 2^k, r - 1) against two
 * references: a BigInt oracle independent of both engines (points P_i = (a + i b) G, so the MSM is
 * (Σ s_i (a + i b)) G, one scalar multiplication; msmNaive on the small cases) and the WASM engine.
 * Every call checks that the device dispatched; the split and the narrow windows are observed on
 * the device (dispatch counts, the 'windows' debug stage's size). Runs on lavapipe here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURVES, decodePoint, decodePoints, encodePoint, encodePoints, encodeScalars, g1, msmNaive, type G1Point, type G2Point } from '../../../src/math/index.js';
import { acquireGpu, type GpuContext } from '../../../src/gpu/index.js';
import { createRuntime, type Runtime } from '../../../src/runtime/runtime.js';
import { decodeXyzz, gpuMsm, planChunk, warmGpuMsm, xyzzToAffine, type GpuMsmRequest } from '../../../src/msm/index.js';
import { MIN_ONES } from '../../../src/msm/compact.js';
import { rngFor, SEED } from '../../support/seed.js';

const curve = 'bn254';
const { r } = CURVES[curve];
const G = g1(curve);
const XYZZ_BYTES = 128;

let ctx: GpuContext;
let cpu: Runtime;
beforeAll(async () => {
  const c = await acquireGpu();
  if (!c) throw new Error('no WebGPU adapter: the GPU suites need one (lavapipe works; export XDG_RUNTIME_DIR=/tmp)');
  ctx = c;
  console.log(`[gpu msm profile] ${ctx.info.vendor} ${ctx.info.description} seed ${SEED}`);
  cpu = await createRuntime({ threads: 1, gpu: false });
  const t0 = performance.now();
  await warmGpuMsm(ctx, curve);
  console.log(`[gpu msm profile] bn254 G1 pipelines created in ${(performance.now() - t0).toFixed(0)} ms`);
}, 300_000);
afterAll(async () => {
  await cpu?.dispose();
  ctx?.dispose();
});

/** P_i = (a + i b) G for i < 2000, a and b from the seed: the MSM of any scalars is one multiplication. */
const N = 2000;
let progression: { a: bigint; b: bigint; points: G1Point[]; bytes: Uint8Array } | null = null;
function points(): { a: bigint; b: bigint; points: G1Point[]; bytes: Uint8Array } {
  if (progression) return progression;
  const rng = rngFor('profile:points');
  const a = 1n + rng.nextBigInt(r - 1n);
  const b = 1n + rng.nextBigInt(r - 1n);
  const step = G.mul(G.generator, b);
  const list: G1Point[] = [G.mul(G.generator, a)];
  for (let i = 1; i < N; i++) list.push(G.add(list[i - 1], step));
  progression = { a, b, points: list, bytes: encodePoints(curve, 'g1', list) };
  return progression;
}

/** Σ s_i P_i by the progression: (Σ s_i (a + i b) mod r) G. */
function oracle(scalars: readonly bigint[]): Uint8Array {
  const { a, b } = points();
  let k = 0n;
  scalars.forEach((s, i) => (k = (k + s * ((a + BigInt(i) * b) % r)) % r));
  return encodePoint(curve, 'g1', G.mul(G.generator, k));
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** GPU == oracle == WASM for the first scalars.length progression points; returns the dispatches it took. */
async function check(scalars: readonly bigint[], extra: Partial<GpuMsmRequest> = {}): Promise<number> {
  const n = scalars.length;
  const pointBytes = points().bytes.subarray(0, n * 64);
  const scalarBytes = encodeScalars(scalars);
  const before = ctx.dispatchCount;
  const got = await gpuMsm(ctx, { curve, points: pointBytes, scalars: scalarBytes, ...extra });
  const dispatches = ctx.dispatchCount - before;
  expect(dispatches).toBeGreaterThan(0);
  expect(hex(got)).toBe(hex(oracle(scalars)));
  const wasm = await cpu.msm({ curve, group: 'g1', points: pointBytes, scalars: scalarBytes });
  expect(hex(got)).toBe(hex(wasm));
  return dispatches;
}

/** n scalars drawn from `pick` with a named stream. */
function mix(n: number, name: string, pick: (rng: ReturnType<typeof rngFor>, i: number) => bigint): bigint[] {
  const rng = rngFor(name);
  return Array.from({ length: n }, (_, i) => pick(rng, i));
}

describe('witness-aware GPU MSM, BN254 G1: each scalar mix against the oracle and the WASM engine', () => {
  it('all zero: infinity', async () => {
    await check(Array(1000).fill(0n));
    expect(hex(await gpuMsm(ctx, { curve, points: points().bytes.subarray(0, 1000 * 64), scalars: encodeScalars(Array(1000).fill(0n)) }))).toBe(hex(new Uint8Array(64)));
  });
  it('all one: one 1-bit run, one submission', async () => {
    const t0 = performance.now();
    const dispatches = await check(Array(1000).fill(1n));
    console.log(`[gpu msm profile] all one n = 1000: ${(performance.now() - t0).toFixed(0)} ms incl. first dispatch and oracles, ${dispatches} passes`);
    // clear, decompose, one scan block (K + 1 = 3), scatter, accumulate, combine, three reduce passes
    expect(dispatches).toBe(9);
  });
  it('0/1 mixed (n = 2000, ~1/2 ones): the ones run apart, zeros dropped', async () => {
    const scalars = mix(N, 'profile:01', (rng) => BigInt(rng.nextU32() & 1));
    expect(await check(scalars)).toBe(9);
  });
  it('0/1 + a few dense (the hash-circuit witness): two runs, the rest alone takes one fewer', async () => {
    const scalars = mix(N, 'profile:01dense', (rng) => (rng.nextU32() % 50 === 0 ? rng.nextBigInt(r) : BigInt(rng.nextU32() & 1)));
    const withOnes = await check(scalars);
    // the terms above 1 on their own (the same plan as the rest run): exactly one 1-bit run (9 passes) fewer
    const restIdx = scalars.flatMap((s, i) => (s > 1n ? [i] : []));
    const before = ctx.dispatchCount;
    await gpuMsm(ctx, {
      curve,
      points: encodePoints(
        curve,
        'g1',
        restIdx.map((i) => points().points[i]),
      ),
      scalars: encodeScalars(restIdx.map((i) => scalars[i])),
    });
    expect(withOnes - (ctx.dispatchCount - before)).toBe(9);
  });
  it('small scalars (< 2^8) run in one window on the device; boundaries 2^8 - 1, 2^7', async () => {
    const scalars = mix(1000, 'profile:small', (rng, i) => (i === 0 ? 255n : i === 1 ? 128n : BigInt(rng.nextU32() & 0xff)));
    await check(scalars);
    const raw = await gpuMsm(ctx, { curve, points: points().bytes.subarray(0, 1000 * 64), scalars: encodeScalars(scalars), debugStopAfter: 'windows' });
    // one window of c = 9 (full-width scalars take 32 of c = 8 at n = 1000); its sum is the whole MSM
    expect(raw.length).toBe(XYZZ_BYTES);
    expect(planChunk(curve, 1000, { maxBinding: 2 ** 27, maxChunkPoints: 1000 }).windows).toBe(32);
    expect(hex(encodePoint(curve, 'g1', xyzzToAffine(curve, decodeXyzz(curve, raw))))).toBe(hex(oracle(scalars)));
  });
  it('small + dense + ones mixed, dense alone, and the windows each takes', async () => {
    const mixed = mix(1000, 'profile:mixed', (rng) => [0n, 1n, BigInt(rng.nextU32() & 0xff), rng.nextBigInt(r)][rng.nextU32() % 4]);
    await check(mixed);
    const dense = mix(1000, 'profile:dense', (rng) => rng.nextBigInt(r));
    await check(dense);
    // the windows stage (no split under a debug stop): 2^16 - 1 needs floor(16 / c) + 1 windows, r - 1 all of them
    const windowsOf = async (scalars: bigint[]) =>
      (await gpuMsm(ctx, { curve, points: points().bytes.subarray(0, scalars.length * 64), scalars: encodeScalars(scalars), debugStopAfter: 'windows' })).length / XYZZ_BYTES;
    const limits = { maxBinding: 2 ** 27, maxChunkPoints: 100 };
    const bits16 = [...Array(99).fill(3n), (1n << 16n) - 1n];
    expect(await windowsOf(bits16)).toBe(planChunk(curve, 100, limits, undefined, 'g1', 16).windows);
    expect(planChunk(curve, 100, limits, undefined, 'g1', 16).windows).toBeLessThan(planChunk(curve, 100, limits).windows);
    expect(await windowsOf([...Array(99).fill(3n), r - 1n])).toBe(planChunk(curve, 100, limits).windows);
  });
  it('boundaries 2^k - 1, 2^k (k = 1, 7, 8, 9, 16, 31, 32, 64, 128, 253), r - 1, r - 2 with ones split off, and msmNaive without', async () => {
    const edges: bigint[] = [r - 1n, r - 2n];
    for (const k of [1, 7, 8, 9, 16, 31, 32, 64, 128, 253]) edges.push((1n << BigInt(k)) - 1n, 1n << BigInt(k));
    // with MIN_ONES ones after them: the split path
    const withOnes = [...edges, ...Array(MIN_ONES).fill(1n), 0n, 0n];
    await check(withOnes);
    // edges alone (a handful of ones, no split) against msmNaive too
    const few = [...edges, 1n, 0n, 1n];
    await check(few);
    const { points: list } = points();
    const got = await gpuMsm(ctx, { curve, points: points().bytes.subarray(0, few.length * 64), scalars: encodeScalars(few) });
    expect(decodePoint(curve, 'g1', got)).toEqual(msmNaive(curve, 'g1', list.slice(0, few.length), few));
    // only small boundaries: one chunk of scalars below 2^9
    await check(mix(600, 'profile:small-edges', (_rng, i) => [1n, 2n, 255n, 256n, 511n, 0n][i % 6]));
  });
  it('chunked (maxChunkPoints 300): the ones run and the rest each in chunks, each chunk on its own bit length', async () => {
    // first chunks: 0/1 and small, last ones dense: per-chunk windows differ
    const scalars = mix(1500, 'profile:chunks', (rng, i) => (i < 900 ? [0n, 1n, BigInt(rng.nextU32() & 0xf)][rng.nextU32() % 3] : rng.nextBigInt(r)));
    await check(scalars, { maxChunkPoints: 300 });
    // few ones (below MIN_ONES): no split, chunks planned on their bits alone
    await check(
      mix(1000, 'profile:chunks-noones', (rng, i) => (i < 500 ? 2n + BigInt(rng.nextU32() & 0x3f) : rng.nextBigInt(r))),
      { maxChunkPoints: 250 },
    );
  });
  it('every pooled buffer is back in the pool', () => {
    expect(ctx.pool.stats().inUseBytes).toBe(0);
  });
});

describe('witness-aware GPU MSM, BN254 G2: 0/1 with a few dense and small (one case: G2 kernels compile slowly on lavapipe)', () => {
  it('GPU == WASM == msmNaive on the small terms', async () => {
    const n = 600;
    const seed = rngFor('profile:g2 points').nextU32();
    const bytes = await cpu.samplePoints({ curve, group: 'g2', n, seed });
    const list = decodePoints(curve, 'g2', bytes) as G2Point[];
    const scalars = mix(n, 'profile:g2', (rng, i) => (i % 97 === 0 ? rng.nextBigInt(r) : i % 7 === 0 ? BigInt(rng.nextU32() & 0xff) : BigInt(rng.nextU32() & 1)));
    const scalarBytes = encodeScalars(scalars);
    const t0 = performance.now();
    const before = ctx.dispatchCount;
    const got = await gpuMsm(ctx, { curve, group: 'g2', points: bytes, scalars: scalarBytes });
    expect(ctx.dispatchCount).toBeGreaterThan(before);
    console.log(`[gpu msm profile] g2 n = ${n} incl. compile: ${(performance.now() - t0).toFixed(0)} ms`);
    expect(hex(got)).toBe(hex(await cpu.msm({ curve, group: 'g2', points: bytes, scalars: scalarBytes })));
    // the oracle on every term: dense ones cost a BigInt multiplication each (~7 of them)
    expect(decodePoint(curve, 'g2', got)).toEqual(msmNaive(curve, 'g2', list, scalars));
  });
});
