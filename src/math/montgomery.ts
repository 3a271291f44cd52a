/**
 * Montgomery constants and a limb-level reference multiplier: the one generator the WGSL and WASM
 * kernels take their constants from. Everything is derived from (modulus, limbBits, limbCount);
 * nothing is typed in by hand.
 */

import { bitLength, invMod, mod } from './field.js';

export interface MontgomeryParams {
  readonly modulus: bigint;
  /** Bits per limb, 1..32 (13 for WGSL u32 limbs with room for lazy carries, 32 for WASM u64 products). */
  readonly limbBits: number;
  readonly limbCount: number;
  /** R = 2^(limbBits * limbCount): the Montgomery radix (the integer, not reduced). */
  readonly R: bigint;
  /** R^2 mod modulus: toMont(x) = montMul(x, R2). */
  readonly R2: bigint;
  /** R^3 mod modulus: montMul(inv(xR), R3) = x^-1 R, for inversion in Montgomery form. */
  readonly R3: bigint;
  /** R^-1 mod modulus. */
  readonly rInv: bigint;
  /** -modulus^-1 mod 2^limbBits, the per-limb CIOS reduction factor. */
  readonly nPrime: number;
  /** modulus as limbs, least significant first. */
  readonly modulusLimbs: number[];
  /** R^2 mod modulus as limbs. */
  readonly r2Limbs: number[];
  /** R mod modulus (the Montgomery form of 1) as limbs. */
  readonly oneMontLimbs: number[];
}

function checkLimbBits(limbBits: number): void {
  if (!Number.isInteger(limbBits) || limbBits < 1 || limbBits > 32) {
    throw new RangeError(`limbBits must be an integer in 1..32, got ${limbBits}`);
  }
}

/** x as `count` little-endian limbs of `limbBits` bits; throws RangeError if x does not fit. */
export function toLimbs(x: bigint, limbBits: number, count: number): number[] {
  checkLimbBits(limbBits);
  if (x < 0n) throw new RangeError(`toLimbs: negative value ${x}`);
  const mask = (1n << BigInt(limbBits)) - 1n;
  const out = new Array<number>(count);
  let v = x;
  for (let i = 0; i < count; i++) {
    out[i] = Number(v & mask);
    v >>= BigInt(limbBits);
  }
  if (v !== 0n) throw new RangeError(`toLimbs: ${x} does not fit in ${count} limbs of ${limbBits} bits`);
  return out;
}

/** The integer whose little-endian `limbBits`-bit limbs are `limbs` (limbs must be < 2^limbBits). */
export function fromLimbs(limbs: readonly number[], limbBits: number): bigint {
  checkLimbBits(limbBits);
  let x = 0n;
  for (let i = limbs.length - 1; i >= 0; i--) {
    const l = limbs[i];
    if (!Number.isInteger(l) || l < 0 || l >= 2 ** limbBits) {
      throw new RangeError(`fromLimbs: limb ${i} = ${l} is not a ${limbBits}-bit unsigned integer`);
    }
    x = (x << BigInt(limbBits)) | BigInt(l);
  }
  return x;
}

/**
 * Derives every Montgomery constant for `modulus` (odd, > 2) at the given limb width. limbCount
 * defaults to the fewest limbs that hold the modulus, ceil(bits / limbBits); a larger count may be
 * given (kernels that want spare top bits for lazy reduction).
 */
export function montgomeryParams(modulus: bigint, limbBits: number, limbCount?: number): MontgomeryParams {
  checkLimbBits(limbBits);
  if (modulus < 3n || (modulus & 1n) === 0n) {
    throw new RangeError(`montgomeryParams: modulus must be odd and > 2, got ${modulus}`);
  }
  const bits = bitLength(modulus);
  const minCount = Math.ceil(bits / limbBits);
  const count = limbCount ?? minCount;
  if (!Number.isInteger(count) || count < minCount) {
    throw new RangeError(`montgomeryParams: ${count} limbs of ${limbBits} bits cannot hold a ${bits}-bit modulus (need ${minCount})`);
  }
  const R = 1n << BigInt(limbBits * count);
  const R1 = mod(R, modulus);
  const R2 = mod(R1 * R1, modulus);
  const R3 = mod(R2 * R1, modulus);
  const rInv = invMod(R1, modulus);
  const word = 1n << BigInt(limbBits);
  const nPrime = Number(mod(-invMod(modulus, word), word));
  return Object.freeze({
    modulus,
    limbBits,
    limbCount: count,
    R,
    R2,
    R3,
    rInv,
    nPrime,
    modulusLimbs: toLimbs(modulus, limbBits, count),
    r2Limbs: toLimbs(R2, limbBits, count),
    oneMontLimbs: toLimbs(R1, limbBits, count),
  });
}

