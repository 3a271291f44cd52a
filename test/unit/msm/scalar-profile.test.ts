/**
 * The host side of the witness-aware GPU MSM: the largest scalar's bit length (compact.ts
 * scalarBitLength), the split of the terms whose scalar is 1 (splitOnes), and the plan of a chunk
 * on fewer scalar bits (plan.ts planChunk: windows, the carry of the top window, the one-bucket
 * segment size), each against a BigInt statement of what it should be.
 */
import { describe, expect, it } from 'vitest';
import { CURVES, encodeScalars, g1, msmNaive, type CurveName, type G1Point } from '../../../src/math/index.js';
import { MIN_ONES, scalarBitLength, splitOnes } from '../../../src/msm/compact.js';
import { mirrorMsm, signedDigits } from '../../../src/msm/mirror.js';
import { planChunk, windowCount, MIN_SEGMENT } from '../../../src/msm/plan.js';
import { rngFor } from '../../support/seed.js';

const curves: CurveName[] = ['bn254', 'bls12-381'];
const limits = { maxBinding: 2 ** 27, maxChunkPoints: 1 << 22 };
const bitLength = (s: bigint) => s.toString(2).length - (s === 0n ? 1 : 0);

describe('scalarBitLength', () => {
  it('is the bit length of the largest scalar: boundaries 2^k - 1, 2^k, r - 1, all zero, empty', () => {
    const r = CURVES.bn254.r;
    expect(scalarBitLength(new Uint8Array(0))).toBe(0);
    expect(scalarBitLength(encodeScalars([0n, 0n]))).toBe(0);
    expect(scalarBitLength(encodeScalars([0n, 1n, 0n]))).toBe(1);
    expect(scalarBitLength(encodeScalars([r - 1n, 5n]))).toBe(254);
    for (let k = 1; k < 254; k++) {
      const two = 1n << BigInt(k);
      expect(scalarBitLength(encodeScalars([3n, two - 1n, 1n]))).toBe(Math.max(2, k));
      expect(scalarBitLength(encodeScalars([two, 0n]))).toBe(k + 1);
    }
  });
  it('random mixes, aligned and unaligned views, agree with BigInt', () => {
    const rng = rngFor('bitlength');
    for (let round = 0; round < 200; round++) {
      const top = 1 + (rng.nextU32() % 254);
      const scalars = Array.from({ length: 1 + (rng.nextU32() % 20) }, () => rng.nextBigInt(1n << BigInt(1 + (rng.nextU32() % top))));
      const want = Math.max(...scalars.map(bitLength));
      const bytes = encodeScalars(scalars);
      expect(scalarBitLength(bytes)).toBe(want);
      const shifted = new Uint8Array(bytes.length + 1);
      shifted.set(bytes, 1);
      expect(scalarBitLength(shifted.subarray(1))).toBe(want);
    }
  });
});

describe('splitOnes', () => {
  /** n fake points of `size` bytes: point i holds i in every byte pair (only identity matters here). */
  const fakePoints = (n: number, size: number) => {
    const out = new Uint8Array(n * size);
    for (let i = 0; i < n; i++) for (let b = 0; b < size; b += 2) (out[i * size + b] = i & 0xff), (out[i * size + b + 1] = i >> 8);
    return out;
  };
  const pointAt = (points: Uint8Array, i: number, size: number) => Array.from(points.subarray(i * size, (i + 1) * size));

  for (const size of [64, 96, 128, 192]) {
    it(`${size}-byte points: ones apart in order, zeros dropped, the rest kept in order with its scalars`, () => {
      const rng = rngFor(`split:${size}`);
      const r = CURVES.bn254.r;
      const n = 1500;
      // mostly 0/1, some dense, boundaries 2, 2^32 (low word 0, high words not), 2^32 + 1, r - 1
      const special = [2n, 1n << 32n, (1n << 32n) + 1n, 1n << 224n, r - 1n];
      const scalars = Array.from({ length: n }, (_, i) => (i < special.length ? special[i] : [0n, 1n, 1n, rng.nextBigInt(r)][rng.nextU32() % 4]));
      const points = fakePoints(n, size);
      for (const aligned of [true, false]) {
        const s = encodeScalars(scalars);
        // an odd byte offset takes the byte-loop path
        const shifted = new Uint8Array(s.length + 1);
        shifted.set(s, 1);
        const input = aligned ? s : shifted.subarray(1);
        const split = splitOnes(points, input, size);
        expect(split).not.toBeNull();
        const oneIdx = scalars.flatMap((v, i) => (v === 1n ? [i] : []));
        const restIdx = scalars.flatMap((v, i) => (v > 1n ? [i] : []));
        expect(split!.onesCount).toBe(oneIdx.length);
        expect(split!.rest.n).toBe(restIdx.length);
        expect(split!.rest.dropped).toBe(n - oneIdx.length - restIdx.length);
        oneIdx.forEach((i, j) => expect(pointAt(split!.ones, j, size)).toEqual(pointAt(points, i, size)));
        restIdx.forEach((i, j) => expect(pointAt(split!.rest.points, j, size)).toEqual(pointAt(points, i, size)));
        expect(split!.rest.scalars).toEqual(encodeScalars(restIdx.map((i) => scalars[i])));
      }
    });
  }
  it('leaves the terms alone when the ones are few: under MIN_ONES, or under 1/16 of the terms', () => {
    const few = Array.from({ length: 2000 }, (_, i) => (i < MIN_ONES - 1 ? 1n : 7n));
    expect(splitOnes(fakePoints(2000, 64), encodeScalars(few), 64)).toBeNull();
    const sparse = Array.from({ length: 20 * MIN_ONES }, (_, i) => (i < MIN_ONES ? 1n : 7n));
    expect(splitOnes(fakePoints(sparse.length, 64), encodeScalars(sparse), 64)).toBeNull();
    expect(splitOnes(fakePoints(sparse.length, 64), encodeScalars(sparse), 64, 0)).toBeNull();
    const enough = Array.from({ length: 16 * MIN_ONES }, (_, i) => (i < MIN_ONES ? 1n : 7n));
    expect(splitOnes(fakePoints(enough.length, 64), encodeScalars(enough), 64)?.onesCount).toBe(MIN_ONES);
  });
  it('all ones: everything in the ones, an empty rest', () => {
    const split = splitOnes(fakePoints(MIN_ONES, 64), encodeScalars(Array(MIN_ONES).fill(1n)), 64);
    expect(split?.onesCount).toBe(MIN_ONES);
    expect(split?.rest.n).toBe(0);
    expect(split?.rest.scalars.length).toBe(0);
  });
});

