/**
 * The step tables of src/msm/point-program.ts (what shaders/curve_g2.wgsl runs), interpreted on
 * BigInts: every operation and every branch (generic, p = q, p = -q, an operand or both at
 * infinity) against the affine BigInt oracle, exhaustively on toy curves over F_7 and F_7^2 and
 * on random points of BN254 and BLS12-381 with random XYZZ scalings; and the table's layout.
 */
import { describe, expect, it } from 'vitest';
import {
  CURVES,
  Fp2Field,
  PrimeField,
  fp2Field,
  fpField,
  g1,
  g2,
  isOnCurve,
  pointAdd,
  pointDouble,
  pointNeg,
  type AffinePoint,
  type CurveName,
  type Fp2,
  type WeierstrassCurve,
} from '../../../src/math/index.js';
import { buildPointProgram, decodeStep, runPointProgram, STEP_OP, type PointEntry, type PointProgram } from '../../../src/msm/point-program.js';
import { curveG2Prelude, stepTableWords } from '../../../src/msm/prelude.js';
import { chunkPoints, gpuPointBytes, maxWindowBitsFor, planChunk, windowCount } from '../../../src/msm/plan.js';
import { rngFor } from '../../support/seed.js';

/** One coordinate as its Fp registers. */
type Regs<T> = (v: T) => bigint[];
const fpRegs: Regs<bigint> = (v) => [v];
const fp2Regs: Regs<Fp2> = (v) => [v.c0, v.c1];

interface Harness<T> {
  curve: WeierstrassCurve<T>;
  p: bigint;
  regs: Regs<T>;
  program: PointProgram;
}

/** XYZZ registers of an affine point scaled by z (infinity: ZZ = ZZZ = 0, X, Y arbitrary). */
function xyzzRegs<T>(h: Harness<T>, pt: AffinePoint<T>, z: T): bigint[] {
  const F = h.curve.field;
  if (pt.infinity) return [F.one, F.one, F.zero, F.zero].flatMap(h.regs);
  const zz = F.sqr(z);
  const zzz = F.mul(zz, z);
  return [F.mul(pt.x, zz), F.mul(pt.y, zzz), zz, zzz].flatMap(h.regs);
}

/** The affine point of output registers (ZZ = 0: infinity). */
function fromRegs<T>(h: Harness<T>, r: bigint[], make: (rs: bigint[]) => T): AffinePoint<T> {
  const F = h.curve.field;
  const k = h.program.coordFp;
  const coord = (i: number) => make(r.slice(i * k, (i + 1) * k));
  const zz = coord(2);
  if (F.isZero(zz)) return { x: F.zero, y: F.zero, infinity: true };
  return { x: F.div(coord(0), zz), y: F.div(coord(1), coord(3)), infinity: false };
}

/** Runs `entry` on p (scaled by zp) and q (scaled by zq; for the affine entries unscaled, ZZ = 1) and checks the oracle. */
function checkAll<T>(h: Harness<T>, make: (rs: bigint[]) => T, a: AffinePoint<T>, b: AffinePoint<T>, zp: T, zq: T): void {
  const F = h.curve.field;
  const want: Record<PointEntry, AffinePoint<T>> = {
    add: pointAdd(h.curve, a, b),
    addAffine: pointAdd(h.curve, a, b),
    subAffine: pointAdd(h.curve, a, pointNeg(h.curve, b)),
    double: pointDouble(h.curve, a),
  };
  for (const entry of Object.keys(want) as PointEntry[]) {
    const q = entry === 'add' ? xyzzRegs(h, b, zq) : xyzzRegs(h, b, F.one);
    const out = runPointProgram(h.program, h.p, entry, { p: xyzzRegs(h, a, zp), q });
    const got = fromRegs(h, out, make);
    const eq = got.infinity === want[entry].infinity && (got.infinity || (F.eq(got.x, want[entry].x) && F.eq(got.y, want[entry].y)));
    expect(eq, `${entry}: ${JSON.stringify([a, b], (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`).toBe(true);
  }
}