/** x R mod modulus. */
export function toMont(x: bigint, params: MontgomeryParams): bigint {
  return mod(mod(x, params.modulus) * params.R, params.modulus);
}

/** x R^-1 mod modulus. */
export function fromMont(x: bigint, params: MontgomeryParams): bigint {
  return mod(x * params.rInv, params.modulus);
}

/** a b R^-1 mod modulus in BigInt: what montMulLimbs must agree with. */
export function montMul(a: bigint, b: bigint, params: MontgomeryParams): bigint {
  return mod(a * b * params.rInv, params.modulus);
}

/**
 * One word-level multiply-accumulate a * b + c + d for a, b, c, d < 2^w (w <= 32), returned as
 * [lo, hi] in base 2^w; hi < 2^w because (2^w - 1)^2 + 2 (2^w - 1) < 2^2w.
 *
 * Doubles are exact below 2^53, so for w <= 26 the whole product fits. For wider limbs a is split
 * into 16-bit halves, the way a WGSL kernel without mulhi must split 32-bit limbs: each partial
 * product stays below 2^48.
 */
function mac(a: number, b: number, c: number, d: number, w: number, base: number): [number, number] {
  if (w <= 26) {
    const t = a * b + c + d;
    const hi = Math.floor(t / base);
    return [t - hi * base, hi];
  }
  const aLo = a % 65536;
  const aHi = (a - aLo) / 65536; // < 2^(w - 16)
  const s = aLo * b + c + d; // < 2^48 + 2^33
  const hiPart = aHi * b; // < 2^48; contributes hiPart * 2^16
  const split = 2 ** (w - 16);
  const hiPartLo = hiPart % split; // goes into the low word, shifted by 16
  const sHi = Math.floor(s / base);
  const lo = hiPartLo * 65536 + (s - sHi * base); // < 2^(w+1)
  const carry = lo >= base ? 1 : 0;
  return [lo - carry * base, (hiPart - hiPartLo) / split + sHi + carry];
}

/**
 * Montgomery product a b R^-1 mod p on limbs, by CIOS (Coarsely Integrated Operand Scanning,
 * Koc-Acar-Kaliski 1996) exactly as a kernel runs it: per outer limb b[i], accumulate a * b[i]
 * into t, then add m * p with m = t[0] * nPrime mod 2^w so the low limb cancels, and shift down
 * one limb. t carries two extra words, so any limb count that holds p works (kernels with a spare
 * top bit can drop them). Inputs must be < p (as limbs of params.limbBits bits); the output is < p.
 */
export function montMulLimbs(a: readonly number[], b: readonly number[], params: MontgomeryParams): number[] {
  const n = params.limbCount;
  const w = params.limbBits;
  const base = 2 ** w;
  const p = params.modulusLimbs;
  if (a.length !== n || b.length !== n) {
    throw new RangeError(`montMulLimbs: expected ${n} limbs, got ${a.length} and ${b.length}`);
  }
  const t = new Array<number>(n + 2).fill(0);
  for (let i = 0; i < n; i++) {
    // t += a * b[i]
    let carry = 0;
    for (let j = 0; j < n; j++) {
      [t[j], carry] = mac(a[j], b[i], t[j], carry, w, base);
    }
    let sum = t[n] + carry;
    t[n] = sum % base;
    t[n + 1] = (sum - t[n]) / base;
    // t = (t + m p) / 2^w
    const m = mac(t[0], params.nPrime, 0, 0, w, base)[0];
    [, carry] = mac(m, p[0], t[0], 0, w, base);
    for (let j = 1; j < n; j++) {
      [t[j - 1], carry] = mac(m, p[j], t[j], carry, w, base);
    }
    sum = t[n] + carry;
    t[n - 1] = sum % base;
    t[n] = t[n + 1] + (sum - t[n - 1]) / base;
    t[n + 1] = 0;
  }
  // t < 2p: one conditional subtraction (compare from the top word down, t[n] included).
  let geq = t[n] !== 0;
  if (!geq) {
    geq = true;
    for (let j = n - 1; j >= 0; j--) {
      if (t[j] !== p[j]) {
        geq = t[j] > p[j];
        break;
      }
    }
  }
  const out = t.slice(0, n);
  if (geq) {
    let borrow = 0;
    for (let j = 0; j < n; j++) {
      let d = out[j] - p[j] - borrow;
      borrow = d < 0 ? 1 : 0;
      if (borrow) d += base;
      out[j] = d;
    }
  }
  return out;
}
