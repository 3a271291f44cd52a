/**
 * Host side of the G2 kernels' XYZZ points (x = X/ZZ, y = Y/ZZZ over Fp2, infinity = ZZ = 0; X and
 * Y of an infinity are arbitrary): each coordinate is stored as c0 ‖ c1, each the .zkey bytes
 * (little-endian Montgomery form), so an XYZZ point is 8 fpBytes and the storage order is the
 * register order of src/msm/point-program.ts.
 */
import { CURVES, decodeFpMont, encodeFpMont, fp2Field, type CurveName, type Fp2, type G2Point } from '../math/index.js';

export interface XyzzG2Point {
  X: Fp2;
  Y: Fp2;
  ZZ: Fp2;
  ZZZ: Fp2;
}

/** An XYZZ form of an affine point, scaled by z (z != 0): (x z^2, y z^3, z^2, z^3). */
export function xyzzG2FromAffine(curve: CurveName, p: G2Point, z: Fp2 = fp2Field(curve).one): XyzzG2Point {
  const F = fp2Field(curve);
  if (p.infinity) return { X: F.one, Y: F.one, ZZ: F.zero, ZZZ: F.zero };
  const zz = F.sqr(z);
  const zzz = F.mul(zz, z);
  return { X: F.mul(p.x, zz), Y: F.mul(p.y, zzz), ZZ: zz, ZZZ: zzz };
}

/** The affine point (one Fp2 inversion); ZZ = 0 is infinity. */
export function xyzzG2ToAffine(curve: CurveName, p: XyzzG2Point): G2Point {
  const F = fp2Field(curve);
  if (F.isZero(p.ZZ)) return { x: F.zero, y: F.zero, infinity: true };
  // one inversion: 1/ZZ = ZZZ / (ZZ ZZZ), 1/ZZZ = ZZ / (ZZ ZZZ)
  const both = F.inv(F.mul(p.ZZ, p.ZZZ));
  return { x: F.mul(p.X, F.mul(both, p.ZZZ)), y: F.mul(p.Y, F.mul(both, p.ZZ)), infinity: false };
}

export function encodeXyzzG2(curve: CurveName, points: readonly XyzzG2Point[]): Uint8Array {
  const n = CURVES[curve].fpBytes;
  const out = new Uint8Array(points.length * 8 * n);
  points.forEach((p, i) => {
    [p.X, p.Y, p.ZZ, p.ZZZ].forEach((v, j) => {
      out.set(encodeFpMont(v.c0, curve), (8 * i + 2 * j) * n);
      out.set(encodeFpMont(v.c1, curve), (8 * i + 2 * j + 1) * n);
    });
  });
  return out;
}

export function decodeXyzzG2(curve: CurveName, bytes: Uint8Array, index = 0): XyzzG2Point {
  const n = CURVES[curve].fpBytes;
  const at = 8 * n * index;
  const coord = (j: number): Fp2 => ({ c0: decodeFpMont(bytes, curve, at + 2 * j * n), c1: decodeFpMont(bytes, curve, at + (2 * j + 1) * n) });
  return { X: coord(0), Y: coord(1), ZZ: coord(2), ZZZ: coord(3) };
}
