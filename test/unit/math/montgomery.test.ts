import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURVES, fromLimbs, fromMont, invMod, montMul, montMulLimbs, montgomeryParams, toLimbs, toMont } from '../../../src/math/index.js';
import { boundaryValues } from '../../support/seed.js';

const WIDTHS = [8, 13, 16, 26, 29, 32];
const MODULI = [
  { name: 'bn254 p', m: CURVES.bn254.p },
  { name: 'bn254 r', m: CURVES.bn254.r },
  { name: 'bls12-381 p', m: CURVES['bls12-381'].p },
  { name: 'bls12-381 r', m: CURVES['bls12-381'].r },
  // Mersenne primes: every limb of p - 1 is all ones at w = 32, the worst case for carries.
  { name: '2^61 - 1', m: (1n << 61n) - 1n },
  { name: '2^127 - 1', m: (1n << 127n) - 1n },
];

describe('toLimbs / fromLimbs', () => {
  it('round trip and layout (least significant limb first)', () => {
    expect(toLimbs(0x0102n, 8, 3)).toEqual([2, 1, 0]);
    expect(toLimbs((1n << 64n) - 1n, 32, 2)).toEqual([0xffffffff, 0xffffffff]);
    expect(fromLimbs([2, 1, 0], 8)).toBe(0x0102n);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 384n) - 1n }), fc.constantFrom(...WIDTHS), (x, w) => {
        const count = Math.ceil(384 / w);
        const limbs = toLimbs(x, w, count);
        for (const l of limbs) expect(l >= 0 && l < 2 ** w).toBe(true);
        expect(fromLimbs(limbs, w)).toBe(x);
      }),
    );
  });

  it('rejects values that do not fit and malformed limbs', () => {
    expect(() => toLimbs(256n, 8, 1)).toThrow(RangeError);
    expect(() => toLimbs(-1n, 8, 1)).toThrow(RangeError);
    expect(() => toLimbs(1n, 33, 1)).toThrow(RangeError);
    expect(() => fromLimbs([256], 8)).toThrow(RangeError);
    expect(() => fromLimbs([1.5], 8)).toThrow(RangeError);
  });
});

describe('montgomeryParams', () => {
  it.each(MODULI)('$name: constants satisfy their definitions at every width', ({ m }) => {
    for (const w of WIDTHS) {
      const P = montgomeryParams(m, w);
      expect(P.limbCount).toBe(Math.ceil(m.toString(2).length / w));
      expect(P.R).toBe(1n << BigInt(w * P.limbCount));
      expect(P.R > m).toBe(true);
      expect(P.R2).toBe((P.R * P.R) % m);
      expect(P.R3).toBe((P.R * P.R * P.R) % m);
      expect((P.rInv * P.R) % m).toBe(1n);
      // nPrime: p * nPrime = -1 mod 2^w
      const word = 1n << BigInt(w);
      expect((m * BigInt(P.nPrime) + 1n) % word).toBe(0n);
      expect(P.nPrime >= 0 && P.nPrime < 2 ** w).toBe(true);
      expect(fromLimbs(P.modulusLimbs, w)).toBe(m);
      expect(fromLimbs(P.r2Limbs, w)).toBe(P.R2);
      expect(fromLimbs(P.oneMontLimbs, w)).toBe(P.R % m);
      expect(P.modulusLimbs.length).toBe(P.limbCount);
    }
  });

  it('known values: the 2^256 and 2^384 radices snarkjs uses', () => {
    const bn = montgomeryParams(CURVES.bn254.p, 64 / 2, 8);
    expect(bn.R).toBe(1n << 256n);
    // -p^-1 mod 2^32 for BN254 p (the low word of ffjavascript/wasmcurves' 64-bit np).
    expect(BigInt(bn.nPrime)).toBe(-invMod(CURVES.bn254.p, 1n << 32n) & 0xffffffffn);
    expect(bn.nPrime).toBe(0xe4866389);
    const bls = montgomeryParams(CURVES['bls12-381'].p, 32, 12);
    expect(bls.R).toBe(1n << 384n);
    expect(bls.nPrime).toBe(0xfffcfffd);
    // The WGSL layout: 13-bit limbs, 20 of them for BN254 (R = 2^260), 30 for BLS12-381 (R = 2^390).
    expect(montgomeryParams(CURVES.bn254.p, 13).limbCount).toBe(20);
    expect(montgomeryParams(CURVES['bls12-381'].p, 13).limbCount).toBe(30);
  });

  it('extra limbs are allowed; too few, bad widths and even moduli are rejected', () => {
    const P = montgomeryParams(CURVES.bn254.p, 13, 21);
    expect(P.limbCount).toBe(21);
    expect(P.R).toBe(1n << 273n);
    expect(() => montgomeryParams(CURVES.bn254.p, 32, 7)).toThrow(RangeError);
    expect(() => montgomeryParams(CURVES.bn254.p, 0)).toThrow(RangeError);
    expect(() => montgomeryParams(CURVES.bn254.p, 33)).toThrow(RangeError);
    expect(() => montgomeryParams(100n, 8)).toThrow(RangeError);
  });
});

