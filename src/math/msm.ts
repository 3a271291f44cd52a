/**
 * The MSM oracle: sum of s_i P_i by plain double-and-add per term. O(n * 256) point operations,
 * so keep n small (hundreds); kernels and the worker pool are checked against it.
 */

import { type CurveName, type G1Point, type G2Point, type GroupName, g1, g2 } from './curves.js';
import type { AnyPoint } from './encoding.js';
import { type AffinePoint, type JacobianPoint, type WeierstrassCurve, fromJacobian, jacobianAdd, jacobianMul } from './point.js';

function msmGeneric<T>(c: WeierstrassCurve<T>, points: readonly AffinePoint<T>[], scalars: readonly bigint[]): AffinePoint<T> {
  let acc: JacobianPoint<T> = { X: c.field.one, Y: c.field.one, Z: c.field.zero };
  for (let i = 0; i < points.length; i++) {
    acc = jacobianAdd(c, acc, jacobianMul(c, points[i], scalars[i]));
  }
  return fromJacobian(c, acc);
}

/**
 * sum_i scalars[i] * points[i] on decoded affine points. Scalars are used as given (not reduced
 * mod r; negative ones negate their point). Throws RangeError when the lengths differ or a
 * scalar is not a bigint. An empty input gives infinity.
 */
export function msmNaive(curve: CurveName, group: 'g1', points: readonly G1Point[], scalars: readonly bigint[]): G1Point;
export function msmNaive(curve: CurveName, group: 'g2', points: readonly G2Point[], scalars: readonly bigint[]): G2Point;
export function msmNaive(curve: CurveName, group: GroupName, points: readonly AnyPoint[], scalars: readonly bigint[]): AnyPoint;
export function msmNaive(curve: CurveName, group: GroupName, points: readonly AnyPoint[], scalars: readonly bigint[]): AnyPoint {
  if (points.length !== scalars.length) {
    throw new RangeError(`msmNaive: ${points.length} points but ${scalars.length} scalars`);
  }
  for (let i = 0; i < scalars.length; i++) {
    if (typeof scalars[i] !== 'bigint') throw new RangeError(`invalid scalar at index ${i}: not a bigint`);
  }
  return group === 'g1' ? msmGeneric(g1(curve), points as readonly G1Point[], scalars) : msmGeneric(g2(curve), points as readonly G2Point[], scalars);
}
