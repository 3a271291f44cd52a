import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURVES, CURVE_NAMES, FR_ROOT_BASE, bitReverse, bitReversePermute, frField, nttNaive, nttReference, rootOfUnity } from '../../../src/math/index.js';
import { rngFor } from '../../support/seed.js';

describe('bitReverse / bitReversePermute', () => {
  it('small cases and involution', () => {
    expect(bitReverse(0b001, 3)).toBe(0b100);
    expect(bitReverse(0b110, 3)).toBe(0b011);
    expect(bitReverse(0, 0)).toBe(0);
    expect(bitReversePermute([0, 1, 2, 3, 4, 5, 6, 7])).toEqual([0, 4, 2, 6, 1, 5, 3, 7]);
    for (let logN = 0; logN <= 12; logN++) {
      for (let i = 0; i < 1 << logN; i += 1 + (i >> 3)) expect(bitReverse(bitReverse(i, logN), logN)).toBe(i);
    }
    const a = Array.from({ length: 64 }, (_, i) => i * 3);
    expect(bitReversePermute(bitReversePermute(a))).toEqual(a);
    expect(() => bitReversePermute([1, 2, 3])).toThrow(RangeError);
  });

  it('bitReverse handles 31 bits without sign trouble', () => {
    expect(bitReverse(1, 31)).toBe(2 ** 30);
    expect(bitReverse(2 ** 30, 31)).toBe(1);
  });
});

describe.each(CURVE_NAMES)('%s NTT', (curve) => {
  const F = frField(curve);
  const { r, frTwoAdicity, frGenerator } = CURVES[curve];
  const randomValues = (n: number, tag: string): bigint[] => {
    const rng = rngFor(`ntt-${curve}-${tag}`);
    return Array.from({ length: n }, () => rng.nextBigInt(r));
  };

  it('rootOfUnity(logN) has order exactly 2^logN, squares down, and is FR_ROOT_BASE^((r - 1) / 2^logN)', () => {
    for (const logN of [0, 1, 2, 5, 12, frTwoAdicity]) {
      const w = rootOfUnity(curve, logN);
      expect(F.pow(w, 1n << BigInt(logN))).toBe(1n);
      if (logN > 0) expect(F.pow(w, 1n << BigInt(logN - 1))).toBe(r - 1n);
      expect(w).toBe(F.pow(FR_ROOT_BASE[curve], (r - 1n) >> BigInt(logN)));
    }
    for (let logN = 1; logN <= frTwoAdicity; logN++) {
      expect(F.sqr(rootOfUnity(curve, logN))).toBe(rootOfUnity(curve, logN - 1));
    }
    expect(() => rootOfUnity(curve, frTwoAdicity + 1)).toThrow(RangeError);
    expect(() => rootOfUnity(curve, -1)).toThrow(RangeError);
  });

  it('nttNaive follows the definition on n = 4 (hand-expanded)', () => {
    const w = rootOfUnity(curve, 2);
    const s = 3n;
    const x = [5n, 7n, 11n, 13n];
    const out = nttNaive(curve, x, { shift: s });
    for (let k = 0; k < 4; k++) {
      let acc = 0n;
      for (let j = 0; j < 4; j++) acc += x[j] * F.pow(s, BigInt(j)) * F.pow(w, BigInt(j * k));
      expect(out[k]).toBe(F.mod(acc));
    }
    // n = 1 is the identity; out[0] of any forward NTT is the sum.
    expect(nttNaive(curve, [42n])).toEqual([42n]);
    expect(nttNaive(curve, x)[0]).toBe(36n);
  });

  it('forward evaluates the polynomial on shift * omega^k', () => {
    const coeffs = randomValues(16, 'eval');
    const w = rootOfUnity(curve, 4);
    const out = nttReference(curve, coeffs, { shift: frGenerator });
    for (let k = 0; k < 16; k++) {
      const point = F.mul(frGenerator, F.pow(w, BigInt(k)));
      let acc = 0n;
      for (let j = 15; j >= 0; j--) acc = F.add(F.mul(acc, point), coeffs[j]);
      expect(out[k]).toBe(acc);
    }
  });

  it('reference = naive, forward and inverse, plain and coset, n = 1..256', () => {
    for (let logN = 0; logN <= 8; logN++) {
      const x = randomValues(1 << logN, `agree-${logN}`);
      for (const shift of [undefined, frGenerator, 123456789n]) {
        for (const inverse of [false, true]) {
          expect(nttReference(curve, x, { shift, inverse })).toEqual(nttNaive(curve, x, { shift, inverse }));
        }
      }
    }
  });

  it('inverse undoes forward (property, coset shifts included)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.bigInt({ min: 1n, max: r - 1n }), fc.boolean(), fc.integer({ min: 0, max: 1 << 30 }), (logN, shift, useShift, tag) => {
        const x = randomValues(1 << logN, `rt-${tag}`);
        const opts = useShift ? { shift } : {};
        expect(nttNaive(curve, nttNaive(curve, x, opts), { ...opts, inverse: true })).toEqual(x);
        expect(nttReference(curve, nttReference(curve, x, { ...opts, inverse: true }), opts)).toEqual(x);
      }),
      { numRuns: 30 },
    );
  });

  it('nttReference round trip at n = 2^12, coset', () => {
    const x = randomValues(1 << 12, 'big');
    const y = nttReference(curve, x, { shift: frGenerator });
    expect(nttReference(curve, y, { shift: frGenerator, inverse: true })).toEqual(x);
    expect(y[0]).not.toBe(x[0]);
  });

  it('rejects bad sizes, values and shifts, naming the index', () => {
    expect(() => nttNaive(curve, [1n, 2n, 3n])).toThrow(RangeError);
    expect(() => nttReference(curve, [])).toThrow(RangeError);
    expect(() => nttNaive(curve, [1n, r])).toThrow(/index 1/);
    expect(() => nttReference(curve, [-1n, 0n])).toThrow(/index 0/);
    expect(() => nttNaive(curve, [1n, 2n], { shift: 0n })).toThrow(RangeError);
    expect(() => nttNaive(curve, [1n, 2n], { shift: r })).toThrow(RangeError);
    expect(nttNaive(curve, [1n, 2n], { shift: null })).toEqual(nttNaive(curve, [1n, 2n]));
  });
});
