/**
 * Byte encodings shared with snarkjs / .zkey files and with the kernels' input buffers.
 *
 * - Fp element: little-endian bytes of x R mod p with R = 2^(8 fpBytes) (2^256 for BN254,
 *   2^384 for BLS12-381): the Montgomery form ffjavascript keeps in memory and writes to .zkey.
 * - G1 affine: x || y. G2 affine: x.c0 || x.c1 || y.c0 || y.c1. Infinity: all-zero bytes
 *   (no valid affine point of either curve has x = y = 0, since b != 0).
 * - Scalars and Fr values: 32-byte little-endian standard (non-Montgomery) form.
 */

import { CURVES, type CurveName, type G1Point, type G2Point, type GroupName } from './curves.js';
import { invMod, mod } from './field.js';
import { pointBytes, SCALAR_BYTES } from '../core/sizes.js';

export { pointBytes } from '../core/sizes.js';
import type { Fp2 } from './fp2.js';

export type AnyPoint = G1Point | G2Point;

const MASK64 = (1n << 64n) - 1n;

/** Little-endian unsigned integer from bytes[offset, offset + length). */
export function bytesToBigIntLE(bytes: Uint8Array, offset = 0, length = bytes.length - offset): bigint {
  if (offset < 0 || length < 0 || offset + length > bytes.length) {
    throw new RangeError(`bytesToBigIntLE: range [${offset}, ${offset + length}) outside ${bytes.length} bytes`);
  }
  // 64-bit words where possible: about 8x fewer BigInt operations than byte by byte, which
  // matters when benchmarks decode millions of scalars.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let x = 0n;
  let i = offset + length;
  while (i - 8 >= offset) {
    i -= 8;
    x = (x << 64n) | view.getBigUint64(i, true);
  }
  while (i > offset) x = (x << 8n) | BigInt(bytes[--i]);
  return x;
}

/** x as exactly `length` little-endian bytes; throws RangeError when x < 0 or x >= 2^(8 length). */
export function bigIntToBytesLE(x: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  writeBigIntLE(out, 0, x, length);
  return out;
}

