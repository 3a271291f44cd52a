import { bn254 } from '@noble/curves/bn254.js';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { describe, expect, it } from 'vitest';
import {
  type AffinePoint,
  CURVES,
  CURVE_NAMES,
  type Fp2,
  type Group,
  PrimeField,
  type WeierstrassCurve,
  fromJacobian,
  g1,
  g2,
  isOnCurve,
  liftX,
  jacobianAdd,
  jacobianDouble,
  pointAdd,
  pointDouble,
  pointEq,
  pointInfinity,
  pointMul,
  pointNeg,
  toJacobian,
} from '../../../src/math/index.js';
import { rngFor } from '../../support/seed.js';

const noble = { bn254, 'bls12-381': bls12_381 } as const;

/** The few members of a noble 2.x Point class the cross-check uses. */
interface NoblePoint<T> {
  add(o: NoblePoint<T>): NoblePoint<T>;
  double(): NoblePoint<T>;
  negate(): NoblePoint<T>;
  multiplyUnsafe(k: bigint): NoblePoint<T>;
  is0(): boolean;
  toAffine(): { x: T; y: T };
}
interface NoblePointClass<T> {
  BASE: NoblePoint<T>;
  ZERO: NoblePoint<T>;
  fromAffine(p: { x: T; y: T }): NoblePoint<T>;
}

function toNoble<T>(N: NoblePointClass<T>, p: AffinePoint<T>): NoblePoint<T> {
  return p.infinity ? N.ZERO : N.fromAffine({ x: p.x, y: p.y });
}
function fromNoble<T>(G: Group<T>, p: NoblePoint<T>): AffinePoint<T> {
  if (p.is0()) return G.infinity;
  const { x, y } = p.toAffine();
  return { x, y, infinity: false };
}

function crossCheck<T>(label: string, G: Group<T>, N: NoblePointClass<T>): void {
  const r = G.order;
  it(`${label}: k G, P + Q, 2P, -P, P - Q agree with @noble/curves on random inputs`, () => {
    const rng = rngFor(`point-${label}`);
    for (let i = 0; i < 6; i++) {
      const k1 = 1n + rng.nextBigInt(r - 1n);
      const k2 = 1n + rng.nextBigInt(r - 1n);
      const P = G.mul(G.generator, k1);
      const Q = G.mul(G.generator, k2);
      const nP = N.BASE.multiplyUnsafe(k1);
      const nQ = N.BASE.multiplyUnsafe(k2);
      expect(P).toEqual(fromNoble(G, nP));
      expect(Q).toEqual(fromNoble(G, nQ));
      expect(G.add(P, Q)).toEqual(fromNoble(G, nP.add(nQ)));
      expect(G.double(P)).toEqual(fromNoble(G, nP.double()));
      expect(G.add(P, P)).toEqual(G.double(P));
      expect(G.neg(P)).toEqual(fromNoble(G, nP.negate()));
      expect(G.sub(P, Q)).toEqual(fromNoble(G, nP.add(nQ.negate())));
      // Scalars are not reduced: a 256-bit k on a random point equals (k mod r) there.
      const big = rng.nextBigInt(1n << 256n);
      expect(G.mul(P, big)).toEqual(fromNoble(G, toNoble(N, P).multiplyUnsafe(big % r)));
      expect(G.isOnCurve(G.add(P, Q))).toBe(true);
    }
  });

  it(`${label}: special cases`, () => {
    const rng = rngFor(`point-special-${label}`);
    const P = G.random(rng);
    const O = G.infinity;
    expect(G.add(P, G.neg(P)).infinity).toBe(true);
    expect(G.add(P, O)).toEqual(P);
    expect(G.add(O, P)).toEqual(P);
    expect(G.add(O, O).infinity).toBe(true);
    expect(G.double(O).infinity).toBe(true);
    expect(G.neg(O).infinity).toBe(true);
    expect(G.mul(P, 0n).infinity).toBe(true);
    expect(G.mul(O, 12345n).infinity).toBe(true);
    expect(G.mul(P, 1n)).toEqual(P);
    expect(G.mul(P, -3n)).toEqual(G.neg(G.mul(P, 3n)));
    expect(G.mul(P, r + 5n)).toEqual(G.mul(P, 5n));
    expect(G.mul(P, 2n)).toEqual(G.double(P));
    expect(G.eq(O, O)).toBe(true);
    expect(G.eq(P, O)).toBe(false);
    expect(G.eq(O, P)).toBe(false);
    expect(G.isOnCurve(O)).toBe(true);
    // Off the curve: perturb y.
    expect(G.isOnCurve({ x: P.x, y: G.field.add(P.y, G.field.one), infinity: false })).toBe(false);
  });

  it(`${label}: liftX gives curve points; isInSubgroup agrees with noble's isTorsionFree`, () => {
    const F = G.field;
    let lifted = 0;
    for (let i = 1n; lifted < 3; i++) {
      const x = F.mulSmall(F.one, i);
      const P = liftX(G, x);
      if (P === undefined) continue;
      lifted++;
      expect(G.isOnCurve(P)).toBe(true);
      expect(G.isOnCurve(G.neg(P))).toBe(true);
      const nobleTorsionFree = (toNoble(N, P) as unknown as { isTorsionFree(): boolean }).isTorsionFree();
      expect(G.isInSubgroup(P)).toBe(nobleTorsionFree);
      // BN254 G1 has cofactor 1; every other group here has a large cofactor.
      expect(G.isInSubgroup(P)).toBe(label === 'bn254 G1');
    }
    expect(G.isInSubgroup(G.generator)).toBe(true);
    expect(G.isInSubgroup(G.infinity)).toBe(true);
  });

  it(`${label}: Jacobian formulas agree with the affine ones`, () => {
    const rng = rngFor(`jac-${label}`);
    const P = G.random(rng);
    const Q = G.random(rng);
    const jP = toJacobian(G, P);
    // A non-trivial Z: scale (X, Y, Z) -> (l^2 X, l^3 Y, l Z).
    const l = G.field.random(rng);
    const jQ = { X: G.field.mul(G.field.sqr(l), Q.x), Y: G.field.mul(G.field.pow(l, 3n), Q.y), Z: l };
    expect(fromJacobian(G, jacobianAdd(G, jP, jQ))).toEqual(G.add(P, Q));
    expect(fromJacobian(G, jacobianDouble(G, jQ))).toEqual(G.double(Q));
    expect(fromJacobian(G, jacobianAdd(G, jQ, toJacobian(G, Q)))).toEqual(G.double(Q));
    expect(fromJacobian(G, jacobianAdd(G, jQ, toJacobian(G, G.neg(Q)))).infinity).toBe(true);
    expect(fromJacobian(G, jacobianAdd(G, toJacobian(G, G.infinity), jQ))).toEqual(Q);
  });
}

