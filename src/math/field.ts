/**
 * Prime fields over BigInt: the reference every kernel result is checked against.
 * Clarity over speed: nothing here is on a hot path.
 */

import type { Rng } from './random.js';

/** The operations the generic point code needs; PrimeField (bigint) and Fp2Field ({c0, c1}) implement it. */
export interface Field<T> {
  readonly zero: T;
  readonly one: T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  neg(a: T): T;
  mul(a: T, b: T): T;
  sqr(a: T): T;
  /** Throws RangeError on zero. */
  inv(a: T): T;
  div(a: T, b: T): T;
  pow(a: T, e: bigint): T;
  /** Multiplies by a small integer (curve constants 2, 3, 4...). */
  mulSmall(a: T, k: bigint): T;
  eq(a: T, b: T): boolean;
  isZero(a: T): boolean;
  /** True when a is a canonical element (every coordinate in [0, p)). */
  isValid(a: unknown): a is T;
  /** A square root, or undefined when a is not a square. */
  sqrt(a: T): T | undefined;
  random(rng: Rng): T;
}

/** x mod m in [0, m), also for negative x. */
export function mod(x: bigint, m: bigint): bigint {
  const r = x % m;
  return r < 0n ? r + m : r;
}

/** Number of bits of a non-negative bigint (0 for 0). */
export function bitLength(x: bigint): number {
  if (x < 0n) throw new RangeError('bitLength of a negative number');
  return x === 0n ? 0 : x.toString(2).length;
}

/** base^e mod m by square-and-multiply; e >= 0. */
export function powMod(base: bigint, e: bigint, m: bigint): bigint {
  if (e < 0n) throw new RangeError('powMod: negative exponent (use invMod first)');
  let result = 1n % m;
  let b = mod(base, m);
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

/** a^-1 mod m by the extended Euclidean algorithm; throws RangeError when gcd(a, m) != 1. */
export function invMod(a: bigint, m: bigint): bigint {
  let r0 = mod(a, m);
  if (r0 === 0n) throw new RangeError('inverse of zero');
  let r1 = m;
  let s0 = 1n;
  let s1 = 0n;
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new RangeError(`no inverse: gcd(a, m) = ${r0}`);
  return mod(s0, m);
}

/** The largest s with 2^s dividing x (x > 0). */
export function twoAdicity(x: bigint): number {
  if (x <= 0n) throw new RangeError('twoAdicity of a non-positive number');
  let s = 0;
  while ((x & 1n) === 0n) {
    x >>= 1n;
    s++;
  }
  return s;
}

/**
 * The field Z/pZ for an odd prime p (primality is the caller's promise; the curve moduli are
 * checked in tests). Elements are bigints in [0, p); inputs outside that range are reduced by
 * every operation except isValid, which is the one place that checks the canonical range.
 */
export class PrimeField implements Field<bigint> {
  readonly p: bigint;
  /** Bit length of p. */
  readonly bits: number;
  /** Bytes needed for an element: ceil(bits / 8). */
  readonly bytes: number;
  /** s with p - 1 = 2^s * t, t odd. */
  readonly twoAdicity: number;
  readonly zero = 0n;
  readonly one = 1n;
  // Tonelli-Shanks constants, computed on first use: most fields never take a root.
  private tsCache: { t: bigint; z: bigint } | undefined;

  constructor(p: bigint) {
    if (p < 3n || (p & 1n) === 0n) throw new RangeError(`PrimeField: modulus must be an odd prime, got ${p}`);
    this.p = p;
    this.bits = bitLength(p);
    this.bytes = Math.ceil(this.bits / 8);
    this.twoAdicity = twoAdicity(p - 1n);
  }

  mod(a: bigint): bigint {
    return mod(a, this.p);
  }
  add(a: bigint, b: bigint): bigint {
    return mod(a + b, this.p);
  }
  sub(a: bigint, b: bigint): bigint {
    return mod(a - b, this.p);
  }
  neg(a: bigint): bigint {
    return mod(-a, this.p);
  }
  mul(a: bigint, b: bigint): bigint {
    return mod(a * b, this.p);
  }
  sqr(a: bigint): bigint {
    return mod(a * a, this.p);
  }
  mulSmall(a: bigint, k: bigint): bigint {
    return mod(a * k, this.p);
  }
  /** Throws RangeError on zero. */
  inv(a: bigint): bigint {
    return invMod(a, this.p);
  }
  div(a: bigint, b: bigint): bigint {
    return this.mul(a, this.inv(b));
  }
  /** a^e; a negative e means (a^-1)^|e|. */
  pow(a: bigint, e: bigint): bigint {
    return e < 0n ? powMod(this.inv(a), -e, this.p) : powMod(a, e, this.p);
  }
  eq(a: bigint, b: bigint): boolean {
    return mod(a, this.p) === mod(b, this.p);
  }
  isZero(a: bigint): boolean {
    return mod(a, this.p) === 0n;
  }
  /** 0 <= a < p and a is a bigint. */
  isValid(a: unknown): a is bigint {
    return typeof a === 'bigint' && a >= 0n && a < this.p;
  }
  /** Legendre symbol: 1 for a nonzero square, -1 for a non-square, 0 for zero. */
  legendre(a: bigint): -1 | 0 | 1 {
    const x = this.mod(a);
    if (x === 0n) return 0;
    return powMod(x, (this.p - 1n) >> 1n, this.p) === 1n ? 1 : -1;
  }
  isSquare(a: bigint): boolean {
    return this.legendre(a) !== -1;
  }

  /**
   * A square root of a, or undefined for a non-square. p = 3 mod 4 (both base fields) takes the
   * one-exponentiation shortcut a^((p+1)/4); otherwise Tonelli-Shanks (the scalar fields, with
   * 2-adicity 28 and 32). Which of the two roots comes back is unspecified.
   */
  sqrt(a: bigint): bigint | undefined {
    const x = this.mod(a);
    if (x === 0n) return 0n;
    if (this.legendre(x) !== 1) return undefined;
    if ((this.p & 3n) === 3n) return powMod(x, (this.p + 1n) >> 2n, this.p);
    if (this.tsCache === undefined) {
      const t = (this.p - 1n) >> BigInt(this.twoAdicity);
      let z = 2n;
      while (this.legendre(z) !== -1) z++;
      this.tsCache = { t, z };
    }
    const { t, z } = this.tsCache;
    let m = this.twoAdicity;
    let c = powMod(z, t, this.p);
    let tt = powMod(x, t, this.p);
    let root = powMod(x, (t + 1n) >> 1n, this.p);
    while (tt !== 1n) {
      // Least i with tt^(2^i) = 1; i < m since x is a square.
      let i = 0;
      let probe = tt;
      while (probe !== 1n) {
        probe = this.sqr(probe);
        i++;
      }
      const b = powMod(c, 1n << BigInt(m - i - 1), this.p);
      m = i;
      c = this.sqr(b);
      tt = this.mul(tt, c);
      root = this.mul(root, b);
    }
    return root;
  }

  /** Uniform element of [0, p). */
  random(rng: Rng): bigint {
    return rng.nextBigInt(this.p);
  }
}
