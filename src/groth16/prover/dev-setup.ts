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
 * products run on a runtime's workers (the fixed-base kernel, msm/fixed-base.ts).
 */
import { ZkgpuError } from '../../core/errors.js';
import { bigIntToBytesLE, CURVES, encodePoint, g1, g2, randomSeed, type CurveName, type GroupName } from '../../math/index.js';
import { MAX_NTT_LOG_N } from '../../core/sizes.js';
import { createRuntime, type Runtime } from '../../runtime/runtime.js';
import { fixedBaseOnPool, type WorkerTaskRunner } from '../../msm/fixed-base.js';
import { drawToxicWaste, evaluateQap, lagrangeAt, setupScalars, type QapAtTau, type SetupScalars, type ToxicWaste } from './setup-scalars.js';
import { encodeFrArray } from '../formats/fr.js';
import { openR1cs, publicCount, type R1csFile } from '../formats/r1cs.js';
import { SNARKJS_CURVE_NAME, type SnarkjsCurveName } from '../formats/curve-id.js';
import { ZKEY_SECTION } from '../formats/zkey.js';
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
  /** Runtime whose workers do the point work (left open). Without one, a runtime is created and disposed before returning. */
  runtime?: Runtime;
  /** Worker threads of the runtime created when none is given; default: the runtime's (the available cores, cgroup quota included). */
  threads?: number;
  signal?: AbortSignal;
  /** Called as each stage ends, with its wall time. */
  onStage?: (stage: DevSetupStage, ms: number) => void;
}

/**
 * The setup's own stages in order (not a proof's stages, which are keys of Groth16Timings);
 * 'points' is the fixed-base work and the writing of the key, interleaved section by section.
 */
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

export async function devSetup(r1csSource: BinSource, options: DevSetupOptions = {}): Promise<DevSetupResult> {
  const clock = new SetupClock(options.signal, options.onStage);
  const seed = options.seed ?? randomSeed();
  const r1cs = await openR1cs(r1csSource);
  clock.stage('readR1cs');
  let runtimeReady: Promise<Runtime> | undefined;
  try {
    const shape = setupShape(r1cs);
    const { curve, r, nPublic, domainSize } = shape;
    const toxic = drawToxicWaste(seed, r, domainSize);
    // The workers start while the scalar stages below run on this thread. No GPU: the point work
    // is the workers' fixed-base kernel; no calibration: nothing here is planned.
    runtimeReady = options.runtime ? Promise.resolve(options.runtime) : createRuntime({ threads: options.threads, gpu: false, calibration: false });
    runtimeReady.catch(() => {});

    const lagrange = lagrangeAt(toxic.tau, domainSize, curve);
    clock.stage('lagrange');
    const qap = await evaluateQap(r1cs, lagrange, nPublic, r);
    clock.stage('polynomials');
    const sc = setupScalars(qap, toxic, nPublic, curve, domainSize);
    clock.stage('scalars');

    const runtime = await runtimeReady;
    const workers: WorkerTaskRunner = { run: (task, signal) => runtime.runOnWorker(task, signal, undefined, { stage: 'points' }) };
    const points: PointWork = (group, values) =>
      fixedBaseOnPool(workers, { curve, group, base: generatorBytes(curve, group), scalars: encodeFrArray(values), signal: options.signal });
    const { zkey, vkeyContainer } = await writeToOutput(options.output, (sink) => writeZkey(sink, points, shape, toxic, qap, sc));
    clock.stage('points');

    const vkey = await exportVkey(vkeyContainer, SNARKJS_CURVE_NAME[curve]);
    clock.stage('vkey');
    return {
      zkey,
      vkey,
      seed,
      curve,
      nConstraints: shape.nConstraints,
      nVars: shape.nVars,
      nPublic,
      domainSize,
      timings: clock.finish(),
      warning: DEV_SETUP_WARNING,
    };
  } finally {
    await r1cs.close();
    // A runtime made here is disposed even when a stage failed before it was awaited.
    if (!options.runtime)
      await runtimeReady?.then(
        (rt) => rt.dispose(),
        () => {},
      );
  }
}

/** Wall time per setup stage (DevSetupStage), reported as each ends; an abort is noticed between stages. */
class SetupClock {
  private readonly start = performance.now();
  private mark = this.start;
  private readonly timings: DevSetupResult['timings'] = { total: 0 };

  constructor(
    private readonly signal: AbortSignal | undefined,
    private readonly onStage: DevSetupOptions['onStage'],
  ) {}

  stage(name: DevSetupStage): void {
    const now = performance.now();
    this.timings[name] = now - this.mark;
    this.onStage?.(name, now - this.mark);
    this.mark = now;
    if (this.signal?.aborted) throw new ZkgpuError('ABORTED', `dev setup aborted after ${name}`, { cause: this.signal.reason, details: { stage: name } });
  }

