/**
 * Checks of zkgpu's results against zkgpu/math, the BigInt reference, for when no peer library is
 * installed. Each checks the result of the run that is then timed, in O(n) BigInt work, where
 * recomputing it with the naive oracle would take O(n * 256) point operations (about 2 minutes
 * for a 2^12 BN254 MSM here).
 *
 * The reference confirms the arithmetic; that zkgpu's encoding is snarkjs's (the .zkey layout) is
 * what the ffjavascript check adds on top, since that peer decodes the bytes with its own code.
 */
import {
  type AffinePoint,
  type Field,
  type Group,
  type JacobianPoint,
  type Rng,
  createRng,
  decodePoint,
  decodeScalars,
  encodePoint,
  encodePoints,
  frField,
  g1,
  g2,
  jacobianAdd,
  rootOfUnity,
  toJacobian,
} from '../../src/math/index.js';
import type { MsmCase, NttCase } from './cases.js';
import { firstDifference, hex } from './codec.js';

/** The name the report gives this reference (`checkedAgainst`). */
export const ORACLE_NAME = 'zkgpu/math';

/** Runs zkgpu's MSM, on the same engine as the checked run, on another input of the same size. */
export type MsmRunner = (points: Uint8Array, scalars: Uint8Array) => Promise<Uint8Array>;

/**
 * The forward NTT (natural order, no coset, root rootOfUnity(curve, logN)) checked at one random
 * point: out[k] = sum_j in[j] w^(jk) for every k implies, for any rho,
 *   sum_k rho^k out[k] = (rho^n - 1) * sum_j in[j] / (rho w^j - 1),
 * and a wrong output passes for at most n of the r possible rho (Schwartz-Zippel: 2^-234 at 2^20).
 * Every output element takes part, so this checks the whole transform. Null when it holds.
 */
export function checkNttByOracle(c: NttCase, output: Uint8Array, seed: number): string | null {
  const F = frField(c.curve);
  const logN = Math.log2(c.n);
  if (output.length !== c.values.length) return `${ORACLE_NAME}: output has ${output.length} bytes, expected ${c.values.length}`;
  const inputs = decodeScalars(c.values);
  const outputs = decodeScalars(output);
  const bad = outputs.findIndex((y) => y >= F.p);
  if (bad !== -1) return `${ORACLE_NAME}: output element ${bad} is not below r`;
  const rng = createRng(`ntt-check/${seed}/${c.curve}/${logN}`);
  let rho: bigint;
  do rho = rng.nextBigInt(F.p);
  while (F.pow(rho, BigInt(c.n)) === 1n); // rho in the domain would divide by zero below
  let lhs = 0n;
  for (let k = c.n - 1; k >= 0; k--) lhs = F.add(F.mul(lhs, rho), outputs[k]);
  const omega = rootOfUnity(c.curve, logN);
  const denominators = new Array<bigint>(c.n);
  let rhoOmegaJ = rho;
  for (let j = 0; j < c.n; j++) {
    denominators[j] = F.sub(rhoOmegaJ, 1n);
    rhoOmegaJ = F.mul(rhoOmegaJ, omega);
  }
  const inverses = batchInvert(F, denominators);
  let sum = 0n;
  for (let j = 0; j < c.n; j++) sum = F.add(sum, F.mul(inputs[j], inverses[j]));
  const rhs = F.mul(F.sub(F.pow(rho, BigInt(c.n)), 1n), sum);
  return lhs === rhs ? null : `${ORACLE_NAME}: the output is not the NTT of the input (random evaluation at rho = 0x${rho.toString(16)} differs)`;
}

/**
 * The MSM result R = sum s_i P_i of the timed input, checked through a second input whose answer
 * the oracle knows. zkgpu/math makes n points P'_i = k_i G with known k_i (a random walk over 16
 * random multiples of G: one point addition each) and the sums Q_i = P_i + P'_i; zkgpu then
 * computes A = MSM(P', s) and B = MSM(Q, s) on the same engine and size. With K = sum s_i k_i:
 *   A = K G       (the engine on a full-size input, against the oracle), and
 *   B = R + K G   (MSM is linear in the points, so this ties the timed result R to the oracle).
 * An error that depends on the points (a dropped or misplaced point, a wrong addition) changes B
 * by a different amount than R; one that does not (a constant offset) breaks A. Cost: about 50
 * BigInt field multiplications per point, plus the two MSMs.
 */
