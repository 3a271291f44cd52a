/**
 * The BabyBear oracle (src/math/babybear.ts) against itself and against plain BigInt arithmetic:
 * constants, field operations on edge values and random pairs, roots of exact order, the naive
 * DFT vs the O(n log n) reference in every order/coset/direction combination, and round trips.
 */
import { describe, expect, it } from 'vitest';
import {
  BABYBEAR_GENERATOR,
  BABYBEAR_P,
  BABYBEAR_ROOT_BASE,
  BABYBEAR_TWO_ADICITY,
  babybearAdd,
  babybearInv,
  babybearMul,
  babybearNttNaive,
  babybearNttReference,
  babybearPow,
  babybearRootOfUnity,
  babybearSub,
  babybearToMont,
  bitReverse,
  mont32Params,
  mulMod31,
  type BabyBearOrder,
} from '../../../src/math/index.js';
import { boundaryValues, isProbablePrime, rngFor } from '../../support/seed.js';

const P = BigInt(BABYBEAR_P);
const big = (x: number) => BigInt(x);
const randomValues = (n: number, tag: string): number[] => {
  const rng = rngFor(`babybear-${tag}`);
  return Array.from({ length: n }, () => Number(rng.nextBigInt(P)));
};

describe('BabyBear constants', () => {
  it('p = 2^31 - 2^27 + 1 is prime, p - 1 = 2^27 * 3 * 5', () => {
    expect(BABYBEAR_P).toBe(2 ** 31 - 2 ** 27 + 1);
    expect(isProbablePrime(P)).toBe(true);
    expect(P - 1n).toBe((1n << 27n) * 15n);
    expect(BABYBEAR_TWO_ADICITY).toBe(27);
  });

  it('31 is the smallest generator of F_p^*, and the root base', () => {
    const generates = (g: number) => [2, 3, 5].every((q) => babybearPow(g, (BABYBEAR_P - 1) / q) !== 1);
    expect(generates(BABYBEAR_GENERATOR)).toBe(true);
    for (let g = 2; g < BABYBEAR_GENERATOR; g++) expect(generates(g), `g = ${g}`).toBe(false);
    expect(BABYBEAR_ROOT_BASE).toBe(BABYBEAR_GENERATOR);
    // the 2^27-th root Plonky3 uses for BabyBear
    expect(babybearRootOfUnity(27)).toBe(0x1a427a41);
  });

  it('mont32Params derives -p^-1, 2^32 mod p and 2^64 mod p, on BabyBear and small primes', () => {
    for (const p of [3, 17, 257, 769, 7681, 65537, 12289, BABYBEAR_P, 2 ** 31 - 1]) {
      const m = mont32Params(p);
      expect((big(p) * big(m.pInvNeg) + 1n) % (1n << 32n), `p = ${p}`).toBe(0n);
      expect(m.rModP).toBe(Number((1n << 32n) % big(p)));
      expect(m.r2ModP).toBe(Number((1n << 64n) % big(p)));
    }
    expect(mont32Params(BABYBEAR_P).pInvNeg).toBe(0x77ffffff);
    expect(() => mont32Params(2 ** 31 + 11)).toThrow(RangeError);
    expect(() => mont32Params(10)).toThrow(RangeError);
  });
});

describe('BabyBear field operations vs BigInt', () => {
  it('add, sub, mul, toMont on every pair of edge values (0, 1, p-1, 2^16 and 2^27 boundaries) and random ones', () => {
    const xs = [...boundaryValues(P, [16, 27, 30]).map(Number), ...randomValues(64, 'ops')];
    for (const a of xs) {
      for (const b of xs) {
        expect(babybearAdd(a, b)).toBe(Number((big(a) + big(b)) % P));
        expect(babybearSub(a, b)).toBe(Number((big(a) - big(b) + P) % P));
        expect(babybearMul(a, b)).toBe(Number((big(a) * big(b)) % P));
      }
      expect(babybearToMont(a)).toBe(Number((big(a) << 32n) % P));
    }
  });

  it('mulMod31 is exact for random moduli below 2^31 and operands at their edges', () => {
    const rng = rngFor('babybear-mulmod');
    for (let t = 0; t < 2000; t++) {
      const m = 2 * Number(rng.nextBigInt(1n << 30n)) + 1;
      const pick = () => (t % 3 === 0 ? m - 1 - (Number(rng.nextBigInt(3n)) % m) : Number(rng.nextBigInt(big(m))));
      const [a, b] = [pick(), pick()].map((x) => Math.max(0, x));
      expect(mulMod31(a, b, m)).toBe(Number((big(a) * big(b)) % big(m)));
    }
  });

  it('pow and inverse', () => {
    for (const a of [1, 2, 31, BABYBEAR_P - 1, 65535, 65536, ...randomValues(20, 'inv')]) {
      if (a === 0) continue;
      expect(babybearMul(a, babybearInv(a))).toBe(1);
      expect(babybearPow(a, BABYBEAR_P - 1)).toBe(1);
    }
    expect(() => babybearInv(0)).toThrow(RangeError);
  });
});

