import fc from 'fast-check';
import { bn254 } from '@noble/curves/bn254.js';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { describe, expect, it } from 'vitest';
import { CURVE_NAMES, PrimeField, bitLength, fp2Field, fpField, frField, invMod, mod, powMod, twoAdicity } from '../../../src/math/index.js';
import { boundaryValues, rngFor } from '../../support/seed.js';

const noble = { bn254, 'bls12-381': bls12_381 } as const;

const fields = CURVE_NAMES.flatMap((c) => [
  { name: `${c} Fp`, F: fpField(c), nobleF: noble[c].fields.Fp },
  { name: `${c} Fr`, F: frField(c), nobleF: noble[c].fields.Fr },
]);

/** Uniform elements mixed with limb-boundary values (w = 16, 32), 0, 1, p - 1. */
function element(F: PrimeField): fc.Arbitrary<bigint> {
  return fc.oneof(fc.bigInt({ min: 0n, max: F.p - 1n }), fc.constantFrom(...boundaryValues(F.p)));
}

describe('helpers', () => {
  it('mod, powMod, invMod, bitLength, twoAdicity', () => {
    expect(mod(-1n, 7n)).toBe(6n);
    expect(mod(14n, 7n)).toBe(0n);
    expect(powMod(3n, 0n, 7n)).toBe(1n);
    expect(powMod(3n, 6n, 7n)).toBe(1n);
    expect(powMod(5n, 3n, 1n)).toBe(0n);
    expect(invMod(3n, 7n)).toBe(5n);
    expect(() => invMod(0n, 7n)).toThrow(RangeError);
    expect(() => invMod(6n, 9n)).toThrow(RangeError);
    expect(bitLength(0n)).toBe(0);
    expect(bitLength(255n)).toBe(8);
    expect(bitLength(256n)).toBe(9);
    expect(twoAdicity(96n)).toBe(5);
    expect(() => new PrimeField(8n)).toThrow(RangeError);
  });

  it('sqrt is exhaustive on small primes with both branches (p = 3 mod 4 and Tonelli-Shanks)', () => {
    for (const p of [3n, 7n, 13n, 17n, 97n, 193n, 257n]) {
      const F = new PrimeField(p);
      const squares = new Set<bigint>();
      for (let x = 0n; x < p; x++) squares.add((x * x) % p);
      for (let a = 0n; a < p; a++) {
        const r = F.sqrt(a);
        if (squares.has(a)) {
          expect(r).toBeDefined();
          expect(F.sqr(r!)).toBe(a);
        } else {
          expect(r).toBeUndefined();
        }
      }
    }
  });
});

describe.each(fields)('$name', ({ F, nobleF }) => {
  const x = element(F);

  it('metadata: bits, bytes, twoAdicity', () => {
    expect(F.bits).toBe(F.p.toString(2).length);
    expect(F.bytes).toBe(Math.ceil(F.bits / 8));
    expect((F.p - 1n) % (1n << BigInt(F.twoAdicity))).toBe(0n);
    expect(((F.p - 1n) >> BigInt(F.twoAdicity)) & 1n).toBe(1n);
  });

  it('addition: associative, commutative, identity, inverse', () => {
    fc.assert(
      fc.property(x, x, x, (a, b, c) => {
        expect(F.add(F.add(a, b), c)).toBe(F.add(a, F.add(b, c)));
        expect(F.add(a, b)).toBe(F.add(b, a));
        expect(F.add(a, 0n)).toBe(a);
        expect(F.add(a, F.neg(a))).toBe(0n);
        expect(F.sub(a, b)).toBe(F.add(a, F.neg(b)));
        expect(F.isValid(F.add(a, b))).toBe(true);
      }),
    );
  });

  it('multiplication: associative, commutative, distributive, identity', () => {
    fc.assert(
      fc.property(x, x, x, (a, b, c) => {
        expect(F.mul(F.mul(a, b), c)).toBe(F.mul(a, F.mul(b, c)));
        expect(F.mul(a, b)).toBe(F.mul(b, a));
        expect(F.mul(a, F.add(b, c))).toBe(F.add(F.mul(a, b), F.mul(a, c)));
        expect(F.mul(a, 1n)).toBe(a);
        expect(F.sqr(a)).toBe(F.mul(a, a));
        expect(F.mul(a, b)).toBe((a * b) % F.p);
      }),
    );
  });

  it('inverse, division, pow (Fermat) and agreement with @noble/curves', () => {
    fc.assert(
      fc.property(x, x, (a, b) => {
        if (a !== 0n) {
          expect(F.mul(a, F.inv(a))).toBe(1n);
          expect(F.inv(a)).toBe(nobleF.inv(a));
          expect(F.div(b, a)).toBe(F.mul(b, F.inv(a)));
          expect(F.pow(a, F.p - 1n)).toBe(1n);
          expect(F.pow(a, -1n)).toBe(F.inv(a));
        }
        expect(F.mul(a, b)).toBe(nobleF.mul(a, b));
        expect(F.pow(a, 5n)).toBe(nobleF.pow(a, 5n));
      }),
    );
    expect(() => F.inv(0n)).toThrow(RangeError);
    expect(() => F.div(1n, F.p)).toThrow(RangeError);
  });

  it('sqrt(x^2) = +-x; non-squares have none; agrees with noble on squareness', () => {
    let qnr = 2n;
    while (F.isSquare(qnr)) qnr++;
    fc.assert(
      fc.property(x, (a) => {
        const r = F.sqrt(F.sqr(a));
        expect(r === a || r === F.neg(a)).toBe(true);
        if (a !== 0n) expect(F.sqrt(F.mul(F.sqr(a), qnr))).toBeUndefined();
        const hasRoot = F.sqrt(a) !== undefined;
        let nobleHasRoot = true;
        try {
          nobleF.sqrt(a);
        } catch {
          nobleHasRoot = false;
        }
        expect(hasRoot).toBe(nobleHasRoot);
      }),
      { numRuns: 40 },
    );
  });

  it('isValid is exactly 0 <= x < p for bigints', () => {
    expect(F.isValid(0n)).toBe(true);
    expect(F.isValid(F.p - 1n)).toBe(true);
    expect(F.isValid(F.p)).toBe(false);
    expect(F.isValid(-1n)).toBe(false);
    expect(F.isValid(1)).toBe(false);
    expect(F.mod(F.p + 5n)).toBe(5n);
    expect(F.mod(-1n)).toBe(F.p - 1n);
  });

  it('random(rng) is in range and reproducible', () => {
    const a = rngFor('field-random');
    const b = rngFor('field-random');
    for (let i = 0; i < 20; i++) {
      const v = F.random(a);
      expect(F.isValid(v)).toBe(true);
      expect(F.random(b)).toBe(v);
    }
  });
});

