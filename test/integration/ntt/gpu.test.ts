import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURVES, fromMont, montgomeryParams, nttNaive, nttReference, rootOfUnity, type CurveName } from '../../../src/math/index.js';
import { acquireGpu, type GpuContext } from '../../../src/gpu/index.js';
import { gpuNtt, releaseNttTables, TILE_LOG, type GpuNttOrder } from '../../../src/ntt/gpu.js';
import { rngFor, SEED } from '../../support/seed.js';

let ctx: GpuContext;
beforeAll(async () => {
  const c = await acquireGpu();
  if (!c) throw new Error('no WebGPU adapter: the GPU suites need one (lavapipe works)');
  ctx = c;
  console.log(`[gpu ntt] ${ctx.info.vendor} ${ctx.info.description} seed ${SEED}`);
});
afterAll(() => ctx?.dispose());

function encode(xs: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(xs.length * 32);
  xs.forEach((x, i) => {
    let v = x;
    for (let b = 0; b < 32; b++, v >>= 8n) out[i * 32 + b] = Number(v & 0xffn);
  });
  return out;
}
function decode(bytes: Uint8Array): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < bytes.length; i += 32) {
    let v = 0n;
    for (let b = 31; b >= 0; b--) v = (v << 8n) | BigInt(bytes[i + b]);
    out.push(v);
  }
  return out;
}
function bitrev<T>(xs: readonly T[]): T[] {
  const logN = Math.log2(xs.length);
  return xs.map((_, i) => {
    let r = 0;
    for (let b = 0; b < logN; b++) r |= ((i >> b) & 1) << (logN - 1 - b);
    return xs[r];
  });
}

async function check(curve: CurveName, logN: number, inverse: boolean, shift: bigint | null, inputOrder: GpuNttOrder, outputOrder: GpuNttOrder, oracle: typeof nttNaive) {
  const rng = rngFor(`ntt:${curve}:${logN}:${inverse}:${shift}:${inputOrder}:${outputOrder}`);
  const n = 1 << logN;
  const xs = Array.from({ length: n }, () => rng.nextBigInt(CURVES[curve].r));
  const before = ctx.dispatchCount;
  const input = inputOrder === 'bit-reversed' ? bitrev(xs) : xs;
  const got = decode(await gpuNtt(ctx, { curve, values: encode(input), logN, inverse, shift, inputOrder, outputOrder }));
  // the GPU path really ran: prep + tile pass + (logN - 8) global stages + post on this context,
  // plus one ntt_powers pass per table built on a cache miss (twiddles, and coset or scale)
  const passes = 2 + (logN > 0 ? 1 : 0) + Math.max(0, logN - TILE_LOG);
  const ran = ctx.dispatchCount - before;
  expect(ran).toBeGreaterThanOrEqual(passes);
  expect(ran).toBeLessThanOrEqual(passes + 2);
  let want = oracle(curve, xs, { inverse, shift });
  if (outputOrder === 'bit-reversed') want = bitrev(want);
  expect(got).toEqual(want);
}

const curves: CurveName[] = ['bn254', 'bls12-381'];
const orders: GpuNttOrder[] = ['natural', 'bit-reversed'];

describe('GPU Fr NTT vs nttNaive (small n, every combination)', () => {
  for (const curve of curves) {
    it(`${curve}: n = 2^0..2^9, forward/inverse, coset, orders`, async () => {
      const shift = CURVES[curve].frGenerator;
      for (const logN of [0, 1, 2, 5, 9]) {
        for (const inverse of [false, true]) {
          for (const s of [null, shift]) {
            for (const io of orders) for (const oo of orders) await check(curve, logN, inverse, s, io, oo, nttNaive);
          }
        }
      }
    });
  }
});

describe('GPU Fr NTT vs nttReference (2^12..2^14)', () => {
  it('bn254 2^14 forward, coset', async () => {
    const t0 = performance.now();
    await check('bn254', 14, false, 5n, 'natural', 'natural', nttReference);
    console.log(`[gpu ntt] bn254 2^14 incl. oracle: ${(performance.now() - t0).toFixed(0)} ms`);
  });
  it('bls12-381 2^12 inverse, coset, bit-reversed in', async () => {
    await check('bls12-381', 12, true, 7n, 'bit-reversed', 'natural', nttReference);
  });
  it('bn254 2^13 inverse roundtrip', async () => {
    const rng = rngFor('roundtrip');
    const xs = Array.from({ length: 1 << 13 }, () => rng.nextBigInt(CURVES.bn254.r));
    const fwd = await gpuNtt(ctx, { curve: 'bn254', values: encode(xs), logN: 13, inverse: false, shift: 3n, inputOrder: 'natural', outputOrder: 'bit-reversed' });
    const back = await gpuNtt(ctx, { curve: 'bn254', values: fwd, logN: 13, inverse: true, shift: 3n, inputOrder: 'bit-reversed', outputOrder: 'natural' });
    expect(decode(back)).toEqual(xs);
  });
  it('timing: bn254 2^14 forward (GPU only, warm)', async () => {
    const rng = rngFor('timing');
    const values = encode(Array.from({ length: 1 << 14 }, () => rng.nextBigInt(CURVES.bn254.r)));
    const req = { curve: 'bn254' as const, values, logN: 14, inverse: false, shift: null, inputOrder: 'natural' as const, outputOrder: 'natural' as const };
    await gpuNtt(ctx, req);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await gpuNtt(ctx, req);
      times.push(performance.now() - t0);
    }
    console.log(`[gpu ntt] bn254 2^14 forward on ${ctx.info.description}: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    // only the cached tables stay in use between calls; releasing them leaves nothing behind
    expect(await releaseNttTables(ctx)).toBeGreaterThan(0);
    expect(ctx.pool.stats().inUseBytes).toBe(0);
  });
});

describe('GPU NTT stages vs a TypeScript mirror', () => {
  it('bn254 2^10: prep (to Montgomery, coset, bit-reverse) and the workgroup tile pass (stages 1..8)', async () => {
    const curve = 'bn254';
    const p = CURVES[curve].r;
    const params = montgomeryParams(p, 16);
    const logN = 10;
    const n = 1 << logN;
    const rng = rngFor('stages');
    const xs = Array.from({ length: n }, () => rng.nextBigInt(p));
    const g = 5n;
    const req = { curve, values: encode(xs), logN, inverse: false, shift: g, inputOrder: 'natural', outputOrder: 'natural' } as const;
    const prep = decode(await gpuNtt(ctx, { ...req, debugStopAfter: 'prep' })).map((x) => fromMont(x, params));
    // mirror of ntt_prep: a[bitrev(j)] = x[j] * g^j
    const scaled = xs.map((x, j) => (x * (g ** BigInt(j) % p)) % p);
    const mirror = bitrev(scaled);
    expect(prep).toEqual(mirror);
    const tile = decode(await gpuNtt(ctx, { ...req, debugStopAfter: 'tile' })).map((x) => fromMont(x, params));
    // mirror of ntt_tile: DIT stages with half = 1..128 on the bit-reversed array
    const a = [...mirror];
    for (let s = 1; s <= TILE_LOG; s++) {
      const half = 1 << (s - 1);
      const w = rootOfUnity(curve, s);
      for (let start = 0; start < n; start += 2 * half) {
        let wk = 1n;
        for (let k = 0; k < half; k++) {
          const u = a[start + k];
          const v = (a[start + k + half] * wk) % p;
          a[start + k] = (u + v) % p;
          a[start + k + half] = (u - v + p) % p;
          wk = (wk * w) % p;
        }
      }
    }
    expect(tile).toEqual(a);
  });
});