describe('BabyBear roots of unity', () => {
  it('rootOfUnity(k) has order exactly 2^k for every k in 0..27 and squares down', () => {
    for (let k = 0; k <= BABYBEAR_TWO_ADICITY; k++) {
      const w = babybearRootOfUnity(k);
      expect(babybearPow(w, 2 ** k)).toBe(1);
      if (k > 0) expect(babybearPow(w, 2 ** (k - 1))).toBe(BABYBEAR_P - 1);
      if (k > 0) expect(babybearMul(w, w)).toBe(babybearRootOfUnity(k - 1));
    }
    expect(() => babybearRootOfUnity(28)).toThrow(RangeError);
    expect(() => babybearRootOfUnity(-1)).toThrow(RangeError);
  });
});

describe('BabyBear NTT oracles', () => {
  const orders: BabyBearOrder[] = ['natural', 'bit-reversed'];

  it('naive follows the definition on n = 4 (hand-expanded, coset)', () => {
    const w = babybearRootOfUnity(2);
    const g = 3;
    const x = [5, 7, BABYBEAR_P - 1, 65536];
    const got = babybearNttNaive(x, { shift: g });
    for (let k = 0; k < 4; k++) {
      let acc = 0n;
      for (let j = 0; j < 4; j++) acc += big(x[j]) * big(babybearPow(g, j)) * big(babybearPow(w, j * k));
      expect(got[k]).toBe(Number(acc % P));
    }
  });

  it('naive == reference for every direction, coset and order combination (n = 2^0..2^7)', () => {
    for (let logN = 0; logN <= 7; logN++) {
      const x = randomValues(1 << logN, `combo-${logN}`);
      if (logN >= 2) [x[0], x[1], x[2]] = [0, BABYBEAR_P - 1, 1];
      for (const inverse of [false, true]) {
        for (const shift of [null, BABYBEAR_GENERATOR, BABYBEAR_P - 1]) {
          for (const inputOrder of orders) {
            for (const outputOrder of orders) {
              const opts = { inverse, shift, inputOrder, outputOrder };
              const want = babybearNttNaive(x, opts);
              expect(babybearNttReference(x, opts), JSON.stringify({ logN, ...opts })).toEqual(want);
            }
          }
        }
      }
    }
  });

  it('orders only permute: bit-reversed storage in and out matches natural through bitReverse', () => {
    const logN = 5;
    const x = randomValues(1 << logN, 'orders');
    const natural = babybearNttNaive(x);
    const stored = x.map((_, i) => x[bitReverse(i, logN)]);
    const out = babybearNttNaive(stored, { inputOrder: 'bit-reversed', outputOrder: 'bit-reversed' });
    for (let k = 0; k < x.length; k++) expect(out[bitReverse(k, logN)]).toBe(natural[k]);
  });

  it('inverse(forward(x)) = x (2^12 reference, coset, mixed orders)', () => {
    const x = randomValues(1 << 12, 'roundtrip');
    x[0] = BABYBEAR_P - 1;
    for (const shift of [null, 7]) {
      const y = babybearNttReference(x, { shift, outputOrder: 'bit-reversed' });
      expect(Array.from(babybearNttReference(y, { shift, inverse: true, inputOrder: 'bit-reversed' }))).toEqual(x);
    }
  });

  it('rejects bad input with the index', () => {
    expect(() => babybearNttReference([1, 2, 3])).toThrow(/power of two/);
    expect(() => babybearNttReference([1, BABYBEAR_P])).toThrow(/index 1/);
    expect(() => babybearNttNaive([0.5, 1])).toThrow(/index 0/);
    expect(() => babybearNttReference([1, 2], { shift: 0 })).toThrow(/shift/);
    expect(() => babybearNttReference([1, 2], { shift: BABYBEAR_P })).toThrow(/shift/);
  });
});
