import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURVES, encodeScalars, g1, msmNaive, type CurveName } from '../../../src/math/index.js';
import { canonicalCsr, mirrorCsr, mirrorDigits, mirrorMsm, signedDigits, SIGN_BIT } from '../../../src/msm/mirror.js';
import { chooseWindowBits, chunkPoints, maxWindowBitsFor, planChunk, windowCount, MAX_WINDOW_BITS } from '../../../src/msm/plan.js';
import { boundaryValues, rngFor } from '../../support/seed.js';

const curves: CurveName[] = ['bn254', 'bls12-381'];

describe('signed window digits', () => {
  for (const curve of curves) {
    const { r, frBits } = CURVES[curve];
    it(`${curve}: Σ d_w 2^(c w) = s with |d_w| <= 2^(c-1), every c in 1..20, edges and random`, () => {
      const edges = [...boundaryValues(r, [16, 32]), r - 1n, r >> 1n, (1n << BigInt(frBits - 1)) - 1n];
      const check = (s: bigint, c: number) => {
        const W = windowCount(frBits, c);
        const ds = signedDigits(s, c, W);
        expect(ds).toHaveLength(W);
        let back = 0n;
        ds.forEach((d, w) => {
          expect(Math.abs(d)).toBeLessThanOrEqual(2 ** (c - 1));
          expect(d).toBeGreaterThan(-(2 ** (c - 1))); // -2^(c-1) never appears: only +2^(c-1)
          back += BigInt(d) << BigInt(c * w);
        });
        expect(back).toBe(s);
      };
      for (let c = 1; c <= 20; c++) for (const s of edges) check(s, c);
      fc.assert(fc.property(fc.bigInt({ min: 0n, max: r - 1n }), fc.integer({ min: 1, max: 20 }), (s, c) => check(s, c)));
    });
  }
  it('too few windows is an error, not a silent carry loss', () => {
    expect(() => signedDigits((1n << 16n) - 1n, 8, 2)).toThrow(RangeError);
  });
  it('the GPU encoding: magnitude | sign << 31, window-major', () => {
    const d = mirrorDigits(encodeScalars([0xffn, 1n]), 4, 3);
    // 0xff with c = 4: 15 -> -1 (carry), 15 + 1 = 16 -> 0 (carry), 0 + 1 -> 1: 255 = -1 + 0 * 16 + 1 * 256
    expect(signedDigits(0xffn, 4, 3)).toEqual([-1, 0, 1]);
    const want = [signedDigits(0xffn, 4, 3), signedDigits(1n, 4, 3)];
    for (let w = 0; w < 3; w++) {
      for (let i = 0; i < 2; i++) {
        const v = want[i][w];
        expect(d[w * 2 + i]).toBe(v < 0 ? (-v | SIGN_BIT) >>> 0 : v);
      }
    }
  });
});

describe('CSR mirror', () => {
  it('offsets are the exclusive scan of the histogram; every nonzero digit appears once in its bucket', () => {
    const rng = rngFor('csr');
    const n = 50;
    const c = 5;
    const W = windowCount(254, c);
    const scalars = Array.from({ length: n }, () => rng.nextBigInt(CURVES.bn254.r));
    const digits = mirrorDigits(encodeScalars(scalars), c, W);
    const { offsets, csr } = mirrorCsr(digits, n, c, W);
    const B = 2 ** (c - 1);
    expect(offsets).toHaveLength(W * B + 1);
    let nonzero = 0;
    for (let w = 0; w < W; w++) {
      for (let i = 0; i < n; i++) {
        const d = digits[w * n + i];
        const mag = d & ~SIGN_BIT;
        if (mag === 0) continue;
        nonzero++;
        const k = w * B + mag - 1;
        const entries = Array.from(csr.subarray(offsets[k], offsets[k + 1]));
        expect(entries).toContain((i | (d & SIGN_BIT)) >>> 0);
      }
    }
    expect(offsets[W * B]).toBe(nonzero);
    expect(csr).toHaveLength(nonzero);
    expect(canonicalCsr(offsets, csr)).toHaveLength(nonzero);
  });
});

describe('mirror pipeline vs msmNaive', () => {
  for (const curve of curves) {
    it(`${curve}: digits -> csr -> buckets -> windows -> Horner equals the naive MSM`, () => {
      const G = g1(curve);
      const rng = rngFor(`mirror:${curve}`);
      const points = Array.from({ length: 6 }, () => G.random(rng));
      points.push(G.infinity, points[0], G.neg(points[1]));
      const scalars = points.map(() => rng.nextBigInt(CURVES[curve].r));
      scalars[1] = CURVES[curve].r - 1n;
      scalars[2] = 0n;
      const want = msmNaive(curve, 'g1', points, scalars);
      for (const c of [3, 8]) {
        expect(mirrorMsm(curve, points, encodeScalars(scalars), c, windowCount(CURVES[curve].frBits, c))).toEqual(want);
      }
    });
  }
});

describe('plan', () => {
  it('window counts cover every bit of r plus the final carry', () => {
    for (const curve of curves) {
      const { frBits, r } = CURVES[curve];
      expect(r < 1n << BigInt(frBits)).toBe(true);
      for (let c = 1; c <= 20; c++) expect(windowCount(frBits, c) * c).toBeGreaterThan(frBits);
    }
  });
  it('window width grows with n and stays within the cap', () => {
    const cs = [1, 100, 4096, 1 << 16, 1 << 20, 1 << 26].map((n) => chooseWindowBits(n, 254));
    for (let i = 1; i < cs.length; i++) expect(cs[i]).toBeGreaterThanOrEqual(cs[i - 1]);
    expect(Math.max(...cs)).toBe(MAX_WINDOW_BITS);
    expect(chooseWindowBits(4096, 254)).toBeGreaterThanOrEqual(9);
  });
  it('every buffer of a chunk fits one binding', () => {
    for (const curve of curves) {
      for (const maxBinding of [1 << 20, 1 << 27, 2 ** 31]) {
        const limits = { maxBinding, maxChunkPoints: 1 << 24 };
        const n = chunkPoints(curve, 1 << 24, limits);
        const p = planChunk(curve, n, limits);
        const xyzz = 4 * CURVES[curve].fpBytes;
        expect(p.c).toBeLessThanOrEqual(maxWindowBitsFor(curve, maxBinding));
        for (const bytes of [n * 2 * CURVES[curve].fpBytes, 4 * p.windows * n, p.bucketCount * xyzz, 2 * p.threads * xyzz]) {
          expect(bytes).toBeLessThanOrEqual(maxBinding);
        }
        expect(p.groups * p.groupLen).toBe(p.buckets);
        expect(p.threads * p.seg).toBeGreaterThanOrEqual(p.windows * n);
      }
    }
  });
  it('windowBits is clamped to what fits', () => {
    expect(planChunk('bn254', 100, { maxBinding: 1 << 27, maxChunkPoints: 100 }, 24).c).toBe(MAX_WINDOW_BITS);
    expect(planChunk('bn254', 100, { maxBinding: 1 << 27, maxChunkPoints: 100 }, 1).c).toBe(1);
  });
});
