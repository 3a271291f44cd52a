import { bn254 } from '@noble/curves/bn254.js';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { describe, expect, it } from 'vitest';
import { CURVES, CURVE_NAMES, type Group, fp2Field, fpField, frField, g1, g2, isCurveName, isGroupName, powMod, twoAdicity } from '../../../src/math/index.js';
import { isProbablePrime, rngFor } from '../../support/seed.js';

const noble = { bn254, 'bls12-381': bls12_381 } as const;

/** Prime factorisations of r - 1 (checked below: product and primality), to prove frGenerator generates Fr^*. */
const R_MINUS_1_FACTORS: Record<string, Array<[bigint, number]>> = {
  bn254: [
    [2n, 28],
    [3n, 2],
    [13n, 1],
    [29n, 1],
    [983n, 1],
    [11003n, 1],
    [237073n, 1],
    [405928799n, 1],
    [1670836401704629n, 1],
    [13818364434197438864469338081n, 1],
  ],
  'bls12-381': [
    [2n, 32],
    [3n, 1],
    [11n, 1],
    [19n, 1],
    [10177n, 1],
    [125527n, 1],
    [859267n, 1],
    [906349n, 2],
    [2508409n, 1],
    [2529403n, 1],
    [52437899n, 1],
    [254760293n, 2],
  ],
};

describe('name guards', () => {
  it('isCurveName / isGroupName', () => {
    expect(isCurveName('bn254')).toBe(true);
    expect(isCurveName('bls12-381')).toBe(true);
    expect(isCurveName('bn128')).toBe(false);
    expect(isCurveName(undefined)).toBe(false);
    expect(isGroupName('g1')).toBe(true);
    expect(isGroupName('g3')).toBe(false);
    expect(Object.keys(CURVES).sort()).toEqual([...CURVE_NAMES].sort());
    expect(Object.isFrozen(CURVES.bn254.g2.generator.x)).toBe(true);
  });
});

describe.each(CURVE_NAMES)('%s parameters', (curve) => {
  const c = CURVES[curve];
  const nobleCurve = noble[curve];

  it('p and r are prime; sizes and two-adicity are right', () => {
    expect(isProbablePrime(c.p)).toBe(true);
    expect(isProbablePrime(c.r)).toBe(true);
    expect(c.name).toBe(curve);
    expect(c.fpBits).toBe(c.p.toString(2).length);
    expect(c.frBits).toBe(c.r.toString(2).length);
    expect(c.fpBytes).toBe(8 * Math.ceil(c.fpBits / 64)); // ffjavascript's n8: whole 64-bit words
    expect(c.frBytes).toBe(32);
    expect(c.fpTwoAdicity).toBe(twoAdicity(c.p - 1n));
    expect(c.frTwoAdicity).toBe(twoAdicity(c.r - 1n));
    expect(c.frTwoAdicity).toBe(curve === 'bn254' ? 28 : 32);
    expect(fpField(curve).p).toBe(c.p);
    expect(frField(curve).p).toBe(c.r);
  });

  it('match @noble/curves (p, r, b, generators)', () => {
    const G1 = nobleCurve.G1.Point.CURVE();
    const G2 = nobleCurve.G2.Point.CURVE();
    expect(G1.p).toBe(c.p);
    expect(G1.n).toBe(c.r);
    expect(G2.n).toBe(c.r);
    expect(G1.a).toBe(c.g1.a);
    expect(G1.b).toBe(c.g1.b);
    expect({ x: G1.Gx, y: G1.Gy }).toEqual(c.g1.generator);
    expect(G2.a).toEqual(c.g2.a);
    expect(G2.b).toEqual(c.g2.b);
    expect({ x: G2.Gx, y: G2.Gy }).toEqual(c.g2.generator);
  });

  it('frGenerator generates Fr^* (so it is a non-residue) and is the smallest that does', () => {
    const factors = R_MINUS_1_FACTORS[curve];
    let product = 1n;
    for (const [q, e] of factors) {
      expect(isProbablePrime(q)).toBe(true);
      product *= q ** BigInt(e);
    }
    expect(product).toBe(c.r - 1n);
    const generates = (g: bigint): boolean => factors.every(([q]) => powMod(g, (c.r - 1n) / q, c.r) !== 1n);
    expect(generates(c.frGenerator)).toBe(true);
    for (let g = 2n; g < c.frGenerator; g++) expect(generates(g)).toBe(false);
    expect(frField(curve).legendre(c.frGenerator)).toBe(-1);
  });

  it('Fp2 non-residue: u^2 = -1, and -1 is a non-residue mod p (p = 3 mod 4)', () => {
    expect(c.fp2NonResidue).toBe(-1n);
    expect(c.p % 4n).toBe(3n);
    expect(fpField(curve).isSquare(c.p - 1n)).toBe(false);
    expect(fp2Field(curve).nonResidue).toBe(c.p - 1n);
  });

  it('G2 twist coefficient is derived from b as documented', () => {
    const F2 = fp2Field(curve);
    const expected =
      curve === 'bn254'
        ? F2.div({ c0: 3n, c1: 0n }, { c0: 9n, c1: 1n }) // D-type: 3 / (9 + u)
        : F2.mulSmall({ c0: 1n, c1: 1n }, 4n); // M-type: 4 (1 + u)
    expect(c.g2.b).toEqual(expected);
    expect(c.g1.b).toBe(curve === 'bn254' ? 3n : 4n);
    expect(c.g1.a).toBe(0n);
  });

  it('generators are on their curves and have order r', () => {
    const check = <T>(G: Group<T>): void => {
      expect(G.isOnCurve(G.generator)).toBe(true);
      expect(G.mul(G.generator, c.r).infinity).toBe(true);
      expect(G.mul(G.generator, 1n).infinity).toBe(false);
      // r is prime, so r G = 0 with G != 0 means order exactly r; (r - 1) G = -G double-checks the arithmetic.
      expect(G.eq(G.mul(G.generator, c.r - 1n), G.neg(G.generator))).toBe(true);
    };
    check(g1(curve));
    check(g2(curve));
  });

  it('group objects are cached, bundled, and random points lie in the subgroup', () => {
    expect(g1(curve)).toBe(g1(curve));
    expect(g2(curve)).toBe(g2(curve));
    expect(g1(curve).curve).toBe(curve);
    expect(g2(curve).group).toBe('g2');
    expect(g1(curve).order).toBe(c.r);
    const rng = rngFor(`group-random-${curve}`);
    const P = g1(curve).random(rng);
    const Q = g2(curve).random(rng);
    expect(g1(curve).isOnCurve(P)).toBe(true);
    expect(g2(curve).isOnCurve(Q)).toBe(true);
    expect(g1(curve).mul(P, c.r).infinity).toBe(true);
    expect(g2(curve).mul(Q, c.r).infinity).toBe(true);
  });
});