export async function checkMsmByOracle(c: MsmCase, claimed: Uint8Array, runMsm: MsmRunner, seed: number): Promise<string | null> {
  const rng = createRng(`msm-check/${seed}/${c.curve}/${c.group}/${c.n}`);
  const known = c.group === 'g1' ? knownPoints(g1(c.curve), c, rng) : knownPoints(g2(c.curve), c, rng);
  const a = await runMsm(known.points, c.scalars);
  const expectedA = known.encodeKG();
  let at = firstDifference(expectedA, a);
  if (at !== -1) return `${ORACLE_NAME}: zkgpu's MSM of ${c.n} points with known discrete logs is ${hex(a)}, the oracle says ${hex(expectedA)}`;
  const b = await runMsm(known.shiftedPoints, c.scalars);
  const expectedB = known.encodeSumWithKG(claimed);
  at = firstDifference(expectedB, b);
  if (at !== -1) return `${ORACLE_NAME}: the timed MSM result ${hex(claimed)} is not sum s_i P_i (MSM(P + P') - MSM(P) differs from the oracle's)`;
  return null;
}

/** Points per block of BigInt work: one field inversion per block, and bounded memory at 2^20 and up. */
const BLOCK = 4096;
const WALK_STEPS = 16;

interface KnownPoints {
  /** P'_i = k_i G, encoded. */
  points: Uint8Array;
  /** P_i + P'_i, encoded. */
  shiftedPoints: Uint8Array;
  /** (sum s_i k_i) G, encoded. */
  encodeKG(): Uint8Array;
  /** decode(r) + (sum s_i k_i) G, encoded. */
  encodeSumWithKG(r: Uint8Array): Uint8Array;
}

function knownPoints<T>(grp: Group<T>, c: MsmCase, rng: Rng): KnownPoints {
  const r = grp.order;
  const Fr = frField(c.curve);
  const stepScalars = Array.from({ length: WALK_STEPS }, () => 1n + rng.nextBigInt(r - 1n));
  const steps = stepScalars.map((t) => toJacobian(grp, grp.mul(grp.generator, t)));
  let k = 1n + rng.nextBigInt(r - 1n);
  let walk = toJacobian(grp, grp.mul(grp.generator, k));
  const scalars = decodeScalars(c.scalars);
  let K = 0n;
  const size = c.points.length / c.n;
  const points = new Uint8Array(c.points.length);
  const shiftedPoints = new Uint8Array(c.points.length);
  for (let start = 0; start < c.n; start += BLOCK) {
    const count = Math.min(BLOCK, c.n - start);
    const walked: JacobianPoint<T>[] = new Array(count);
    const shifted: JacobianPoint<T>[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const step = rng.nextU32() % WALK_STEPS;
      walk = jacobianAdd(grp, walk, steps[step]);
      k = Fr.add(k, stepScalars[step]);
      K = Fr.add(K, Fr.mul(scalars[start + i], k));
      walked[i] = walk;
      const p = decodePoint(c.curve, c.group, c.points, (start + i) * size) as AffinePoint<unknown> as AffinePoint<T>;
      shifted[i] = jacobianAdd(grp, toJacobian(grp, p), walk);
    }
    points.set(encodePoints(c.curve, c.group, normalize(grp.field, walked) as never), start * size);
    shiftedPoints.set(encodePoints(c.curve, c.group, normalize(grp.field, shifted) as never), start * size);
  }
  const kg = grp.mul(grp.generator, K);
  return {
    points,
    shiftedPoints,
    encodeKG: () => encodePoint(c.curve, c.group, kg as never),
    encodeSumWithKG: (bytes) => {
      const claimed = decodePoint(c.curve, c.group, bytes) as AffinePoint<unknown> as AffinePoint<T>;
      return encodePoint(c.curve, c.group, grp.add(claimed, kg) as never);
    },
  };
}

/** Jacobian to affine with one field inversion for the whole list (Montgomery's trick). */
function normalize<T>(F: Field<T>, js: readonly JacobianPoint<T>[]): AffinePoint<T>[] {
  const finite = js.map((j) => !F.isZero(j.Z));
  const zInverses = batchInvert(
    F,
    js.map((j, i) => (finite[i] ? j.Z : F.one)),
  );
  return js.map((j, i) => {
    if (!finite[i]) return { x: F.zero, y: F.zero, infinity: true };
    const zi = zInverses[i];
    const zi2 = F.sqr(zi);
    return { x: F.mul(j.X, zi2), y: F.mul(j.Y, F.mul(zi2, zi)), infinity: false };
  });
}

/** Inverses of non-zero elements with one inversion: 3(n - 1) multiplications. */
function batchInvert<T>(F: Field<T>, xs: readonly T[]): T[] {
  const prefix = new Array<T>(xs.length);
  let acc = F.one;
  for (let i = 0; i < xs.length; i++) {
    prefix[i] = acc;
    acc = F.mul(acc, xs[i]);
  }
  let inv = F.inv(acc);
  const out = new Array<T>(xs.length);
  for (let i = xs.length - 1; i >= 0; i--) {
    out[i] = F.mul(inv, prefix[i]);
    inv = F.mul(inv, xs[i]);
  }
  return out;
}