describe.each(CURVE_NAMES)('%s', (curve) => {
  crossCheck(`${curve} G1`, g1(curve), noble[curve].G1.Point as unknown as NoblePointClass<bigint>);
  crossCheck(`${curve} G2`, g2(curve), noble[curve].G2.Point as unknown as NoblePointClass<Fp2>);

  it('isOnCurve rejects coordinates >= p even when congruent to a point on the curve', () => {
    const p = CURVES[curve].p;
    const G = g1(curve);
    expect(G.isOnCurve({ x: G.generator.x + p, y: G.generator.y, infinity: false })).toBe(false);
    const H = g2(curve);
    const { x, y } = H.generator;
    expect(H.isOnCurve({ x: { c0: x.c0, c1: x.c1 + p }, y, infinity: false })).toBe(false);
  });
});

describe('generic code on a toy curve y^2 = x^3 + 2x + 3 over F_97 (a != 0, every point enumerated)', () => {
  const F = new PrimeField(97n);
  const c: WeierstrassCurve<bigint> = { field: F, a: 2n, b: 3n };
  const points: AffinePoint<bigint>[] = [pointInfinity(c)];
  for (let x = 0n; x < 97n; x++) {
    for (let y = 0n; y < 97n; y++) {
      if ((y * y - (x * x * x + 2n * x + 3n)) % 97n === 0n) points.push({ x, y, infinity: false });
    }
  }
  const N = BigInt(points.length);
  const key = (p: AffinePoint<bigint>): string => (p.infinity ? 'O' : `${p.x},${p.y}`);
  const all = new Set(points.map(key));

  it('closure, commutativity, identity, inverses and Jacobian agreement over all pairs', () => {
    for (const P of points) {
      expect(isOnCurve(c, P)).toBe(true);
      expect(pointAdd(c, P, pointNeg(c, P)).infinity).toBe(true);
      expect(pointEq(c, pointAdd(c, P, pointInfinity(c)), P)).toBe(true);
      expect(pointEq(c, pointDouble(c, P), pointAdd(c, P, P))).toBe(true);
      for (const Q of points) {
        const S = pointAdd(c, P, Q);
        expect(all.has(key(S))).toBe(true);
        expect(pointEq(c, S, pointAdd(c, Q, P))).toBe(true);
        expect(pointEq(c, fromJacobian(c, jacobianAdd(c, toJacobian(c, P), toJacobian(c, Q))), S)).toBe(true);
      }
    }
  });

  it('associativity on sampled triples and N P = O for every P (Lagrange)', () => {
    const rng = rngFor('toy-assoc');
    for (let i = 0; i < 3000; i++) {
      const [P, Q, R] = [0, 1, 2].map(() => points[rng.nextU32() % points.length]);
      expect(pointEq(c, pointAdd(c, pointAdd(c, P, Q), R), pointAdd(c, P, pointAdd(c, Q, R)))).toBe(true);
    }
    for (const P of points) {
      expect(pointMul(c, P, N).infinity).toBe(true);
      let acc = pointInfinity(c);
      for (let k = 0n; k < 12n; k++) {
        expect(pointEq(c, pointMul(c, P, k), acc)).toBe(true);
        acc = pointAdd(c, acc, P);
      }
    }
  });
});
