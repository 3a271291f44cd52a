/**
 * Curve and field parameters for the two supported pairing curves, and the G1/G2 group objects.
 * Every constant here is re-derived or cross-checked in test/unit/math/curves.test.ts (primality,
 * generator orders, twist coefficients, agreement with @noble/curves and ffjavascript).
 */

import { PrimeField } from './field.js';
import { type Fp2, Fp2Field } from './fp2.js';
import { type AffinePoint, type WeierstrassCurve, isOnCurve, pointAdd, pointDouble, pointEq, pointInfinity, pointMul, pointNeg, pointSub } from './point.js';
import type { Rng } from './random.js';

import { FIELD_BYTES, type CurveName, type GroupName } from '../core/sizes.js';

export { CURVE_NAMES, GROUP_NAMES, isCurveName, isGroupName, type CurveName, type GroupName } from '../core/sizes.js';

export type G1Point = AffinePoint<bigint>;
export type G2Point = AffinePoint<Fp2>;

export interface CurveParams {
  readonly name: CurveName;
  /** Base field modulus. */
  readonly p: bigint;
  /** Prime order of G1 and G2; the scalar field Fr modulus. */
  readonly r: bigint;
  /** Bytes of one Fp element in snarkjs/.zkey encodings (8 * ceil(bits / 64)). */
  readonly fpBytes: 32 | 48;
  /** Bytes of one Fr element (scalars, NTT values). */
  readonly frBytes: 32;
  readonly fpBits: number;
  readonly frBits: number;
  /** s with p - 1 = 2^s * odd. */
  readonly fpTwoAdicity: number;
  /** s with r - 1 = 2^s * odd: the largest power-of-two NTT size is 2^frTwoAdicity. */
  readonly frTwoAdicity: number;
  /**
   * A generator of the multiplicative group Fr^* (hence a non-residue): the default NTT coset
   * shift. BN254: 5. BLS12-381: 7, the smallest generator (arkworks, blst, gnark use it).
   * The NTT roots of unity do NOT come from it: they come from FR_ROOT_BASE in ntt.ts (5 on both
   * curves, ffjavascript's smallest non-residue), so that they equal snarkjs's Fr.w[k].
   */
  readonly frGenerator: bigint;
  /** Fp2 = Fp[u] / (u^2 - fp2NonResidue), given as a small signed integer: -1 for both curves. */
  readonly fp2NonResidue: bigint;
  readonly g1: {
    readonly a: bigint;
    readonly b: bigint;
    readonly generator: { readonly x: bigint; readonly y: bigint };
  };
  readonly g2: {
    readonly a: Fp2;
    /** Twist coefficient: BN254 3 / (9 + u) (D-type), BLS12-381 4 (1 + u) (M-type). */
    readonly b: Fp2;
    readonly generator: { readonly x: Fp2; readonly y: Fp2 };
  };
}

const BN254: CurveParams = {
  name: 'bn254',
  p: 21888242871839275222246405745257275088696311157297823662689037894645226208583n,
  r: 21888242871839275222246405745257275088548364400416034343698204186575808495617n,
  fpBytes: FIELD_BYTES.bn254,
  frBytes: 32,
  fpBits: 254,
  frBits: 254,
  fpTwoAdicity: 1,
  frTwoAdicity: 28,
  frGenerator: 5n,
  fp2NonResidue: -1n,
  g1: { a: 0n, b: 3n, generator: { x: 1n, y: 2n } },
  g2: {
    a: { c0: 0n, c1: 0n },
    b: {
      c0: 19485874751759354771024239261021720505790618469301721065564631296452457478373n,
      c1: 266929791119991161246907387137283842545076965332900288569378510910307636690n,
    },
    // The EIP-197 / snarkjs generator.
    generator: {
      x: {
        c0: 10857046999023057135944570762232829481370756359578518086990519993285655852781n,
        c1: 11559732032986387107991004021392285783925812861821192530917403151452391805634n,
      },
      y: {
        c0: 8495653923123431417604973247489272438418190587263600148770280649306958101930n,
        c1: 4082367875863433681332203403145435568316851327593401208105741076214120093531n,
      },
    },
  },
};

const BLS12_381: CurveParams = {
  name: 'bls12-381',
  p: 4002409555221667393417789825735904156556882819939007885332058136124031650490837864442687629129015664037894272559787n,
  r: 52435875175126190479447740508185965837690552500527637822603658699938581184513n,
  fpBytes: FIELD_BYTES['bls12-381'],
  frBytes: 32,
  fpBits: 381,
  frBits: 255,
  fpTwoAdicity: 1,
  frTwoAdicity: 32,
  frGenerator: 7n,
  fp2NonResidue: -1n,
  g1: {
    a: 0n,
    b: 4n,
    generator: {
      x: 3685416753713387016781088315183077757961620795782546409894578378688607592378376318836054947676345821548104185464507n,
      y: 1339506544944476473020471379941921221584933875938349620426543736416511423956333506472724655353366534992391756441569n,
    },
  },
  g2: {
    a: { c0: 0n, c1: 0n },
    b: { c0: 4n, c1: 4n },
    generator: {
      x: {
        c0: 352701069587466618187139116011060144890029952792775240219908644239793785735715026873347600343865175952761926303160n,
        c1: 3059144344244213709971259814753781636986470325476647558659373206291635324768958432433509563104347017837885763365758n,
      },
      y: {
        c0: 1985150602287291935568054521177171638300868978215655730859378665066344726373823718423869104263333984641494340347905n,
        c1: 927553665492332455747201965776037880757740193453592970025027978793976877002675564980949289727957565575433344219582n,
      },
    },
  },
};

