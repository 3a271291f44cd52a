/**
 * BabyBear, p = 2^31 - 2^27 + 1 = 2013265921 = 0x78000001: the 31-bit field of STARK provers
 * (RISC Zero, Plonky3, SP1). Values are plain numbers (or u32 in a Uint32Array) in [0, p).
 *
 * NTT conventions, the same as the Fr oracles in ntt.ts:
 *   omega_n = BABYBEAR_ROOT_BASE^((p - 1) / n), n = 2^logN, logN <= 27
 *   forward:  out[k] = sum_j in[j] * shift^j * omega^(j k)
 *   inverse:  out[j] = shift^-j * n^-1 * sum_k in[k] * omega^(-j k)   (exact inverse of forward)
 * plus explicit storage orders: `inputOrder: 'bit-reversed'` means in[j] is stored at
 * bitReverse(j); `outputOrder: 'bit-reversed'` stores out[k] at bitReverse(k).
 *
 * The naive DFT computes with BigInt, the reference O(n log n) transform with exact float
 * arithmetic (mulMod31 below), so the two check each other with independent products.
 */

import { bitReverse } from './ntt.js';

export const BABYBEAR_P = 0x78000001;
/** p - 1 = 2^27 * 3 * 5. */
export const BABYBEAR_TWO_ADICITY = 27;
/**
 * 31: the smallest generator of F_p^* (every g in 2..30 has g^((p-1)/q) = 1 for some q in 2, 3, 5;
 * test/unit/math/babybear.test.ts checks it). The default coset shift.
 */
export const BABYBEAR_GENERATOR = 31;
/**
 * Roots of unity are BABYBEAR_ROOT_BASE^((p - 1) / 2^k). The generator itself, so the 2^27-th root
 * is 31^15 = 0x1a427a41, the one Plonky3 uses.
 */
export const BABYBEAR_ROOT_BASE = 31;
/** Bytes per value on every boundary (u32 little-endian). */
export const BABYBEAR_BYTES = 4;

/**
 * a * b mod m for integers a, b in [0, m), m < 2^31, exactly in float64: a * (b >>> 16) < 2^47,
 * reduced (< 2^31) then times 2^16 (< 2^47), plus a * (b & 0xffff) (< 2^47): every intermediate
 * stays below 2^53.
 */
export function mulMod31(a: number, b: number, m: number): number {
  return (((a * (b >>> 16)) % m) * 65536 + a * (b & 0xffff)) % m;
}

export function babybearAdd(a: number, b: number): number {
  const s = a + b;
  return s >= BABYBEAR_P ? s - BABYBEAR_P : s;
}

export function babybearSub(a: number, b: number): number {
  return a >= b ? a - b : a + BABYBEAR_P - b;
}

export function babybearMul(a: number, b: number): number {
  return mulMod31(a, b, BABYBEAR_P);
}

/** base^e mod p for a non-negative integer (or bigint) exponent. */
export function babybearPow(base: number, e: number | bigint): number {
  let exp = BigInt(e);
  if (exp < 0n) throw new RangeError('babybearPow: negative exponent');
  let result = 1;
  let b = base % BABYBEAR_P;
  while (exp > 0n) {
    if (exp & 1n) result = babybearMul(result, b);
    b = babybearMul(b, b);
    exp >>= 1n;
  }
  return result;
}

/** a^-1 mod p (Fermat); RangeError on zero. */
export function babybearInv(a: number): number {
  if (a % BABYBEAR_P === 0) throw new RangeError('babybearInv: inverse of zero');
  return babybearPow(a, BABYBEAR_P - 2);
}

/** A primitive 2^logN-th root of unity: BABYBEAR_ROOT_BASE^((p - 1) / 2^logN). */
export function babybearRootOfUnity(logN: number): number {
  if (!Number.isInteger(logN) || logN < 0 || logN > BABYBEAR_TWO_ADICITY) {
    throw new RangeError(`babybearRootOfUnity: logN must be an integer in 0..${BABYBEAR_TWO_ADICITY}, got ${logN}`);
  }
  return babybearPow(BABYBEAR_ROOT_BASE, (BABYBEAR_P - 1) / 2 ** logN);
}

/**
 * Montgomery constants for R = 2^32 and an odd modulus p < 2^31, derived from p alone (the
 * kernels take them from here, and the GPU field test runs them on small primes too).
 *   pInvNeg = -p^-1 mod 2^32, rModP = 2^32 mod p, r2ModP = 2^64 mod p.
 */
export interface Mont32Params {
  p: number;
  pInvNeg: number;
  rModP: number;
  r2ModP: number;
}

export function mont32Params(p: number): Mont32Params {
  if (!Number.isInteger(p) || p < 3 || p >= 2 ** 31 || p % 2 === 0) {
    throw new RangeError(`mont32Params: need an odd modulus in [3, 2^31), got ${p}`);
  }
  const P = BigInt(p);
  const R = 1n << 32n;
  // Newton iteration: each step doubles the number of correct low bits of p^-1 (1 -> 32 in 5).
  let inv = 1n;
  for (let i = 0; i < 5; i++) inv = (inv * (2n - P * inv)) % R;
  inv = ((inv % R) + R) % R;
  return { p, pInvNeg: Number((R - inv) % R), rModP: Number(R % P), r2ModP: Number((R * R) % P) };
}

