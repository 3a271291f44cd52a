/**
 * Fp2 = Fp[u] / (u^2 - beta). Both supported curves use beta = -1 (p = 3 mod 4 makes -1 a
 * non-residue), but beta is a parameter so the tower stays explicit.
 */

import type { Field, PrimeField } from './field.js';
import type { Rng } from './random.js';

/** c0 + c1*u, each coordinate in [0, p). */
export interface Fp2 {
  c0: bigint;
  c1: bigint;
}

export class Fp2Field implements Field<Fp2> {
  readonly fp: PrimeField;
  /** u^2 = nonResidue, reduced into [0, p). */
  readonly nonResidue: bigint;
  readonly zero: Fp2 = Object.freeze({ c0: 0n, c1: 0n });
  readonly one: Fp2 = Object.freeze({ c0: 1n, c1: 0n });

  constructor(fp: PrimeField, nonResidue: bigint) {
    this.fp = fp;
    this.nonResidue = fp.mod(nonResidue);
    if (fp.isSquare(this.nonResidue)) {
      throw new RangeError(`Fp2: ${nonResidue} is a square mod p, so u^2 - ${nonResidue} is reducible`);
    }
  }

  /** Builds an element, reducing both coordinates. */
  create(c0: bigint, c1 = 0n): Fp2 {
    return { c0: this.fp.mod(c0), c1: this.fp.mod(c1) };
  }
  add(a: Fp2, b: Fp2): Fp2 {
    return { c0: this.fp.add(a.c0, b.c0), c1: this.fp.add(a.c1, b.c1) };
  }
  sub(a: Fp2, b: Fp2): Fp2 {
    return { c0: this.fp.sub(a.c0, b.c0), c1: this.fp.sub(a.c1, b.c1) };
  }
  neg(a: Fp2): Fp2 {
    return { c0: this.fp.neg(a.c0), c1: this.fp.neg(a.c1) };
  }
  /** (a0 + a1 u)(b0 + b1 u) = a0 b0 + beta a1 b1 + (a0 b1 + a1 b0) u, schoolbook (clarity first). */
  mul(a: Fp2, b: Fp2): Fp2 {
    const { fp } = this;
    return {
      c0: fp.mod(a.c0 * b.c0 + this.nonResidue * a.c1 * b.c1),
      c1: fp.mod(a.c0 * b.c1 + a.c1 * b.c0),
    };
  }
  sqr(a: Fp2): Fp2 {
    return this.mul(a, a);
  }
  mulSmall(a: Fp2, k: bigint): Fp2 {
    return { c0: this.fp.mulSmall(a.c0, k), c1: this.fp.mulSmall(a.c1, k) };
  }
  /** Multiplies both coordinates by an Fp element. */
  mulFp(a: Fp2, k: bigint): Fp2 {
    return { c0: this.fp.mul(a.c0, k), c1: this.fp.mul(a.c1, k) };
  }
  conjugate(a: Fp2): Fp2 {
    return { c0: this.fp.mod(a.c0), c1: this.fp.neg(a.c1) };
  }
  /** a * conj(a) = a0^2 - beta a1^2, an element of Fp. */
  norm(a: Fp2): bigint {
    return this.fp.mod(a.c0 * a.c0 - this.nonResidue * a.c1 * a.c1);
  }
  /** conj(a) / norm(a); throws RangeError on zero (the norm of a nonzero element is nonzero). */
  inv(a: Fp2): Fp2 {
    if (this.isZero(a)) throw new RangeError('inverse of zero');
    return this.mulFp(this.conjugate(a), this.fp.inv(this.norm(a)));
  }
  div(a: Fp2, b: Fp2): Fp2 {
    return this.mul(a, this.inv(b));
  }
  pow(a: Fp2, e: bigint): Fp2 {
    let base = e < 0n ? this.inv(a) : this.create(a.c0, a.c1);
    let k = e < 0n ? -e : e;
    let result = this.one;
    while (k > 0n) {
      if (k & 1n) result = this.mul(result, base);
      base = this.sqr(base);
      k >>= 1n;
    }
    return result;
  }
  eq(a: Fp2, b: Fp2): boolean {
    return this.fp.eq(a.c0, b.c0) && this.fp.eq(a.c1, b.c1);
  }
  isZero(a: Fp2): boolean {
    return this.fp.isZero(a.c0) && this.fp.isZero(a.c1);
  }
  isValid(a: unknown): a is Fp2 {
    if (typeof a !== 'object' || a === null) return false;
    const { c0, c1 } = a as { c0?: unknown; c1?: unknown };
    return this.fp.isValid(c0) && this.fp.isValid(c1);
  }
  /** a is a square in Fp2 iff its norm is a square in Fp. */
  isSquare(a: Fp2): boolean {
    return this.fp.isSquare(this.norm(a));
  }

  /**
   * A square root, or undefined. Uses the norm: if x^2 = a then N(x)^2 = N(a), so with
   * s = sqrt(N(a)) in Fp, x0^2 = (a0 +- s)/2 and x1 = a1 / (2 x0). Written for beta = -1
   * (norm a0^2 + a1^2); other betas are rejected rather than silently wrong.
   */
  sqrt(a: Fp2): Fp2 | undefined {
    const { fp } = this;
    if (this.nonResidue !== fp.p - 1n) throw new Error('Fp2.sqrt is implemented for u^2 = -1 only');
    const a0 = fp.mod(a.c0);
    const a1 = fp.mod(a.c1);
    let candidate: Fp2 | undefined;
    if (a1 === 0n) {
      // a is in Fp: either a0 has a root in Fp, or -a0 does and the root is sqrt(-a0) * u.
      const r = fp.sqrt(a0);
      if (r !== undefined) candidate = { c0: r, c1: 0n };
      else {
        const r2 = fp.sqrt(fp.neg(a0));
        if (r2 !== undefined) candidate = { c0: 0n, c1: r2 };
      }
    } else {
      const s = fp.sqrt(this.norm(a));
      if (s === undefined) return undefined;
      const half = fp.inv(2n);
      let delta = fp.mul(fp.add(a0, s), half);
      let x0 = fp.sqrt(delta);
      if (x0 === undefined) {
        delta = fp.mul(fp.sub(a0, s), half);
        x0 = fp.sqrt(delta);
      }
      if (x0 !== undefined && x0 !== 0n) {
        candidate = { c0: x0, c1: fp.div(a1, fp.mulSmall(x0, 2n)) };
      }
    }
    return candidate !== undefined && this.eq(this.sqr(candidate), { c0: a0, c1: a1 }) ? candidate : undefined;
  }

  random(rng: Rng): Fp2 {
    return { c0: this.fp.random(rng), c1: this.fp.random(rng) };
  }
}
