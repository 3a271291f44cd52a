/**
 * Conversions between zkgpu's byte encodings and @noble/curves points, through the BigInt
 * oracle's decoder (src/math), so that results can be checked against noble's own MSM.
 */
import { bn254 } from '@noble/curves/bn254.js';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { pippenger } from '@noble/curves/abstract/curve.js';
import { decodePoints, pointBytes, type AnyPoint, type CurveName, type Fp2, type GroupName } from '../../src/math/index.js';

// noble's point classes differ per curve and group; tests only need fromAffine, msm and ZERO.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type NoblePointClass = any;

export function noblePointClass(curve: CurveName, group: GroupName): NoblePointClass {
  const lib = curve === 'bn254' ? bn254 : bls12_381;
  return group === 'g1' ? lib.G1.Point : lib.G2.Point;
}

function nobleCoordinate(curve: CurveName, group: GroupName, v: bigint | Fp2) {
  if (group === 'g1') return v;
  const Fp2 = (curve === 'bn254' ? bn254 : bls12_381).fields.Fp2;
  const { c0, c1 } = v as Fp2;
  return Fp2.create({ c0, c1 });
}

export function toNoblePoints(curve: CurveName, group: GroupName, bytes: Uint8Array) {
  const P = noblePointClass(curve, group);
  return decodePoints(curve, group, bytes).map((pt: AnyPoint) =>
    pt.infinity ? P.ZERO : P.fromAffine({ x: nobleCoordinate(curve, group, pt.x), y: nobleCoordinate(curve, group, pt.y) }),
  );
}

/** Σ sᵢ·Pᵢ by noble's Pippenger, returned as noble affine coordinates (or null for infinity). */
export function nobleMsm(curve: CurveName, group: GroupName, points: Uint8Array, scalars: bigint[]) {
  const P = noblePointClass(curve, group);
  const pts = toNoblePoints(curve, group, points);
  // noble's pippenger rejects zero scalars and identity points; both add nothing, so drop them here.
  const keep = pts.map((_: unknown, i: number) => i).filter((i: number) => scalars[i] !== 0n && !pts[i].is0());
  const sum =
    keep.length === 0
      ? P.ZERO
      : pippenger(
          P,
          keep.map((i: number) => pts[i]),
          keep.map((i: number) => scalars[i]),
        );
  return sum.is0() ? null : sum.toAffine();
}

/** The same result decoded from zkgpu's bytes into noble's affine form. */
export function zkgpuAsNoble(curve: CurveName, group: GroupName, bytes: Uint8Array) {
  if (bytes.length !== pointBytes(curve, group)) throw new Error(`expected one point, got ${bytes.length} bytes`);
  const [pt] = toNoblePoints(curve, group, bytes);
  return pt.is0() ? null : pt.toAffine();
}
