/**
 * INSECURE development Groth16 setup, for testing and benchmarks only (as gnark's DummySetup and
 * arkworks' generate_random_parameters): the toxic waste tau, alpha, beta, gamma, delta comes
 * from a seed, so whoever knows the seed can forge proofs for the key. What it buys: a proving key
 * in seconds to minutes where snarkjs's powers of tau + phase 2 take 24 minutes at 2^16 here and
 * hours at 2^20.
 *
 * The .zkey has exactly snarkjs's Groth16 layout (zkey.ts; snarkjs's zkey_new.js makes the same
 * sections from a ptau file), so snarkjs proves with it and verifies against its vkey:
 *   domain: one extra A row per public signal and the constant, A[m + s][s] = 1 (s <= nPublic),
 *     n = 2^power >= m + nPublic + 1 (m constraints), L_c the Lagrange basis over <w_n>, w_n from 5
 *   u_s, v_s, w_s = sum_c a_cs L_c(tau) (b, c likewise)
 *   A_s = [u_s]_1, B1_s = [v_s]_1, B2_s = [v_s]_2
 *   IC_s = [(beta u_s + alpha v_s + w_s) / gamma]_1 (s <= nPublic), C_s = same / delta (others)
 *   H_k = [L'_{2k+1}(tau) / delta]_1, L' the Lagrange basis over <w_2n>, i.e. at the coset point
 *     x_k = w_2n w_n^k where the prover evaluates q_k = (AB - C)(x_k). Then
 *     sum_k q_k H_k = [p(tau) / delta]_1 for p = AB - C, since p (degree <= 2n - 2) vanishes on
 *     the even points w_n^k and so is fixed by its values at the odd ones; p(tau) = h(tau) Z(tau).
 *     snarkjs's own H section is the same odd-indexed Lagrange points of the 2n domain (ptau
 *     section 12 at power + 1), divided by delta by the phase-2 contributions.
 *   section 4 values c R^2 mod r, A terms then B terms per constraint, then the extra rows
 *   section 10: a 64-byte circuit hash (zeros: this key belongs to no ceremony) and 0 contributions
 * Scalar work is BigInt (O(terms + n), with batched inversions); the ~3 nVars + n G1 and nVars G2
 * products run on the worker pool's fixed-base kernel.
 */
import { ZkgpuError } from '../../core/errors.js';
import { bigIntToBytesLE, CURVES, createRng, encodePoint, g1, g2, invMod, powMod, randomSeed, rootOfUnity, type CurveName } from '../../math/index.js';
import { MAX_NTT_LOG_N } from '../../core/sizes.js';
import { compileWasm } from '../../cpu/wasm-engine.js';
import { WorkerPool } from '../../cpu/pool.js';
import { fixedBaseOnPool } from '../../msm/fixed-base.js';
import { detectHardware } from '../../scheduler/index.js';
import { defaultThreadCount } from '../../cpu/threads.js';
import { encodeFrArray, writeFr } from '../formats/fr.js';
import { openR1cs, publicCount, type R1csFile } from '../formats/r1cs.js';
import { SNARKJS_CURVE_NAME, type SnarkjsCurveName } from '../formats/curve-id.js';
import { COEFFICIENT_BYTES, ZKEY_SECTION } from '../formats/zkey.js';
import { BinWriter, fileSink, memorySink, u32s, type ByteSink } from '../formats/zkey-write.js';
import type { BinSource } from '../formats/source.js';
import { concatBytes } from '../../core/bytes.js';

export const DEV_SETUP_WARNING =
  'INSECURE development setup, for testing and benchmarks only: the toxic waste (tau, alpha, beta, gamma, delta) ' +
  'is derived from the seed, so anyone who knows the seed can forge proofs that verify against this key.';

export interface DevSetupOptions {
  /** Seed of the toxic waste (same seed, same key). Default: a fresh random one, returned in the result. */
  seed?: number | bigint | string;
  /** Write the .zkey to this path (Node) instead of returning its bytes. */
  output?: string;
  /** Worker threads for the point work; default: the available cores (cgroup quota included). */
  threads?: number;
  signal?: AbortSignal;
  /** Called as each stage ends, with its wall time. */
  onStage?: (stage: DevSetupStage, ms: number) => void;
}

/** Stages in order; 'points' is the fixed-base work and the writing of the key, interleaved section by section. */
export type DevSetupStage = 'readR1cs' | 'lagrange' | 'polynomials' | 'scalars' | 'points' | 'vkey';

/** snarkjs's verification key JSON (zkey export verificationkey). */
export interface Groth16VerificationKey {
  protocol: 'groth16';
  curve: SnarkjsCurveName;
  nPublic: number;
  vk_alpha_1: string[];
  vk_beta_2: string[][];
  vk_gamma_2: string[][];
  vk_delta_2: string[][];
  vk_alphabeta_12: string[][][];
  IC: string[][];
}

