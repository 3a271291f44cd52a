/**
 * Byte <-> bigint helpers for the peer adapters. Deliberately independent of zkgpu's own math
 * module: a peer check that decoded points with our code would share our bugs.
 * Layout (same as snarkjs .zkey, "LEM"): field elements little-endian, Montgomery form with
 * R = 2^(8 * fpBytes); G1 = x || y, G2 = x.c0 || x.c1 || y.c0 || y.c1; infinity = all zero bytes.
 */

export function readLE(bytes: Uint8Array, offset: number, length: number): bigint {
  let v = 0n;
  for (let i = offset + length - 1; i >= offset; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

export function writeLE(value: bigint, out: Uint8Array, offset: number, length: number): void {
  if (value < 0n) throw new RangeError('cannot encode a negative value');
  let v = value;
  for (let i = 0; i < length; i++) {
    out[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new RangeError(`value does not fit in ${length} bytes`);
}

export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n;
  let b = ((base % m) + m) % m;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

/** Converts between plain and Montgomery form for a prime p and R = 2^(8 * bytes). */
export function montgomery(p: bigint, bytes: number): { toMont(x: bigint): bigint; fromMont(x: bigint): bigint } {
  const R = (1n << BigInt(8 * bytes)) % p;
  const Rinv = modPow(R, p - 2n, p); // p prime: Fermat inverse
  return {
    toMont: (x) => (x * R) % p,
    fromMont: (x) => (x * Rinv) % p,
  };
}

/** Splits a buffer of `n` 32-byte little-endian scalars into bigints. */
export function scalarsToBigInts(bytes: Uint8Array, scalarBytes = 32): bigint[] {
  if (bytes.length % scalarBytes !== 0) throw new RangeError(`scalar buffer length ${bytes.length} is not a multiple of ${scalarBytes}`);
  const out = new Array<bigint>(bytes.length / scalarBytes);
  for (let i = 0; i < out.length; i++) out[i] = readLE(bytes, i * scalarBytes, scalarBytes);
  return out;
}

export function allZero(bytes: Uint8Array, offset: number, length: number): boolean {
  for (let i = offset; i < offset + length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** First index where two equal-length buffers differ, -1 if equal, -2 if the lengths differ. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

export function hex(bytes: Uint8Array, max = 32): string {
  let s = '';
  for (const b of bytes.subarray(0, max)) s += b.toString(16).padStart(2, '0');
  return bytes.length > max ? `${s}…(${bytes.length} bytes)` : s;
}
