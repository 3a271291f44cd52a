/**
 * The scalar side of the INSECURE dev setup (dev-setup.ts has the formulas): the toxic waste from
 * the seed, the Lagrange basis at tau, the QAP polynomials at tau with section 4's records, and
 * the IC, C and H scalars. BigInt, O(terms + n), one modular inversion per batch.
 */
import { CURVES, createRng, invMod, powMod, rootOfUnity, type CurveName } from '../../math/index.js';
import { writeFr } from '../formats/fr.js';
import type { R1csFile } from '../formats/r1cs.js';
import { COEFFICIENT_BYTES } from '../formats/zkey.js';

export interface ToxicWaste {
  tau: bigint;
  alpha: bigint;
  beta: bigint;
  gamma: bigint;
  delta: bigint;
}

/**
 * tau, alpha, beta, gamma, delta uniform in [1, r) from the seeded generator (math/random.ts: fine
 * here precisely because this setup is meant to be reproducible and is insecure by design). tau
 * is redrawn in the negligible case that it lies in the 2n domain (the Lagrange and H formulas
 * divide by tau - x for its points).
 */
export function drawToxicWaste(seed: number | bigint | string, r: bigint, domainSize: number): ToxicWaste {
  const rng = createRng(seed);
  const draw = () => 1n + rng.nextBigInt(r - 1n);
  let tau = draw();
  while (powMod(tau, BigInt(2 * domainSize), r) === 1n) tau = draw();
  return { tau, alpha: draw(), beta: draw(), gamma: draw(), delta: draw() };
}

/** In-place Montgomery batch inversion of nonzero values mod r: one invMod for all. */
function batchInvert(values: bigint[], r: bigint): void {
  const n = values.length;
  const prefix = new Array<bigint>(n);
  let acc = 1n;
  for (let i = 0; i < n; i++) {
    prefix[i] = acc;
    acc = (acc * values[i]) % r;
  }
  let inv = invMod(acc, r);
  for (let i = n - 1; i >= 0; i--) {
    const v = values[i];
    values[i] = (inv * prefix[i]) % r;
    inv = (inv * v) % r;
  }
}

/** L_c(tau) for the Lagrange basis over <w_n>, c < n. */
export function lagrangeAt(tau: bigint, n: number, curve: CurveName): bigint[] {
  const r = CURVES[curve].r;
  const w = rootOfUnity(curve, Math.log2(n));
  // L_c(tau) = (w^c / n) (tau^n - 1) / (tau - w^c)
  const zOverN = (((powMod(tau, BigInt(n), r) - 1n + r) % r) * invMod(BigInt(n), r)) % r;
  return evaluateBasis(tau, 1n, w, n, zOverN, r);
}

/** out[c] = factor x_c / (tau - x_c) for x_c = first w^c, c < n. */
function evaluateBasis(tau: bigint, first: bigint, w: bigint, n: number, factor: bigint, r: bigint): bigint[] {
  const xs = new Array<bigint>(n);
  const den = new Array<bigint>(n);
  let x = first;
  for (let c = 0; c < n; c++) {
    xs[c] = x;
    den[c] = (tau - x + r) % r;
    x = (x * w) % r;
  }
  batchInvert(den, r);
  for (let c = 0; c < n; c++) den[c] = (((factor * xs[c]) % r) * den[c]) % r;
  return den;
}

export interface QapAtTau {
  /** u_s(tau), v_s(tau), w_s(tau) per signal, reduced mod r. */
  u: bigint[];
  v: bigint[];
  w: bigint[];
  /** Section 4's payload: count u32, then (matrix, constraint, signal, c R^2 mod r) records. */
  coefficients: Uint8Array;
}

export async function evaluateQap(r1cs: R1csFile, lagrange: bigint[], nPublic: number, r: bigint): Promise<QapAtTau> {
  const nVars = r1cs.header.nWires;
  const m = r1cs.header.nConstraints;
  const sums: [bigint[], bigint[], bigint[]] = [new Array<bigint>(nVars).fill(0n), new Array<bigint>(nVars).fill(0n), new Array<bigint>(nVars).fill(0n)];
  const rr = (1n << 256n) % r;
  const r2 = (rr * rr) % r;
  // A guess of 2 A-or-B terms per constraint; the buffer grows when a circuit has more.
  const records = new GrowableBytes(COEFFICIENT_BYTES * 2 * m);
  let count = 0;
  const record = (matrix: number, constraint: number, signal: number, value: bigint) => {
    const at = records.reserve(COEFFICIENT_BYTES);
    const view = records.view;
    view.setUint32(at, matrix, true);
    view.setUint32(at + 4, constraint, true);
    view.setUint32(at + 8, signal, true);
    writeFr(view, at + 12, (value * r2) % r);
    count++;
  };
  // Sums stay unreduced until the end: a BigInt addition is far cheaper than a reduction.
  await r1cs.forEachTerm((c, matrix, wire, coefficient) => {
    sums[matrix][wire] += coefficient * lagrange[c];
    if (matrix !== 2) record(matrix, c, wire, coefficient);
  });
  for (let s = 0; s <= nPublic; s++) {
    sums[0][s] += lagrange[m + s];
    record(0, m + s, s, 1n);
  }
  for (const row of sums) for (let s = 0; s < nVars; s++) row[s] %= r;
  const body = records.finish();
  const coefficients = new Uint8Array(4 + body.length);
  new DataView(coefficients.buffer).setUint32(0, count, true);
  coefficients.set(body, 4);
  return { u: sums[0], v: sums[1], w: sums[2], coefficients };
}

export interface SetupScalars {
  ic: bigint[];
  c: bigint[];
  h: bigint[];
}

export function setupScalars(qap: QapAtTau, t: ToxicWaste, nPublic: number, curve: CurveName, n: number): SetupScalars {
  const r = CURVES[curve].r;
  const gammaInv = invMod(t.gamma, r);
  const deltaInv = invMod(t.delta, r);
  const combined = (s: number, inv: bigint) => (((t.beta * qap.u[s] + t.alpha * qap.v[s] + qap.w[s]) % r) * inv) % r;
  const ic: bigint[] = [];
  for (let s = 0; s <= nPublic; s++) ic.push(combined(s, gammaInv));
  const c: bigint[] = [];
  for (let s = nPublic + 1; s < qap.u.length; s++) c.push(combined(s, deltaInv));
  // H_k = L'_{2k+1}(tau) / delta over the 2n domain: x_k (tau^2n - 1) / (2n (tau - x_k) delta),
  // x_k = w_2n w_n^k, exactly the coset the prover evaluates A B - C on (prove.ts).
  const w2n = rootOfUnity(curve, Math.log2(n) + 1);
  const wn = (w2n * w2n) % r;
  const factor = (((((powMod(t.tau, BigInt(2 * n), r) - 1n + r) % r) * invMod(BigInt(2 * n), r)) % r) * deltaInv) % r;
  const h = evaluateBasis(t.tau, w2n, wn, n, factor, r);
  return { ic, c, h };
}

/** An append-only byte buffer that doubles when full (the coefficient count is known only at the end). */
class GrowableBytes {
  bytes: Uint8Array;
  view: DataView;
  private length = 0;

  constructor(initial: number) {
    this.bytes = new Uint8Array(Math.max(64, initial));
    this.view = new DataView(this.bytes.buffer);
  }

  /** Offset of `n` fresh bytes. */
  reserve(n: number): number {
    if (this.length + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  finish(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}
