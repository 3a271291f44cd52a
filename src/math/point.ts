/**
 * Short Weierstrass points y^2 = x^3 + a x + b, generic over the coordinate field so G1 (over Fp)
 * and G2 (over Fp2) share one implementation.
 *
 * Representation: affine `{ x, y, infinity }`. The point at infinity is `infinity: true` with
 * x = y = zero (the canonical form every function here returns); when `infinity` is true the
 * coordinates are ignored. A plain object (not null, not a class) so points survive structured
 * clone into workers and JSON-like logging. Jacobian coordinates are used inside pointMul and
 * the MSM oracle to avoid one inversion per step; they are exported for mirrors of GPU stages.
 */

import type { Field } from './field.js';

export interface AffinePoint<T> {
  x: T;
  y: T;
  infinity: boolean;
}

/** Jacobian (X, Y, Z): x = X / Z^2, y = Y / Z^3; Z = 0 is infinity. */
export interface JacobianPoint<T> {
  X: T;
  Y: T;
  Z: T;
}

/** The curve equation's data: the coordinate field and the coefficients a, b. */
export interface WeierstrassCurve<T> {
  readonly field: Field<T>;
  readonly a: T;
  readonly b: T;
}

export function pointInfinity<T>(c: WeierstrassCurve<T>): AffinePoint<T> {
  return { x: c.field.zero, y: c.field.zero, infinity: true };
}

/** An affine point from coordinates (no curve check; see isOnCurve). */
export function affine<T>(x: T, y: T): AffinePoint<T> {
  return { x, y, infinity: false };
}

/**
 * A point with the given x (y = sqrt(x^3 + a x + b), whichever root the field's sqrt returns), or
 * undefined when x^3 + a x + b is not a square. Such a point is on the curve but, where the
 * cofactor is not 1 (BLS12-381 G1, both G2s), almost never in the prime-order subgroup: that is
 * what tests of subgroup checks need.
 */
export function liftX<T>(c: WeierstrassCurve<T>, x: T): AffinePoint<T> | undefined {
  const F = c.field;
  const y = F.sqrt(F.add(F.mul(F.add(F.sqr(x), c.a), x), c.b));
  return y === undefined ? undefined : { x, y, infinity: false };
}

/** True for infinity, or for canonical coordinates satisfying the curve equation. */
export function isOnCurve<T>(c: WeierstrassCurve<T>, p: AffinePoint<T>): boolean {
  if (p.infinity) return true;
  const F = c.field;
  if (!F.isValid(p.x) || !F.isValid(p.y)) return false;
  const rhs = F.add(F.mul(F.add(F.sqr(p.x), c.a), p.x), c.b); // x^3 + a x + b
  return F.eq(F.sqr(p.y), rhs);
}

export function pointEq<T>(c: WeierstrassCurve<T>, p: AffinePoint<T>, q: AffinePoint<T>): boolean {
  if (p.infinity || q.infinity) return p.infinity === q.infinity;
  return c.field.eq(p.x, q.x) && c.field.eq(p.y, q.y);
}

export function pointNeg<T>(c: WeierstrassCurve<T>, p: AffinePoint<T>): AffinePoint<T> {
  if (p.infinity) return pointInfinity(c);
  return { x: p.x, y: c.field.neg(p.y), infinity: false };
}

/** 2P with the affine tangent rule (one inversion). */
export function pointDouble<T>(c: WeierstrassCurve<T>, p: AffinePoint<T>): AffinePoint<T> {
  const F = c.field;
  if (p.infinity || F.isZero(p.y)) return pointInfinity(c);
  // lambda = (3 x^2 + a) / (2 y)
  const lambda = F.div(F.add(F.mulSmall(F.sqr(p.x), 3n), c.a), F.mulSmall(p.y, 2n));
  const x3 = F.sub(F.sqr(lambda), F.mulSmall(p.x, 2n));
  const y3 = F.sub(F.mul(lambda, F.sub(p.x, x3)), p.y);
  return { x: x3, y: y3, infinity: false };
}

/** P + Q with the affine chord rule, handling P = Q, P = -Q and infinity. */
export function pointAdd<T>(c: WeierstrassCurve<T>, p: AffinePoint<T>, q: AffinePoint<T>): AffinePoint<T> {
  const F = c.field;
  if (p.infinity) return q.infinity ? pointInfinity(c) : { x: q.x, y: q.y, infinity: false };
  if (q.infinity) return { x: p.x, y: p.y, infinity: false };
  if (F.eq(p.x, q.x)) {
    return F.eq(p.y, q.y) ? pointDouble(c, p) : pointInfinity(c);
  }
  const lambda = F.div(F.sub(q.y, p.y), F.sub(q.x, p.x));
  const x3 = F.sub(F.sub(F.sqr(lambda), p.x), q.x);
  const y3 = F.sub(F.mul(lambda, F.sub(p.x, x3)), p.y);
  return { x: x3, y: y3, infinity: false };
}