/** Freezes nested plain objects too: the oracle's constants must not be edited by a consumer. */
function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

export const CURVES: Readonly<Record<CurveName, CurveParams>> = deepFreeze({
  bn254: BN254,
  'bls12-381': BLS12_381,
});

// Field and group objects are immutable, so one instance per curve is shared.
const fpCache = new Map<CurveName, PrimeField>();
const frCache = new Map<CurveName, PrimeField>();
const fp2Cache = new Map<CurveName, Fp2Field>();

/** The base field Fp of a curve. */
export function fpField(curve: CurveName): PrimeField {
  let f = fpCache.get(curve);
  if (f === undefined) fpCache.set(curve, (f = new PrimeField(CURVES[curve].p)));
  return f;
}

/** The scalar field Fr (group order) of a curve. */
export function frField(curve: CurveName): PrimeField {
  let f = frCache.get(curve);
  if (f === undefined) frCache.set(curve, (f = new PrimeField(CURVES[curve].r)));
  return f;
}

/** The quadratic extension Fp2 that G2 coordinates live in. */
export function fp2Field(curve: CurveName): Fp2Field {
  let f = fp2Cache.get(curve);
  if (f === undefined) fp2Cache.set(curve, (f = new Fp2Field(fpField(curve), CURVES[curve].fp2NonResidue)));
  return f;
}

/** A prime-order group of a curve: the curve equation plus bound point operations. */
export interface Group<T> extends WeierstrassCurve<T> {
  readonly curve: CurveName;
  readonly group: GroupName;
  /** The prime group order r. */
  readonly order: bigint;
  readonly generator: AffinePoint<T>;
  readonly infinity: AffinePoint<T>;
  add(p: AffinePoint<T>, q: AffinePoint<T>): AffinePoint<T>;
  sub(p: AffinePoint<T>, q: AffinePoint<T>): AffinePoint<T>;
  double(p: AffinePoint<T>): AffinePoint<T>;
  neg(p: AffinePoint<T>): AffinePoint<T>;
  /** k P, k not reduced (see pointMul). */
  mul(p: AffinePoint<T>, k: bigint): AffinePoint<T>;
  isOnCurve(p: AffinePoint<T>): boolean;
  /** On the curve and r P = infinity (one scalar multiplication: slow, for tests and validation). */
  isInSubgroup(p: AffinePoint<T>): boolean;
  eq(p: AffinePoint<T>, q: AffinePoint<T>): boolean;
  /** k G for a uniform k in [1, r): a random subgroup point (no hashing to the curve needed). */
  random(rng: Rng): AffinePoint<T>;
}

function makeGroup<T>(curve: CurveName, group: GroupName, field: WeierstrassCurve<T>['field'], a: T, b: T, generator: { x: T; y: T }): Group<T> {
  const c: WeierstrassCurve<T> = { field, a, b };
  const order = CURVES[curve].r;
  return Object.freeze({
    curve,
    group,
    field,
    a,
    b,
    order,
    generator: Object.freeze({ x: generator.x, y: generator.y, infinity: false }),
    infinity: Object.freeze(pointInfinity(c)),
    add: (p: AffinePoint<T>, q: AffinePoint<T>) => pointAdd(c, p, q),
    sub: (p: AffinePoint<T>, q: AffinePoint<T>) => pointSub(c, p, q),
    double: (p: AffinePoint<T>) => pointDouble(c, p),
    neg: (p: AffinePoint<T>) => pointNeg(c, p),
    mul: (p: AffinePoint<T>, k: bigint) => pointMul(c, p, k),
    isOnCurve: (p: AffinePoint<T>) => isOnCurve(c, p),
    isInSubgroup: (p: AffinePoint<T>) => isOnCurve(c, p) && pointMul(c, p, order).infinity,
    eq: (p: AffinePoint<T>, q: AffinePoint<T>) => pointEq(c, p, q),
    random: (rng: Rng) => pointMul(c, { x: generator.x, y: generator.y, infinity: false }, 1n + rng.nextBigInt(order - 1n)),
  });
}

const g1Cache = new Map<CurveName, Group<bigint>>();
const g2Cache = new Map<CurveName, Group<Fp2>>();

/** G1: y^2 = x^3 + b over Fp. */
export function g1(curve: CurveName): Group<bigint> {
  let g = g1Cache.get(curve);
  if (g === undefined) {
    const { a, b, generator } = CURVES[curve].g1;
    g1Cache.set(curve, (g = makeGroup(curve, 'g1', fpField(curve), a, b, generator)));
  }
  return g;
}

/** G2: y^2 = x^3 + b' over Fp2 (the twist). */
export function g2(curve: CurveName): Group<Fp2> {
  let g = g2Cache.get(curve);
  if (g === undefined) {
    const { a, b, generator } = CURVES[curve].g2;
    g2Cache.set(curve, (g = makeGroup(curve, 'g2', fp2Field(curve), a, b, generator)));
  }
  return g;
}