  finish(): DevSetupResult['timings'] {
    this.timings.total = performance.now() - this.start;
    return this.timings;
  }
}

/** The sizes a key for this circuit has: one extra A row per public signal and the constant. */
interface SetupShape {
  curve: CurveName;
  r: bigint;
  nConstraints: number;
  nVars: number;
  nPublic: number;
  domainSize: number;
}

function setupShape(r1cs: R1csFile): SetupShape {
  const h = r1cs.header;
  const { curve } = h;
  const nPublic = publicCount(h);
  const m = h.nConstraints;
  const power = Math.ceil(Math.log2(m + nPublic + 1));
  // The prover needs w_2n (power + 1 <= 2-adicity) and zkey.ts refuses domains above the NTT limit.
  const maxPower = Math.min(MAX_NTT_LOG_N, CURVES[curve].frTwoAdicity - 1);
  if (power > maxPower) {
    throw new ZkgpuError(
      'NTT_SIZE_TOO_LARGE',
      `${r1cs.name}: ${m} constraints + ${nPublic + 1} public rows need a domain of 2^${power}, above the largest zkgpu proves (2^${maxPower})`,
      {
        details: { file: r1cs.name },
      },
    );
  }
  return { curve, r: CURVES[curve].r, nConstraints: m, nVars: h.nWires, nPublic, domainSize: 2 ** power };
}

/** [k] G for each k, G the group's generator, as encoded affine points. */
type PointWork = (group: GroupName, values: bigint[]) => Promise<Uint8Array>;

function generatorBytes(curve: CurveName, group: GroupName): Uint8Array {
  return group === 'g1' ? encodePoint(curve, 'g1', g1(curve).generator) : encodePoint(curve, 'g2', g2(curve).generator);
}

/**
 * Writes the key section by section, each section's points computed just before it is written;
 * returns the three sections the vkey is exported from.
 */
async function writeZkey(sink: ByteSink, points: PointWork, shape: SetupShape, toxic: ToxicWaste, qap: QapAtTau, sc: SetupScalars): Promise<Uint8Array> {
  const w = new BinWriter(sink, 'zkey', 1, 10);
  const [alpha1, beta1, delta1] = splitPoints(await points('g1', [toxic.alpha, toxic.beta, toxic.delta]), 3);
  const [beta2, gamma2, delta2] = splitPoints(await points('g2', [toxic.beta, toxic.gamma, toxic.delta]), 3);
  const header = groth16Header(shape.curve, shape.nVars, shape.nPublic, shape.domainSize, [alpha1, beta1, beta2, gamma2, delta1, delta2]);
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
  return concatBytes([...containerOf(u32s(1), header, ic)]);
}

/**
 * Runs `write` into memory (no `output`) or into a temporary file renamed to `output` once
 * complete, so a failed setup never leaves half a key at the path.
 */
async function writeToOutput(output: string | undefined, write: (sink: ByteSink) => Promise<Uint8Array>): Promise<{ zkey: Uint8Array | null; vkeyContainer: Uint8Array }> {
  const sink: ByteSink & { bytes?: () => Uint8Array } = output === undefined ? memorySink() : await fileSink(tempPath(output));
  try {
    const vkeyContainer = await write(sink);
    if (output !== undefined) {
      const fs = await import('node:fs/promises');
      await fs.rename(tempPath(output), output);
    }
    return { zkey: sink.bytes ? sink.bytes() : null, vkeyContainer };
  } catch (e) {
    await sink.close().catch(() => {});
    if (output !== undefined) {
      const fs = await import('node:fs/promises');
      await fs.rm(tempPath(output), { force: true });
    }
    throw e;
  }
}

function tempPath(path: string): string {
  return `${path}.zkgpu-setup-${typeof process !== 'undefined' ? process.pid : 0}.tmp`;
}

function groth16Header(curve: CurveName, nVars: number, nPublic: number, domainSize: number, points: Uint8Array[]): Uint8Array {
  const { p, r, fpBytes } = CURVES[curve];
  return concatBytes([u32s(fpBytes), bigIntToBytesLE(p, fpBytes), u32s(32), bigIntToBytesLE(r, 32), u32s(nVars, nPublic, domainSize), ...points]);
}

function splitPoints(bytes: Uint8Array, n: number): Uint8Array[] {
  const size = bytes.length / n;
  return Array.from({ length: n }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
}

/** A three-section container (header, Groth16 header, IC): all snarkjs reads to export the vkey. */
function* containerOf(h1: Uint8Array, h2: Uint8Array, ic: Uint8Array): Generator<Uint8Array> {
  yield new Uint8Array([0x7a, 0x6b, 0x65, 0x79]); // "zkey"
  yield u32s(1, 3);
  for (const [id, body] of [
    [1, h1],
    [2, h2],
    [3, ic],
  ] as const) {
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