/** Every point of a toy curve (brute force over the field). */
function allPoints<T>(curve: WeierstrassCurve<T>, elements: T[]): AffinePoint<T>[] {
  const pts: AffinePoint<T>[] = [{ x: curve.field.zero, y: curve.field.zero, infinity: true }];
  for (const x of elements) for (const y of elements) if (isOnCurve(curve, { x, y, infinity: false })) pts.push({ x, y, infinity: false });
  return pts;
}

describe('point step tables on toy curves: every pair of points', () => {
  it('F_7, y^2 = x^3 + 1 (coordFp 1): add, mixed add, mixed sub and double agree with the affine rules', () => {
    const F = new PrimeField(7n);
    const h: Harness<bigint> = { curve: { field: F, a: 0n, b: 1n }, p: 7n, regs: fpRegs, program: buildPointProgram(1) };
    const pts = allPoints(h.curve, [0n, 1n, 2n, 3n, 4n, 5n, 6n]);
    // 11 affine points; (3, 0), (5, 0), (6, 0) have order 2: their doubling is the ZZ3 = 0 case
    expect(pts).toHaveLength(12);
    expect(pts.some((p) => !p.infinity && p.y === 0n)).toBe(true);
    for (const a of pts) for (const b of pts) checkAll(h, (r) => r[0], a, b, 3n, 5n);
  });

  it('F_7^2 (u^2 = -1), y^2 = x^3 + (2 - 2u) (coordFp 2): the same, with points of order 2 (y = 0) among them', () => {
    const F = new Fp2Field(new PrimeField(7n), -1n);
    // b = -(1 + u)^3, so (1 + u, 0) is on the curve
    const h: Harness<Fp2> = { curve: { field: F, a: F.zero, b: { c0: 2n, c1: 5n } }, p: 7n, regs: fp2Regs, program: buildPointProgram(2) };
    const elements: Fp2[] = [];
    for (let c0 = 0n; c0 < 7n; c0++) for (let c1 = 0n; c1 < 7n; c1++) elements.push({ c0, c1 });
    const pts = allPoints(h.curve, elements);
    expect(pts.some((p) => !p.infinity && F.isZero(p.y))).toBe(true);
    const make = (r: bigint[]): Fp2 => ({ c0: r[0], c1: r[1] });
    for (const a of pts) for (const b of pts) checkAll(h, make, a, b, { c0: 2n, c1: 3n }, { c0: 6n, c1: 1n });
  });
});

describe('point step tables on BN254 and BLS12-381: random points, random XYZZ scalings', () => {
  const curves: CurveName[] = ['bn254', 'bls12-381'];
  for (const curve of curves) {
    it(`${curve} G2 (Fp2) and G1 (Fp): generic, p = q, p = -q and infinity cases`, () => {
      const rng = rngFor(`point-program:${curve}`);
      const p = CURVES[curve].p;
      const G2 = g2(curve);
      const F2 = fp2Field(curve);
      const h2: Harness<Fp2> = { curve: G2, p, regs: fp2Regs, program: buildPointProgram(2) };
      const G1 = g1(curve);
      const h1: Harness<bigint> = { curve: G1, p, regs: fpRegs, program: buildPointProgram(1) };
      for (let t = 0; t < 2; t++) {
        const [a, b] = [G2.random(rng), G2.random(rng)];
        for (const [x, y] of [
          [a, b],
          [a, a],
          [a, G2.neg(a)],
          [G2.infinity, b],
          [a, G2.infinity],
        ] as const) {
          checkAll(h2, (r) => ({ c0: r[0], c1: r[1] }), x, y, F2.random(rng), F2.random(rng));
        }
        const [c, d] = [G1.random(rng), G1.random(rng)];
        const F1 = fpField(curve);
        for (const [x, y] of [
          [c, d],
          [c, c],
          [c, G1.neg(c)],
        ] as const)
          checkAll(h1, (r) => r[0], x, y, F1.random(rng), F1.random(rng));
      }
    });
  }
});