export function pointSub<T>(c: WeierstrassCurve<T>, p: AffinePoint<T>, q: AffinePoint<T>): AffinePoint<T> {
  return pointAdd(c, p, pointNeg(c, q));
}

export function toJacobian<T>(c: WeierstrassCurve<T>, p: AffinePoint<T>): JacobianPoint<T> {
  const F = c.field;
  return p.infinity ? { X: F.one, Y: F.one, Z: F.zero } : { X: p.x, Y: p.y, Z: F.one };
}

export function fromJacobian<T>(c: WeierstrassCurve<T>, p: JacobianPoint<T>): AffinePoint<T> {
  const F = c.field;
  if (F.isZero(p.Z)) return pointInfinity(c);
  const zInv = F.inv(p.Z);
  const zInv2 = F.sqr(zInv);
  return { x: F.mul(p.X, zInv2), y: F.mul(p.Y, F.mul(zInv2, zInv)), infinity: false };
}

/** 2P in Jacobian coordinates (general a: M = 3 X^2 + a Z^4). */
export function jacobianDouble<T>(c: WeierstrassCurve<T>, p: JacobianPoint<T>): JacobianPoint<T> {
  const F = c.field;
  if (F.isZero(p.Z) || F.isZero(p.Y)) return { X: F.one, Y: F.one, Z: F.zero };
  const XX = F.sqr(p.X);
  const YY = F.sqr(p.Y);
  const ZZ = F.sqr(p.Z);
  const S = F.mulSmall(F.mul(p.X, YY), 4n);
  const M = F.add(F.mulSmall(XX, 3n), F.mul(c.a, F.sqr(ZZ)));
  const X3 = F.sub(F.sqr(M), F.mulSmall(S, 2n));
  const Y3 = F.sub(F.mul(M, F.sub(S, X3)), F.mulSmall(F.sqr(YY), 8n));
  const Z3 = F.mulSmall(F.mul(p.Y, p.Z), 2n);
  return { X: X3, Y: Y3, Z: Z3 };
}

/** P + Q in Jacobian coordinates, complete over the special cases (infinity, P = Q, P = -Q). */
export function jacobianAdd<T>(c: WeierstrassCurve<T>, p: JacobianPoint<T>, q: JacobianPoint<T>): JacobianPoint<T> {
  const F = c.field;
  if (F.isZero(p.Z)) return q;
  if (F.isZero(q.Z)) return p;
  const Z1Z1 = F.sqr(p.Z);
  const Z2Z2 = F.sqr(q.Z);
  const U1 = F.mul(p.X, Z2Z2);
  const U2 = F.mul(q.X, Z1Z1);
  const S1 = F.mul(p.Y, F.mul(Z2Z2, q.Z));
  const S2 = F.mul(q.Y, F.mul(Z1Z1, p.Z));
  if (F.eq(U1, U2)) {
    return F.eq(S1, S2) ? jacobianDouble(c, p) : { X: F.one, Y: F.one, Z: F.zero };
  }
  const H = F.sub(U2, U1);
  const R = F.sub(S2, S1);
  const HH = F.sqr(H);
  const HHH = F.mul(HH, H);
  const U1HH = F.mul(U1, HH);
  const X3 = F.sub(F.sub(F.sqr(R), HHH), F.mulSmall(U1HH, 2n));
  const Y3 = F.sub(F.mul(R, F.sub(U1HH, X3)), F.mul(S1, HHH));
  const Z3 = F.mul(H, F.mul(p.Z, q.Z));
  return { X: X3, Y: Y3, Z: Z3 };
}

/** k P in Jacobian coordinates (MSB-first double-and-add); k may be any bigint, negative negates. */
export function jacobianMul<T>(c: WeierstrassCurve<T>, p: AffinePoint<T>, k: bigint): JacobianPoint<T> {
  const base = toJacobian(c, k < 0n ? pointNeg(c, p) : p);
  const e = k < 0n ? -k : k;
  let acc: JacobianPoint<T> = { X: c.field.one, Y: c.field.one, Z: c.field.zero };
  const bits = e.toString(2);
  for (let i = 0; i < bits.length; i++) {
    acc = jacobianDouble(c, acc);
    if (bits[i] === '1') acc = jacobianAdd(c, acc, base);
  }
  return acc;
}

/**
 * k P by double-and-add. k is NOT reduced modulo the group order, so pointMul(c, G, r) really
 * computes r G (which is how tests check the order). Negative k multiplies -P.
 */
export function pointMul<T>(c: WeierstrassCurve<T>, p: AffinePoint<T>, k: bigint): AffinePoint<T> {
  return fromJacobian(c, jacobianMul(c, p, k));
}