describe('planChunk on fewer scalar bits', () => {
  it('scalars below 2^8 run in one window (c = 9) at n = 1000 and 2^16; full width keeps ~20', () => {
    for (const n of [1000, 1 << 16]) {
      const small = planChunk('bn254', n, limits, undefined, 'g1', 8);
      expect(small).toMatchObject({ c: 9, windows: 1 });
      expect(planChunk('bn254', n, limits).windows).toBeGreaterThanOrEqual(19);
    }
    expect(planChunk('bn254', 1 << 16, limits, undefined, 'g1', 254)).toEqual(planChunk('bn254', 1 << 16, limits));
  });
  it('the window count covers every bit plus the carry: 2^b - 1 and 2^(b-1) digit-decompose in windowCount(b, c) windows', () => {
    for (let b = 0; b <= 255; b++) {
      for (let c = 1; c <= 16; c++) {
        const W = windowCount(b, c);
        for (const s of b === 0 ? [0n] : [(1n << BigInt(b)) - 1n, 1n << BigInt(b - 1), (1n << BigInt(b)) - (1n << BigInt(Math.max(0, b - c)))]) {
          const ds = signedDigits(s, c, W);
          expect(ds.reduce((acc, d, w) => acc + BigInt(d) * (1n << BigInt(c * w)), 0n)).toBe(s);
        }
      }
    }
  });
  it('never more windows than the full-width plan chunkPoints sized the digit arrays for', () => {
    for (const curve of curves) {
      for (const group of ['g1', 'g2'] as const) {
        for (let n = 1; n <= 1 << 22; n = Math.ceil(n * 1.3) + 1) {
          const full = planChunk(curve, n, limits, undefined, group);
          for (let b = 0; b <= CURVES[curve].frBits; b++) expect(planChunk(curve, n, limits, undefined, group, b).windows).toBeLessThanOrEqual(full.windows);
        }
      }
      // the case that tipped: BLS12-381, n = 2^18, 240 bits would pick c = 15 with 17 windows
      expect(planChunk(curve, 1 << 18, limits, undefined, 'g1', 240).windows).toBeLessThanOrEqual(planChunk(curve, 1 << 18, limits).windows);
    }
  });
  it('one-bit scalars: one window of c = 2, seg = sqrt(n) (at least MIN_SEGMENT), threads x seg covers n', () => {
    for (const n of [1, 100, 1000, 30_000, 1 << 20]) {
      const p = planChunk('bn254', n, limits, undefined, 'g1', 1);
      expect(p).toMatchObject({ c: 2, windows: 1, buckets: 2 });
      expect(p.seg).toBe(Math.max(MIN_SEGMENT, Math.ceil(Math.sqrt(n))));
      expect(p.threads * p.seg).toBeGreaterThanOrEqual(n);
    }
    expect(planChunk('bn254', 1 << 20, limits, undefined, 'g1', 1).seg).toBe(1024);
  });
  for (const curve of curves) {
    it(`${curve}: the mirrored MSM on the reduced plan equals msmNaive (small, boundary and one-bit scalars)`, () => {
      const rng = rngFor(`reduced:${curve}`);
      const G = g1(curve);
      const points: G1Point[] = Array.from({ length: 12 }, (_, i) => G.mul(G.generator, BigInt(i + 3)));
      for (const bits of [0, 1, 2, 7, 8, 9, 16, 17, 31, 32, 64]) {
        const edge = bits === 0 ? [0n] : [(1n << BigInt(bits)) - 1n, 1n << BigInt(bits - 1)];
        const scalars = points.map((_, i) => (i < edge.length ? edge[i] : bits === 0 ? 0n : rng.nextBigInt(1n << BigInt(bits))));
        const bytes = encodeScalars(scalars);
        expect(scalarBitLength(bytes)).toBe(bits);
        const plan = planChunk(curve, points.length, limits, undefined, 'g1', scalarBitLength(bytes));
        expect(mirrorMsm(curve, points, bytes, plan.c, plan.windows)).toEqual(msmNaive(curve, 'g1', points, scalars));
      }
    });
  }
});