function writeBigIntLE(out: Uint8Array, at: number, x: bigint, length: number): void {
  if (typeof x !== 'bigint') throw new TypeError(`expected a bigint, got ${typeof x}`);
  if (x < 0n) throw new RangeError(`bigIntToBytesLE: negative value ${x}`);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let v = x;
  let i = 0;
  for (; i + 8 <= length; i += 8) {
    view.setBigUint64(at + i, v & MASK64, true);
    v >>= 64n;
  }
  for (; i < length; i++) {
    out[at + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new RangeError(`bigIntToBytesLE: ${x} does not fit in ${length} bytes`);
}

// R = 2^(8 fpBytes) and its inverse, per curve; computed once.
const rCache = new Map<CurveName, { R: bigint; rInv: bigint }>();
function fpRadix(curve: CurveName): { R: bigint; rInv: bigint } {
  let c = rCache.get(curve);
  if (c === undefined) {
    const { p, fpBytes } = CURVES[curve];
    const R = 1n << BigInt(8 * fpBytes);
    rCache.set(curve, (c = { R, rInv: invMod(R, p) }));
  }
  return c;
}

function writeFpMont(out: Uint8Array, at: number, x: bigint, curve: CurveName): void {
  const { p, fpBytes } = CURVES[curve];
  if (x < 0n || x >= p) throw new RangeError(`Fp element not in [0, p): ${x}`);
  writeBigIntLE(out, at, mod(x * fpRadix(curve).R, p), fpBytes);
}

/** x in [0, p) as fpBytes little-endian bytes of x R mod p. */
export function encodeFpMont(x: bigint, curve: CurveName): Uint8Array {
  const out = new Uint8Array(CURVES[curve].fpBytes);
  writeFpMont(out, 0, x, curve);
  return out;
}

/** Inverse of encodeFpMont; throws RangeError (naming the offset) when the stored value is >= p. */
export function decodeFpMont(bytes: Uint8Array, curve: CurveName, offset = 0): bigint {
  const { p, fpBytes } = CURVES[curve];
  if (offset < 0 || offset + fpBytes > bytes.length) {
    throw new RangeError(`Fp element at byte offset ${offset} runs past the end (${bytes.length} bytes)`);
  }
  const v = bytesToBigIntLE(bytes, offset, fpBytes);
  if (v >= p) throw new RangeError(`Fp element at byte offset ${offset} is not below the field modulus`);
  return mod(v * fpRadix(curve).rInv, p);
}

function writePoint(out: Uint8Array, at: number, curve: CurveName, group: GroupName, point: AnyPoint): void {
  if (point.infinity) {
    out.fill(0, at, at + pointBytes(curve, group));
    return;
  }
  const n = CURVES[curve].fpBytes;
  if (group === 'g1') {
    const { x, y } = point as G1Point;
    if (typeof x !== 'bigint' || typeof y !== 'bigint') throw new TypeError('G1 point coordinates must be bigints');
    writeFpMont(out, at, x, curve);
    writeFpMont(out, at + n, y, curve);
  } else {
    const { x, y } = point as G2Point;
    if (typeof x !== 'object' || typeof y !== 'object') throw new TypeError('G2 point coordinates must be {c0, c1}');
    writeFpMont(out, at, x.c0, curve);
    writeFpMont(out, at + n, x.c1, curve);
    writeFpMont(out, at + 2 * n, y.c0, curve);
    writeFpMont(out, at + 3 * n, y.c1, curve);
  }
}

function readPoint(bytes: Uint8Array, curve: CurveName, group: GroupName, offset: number): AnyPoint {
  const size = pointBytes(curve, group);
  if (offset < 0 || offset + size > bytes.length) {
    throw new RangeError(`point at byte offset ${offset} runs past the end (${bytes.length} bytes, ${size} per point)`);
  }
  let allZero = true;
  for (let i = offset; i < offset + size; i++) {
    if (bytes[i] !== 0) {
      allZero = false;
      break;
    }
  }
  const n = CURVES[curve].fpBytes;
  if (group === 'g1') {
    if (allZero) return { x: 0n, y: 0n, infinity: true };
    return { x: decodeFpMont(bytes, curve, offset), y: decodeFpMont(bytes, curve, offset + n), infinity: false };
  }
  if (allZero) return { x: { c0: 0n, c1: 0n }, y: { c0: 0n, c1: 0n }, infinity: true };
  const x: Fp2 = { c0: decodeFpMont(bytes, curve, offset), c1: decodeFpMont(bytes, curve, offset + n) };
  const y: Fp2 = { c0: decodeFpMont(bytes, curve, offset + 2 * n), c1: decodeFpMont(bytes, curve, offset + 3 * n) };
  return { x, y, infinity: false };
}

/**
 * One affine point in the snarkjs layout (see the file comment). Coordinates must be in [0, p);
 * the point is not checked to be on the curve.
 */
export function encodePoint(curve: CurveName, group: 'g1', point: G1Point): Uint8Array;
export function encodePoint(curve: CurveName, group: 'g2', point: G2Point): Uint8Array;
export function encodePoint(curve: CurveName, group: GroupName, point: AnyPoint): Uint8Array;
export function encodePoint(curve: CurveName, group: GroupName, point: AnyPoint): Uint8Array {
  const out = new Uint8Array(pointBytes(curve, group));
  writePoint(out, 0, curve, group, point);
  return out;
}

/**
 * The point at bytes[offset, offset + pointBytes). All-zero bytes decode to infinity. Throws
 * RangeError naming the byte offset when a coordinate is >= p or the buffer is too short. Does
 * not check that the point is on the curve (use g1(curve).isOnCurve / g2(curve).isOnCurve).
 */
export function decodePoint(curve: CurveName, group: 'g1', bytes: Uint8Array, offset?: number): G1Point;
export function decodePoint(curve: CurveName, group: 'g2', bytes: Uint8Array, offset?: number): G2Point;
export function decodePoint(curve: CurveName, group: GroupName, bytes: Uint8Array, offset?: number): AnyPoint;
export function decodePoint(curve: CurveName, group: GroupName, bytes: Uint8Array, offset = 0): AnyPoint {
  return readPoint(bytes, curve, group, offset);
}

/** Points back to back, pointBytes(curve, group) each. */
export function encodePoints(curve: CurveName, group: 'g1', points: readonly G1Point[]): Uint8Array;
export function encodePoints(curve: CurveName, group: 'g2', points: readonly G2Point[]): Uint8Array;
export function encodePoints(curve: CurveName, group: GroupName, points: readonly AnyPoint[]): Uint8Array;
export function encodePoints(curve: CurveName, group: GroupName, points: readonly AnyPoint[]): Uint8Array {
  const size = pointBytes(curve, group);
  const out = new Uint8Array(size * points.length);
  for (let i = 0; i < points.length; i++) {
    try {
      writePoint(out, i * size, curve, group, points[i]);
    } catch (e) {
      throw new RangeError(`invalid point at index ${i}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Inverse of encodePoints; bytes.length must be a multiple of pointBytes(curve, group). */
export function decodePoints(curve: CurveName, group: 'g1', bytes: Uint8Array): G1Point[];
export function decodePoints(curve: CurveName, group: 'g2', bytes: Uint8Array): G2Point[];
export function decodePoints(curve: CurveName, group: GroupName, bytes: Uint8Array): AnyPoint[];
export function decodePoints(curve: CurveName, group: GroupName, bytes: Uint8Array): AnyPoint[] {
  const size = pointBytes(curve, group);
  if (bytes.length % size !== 0) {
    throw new RangeError(`point buffer of ${bytes.length} bytes is not a multiple of ${size}`);
  }
  const out = new Array<AnyPoint>(bytes.length / size);
  for (let i = 0; i < out.length; i++) {
    try {
      out[i] = readPoint(bytes, curve, group, i * size);
    } catch (e) {
      throw new RangeError(`invalid point at index ${i}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Bytes of one scalar / Fr value. */
export { SCALAR_BYTES } from '../core/sizes.js';

/** x in [0, 2^256) as 32 little-endian bytes (standard form; the range check against r is the caller's). */
export function encodeScalar(x: bigint): Uint8Array {
  return bigIntToBytesLE(x, SCALAR_BYTES);
}

export function decodeScalar(bytes: Uint8Array, offset = 0): bigint {
  return bytesToBigIntLE(bytes, offset, SCALAR_BYTES);
}

export function encodeScalars(xs: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(SCALAR_BYTES * xs.length);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (typeof x !== 'bigint' || x < 0n || x >= 1n << 256n) {
      throw new RangeError(`invalid scalar at index ${i}: not a bigint in [0, 2^256)`);
    }
    writeBigIntLE(out, i * SCALAR_BYTES, x, SCALAR_BYTES);
  }
  return out;
}

export function decodeScalars(bytes: Uint8Array): bigint[] {
  if (bytes.length % SCALAR_BYTES !== 0) {
    throw new RangeError(`scalar buffer of ${bytes.length} bytes is not a multiple of ${SCALAR_BYTES}`);
  }
  const out = new Array<bigint>(bytes.length / SCALAR_BYTES);
  for (let i = 0; i < out.length; i++) out[i] = bytesToBigIntLE(bytes, i * SCALAR_BYTES, SCALAR_BYTES);
  return out;
}