export interface DevSetupResult {
  /** The .zkey bytes, or null when it was written to options.output. */
  zkey: Uint8Array | null;
  vkey: Groth16VerificationKey;
  /** The seed used (the one given, or the random one drawn). */
  seed: number | bigint | string;
  curve: CurveName;
  nConstraints: number;
  nVars: number;
  nPublic: number;
  domainSize: number;
  timings: Partial<Record<DevSetupStage, number>> & { total: number };
  readonly warning: string;
}

interface ToxicWaste {
  tau: bigint;
  alpha: bigint;
  beta: bigint;
  gamma: bigint;
  delta: bigint;
}

export async function devSetup(r1csSource: BinSource, options: DevSetupOptions = {}): Promise<DevSetupResult> {
  const start = performance.now();
  const timings: DevSetupResult['timings'] = { total: 0 };
  let mark = start;
  const stage = (name: DevSetupStage) => {
    const now = performance.now();
    timings[name] = now - mark;
    options.onStage?.(name, now - mark);
    mark = now;
    if (options.signal?.aborted) throw new ZkgpuError('ABORTED', `dev setup aborted after ${name}`, { cause: options.signal.reason });
  };
  const seed = options.seed ?? randomSeed();

  const r1cs = await openR1cs(r1csSource);
  stage('readR1cs');
  let pool: WorkerPool | undefined;
  try {
    const h = r1cs.header;
    const { curve } = h;
    const r = CURVES[curve].r;
    const nPublic = publicCount(h);
    const nVars = h.nWires;
    const m = h.nConstraints;
    const power = Math.ceil(Math.log2(m + nPublic + 1));
    const domainSize = 2 ** power;
    // The prover needs w_2n (power + 1 <= 2-adicity) and zkey.ts refuses domains above the NTT limit.
    const maxPower = Math.min(MAX_NTT_LOG_N, CURVES[curve].frTwoAdicity - 1);
    if (power > maxPower) {
      throw new ZkgpuError('NTT_SIZE_TOO_LARGE', `${r1cs.name}: ${m} constraints + ${nPublic + 1} public rows need a domain of 2^${power}, above the largest zkgpu proves (2^${maxPower})`);
    }
    const toxic = drawToxicWaste(seed, r, domainSize);

    const threads = options.threads ?? (await detectHardware().then((hw) => hw.cpu.threads, () => defaultThreadCount()));
    const poolReady = compileWasm().then((module) => WorkerPool.create({ threads, module }));
    poolReady.catch(() => {});

    const lagrange = lagrangeAt(toxic.tau, domainSize, curve);
    stage('lagrange');

    const qap = await evaluateQap(r1cs, lagrange, nPublic, r);
    stage('polynomials');

    const sc = setupScalars(qap, toxic, nPublic, curve, domainSize);
    stage('scalars');

    pool = await poolReady;
    const g1Base = encodePoint(curve, 'g1', g1(curve).generator);
    const g2Base = encodePoint(curve, 'g2', g2(curve).generator);
    const points = (group: 'g1' | 'g2', values: bigint[]) =>
      fixedBaseOnPool(pool as WorkerPool, { curve, group, base: group === 'g1' ? g1Base : g2Base, scalars: encodeFrArray(values), signal: options.signal });

    const sink: ByteSink & { bytes?: () => Uint8Array } = options.output === undefined ? memorySink() : await fileSink(tempPath(options.output));
    const w = new BinWriter(sink, 'zkey', 1, 10);
    try {
      const [alpha1, beta1, delta1] = splitPoints(await points('g1', [toxic.alpha, toxic.beta, toxic.delta]), 3);
      const [beta2, gamma2, delta2] = splitPoints(await points('g2', [toxic.beta, toxic.gamma, toxic.delta]), 3);
      const header = groth16Header(curve, nVars, nPublic, domainSize, [alpha1, beta1, beta2, gamma2, delta1, delta2]);
      await w.section(ZKEY_SECTION.header, u32s(1));
      await w.section(ZKEY_SECTION.groth16Header, header);
      const ic = await points('g1', sc.ic);
      await w.section(ZKEY_SECTION.ic, ic);
      await w.section(ZKEY_SECTION.coefficients, qap.coefficients);
      await w.section(ZKEY_SECTION.pointsA, await points('g1', qap.u));
      await w.section(ZKEY_SECTION.pointsB1, await points('g1', qap.v));
      await w.section(ZKEY_SECTION.pointsB2, await points('g2', qap.v));
      await w.section(ZKEY_SECTION.pointsC, await points('g1', sc.c));
      await w.section(ZKEY_SECTION.pointsH, await points('g1', sc.h));
      // Section 10 as zkey_new.js writes it before any contribution: circuit hash, then a u32 count.
      await w.section(10, new Uint8Array(64), u32s(0));
      await w.close();
      if (options.output !== undefined) {
        const fs = await import('node:fs/promises');
        await fs.rename(tempPath(options.output), options.output);
      }
      stage('points');

      const vkey = await exportVkey(concatBytes([...containerOf(u32s(1), header, ic)]), SNARKJS_CURVE_NAME[curve]);
      stage('vkey');
      timings.total = performance.now() - start;
      const result: DevSetupResult = {
        zkey: sink.bytes ? sink.bytes() : null,
        vkey,
        seed,
        curve,
        nConstraints: m,
        nVars,
        nPublic,
        domainSize,
        timings,
        warning: DEV_SETUP_WARNING,
      };
      return result;
    } catch (e) {
      await sink.close().catch(() => {});
      if (options.output !== undefined) {
        const fs = await import('node:fs/promises');
        await fs.rm(tempPath(options.output), { force: true });
      }
      throw e;
    }
  } finally {
    await r1cs.close();
    await pool?.dispose();
  }
}