describe('point step table layout', () => {
  it('G2: Karatsuba products (3 per Fp2 product, 2 per square), registers and jumps in range, forward jumps only', () => {
    const prog = buildPointProgram(2);
    const steps = prog.steps.map(decodeStep);
    // add-2008-s 12M + 2S, madd-2008-s 8M + 2S, dbl-2008-s-1 6M + 3S, in Fp products
    expect(steps.filter((s) => s.op === STEP_OP.mul)).toHaveLength(3 * (12 + 8 + 6) + 2 * (2 + 2 + 3));
    steps.forEach((s, i) => {
      if (s.op === STEP_OP.jump || s.op === STEP_OP.jumpNonZero) {
        expect(s.x).toBeGreaterThan(i);
        expect(s.x).toBeLessThan(steps.length);
      } else if (s.op !== STEP_OP.halt) {
        expect(Math.max(s.x, s.y, s.z)).toBeLessThan(prog.registers);
        // never written: p, the kernels' slots and the zero register (q only by subAffine's negation of its Y)
        expect(s.x < prog.p + prog.pointRegs || (s.x >= prog.slotA && s.x < prog.zero + 1)).toBe(false);
      }
    });
    expect(prog.entry.subAffine).toBeLessThan(prog.entry.addAffine);
  });

  it('the uniform table: point sizes in vec4s, then the steps, padded to whole vec4s', () => {
    for (const curve of ['bn254', 'bls12-381'] as const) {
      const { program, field } = curveG2Prelude(curve);
      const words = new Uint32Array(stepTableWords(curve).buffer);
      const limbs = field.params.limbCount;
      // an XYZZ G2 point is 8 Fp elements of limbs / 2 words: limbs vec4s
      expect([...words.subarray(0, 4)]).toEqual([limbs, limbs / 2, 0, 0]);
      expect([...words.subarray(4, 4 + program.steps.length)]).toEqual(program.steps);
      expect(words.length % 4).toBe(0);
    }
  });
});

describe('G2 chunk plans (src/msm/plan.ts with group g2)', () => {
  it('G2 points are twice G1 points; the bucket array and the head/tail parts fit one 128 MiB binding', () => {
    const maxBinding = 1 << 27;
    for (const curve of ['bn254', 'bls12-381'] as const) {
      const fp = CURVES[curve].fpBytes;
      expect(gpuPointBytes(curve, 'g2')).toEqual({ affine: 4 * fp, xyzz: 8 * fp });
      expect(gpuPointBytes(curve)).toEqual({ affine: 2 * fp, xyzz: 4 * fp });
      const c = maxWindowBitsFor(curve, maxBinding, 'g2');
      const bucketBytes = (bits: number) => windowCount(CURVES[curve].frBits, bits) * 2 ** (bits - 1) * 8 * fp;
      expect(bucketBytes(c)).toBeLessThanOrEqual(maxBinding);
      expect(bucketBytes(c + 1)).toBeGreaterThan(maxBinding);
      const limits = { maxBinding, maxChunkPoints: 1 << 22 };
      const n = chunkPoints(curve, 1 << 24, limits, undefined, 'g2');
      expect(n * 4 * fp).toBeLessThanOrEqual(maxBinding);
      const plan = planChunk(curve, n, limits, undefined, 'g2');
      expect(plan.c).toBeLessThanOrEqual(c);
      expect(2 * plan.threads * 8 * fp).toBeLessThanOrEqual(maxBinding);
    }
    // BLS12-381 G2 (384-byte XYZZ points) is the one that drops below 16-bit windows
    expect(maxWindowBitsFor('bls12-381', maxBinding, 'g2')).toBe(15);
  });
});
