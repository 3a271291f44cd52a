/**
 * NTT oracles over Fr. Conventions (shared with the kernels and with ffjavascript's Fr.fft on both
 * curves, index for index):
 *   omega_n = FR_ROOT_BASE[curve]^((r - 1) / n), n = 2^logN
 *   forward:  out[k] = sum_j in[j] * shift^j * omega^(j k)          (evaluation on shift * <omega>)
 *   inverse:  out[j] = shift^-j * n^-1 * sum_k in[k] * omega^(-j k)  (exact inverse of forward)
 * Inputs and outputs are in natural order; shift defaults to 1 (no coset).
 */

import { CURVES, type CurveName, frField } from './curves.js';

export interface NttOptions {
  /** Inverse transform (interpolation) instead of forward (evaluation). */
  inverse?: boolean;
  /** Coset shift g: evaluate on g * <omega> (forward) or undo that (inverse). null or 1n = none. */
  shift?: bigint | null;
}

/**
 * The element whose powers (r - 1) / 2^k give the roots of unity: ffjavascript's choice (its
 * `Fr.nqr`, the smallest quadratic non-residue), so that rootOfUnity(curve, k) equals snarkjs's
 * `Fr.w[k]` for every k and snarkjs proving keys (whose evaluation domains use Fr.w) fit as they are.
 * BN254: 5, also the smallest generator of Fr^*. BLS12-381: 5, a non-residue but not a generator
 * (5^((r-1)/3) = 1); any non-residue gives primitive 2^k-th roots, since the 2-part of its order is
 * then the whole 2^32. The default coset shift stays CURVES[curve].frGenerator (7 on BLS12-381):
 * a shift only has to lie outside <omega> (a generator does, for every size), it never has to
 * match ffjavascript's (snarkjs's Groth16 prover passes its own shift, Fr.w[logN + 1], explicitly),
 * and changing it would change what `coset: true` means for existing callers.
 */
export const FR_ROOT_BASE: Readonly<Record<CurveName, bigint>> = { bn254: 5n, 'bls12-381': 5n };

/** A primitive 2^logN-th root of unity in Fr: FR_ROOT_BASE[curve]^((r - 1) / 2^logN) = ffjavascript's Fr.w[logN]. */
export function rootOfUnity(curve: CurveName, logN: number): bigint {
  const { r, frTwoAdicity } = CURVES[curve];
  if (!Number.isInteger(logN) || logN < 0 || logN > frTwoAdicity) {
    throw new RangeError(`rootOfUnity: logN must be an integer in 0..${frTwoAdicity} for ${curve}, got ${logN}`);
  }
  return frField(curve).pow(FR_ROOT_BASE[curve], (r - 1n) >> BigInt(logN));
}

/** i with its low logN bits reversed. */
export function bitReverse(i: number, logN: number): number {
  let out = 0;
  for (let b = 0; b < logN; b++) {
    out = out * 2 + ((i >>> b) & 1);
  }
  return out;
}

/** A new array with element i moved to bitReverse(i, log2 length); the length must be a power of two. */
export function bitReversePermute<T>(array: readonly T[]): T[] {
  const logN = log2Exact(array.length, 'bitReversePermute');
  const out = new Array<T>(array.length);
  for (let i = 0; i < array.length; i++) out[bitReverse(i, logN)] = array[i];
  return out;
}

function log2Exact(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1 || (n & (n - 1)) !== 0) {
    throw new RangeError(`${what}: length must be a power of two, got ${n}`);
  }
  return Math.round(Math.log2(n));
}

interface Prepared {
  logN: number;
  values: bigint[];
  shift: bigint;
}

function prepare(curve: CurveName, values: readonly bigint[], opts: NttOptions, what: string): Prepared {
  const { r, frTwoAdicity } = CURVES[curve];
  const logN = log2Exact(values.length, what);
  if (logN > frTwoAdicity) throw new RangeError(`${what}: size 2^${logN} exceeds 2^${frTwoAdicity} for ${curve}`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'bigint' || v < 0n || v >= r) {
      throw new RangeError(`${what}: invalid field element at index ${i}: not a bigint in [0, r)`);
    }
  }
  const shift = opts.shift ?? 1n;
  if (typeof shift !== 'bigint' || shift <= 0n || shift >= r) {
    throw new RangeError(`${what}: shift must be a bigint in [1, r), got ${String(shift)}`);
  }
  return { logN, values: values.slice(), shift };
}

/** Multiplies values[j] by s^j in place. */
function scaleByPowers(curve: CurveName, values: bigint[], s: bigint): void {
  const F = frField(curve);
  let power = 1n;
  for (let j = 0; j < values.length; j++) {
    values[j] = F.mul(values[j], power);
    power = F.mul(power, s);
  }
}

/** The O(n^2) DFT straight from the definition (file comment). For n up to a few thousand. */
export function nttNaive(curve: CurveName, values: readonly bigint[], opts: NttOptions = {}): bigint[] {
  const { logN, values: input, shift } = prepare(curve, values, opts, 'nttNaive');
  const F = frField(curve);
  const n = input.length;
  const omega = opts.inverse ? F.inv(rootOfUnity(curve, logN)) : rootOfUnity(curve, logN);
  if (!opts.inverse) scaleByPowers(curve, input, shift);
  const out = new Array<bigint>(n);
  let omegaK = 1n; // omega^k
  for (let k = 0; k < n; k++) {
    let acc = 0n;
    let w = 1n; // omega^(j k)
    for (let j = 0; j < n; j++) {
      acc += input[j] * w;
      w = F.mul(w, omegaK);
    }
    out[k] = F.mod(acc);
    omegaK = F.mul(omegaK, omega);
  }
  if (opts.inverse) {
    const nInv = F.inv(BigInt(n));
    for (let j = 0; j < n; j++) out[j] = F.mul(out[j], nInv);
    scaleByPowers(curve, out, F.inv(shift));
  }
  return out;
}

/**
 * Same result as nttNaive in O(n log n): bit-reverse permutation, then iterative radix-2
 * Cooley-Tukey butterflies (decimation in time). The shape the GPU stages mirror.
 */
export function nttReference(curve: CurveName, values: readonly bigint[], opts: NttOptions = {}): bigint[] {
  const { logN, values: input, shift } = prepare(curve, values, opts, 'nttReference');
  const F = frField(curve);
  const n = input.length;
  if (!opts.inverse) scaleByPowers(curve, input, shift);
  const a = bitReversePermute(input);
  for (let s = 1; s <= logN; s++) {
    const m = 1 << s;
    const half = m >> 1;
    let wm = rootOfUnity(curve, s);
    if (opts.inverse) wm = F.inv(wm);
    for (let k = 0; k < n; k += m) {
      let w = 1n;
      for (let j = 0; j < half; j++) {
        const t = F.mul(w, a[k + j + half]);
        const u = a[k + j];
        a[k + j] = F.add(u, t);
        a[k + j + half] = F.sub(u, t);
        w = F.mul(w, wm);
      }
    }
  }
  if (opts.inverse) {
    const nInv = F.inv(BigInt(n));
    for (let j = 0; j < n; j++) a[j] = F.mul(a[j], nInv);
    scaleByPowers(curve, a, F.inv(shift));
  }
  return a;
}