function tempPath(path: string): string {
  return `${path}.zkgpu-setup-${typeof process !== 'undefined' ? process.pid : 0}.tmp`;
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
function lagrangeAt(tau: bigint, n: number, curve: CurveName): bigint[] {
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

interface QapAtTau {
  /** u_s(tau), v_s(tau), w_s(tau) per signal, reduced mod r. */
  u: bigint[];
  v: bigint[];
  w: bigint[];
  /** Section 4's payload: count u32, then (matrix, constraint, signal, c R^2 mod r) records. */
  coefficients: Uint8Array;
}

async function evaluateQap(r1cs: R1csFile, lagrange: bigint[], nPublic: number, r: bigint): Promise<QapAtTau> {
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

interface SetupScalars {
  ic: bigint[];
  c: bigint[];
  h: bigint[];
}

function setupScalars(qap: QapAtTau, t: ToxicWaste, nPublic: number, curve: CurveName, n: number): SetupScalars {
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

function groth16Header(curve: CurveName, nVars: number, nPublic: number, domainSize: number, points: Uint8Array[]): Uint8Array {
  const { p, r, fpBytes } = CURVES[curve];
  return concatBytes([
    u32s(fpBytes),
    bigIntToBytesLE(p, fpBytes),
    u32s(32),
    bigIntToBytesLE(r, 32),
    u32s(nVars, nPublic, domainSize),
    ...points,
  ]);
}

function splitPoints(bytes: Uint8Array, n: number): Uint8Array[] {
  const size = bytes.length / n;
  return Array.from({ length: n }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
}

/** A three-section container (header, Groth16 header, IC): all snarkjs reads to export the vkey. */
function* containerOf(h1: Uint8Array, h2: Uint8Array, ic: Uint8Array): Generator<Uint8Array> {
  yield new Uint8Array([0x7a, 0x6b, 0x65, 0x79]); // "zkey"
  yield u32s(1, 3);
  for (const [id, body] of [[1, h1], [2, h2], [3, ic]] as const) {
    yield u32s(id, body.length, 0);
    yield body;
  }
}

/**
 * snarkjs ships no type declarations: loaded through a computed specifier and typed with the
 * members used (zkey_export_verificationkey.js, curves.js).
 */
interface SnarkjsVkeyApi {
  zKey: { exportVerificationKey(zkey: { type: 'mem'; data: Uint8Array }): Promise<Groth16VerificationKey> };
  curves: { getCurveFromName(name: string): Promise<{ terminate(): Promise<void> }> };
}
const SNARKJS = 'snarkjs';

/**
 * The vkey by snarkjs's own exporter (its vk_alphabeta_12 is a pairing, which zkgpu does not
 * implement), so the JSON is byte for byte what `snarkjs zkey export verificationkey` writes.
 */
async function exportVkey(headerOnlyZkey: Uint8Array, curve: SnarkjsCurveName): Promise<Groth16VerificationKey> {
  const snarkjs = (await import(/* @vite-ignore */ SNARKJS)) as SnarkjsVkeyApi;
  let vkey: Groth16VerificationKey;
  try {
    vkey = await snarkjs.zKey.exportVerificationKey({ type: 'mem', data: headerOnlyZkey });
  } finally {
    // snarkjs caches its curve with worker threads; end them so Node can exit.
    await (await snarkjs.curves.getCurveFromName(curve).catch(() => null))?.terminate();
  }
  return vkey;
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
