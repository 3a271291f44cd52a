/**
 * Fr values as 32-byte little-endian words <-> BigInt, the hot conversions of the prover's
 * main-thread stages (a 2^20-constraint proof converts ~10^7 of them). Four 64-bit reads per value
 * instead of 32 byte reads: about 8x fewer BigInt operations.
 */

const MASK64 = (1n << 64n) - 1n;

export function readFr(view: DataView, at: number): bigint {
  return view.getBigUint64(at, true) | (view.getBigUint64(at + 8, true) << 64n) | (view.getBigUint64(at + 16, true) << 128n) | (view.getBigUint64(at + 24, true) << 192n);
}

/** x must be in [0, 2^256). */
export function writeFr(view: DataView, at: number, x: bigint): void {
  view.setBigUint64(at, x & MASK64, true);
  view.setBigUint64(at + 8, (x >> 64n) & MASK64, true);
  view.setBigUint64(at + 16, (x >> 128n) & MASK64, true);
  view.setBigUint64(at + 24, x >> 192n, true);
}

export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes n consecutive 32-byte values. */
export function decodeFrArray(bytes: Uint8Array): bigint[] {
  const view = viewOf(bytes);
  const n = bytes.length >>> 5;
  const out = new Array<bigint>(n);
  for (let i = 0; i < n; i++) out[i] = readFr(view, i * 32);
  return out;
}

export function encodeFrArray(values: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 32);
  const view = viewOf(out);
  for (let i = 0; i < values.length; i++) writeFr(view, i * 32, values[i]);
  return out;
}
