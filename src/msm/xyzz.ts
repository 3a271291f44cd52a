/**
 * Host side of the GPU's XYZZ points (x = X/ZZ, y = Y/ZZZ, infinity = ZZ = 0): each coordinate is
 * stored as its .zkey bytes (little-endian Montgomery form), so encodeFpMont / decodeFpMont convert.
 */
import { CURVES, decodeFpMont, encodeFpMont, fpField, type CurveName, type G1Point } from '../math/index.js';

export interface XyzzPoint {
  X: bigint;
  Y: bigint;
  ZZ: bigint;
  ZZZ: bigint;
}

/** An XYZZ form of an affine point, scaled by z (z != 0): (x z^2, y z^3, z^2, z^3). */
export function xyzzFromAffine(curve: CurveName, p: G1Point, z = 1n): XyzzPoint {
  const F = fpField(curve);
  if (p.infinity) return { X: 1n, Y: 1n, ZZ: 0n, ZZZ: 0n };
  const zz = F.sqr(z);
  const zzz = F.mul(zz, z);
  return { X: F.mul(p.x, zz), Y: F.mul(p.y, zzz), ZZ: zz, ZZZ: zzz };
}

/** The affine point (one inversion); ZZ = 0 is infinity. */
export function xyzzToAffine(curve: CurveName, p: XyzzPoint): G1Point {
  const F = fpField(curve);
  if (p.ZZ === 0n) return { x: 0n, y: 0n, infinity: true };
  // one inversion: 1/ZZ = ZZZ / (ZZ ZZZ), 1/ZZZ = ZZ / (ZZ ZZZ)
  const both = F.inv(F.mul(p.ZZ, p.ZZZ));
  const zzInv = F.mul(both, p.ZZZ);
  return { x: F.mul(p.X, zzInv), y: F.mul(p.Y, F.mul(both, p.ZZ)), infinity: false };
}

export function encodeXyzz(curve: CurveName, points: readonly XyzzPoint[]): Uint8Array {
  const n = CURVES[curve].fpBytes;
  const out = new Uint8Array(points.length * 4 * n);
  points.forEach((p, i) => {
    [p.X, p.Y, p.ZZ, p.ZZZ].forEach((v, j) => out.set(encodeFpMont(v, curve), (4 * i + j) * n));
  });
  return out;
}

export function decodeXyzz(curve: CurveName, bytes: Uint8Array, index = 0): XyzzPoint {
  const n = CURVES[curve].fpBytes;
  const at = 4 * n * index;
  return {
    X: decodeFpMont(bytes, curve, at),
    Y: decodeFpMont(bytes, curve, at + n),
    ZZ: decodeFpMont(bytes, curve, at + 2 * n),
    ZZZ: decodeFpMont(bytes, curve, at + 3 * n),
  };
}
