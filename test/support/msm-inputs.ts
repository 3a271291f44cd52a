/**
 * MSM inputs whose answer the BigInt reference (src/math) gives with one scalar multiplication:
 * the points are P_i = (a + i b) G, made by repeated addition from random a, b, so
 * Σ s_i P_i = (Σ s_i (a + i b) mod r) G. Independent of both engines, and cheap for any n.
 */
import { CURVES, encodePoint, encodePoints, encodeScalars, g1, type CurveName, type G1Point } from '../../src/math/index.js';
import { rngFor } from './seed.js';

export interface MsmCase {
  points: Uint8Array;
  scalars: Uint8Array;
  /** The answer, encoded as the engines return it. */
  expected: Uint8Array;
  /** Decoded inputs, for the O(n) msmNaive oracle on small cases. */
  pointList: G1Point[];
  scalarList: bigint[];
}

export function progressionCase(curve: CurveName, n: number, name: string): MsmCase {
  const rng = rngFor(name);
  const G = g1(curve);
  const r = CURVES[curve].r;
  const a = 1n + rng.nextBigInt(r - 1n);
  const b = 1n + rng.nextBigInt(r - 1n);
  const step = G.mul(G.generator, b);
  let p = G.mul(G.generator, a);
  const pointList: G1Point[] = [];
  const scalarList: bigint[] = [];
  let k = 0n;
  for (let i = 0; i < n; i++) {
    const s = rng.nextBigInt(r);
    pointList.push(p);
    scalarList.push(s);
    k = (k + s * ((a + BigInt(i) * b) % r)) % r;
    p = G.add(p, step);
  }
  return {
    points: encodePoints(curve, 'g1', pointList),
    scalars: encodeScalars(scalarList),
    expected: encodePoint(curve, 'g1', G.mul(G.generator, k)),
    pointList,
    scalarList,
  };
}

/** The MSM input bytes of one BN254 G1 term on the GPU as the planner counts them (3 x (64 + 32)). */
export const BN254_G1_DEVICE_BYTES = 3 * 96;