describe.each(CURVE_NAMES)('%s Fp2', (curve) => {
  const F2 = fp2Field(curve);
  const fp = fpField(curve);
  const nobleF2 = noble[curve].fields.Fp2;
  const coord = element(fp);
  const x = fc.record({ c0: coord, c1: coord });

  it('u^2 = -1', () => {
    const u = { c0: 0n, c1: 1n };
    expect(F2.sqr(u)).toEqual({ c0: fp.p - 1n, c1: 0n });
  });

  it('field axioms', () => {
    fc.assert(
      fc.property(x, x, x, (a, b, c) => {
        expect(F2.add(F2.add(a, b), c)).toEqual(F2.add(a, F2.add(b, c)));
        expect(F2.add(a, b)).toEqual(F2.add(b, a));
        expect(F2.mul(F2.mul(a, b), c)).toEqual(F2.mul(a, F2.mul(b, c)));
        expect(F2.mul(a, b)).toEqual(F2.mul(b, a));
        expect(F2.mul(a, F2.add(b, c))).toEqual(F2.add(F2.mul(a, b), F2.mul(a, c)));
        expect(F2.sub(F2.add(a, b), b)).toEqual(F2.create(a.c0, a.c1));
        expect(F2.isZero(F2.add(a, F2.neg(a)))).toBe(true);
        expect(F2.mul(a, F2.one)).toEqual(F2.create(a.c0, a.c1));
      }),
      { numRuns: 60 },
    );
  });

  it('inverse, pow and agreement with @noble/curves Fp2', () => {
    fc.assert(
      fc.property(x, x, (a, b) => {
        expect(F2.mul(a, b)).toEqual(nobleF2.mul(a, b));
        expect(F2.sqr(a)).toEqual(nobleF2.sqr(a));
        if (!F2.isZero(a)) {
          expect(F2.eq(F2.mul(a, F2.inv(a)), F2.one)).toBe(true);
          expect(F2.inv(a)).toEqual(nobleF2.inv(a));
          expect(F2.div(b, a)).toEqual(F2.mul(b, F2.inv(a)));
          expect(F2.pow(a, -3n)).toEqual(F2.inv(F2.pow(a, 3n)));
        }
      }),
      { numRuns: 60 },
    );
    expect(() => F2.inv(F2.zero)).toThrow(RangeError);
  });

  it('sqrt(x^2) = +-x and non-squares (norm a non-residue) have none', () => {
    const rng = rngFor(`fp2-sqrt-${curve}`);
    const samples = [
      F2.zero,
      F2.one,
      { c0: 0n, c1: 1n },
      { c0: fp.p - 1n, c1: 0n },
      { c0: 0n, c1: fp.p - 1n },
      { c0: 5n, c1: 0n },
      { c0: 0n, c1: 7n },
      ...Array.from({ length: 25 }, () => F2.random(rng)),
    ];
    for (const a of samples) {
      const r = F2.sqrt(F2.sqr(a));
      expect(r).toBeDefined();
      expect(F2.eq(r!, a) || F2.eq(r!, F2.neg(a))).toBe(true);
      const direct = F2.sqrt(a);
      expect(direct !== undefined).toBe(F2.isSquare(a));
      if (direct !== undefined) expect(F2.eq(F2.sqr(direct), a)).toBe(true);
    }
    // Every element of Fp is a square in Fp2: sqrt(-1) = u, sqrt(qnr) exists.
    expect(F2.sqrt({ c0: fp.p - 1n, c1: 0n })).toBeDefined();
  });

  it('isValid checks both coordinates', () => {
    expect(F2.isValid({ c0: 0n, c1: fp.p - 1n })).toBe(true);
    expect(F2.isValid({ c0: fp.p, c1: 0n })).toBe(false);
    expect(F2.isValid({ c0: 0n, c1: -1n })).toBe(false);
    expect(F2.isValid(null)).toBe(false);
    expect(F2.isValid(3n)).toBe(false);
  });
});