/** x * 2^32 mod p: the Montgomery form the kernels keep their constants in. */
export function babybearToMont(x: number): number {
  return mulMod31(x, 2 ** 32 % BABYBEAR_P, BABYBEAR_P);
}

export type BabyBearOrder = 'natural' | 'bit-reversed';

export interface BabyBearNttOptions {
  inverse?: boolean;
  /** Coset shift g in [1, p); null or omitted = none. */
  shift?: number | null;
  inputOrder?: BabyBearOrder;
  outputOrder?: BabyBearOrder;
}

function log2Exact(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1 || (n & (n - 1)) !== 0) {
    throw new RangeError(`${what}: length must be a power of two, got ${n}`);
  }
  return 31 - Math.clz32(n);
}

/** Copies `values` into natural order after checking every value and the options. */
function prepare(values: ArrayLike<number>, opts: BabyBearNttOptions, what: string): { logN: number; a: Uint32Array; shift: number } {
  const logN = log2Exact(values.length, what);
  if (logN > BABYBEAR_TWO_ADICITY) throw new RangeError(`${what}: size 2^${logN} exceeds 2^${BABYBEAR_TWO_ADICITY}`);
  const a = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= BABYBEAR_P) {
      throw new RangeError(`${what}: invalid BabyBear element at index ${i}: ${String(v)} is not an integer in [0, p)`);
    }
    a[opts.inputOrder === 'bit-reversed' ? bitReverse(i, logN) : i] = v;
  }
  const shift = opts.shift ?? 1;
  if (!Number.isInteger(shift) || shift < 1 || shift >= BABYBEAR_P) {
    throw new RangeError(`${what}: shift must be an integer in [1, p), got ${String(shift)}`);
  }
  return { logN, a, shift };
}

function finish(out: Uint32Array, logN: number, order: BabyBearOrder | undefined): Uint32Array {
  if (order !== 'bit-reversed' || logN === 0) return out;
  const permuted = new Uint32Array(out.length);
  for (let i = 0; i < out.length; i++) permuted[bitReverse(i, logN)] = out[i];
  return permuted;
}

/** The O(n^2) DFT straight from the definition, in BigInt. For n up to a few thousand. */
export function babybearNttNaive(values: ArrayLike<number>, opts: BabyBearNttOptions = {}): Uint32Array {
  const { logN, a, shift } = prepare(values, opts, 'babybearNttNaive');
  const p = BigInt(BABYBEAR_P);
  const n = a.length;
  const pow = (b: bigint, e: bigint): bigint => {
    let r = 1n;
    for (b %= p; e > 0n; e >>= 1n, b = (b * b) % p) if (e & 1n) r = (r * b) % p;
    return r;
  };
  let omega = pow(BigInt(BABYBEAR_ROOT_BASE), (p - 1n) >> BigInt(logN));
  let g = BigInt(shift);
  if (opts.inverse) {
    omega = pow(omega, p - 2n);
    g = pow(g, p - 2n);
  }
  const nInv = pow(BigInt(n), p - 2n);
  const out = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    const wk = pow(omega, BigInt(k));
    let acc = 0n;
    let w = 1n; // omega^(j k)
    let gj = 1n; // g^j (forward only)
    for (let j = 0; j < n; j++) {
      acc += BigInt(a[j]) * (opts.inverse ? w : (w * gj) % p);
      w = (w * wk) % p;
      gj = (gj * g) % p;
    }
    acc %= p;
    if (opts.inverse) acc = (((acc * nInv) % p) * pow(g, BigInt(k))) % p;
    out[k] = Number(acc);
  }
  return finish(out, logN, opts.outputOrder);
}

/** Same result as babybearNttNaive in O(n log n): bit-reverse, then radix-2 DIT butterflies. */
export function babybearNttReference(values: ArrayLike<number>, opts: BabyBearNttOptions = {}): Uint32Array {
  const { logN, a: input, shift } = prepare(values, opts, 'babybearNttReference');
  const n = input.length;
  if (!opts.inverse && shift !== 1) scaleByPowers(input, shift, 1);
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[bitReverse(i, logN)] = input[i];
  for (let s = 1; s <= logN; s++) {
    const half = 1 << (s - 1);
    let wm = babybearRootOfUnity(s);
    if (opts.inverse) wm = babybearInv(wm);
    const tw = new Uint32Array(half);
    for (let j = 0, w = 1; j < half; j++, w = babybearMul(w, wm)) tw[j] = w;
    for (let k = 0; k < n; k += 2 * half) {
      for (let j = 0; j < half; j++) {
        const u = a[k + j];
        const t = babybearMul(tw[j], a[k + j + half]);
        a[k + j] = babybearAdd(u, t);
        a[k + j + half] = babybearSub(u, t);
      }
    }
  }
  if (opts.inverse) scaleByPowers(a, babybearInv(shift), babybearInv(n));
  return finish(a, logN, opts.outputOrder);
}

/** values[j] *= start * s^j in place. */
function scaleByPowers(values: Uint32Array, s: number, start: number): void {
  let power = start;
  for (let j = 0; j < values.length; j++) {
    values[j] = babybearMul(values[j], power);
    power = babybearMul(power, s);
  }
}