describe('toMont / fromMont', () => {
  it.each(MODULI)('$name: round trips, including limb boundaries', ({ m }) => {
    for (const w of [13, 32]) {
      const P = montgomeryParams(m, w);
      for (const x of boundaryValues(m)) {
        expect(fromMont(toMont(x, P), P)).toBe(x);
        expect(toMont(x, P)).toBe((x * P.R) % m);
        // toMont through the kernel path: montMul(x, R^2) = x R
        expect(fromLimbs(montMulLimbs(toLimbs(x, w, P.limbCount), P.r2Limbs, P), w)).toBe(toMont(x, P));
      }
    }
  });
});

describe('montMulLimbs (CIOS) against BigInt a b R^-1 mod p', () => {
  it('exhaustive on p = 97 at widths 1..8 (every pair of the 97^2)', () => {
    for (const w of [1, 2, 3, 4, 5, 7, 8]) {
      const P = montgomeryParams(97n, w);
      const limbs = Array.from({ length: 97 }, (_, i) => toLimbs(BigInt(i), w, P.limbCount));
      for (let a = 0; a < 97; a++) {
        for (let b = 0; b < 97; b++) {
          const got = fromLimbs(montMulLimbs(limbs[a], limbs[b], P), w);
          if (got !== montMul(BigInt(a), BigInt(b), P)) {
            throw new Error(`p=97 w=${w}: montMulLimbs(${a}, ${b}) = ${got}, expected ${montMul(BigInt(a), BigInt(b), P)}`);
          }
        }
      }
    }
  });

  it('65521 (largest 16-bit prime): exhaustive in a, sampled b, at widths 8, 13, 16, 26, 29, 32', () => {
    const m = 65521n;
    const bs = [0n, 1n, 2n, 255n, 256n, 257n, 8191n, 8192n, 32767n, 65519n, 65520n];
    for (const w of WIDTHS) {
      const P = montgomeryParams(m, w);
      const bl = bs.map((b) => toLimbs(b, w, P.limbCount));
      for (let a = 0n; a < m; a += w <= 16 ? 1n : 7n) {
        const al = toLimbs(a, w, P.limbCount);
        for (let i = 0; i < bs.length; i++) {
          const got = fromLimbs(montMulLimbs(al, bl[i], P), w);
          if (got !== montMul(a, bs[i], P)) throw new Error(`p=65521 w=${w}: a=${a} b=${bs[i]}`);
        }
      }
    }
  });

  it.each(MODULI)('$name: random and limb-boundary operands at every width', ({ m }) => {
    const bounds = boundaryValues(m, [8, 13, 16, 26, 29, 32]);
    for (const w of WIDTHS) {
      const P = montgomeryParams(m, w);
      const check = (a: bigint, b: bigint): void => {
        const got = fromLimbs(montMulLimbs(toLimbs(a, w, P.limbCount), toLimbs(b, w, P.limbCount), P), w);
        expect(got).toBe(montMul(a, b, P));
      };
      for (const a of bounds) for (const b of [0n, 1n, m - 1n, bounds[(bounds.length / 2) | 0]]) check(a, b);
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: m - 1n }), fc.bigInt({ min: 0n, max: m - 1n }), (a, b) => check(a, b)),
        { numRuns: 40 },
      );
    }
  });

  it('with a spare limb (kernels that size for lazy reduction)', () => {
    const P = montgomeryParams(CURVES.bn254.p, 13, 21);
    const a = CURVES.bn254.p - 1n;
    const b = 123456789n;
    expect(fromLimbs(montMulLimbs(toLimbs(a, 13, 21), toLimbs(b, 13, 21), P), 13)).toBe(montMul(a, b, P));
  });

  it('rejects operands of the wrong length', () => {
    const P = montgomeryParams(97n, 8);
    expect(() => montMulLimbs([1, 2], [1], P)).toThrow(RangeError);
  });
});
