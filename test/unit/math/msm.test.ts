import { bn254 } from '@noble/curves/bn254.js';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { describe, expect, it } from 'vitest';
import { type AnyPoint, CURVE_NAMES, type Fp2, type Group, type GroupName, g1, g2, msmNaive } from '../../../src/math/index.js';
import { rngFor } from '../../support/seed.js';

const noble = { bn254, 'bls12-381': bls12_381 } as const;

interface NoblePoint<T> {
  add(o: NoblePoint<T>): NoblePoint<T>;
  multiplyUnsafe(k: bigint): NoblePoint<T>;
  is0(): boolean;
  toAffine(): { x: T; y: T };
}
interface NoblePointClass<T> {
  ZERO: NoblePoint<T>;
  fromAffine(p: { x: T; y: T }): NoblePoint<T>;
}

function check<T>(curve: (typeof CURVE_NAMES)[number], group: GroupName, G: Group<T>, N: NoblePointClass<T>): void {
  it(`${curve} ${group}: matches a sum of @noble/curves multiplications`, () => {
    const rng = rngFor(`msm-${curve}-${group}`);
    const n = 8;
    const points = Array.from({ length: n }, () => G.random(rng));
    const scalars = Array.from({ length: n }, () => rng.nextBigInt(G.order));
    // Edge cases in the same input: an infinity base, a zero scalar, scalar r - 1, scalar 1.
    points[1] = G.infinity;
    scalars[2] = 0n;
    scalars[3] = G.order - 1n;
    scalars[4] = 1n;
    let expected = N.ZERO;
    for (let i = 0; i < n; i++) {
      if (points[i].infinity) continue;
      expected = expected.add(N.fromAffine({ x: points[i].x, y: points[i].y }).multiplyUnsafe(scalars[i]));
    }
    const got = msmNaive(curve, group, points as unknown as AnyPoint[], scalars);
    const { x, y } = expected.toAffine();
    expect(got).toEqual({ x, y, infinity: false });
  });

  it(`${curve} ${group}: empty input, cancelling terms, unreduced scalars`, () => {
    const rng = rngFor(`msm-edge-${curve}-${group}`);
    const P = G.random(rng);
    expect(msmNaive(curve, group, [], []).infinity).toBe(true);
    expect(msmNaive(curve, group, [P, P] as unknown as AnyPoint[], [3n, G.order - 3n]).infinity).toBe(true);
    expect(msmNaive(curve, group, [P] as unknown as AnyPoint[], [G.order + 7n])).toEqual(G.mul(P, 7n));
    expect(() => msmNaive(curve, group, [P] as unknown as AnyPoint[], [])).toThrow(RangeError);
  });
}

describe('msmNaive', () => {
  for (const curve of CURVE_NAMES) {
    check(curve, 'g1', g1(curve), noble[curve].G1.Point as unknown as NoblePointClass<bigint>);
    check(curve, 'g2', g2(curve), noble[curve].G2.Point as unknown as NoblePointClass<Fp2>);
  }
});
