/**
 * Test-only conversions between @noble/curves values and the engine's wire encodings
 * (wasm/README.md): Fp as LE bytes of x*R mod p (R = 2^256 BN254, 2^384 BLS12-381), points x || y
 * (G2: x.c0 x.c1 y.c0 y.c1), infinity all zero, scalars and Fr 32-byte LE standard form.
 */
import { bn254 } from '@noble/curves/bn254.js';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import type { CurveName, GroupName } from '../../src/core/sizes.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyPoint = any;

export interface CurveInfo {
  p: bigint;
  r: bigint;
  fpBytes: number;
  R: bigint;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  groups: Record<GroupName, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  Fp2: any;
}

export const CURVES: Record<CurveName, CurveInfo> = {
  bn254: {
    p: bn254.G1.Point.Fp.ORDER,
    r: bn254.G1.Point.Fn.ORDER,
    fpBytes: 32,
    R: 1n << 256n,
    groups: { g1: bn254.G1.Point, g2: bn254.G2.Point },
    Fp2: bn254.fields.Fp2,
  },
  'bls12-381': {
    p: bls12_381.G1.Point.Fp.ORDER,
    r: bls12_381.G1.Point.Fn.ORDER,
    fpBytes: 48,
    R: 1n << 384n,
    groups: { g1: bls12_381.G1.Point, g2: bls12_381.G2.Point },
    Fp2: bls12_381.fields.Fp2,
  },
};

export const mod = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;

export function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b = mod(b, m);
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

export const modInv = (a: bigint, m: bigint): bigint => modPow(a, m - 2n, m);

export function toLE(x: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  if (x !== 0n) throw new Error('toLE: value too large');
  return out;
}

export function fromLE(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  return x;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const fpEnc = (c: CurveInfo, x: bigint) => toLE(mod(x * c.R, c.p), c.fpBytes);
const fpDec = (c: CurveInfo, b: Uint8Array) => mod(fromLE(b) * modInv(c.R, c.p), c.p);

export function encodePoint(curve: CurveName, group: GroupName, P: AnyPoint): Uint8Array {
  const c = CURVES[curve];
  if (P.is0()) return new Uint8Array((group === 'g1' ? 2 : 4) * c.fpBytes);
  const a = P.toAffine();
  if (group === 'g1') return concat([fpEnc(c, a.x), fpEnc(c, a.y)]);
  return concat([fpEnc(c, a.x.c0), fpEnc(c, a.x.c1), fpEnc(c, a.y.c0), fpEnc(c, a.y.c1)]);
}

export function decodePoint(curve: CurveName, group: GroupName, b: Uint8Array): AnyPoint {
  const c = CURVES[curve];
  const Point = c.groups[group];
  if (b.every((v) => v === 0)) return Point.ZERO;
  const n = c.fpBytes;
  const f = (i: number) => fpDec(c, b.subarray(i * n, (i + 1) * n));
  const P = group === 'g1' ? Point.fromAffine({ x: f(0), y: f(1) }) : Point.fromAffine({ x: c.Fp2.create({ c0: f(0), c1: f(1) }), y: c.Fp2.create({ c0: f(2), c1: f(3) }) });
  P.assertValidity();
  return P;
}

/** Deterministic PRNG (splitmix32-style) so a failing seed can be replayed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function randomBelow(rng: () => number, m: bigint): bigint {
  let x = 0n;
  for (let i = 0; i < 12; i++) x = (x << 32n) | BigInt(rng());
  return x % m;
}

/** Naive double-and-add, independent of noble's own multiply. */
export function naiveMul(P: AnyPoint, k: bigint): AnyPoint {
  let acc = P.constructor.ZERO ?? P.subtract(P);
  for (let i = BigInt(k.toString(2).length) - 1n; i >= 0n; i--) {
    acc = acc.double();
    if ((k >> i) & 1n) acc = acc.add(P);
  }
  return acc;
}
