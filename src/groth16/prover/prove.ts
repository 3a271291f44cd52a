/**
 * groth16.prove: snarkjs's Groth16 prover (groth16_prove.js) on zkgpu's runtime. Same inputs
 * (.zkey, .wtns), same output JSON, and the same arithmetic, so snarkjs's verification key accepts
 * the proofs:
 *   A_i, B_i, C_i = A_i B_i at the domain points (qap-wasm.ts; qap.ts is its BigInt reference)
 *   each of A, B, C: inverse NTT, then forward NTT on the coset w_2n <w_n> (w_2n = Fr.w[power + 1])
 *   H scalars = A B - C at the coset points
 *   pi_a = MSM(A, w) + alpha1 + r delta1
 *   pi_b = MSM(B2, w) + beta2 + s delta2          (and its G1 twin b1 = MSM(B1, w) + beta1 + s delta1)
 *   pi_c = MSM(C, w_private) + MSM(H, quotient) + s pi_a + r b1 - r s delta1
 * with fresh uniform r, s in [1, r) from crypto.getRandomValues.
 *
 * Scheduling, as one graph on the runtime (queueProof): the H scalars (the QAP: one worker task,
 * or with qap 'stages' A, B, C, the six transforms and the quotient as jobs of their own) and the
 * G2 MSM start first; then the C, A and B1 MSMs; then the H MSM, as soon as its scalars exist.
 * The critical path (QAP -> H MSM) has a higher worker-pool priority (CRITICAL_PATH), so the
 * witness MSMs never hold it up; each MSM spreads over its share of the workers only
 * (workerLayout), the other MSMs keeping the rest busy. The main thread only reads and posts
 * (through the pool's reused staging buffers): its core is the workers'. The planner sees each
 * queued job's work, so with a GPU the G1 MSMs lean to it while G2 holds the workers. This order
 * was tuned by measurement (the figures are next to each step and in layout.ts): changing the
 * order in which queueProof queues work changes the proof's speed.
 *
 * The proof's steps share a ProofRun (timings, progress, cancellation: proof-run.ts) and call the
 * runtime through ProofJobs (proof-jobs.ts). "Stage" in all three files is a proof stage
 * (ProofStage): a key of Groth16Timings.
 */
import { isZkgpuError, ZkgpuError } from '../../core/errors.js';
import type { Backend, Runtime } from '../../runtime/runtime.js';
import { mayUseGpu } from '../../scheduler/policy.js';
import { CURVES, decodePoint, rootOfUnity } from '../../math/index.js';
import { abortError } from '../../core/abort.js';
import { readZkeyHeader, ZKEY_SECTION, type ZkeyHeader } from '../formats/zkey.js';
import { readWtns, type Witness } from '../formats/wtns.js';
import { readFr, viewOf } from '../formats/fr.js';
import { g1ToJson, g2ToJson } from '../formats/proof-format.js';
import type { BinSource } from '../formats/source.js';
import { PROGRESS_STAGES, ProofRun, type StagesBefore } from './proof-run.js';
import { CRITICAL_PATH, ProofJobs, type QapInputs } from './proof-jobs.js';
import { openProofKey, type ProofKey } from './proof-key.js';
import { defaultRuntime } from './default-runtime.js';
import { nttWorkers, poleWorkers, workerLayout } from './layout.js';
import { DeviceLedger, parseVerifyOption, verifyBeforeReturn, withDeviceLedger } from './verify.js';
import { checkOptions } from './options.js';
import { proofMemoryPlan, type ProofMemoryPlan } from './memory-plan.js';
import { streamedProofSums } from './streamed.js';
import type { Groth16ProveResult, Groth16Timings, ProveOptions } from './types.js';

export type { Groth16Progress, Groth16ProveResult, Groth16Timings, ProveOptions } from './types.js';
export { checkOptions } from './options.js';

/** Progress events of one proof on this runtime: every stage but the other path's QAP stages ('qap', or 'buildABC', 'ntt', 'quotient'). */
export function proveStageCount(runtime: Runtime, options: ProveOptions): number {
  return PROGRESS_STAGES.length - (qapInOneTask(options.qap, runtime, options.backend) ? 3 : 1);
}

export async function prove(zkeySource: BinSource, wtnsSource: BinSource, options: ProveOptions = {}): Promise<Groth16ProveResult> {
  return withRuntime(options, (runtime) => proveOn(runtime, zkeySource, wtnsSource, options, {}));
}

/**
 * The memory plan of a proof with this key, before any work (memory-plan.ts): its minimal and
 * comfortable working memory, the runtime's own footprint, the budget and its source, and the way
 * the proof would run ('whole' or 'streamed', with its piece size). A budget below the minimum is
 * PLAN_INFEASIBLE stating both figures, as prove would fail.
 */
export async function plan(zkeySource: BinSource, options: ProveOptions = {}): Promise<ProofMemoryPlan> {
  return withRuntime(options, async (runtime) => proofMemoryPlan(runtime, await readZkeyHeader(zkeySource), options));
}

/**
 * Runs `work` on options.runtime, else on the process's default runtime for these options
 * (default-runtime.ts: created on first use, then kept warm, its idle workers unref'd so Node
 * still exits; groth16.disposeDefaultRuntime ends it).
 */
export async function withRuntime<T>(options: ProveOptions, work: (runtime: Runtime) => Promise<T>): Promise<T> {
  checkOptions(options);
  if (options.runtime) return work(options.runtime);
  if (options.signal?.aborted) throw abortError(options.signal);
  // A software GPU never wins (scheduler/policy.ts) and Dawn start-up costs ~100s of ms: skip it for 'wasm'.
  return work(await defaultRuntime({ threads: options.threads, gpu: options.backend === 'wasm' ? false : undefined }));
}

/**
 * Internal entry shared with fullProve and the prepared prover: `zkey` is a source opened for this
 * proof, or a prepared prover's key (its sections already read); `before` carries the stages done
 * before (the witness).
 *
 * A proof that fails its check (PROOF_INVALID) after a GPU computed part of it may be that GPU's
 * fault (a silent hardware error): the GPU is distrusted for a while (runtime.distrust: 'auto'
 * plans leave it out) and the proof is made once more, with fresh r and s, on what is left (the
 * workers when the caller asked for 'webgpu'). A second failure, or a first one on the workers
 * alone, points at the key or the witness and is thrown.
 */
export async function proveOn(
  runtime: Runtime,
  zkey: BinSource | { prepared: ProofKey },
  wtnsSource: BinSource,
  userOptions: ProveOptions,
  before: StagesBefore,
): Promise<Groth16ProveResult> {
  try {
    return await proveOnce(runtime, zkey, wtnsSource, userOptions, before);
  } catch (e) {
    const suspects = isZkgpuError(e, 'PROOF_INVALID') ? gpuDevicesOf(e.details?.devices) : [];
    if (suspects.length === 0) throw e;
    for (const device of suspects) runtime.distrust(device, { reason: 'a Groth16 proof it computed part of failed its check' });
    const redone = await proveOnce(runtime, zkey, wtnsSource, { ...userOptions, backend: userOptions.backend === 'webgpu' ? 'wasm' : userOptions.backend }, before);
    Object.defineProperty(redone, 'redoneAfter', { value: { devices: suspects }, enumerable: false });
    return redone;
  }
}

/** The GPU backend ids among the devices that computed a proof's parts (PROOF_INVALID's details.devices). */
function gpuDevicesOf(devices: Readonly<Record<string, readonly string[]>> | undefined): string[] {
  return [...new Set(Object.values(devices ?? {}).flat())].filter((d) => d !== 'wasm');
}

async function proveOnce(
  runtime: Runtime,
  zkey: BinSource | { prepared: ProofKey },
  wtnsSource: BinSource,
  userOptions: ProveOptions,
  before: StagesBefore,
): Promise<Groth16ProveResult> {
  // verify.ts: which device computed each part, named by PROOF_INVALID.
  const ledger = new DeviceLedger();
  const options = withDeviceLedger(userOptions, ledger);
  const run = new ProofRun(options, proveStageCount(runtime, options), before, runtime);
  let key: ProofKey | undefined;
  try {
    run.checkAbort();
    key = isPrepared(zkey) ? zkey.prepared : await run.addTime('readKey', () => openProofKey(zkey));
    run.checkAbort();
    const result = await proveWithKey(run, runtime, key, wtnsSource, options, before);
    // The proof's check (verify.ts), with the key still open. A prepared key's file is closed:
    // readProofKey should call verificationData(file) before file.close() (kept for the header it shares).
    await verifyBeforeReturn(key, result, parseVerifyOption(options.verify), ledger);
    return result;
  } catch (e) {
    throw run.failure(e);
  } finally {
    await run.settle();
    await key?.close();
  }
}

/** The proof once the key's header is read: witness, checks, every job, blinding, result. */
async function proveWithKey(run: ProofRun, runtime: Runtime, key: ProofKey, wtnsSource: BinSource, options: ProveOptions, before: StagesBefore): Promise<Groth16ProveResult> {
  // Whole or streamed within the proof's memory budget; PLAN_INFEASIBLE here, before any work.
  const memory = await proofMemoryPlan(runtime, key.header, options);
  const wtns = await readWitness(run, wtnsSource, before.wtnsName);
  checkMatch(key, wtns);
  run.checkAbort();
  const jobs = new ProofJobs(runtime, run, key, options.backend, workerLayout(runtime.threads, key.header.nVars, key.header.domainSize));
  const sums =
    memory.mode === 'whole'
      ? await queueProof(run, jobs, key, wtns, options)
      : await streamedProofSums(run, jobs, key, wtns, memory, (coefficients) => queueHScalars(run, jobs, key, wtns, coefficients, options));
  const blinded = await run.timed('finalize', () => finalize(jobs, key.header, wtns, sums));
  run.timings.total = performance.now() - run.start + (before.witness ?? 0);
  return proofResult(key.header, blinded, run.timings as Groth16Timings, run.estimates);
}

async function readWitness(run: ProofRun, source: BinSource, name: string | undefined): Promise<Witness> {
  const wtns = await run.addTime('readWitness', async () => {
    const read = await readWtns(source);
    if (name) read.name = name;
    return read;
  });
  run.progress('readWitness');
  return wtns;
}

/** The five MSM sums of a proof, each an encoded point. */
interface ProofSums {
  a: Uint8Array;
  b1: Uint8Array;
  b2: Uint8Array;
  c: Uint8Array;
  h: Uint8Array;
}

/**
 * Queues every job of the proof in the measured order (file header) and returns the five sums.
 * The key's sections are read between the queueing steps, each as late as its first job allows,
 * so the workers have work while the main thread reads.
 */
async function queueProof(run: ProofRun, jobs: ProofJobs, key: ProofKey, wtns: Witness, options: ProveOptions): Promise<ProofSums> {
  // What the first worker tasks need (the QAP and the G2 MSM); the other sections are read
  // while the workers run those, instead of with both workers idle.
  const [coefficients, pointsB2] = await run.addTime('readKey', () => key.readSections(['coefficients', 'pointsB2']));
  run.checkAbort();

  // The H MSM's scalars first (the critical path: A, B, C -> transforms -> quotient -> H MSM),
  // at a higher pool priority than the witness MSMs, so H starts as soon as its scalars exist
  // instead of queuing behind them.
  const hScalars = queueHScalars(run, jobs, key, wtns, coefficients, options);
  // Beside it, the G2 MSM, the longest: the planner sees its queued work, so the G1 MSMs planned
  // after it go where they finish first (the GPU, where one takes the G2 MSM or is free).
  const msmB2 = jobs.keyMsm('pointsB2', pointsB2, wtns.bytes);

  const [pointsA, pointsB1, pointsC] = await run.addTime('readKey', () => key.readSections(['pointsA', 'pointsB1', 'pointsC']));
  run.progress('readKey');
  run.checkAbort();

  // The other witness MSMs, largest first (C has nearly every variable; A and B1 skip the
  // points at infinity): they fill the workers around the H scalars' work. The last one, B1,
  // is split over every worker (tailWorkers), so its pieces go to whichever workers free up
  // first instead of one worker finishing it alone while the others idle.
  const msmC = jobs.keyMsm('pointsC', pointsC, wtns.bytes.subarray((key.header.nPublic + 1) * 32));
  const msmA = jobs.keyMsm('pointsA', pointsA, wtns.bytes);
  const msmB1 = jobs.keyMsm('pointsB1', pointsB1, wtns.bytes, { workers: jobs.layout.tailWorkers });

  // Read while the H scalars are made: between their end and the H MSM's submission there is
  // then no file read (nor any other await), so the H MSM reaches the pool before a freed worker
  // takes a lower-priority MSM.
  const [pointsH] = await run.addTime('readKey', () => key.readSections(['pointsH']));
  const quotient = await hScalars;
  run.checkAbort();
  // Split over every worker when the witness MSMs left would not keep the others busy (poleWorkers).
  const hWorkers = poleWorkers(
    jobs.layout,
    jobs.runtime.threads,
    jobs.workMs('g1', { terms: key.header.domainSize, zeros: 0, ones: 0, dense: key.header.domainSize, maxBits: 254 }) / jobs.layout.g1Workers,
    jobs.unfinishedMs,
  );
  const msmH = jobs.keyMsm('pointsH', pointsH, quotient, { priority: CRITICAL_PATH, workers: hWorkers });

  const [a, b1, b2, c, h] = await Promise.all([msmA, msmB1, msmB2, msmC, msmH]);
  run.checkAbort();
  return { a, b1, b2, c, h };
}

function isPrepared(zkey: BinSource | { prepared: ProofKey }): zkey is { prepared: ProofKey } {
  return typeof zkey === 'object' && zkey !== null && 'prepared' in zkey;
}

/** The H MSM's scalars: one worker task, or the staged jobs (ProveOptions.qap, qapInOneTask). */
function queueHScalars(run: ProofRun, jobs: ProofJobs, key: ProofKey, wtns: Witness, coefficients: Uint8Array, options: ProveOptions): Promise<Uint8Array> {
  const h = key.header;
  const inputs: QapInputs = {
    coefficients,
    witness: wtns.bytes,
    context: { fileName: key.name, sectionOffset: key.bin.section(ZKEY_SECTION.coefficients).offset, r: h.r, domainSize: h.domainSize, nVars: h.nVars },
    // Evaluations on the domain -> coefficients -> evaluations on the coset w_2n <w_n>, as snarkjs
    // (its `inc` = Fr.w[power + 1]; power < frTwoAdicity, checked when the key was opened).
    shift: rootOfUnity(h.curve, h.power + 1),
  };
  const hScalars = qapInOneTask(options.qap, jobs.runtime, options.backend) ? jobs.hScalarsInOneTask(inputs) : hScalarsJobByJob(run, jobs, inputs);
  run.track(hScalars);
  return hScalars;
}

/** qap 'stages': A, B, C; the three inverse + coset transform chains at once; the quotient. */
async function hScalarsJobByJob(run: ProofRun, jobs: ProofJobs, inputs: QapInputs): Promise<Uint8Array> {
  const abc = await jobs.buildAbc(inputs);
  run.checkAbort();
  const nttStart = performance.now();
  const [ea, eb, ec] = await Promise.all([jobs.toCoset('A', abc.a, inputs.shift), jobs.toCoset('B', abc.b, inputs.shift), jobs.toCoset('C', abc.c, inputs.shift)]);
  run.timings.ntt = performance.now() - nttStart;
  run.progress('ntt');
  run.checkAbort();
  return jobs.quotient(ea, eb, ec);
}

/** The proof's three points, blinded, and its public signals. */
interface Blinded {
  piA: Uint8Array;
  piB: Uint8Array;
  piC: Uint8Array;
  publicSignals: string[];
}

/**
 * Blinding, as a few small MSMs on the runtime instead of BigInt scalar multiplications here
 * (those took ~115 ms per proof, a G2 one most of it). With s pi_a and r b1 expanded:
 *   pi_a = A + alpha1 + r delta1,  pi_b = B2 + beta2 + s delta2,
 *   pi_c = C + H + s A + s alpha1 + r B1 + r beta1 + r s delta1
 * (the r s delta1 of s pi_a and of r b1 cancel one -r s delta1 and leave one).
 */
async function finalize(jobs: ProofJobs, h: ZkeyHeader, wtns: Witness, sums: ProofSums): Promise<Blinded> {
  const order = CURVES[h.curve].r;
  const r = randomScalar(order);
  const s = randomScalar(order);
  const rs = (r * s) % order;
  const { a, b1, b2, c, h: hSum } = sums;
  const [piA, piB, piC] = await Promise.all([
    jobs.blindingMsm('g1', [
      [a, 1n],
      [h.alpha1, 1n],
      [h.delta1, r],
    ]),
    jobs.blindingMsm('g2', [
      [b2, 1n],
      [h.beta2, 1n],
      [h.delta2, s],
    ]),
    jobs.blindingMsm('g1', [
      [c, 1n],
      [hSum, 1n],
      [a, s],
      [h.alpha1, s],
      [b1, r],
      [h.beta1, r],
      [h.delta1, rs],
    ]),
  ]);
  const witnessView = viewOf(wtns.bytes);
  const publicSignals = Array.from({ length: h.nPublic }, (_, i) => readFr(witnessView, (i + 1) * 32).toString());
  return { piA, piB, piC, publicSignals };
}

/** snarkjs's proof JSON and public signals, with the timings attached out of JSON's sight. */
function proofResult(h: ZkeyHeader, blinded: Blinded, timings: Groth16Timings, estimates: ProofRun['estimates']): Groth16ProveResult {
  const result = {
    proof: {
      pi_a: g1ToJson(decodePoint(h.curve, 'g1', blinded.piA)),
      pi_b: g2ToJson(decodePoint(h.curve, 'g2', blinded.piB)),
      pi_c: g1ToJson(decodePoint(h.curve, 'g1', blinded.piC)),
      protocol: 'groth16',
      curve: h.snarkjsCurve,
    },
    publicSignals: blinded.publicSignals,
  } as Groth16ProveResult;
  Object.defineProperty(result, 'timings', { value: timings, enumerable: false });
  Object.defineProperty(result, MSM_ESTIMATES, { value: estimates, enumerable: false });
  return result;
}

/** Where a result keeps its MSM estimates (set only with onJobReport; read by the profile: msmEstimatesOf). */
const MSM_ESTIMATES = Symbol('zkgpu.msmEstimates');

/** @internal The planner's estimate and scalar profile per witness MSM stage of a proof made with onJobReport. */
export function msmEstimatesOf(result: Groth16ProveResult): ProofRun['estimates'] {
  return (result as unknown as Record<symbol, ProofRun['estimates']>)[MSM_ESTIMATES] ?? {};
}

/**
 * Whether the H scalars are one wasm task (ProveOptions.qap). With fewer than 6 threads each
 * transform runs whole on one worker (workerLayout), so the one task only drops the copies and
 * permutation passes between the stages: at 2^16 (BN254, 2 threads, same process, alternating,
 * median of 7) the proof took 2015 ms against 2090 ms staged, the H scalars ready after 329 ms
 * against 390 ms. Not when 'auto' might give the transforms to a GPU (a software adapter such as
 * lavapipe or SwiftShader it never takes unless the runtime's backends list names 'webgpu').
 */
function qapInOneTask(choice: ProveOptions['qap'], runtime: Runtime, backend: Backend | undefined): boolean {
  if (choice === 'one-task') return true;
  if (choice === 'stages') return false;
  return nttWorkers(runtime.threads) === 1 && !mayUseGpu(backend ?? 'auto', runtime.autoState);
}

function checkMatch(key: ProofKey, wtns: Witness): void {
  const h = key.header;
  if (wtns.q !== h.r) {
    throw new ZkgpuError(
      'WITNESS_MISMATCH',
      `the witness ${wtns.name} is for ${wtns.curve} (prime ${wtns.q}) but the proving key ${key.name} is for ${h.curve} (group order ${h.r})`,
      { details: { file: wtns.name } },
    );
  }
  if (wtns.nWitness !== h.nVars) {
    throw new ZkgpuError(
      'WITNESS_MISMATCH',
      `the witness ${wtns.name} has ${wtns.nWitness} values but the proving key ${key.name} expects ${h.nVars} (nVars): witness and key are for different circuits`,
      { details: { file: wtns.name, field: 'nWitness' } },
    );
  }
  const first = wtns.bytes.length >= 32 ? readFr(viewOf(wtns.bytes), 0) : 'missing';
  if (first !== 1n) {
    throw new ZkgpuError('WITNESS_MISMATCH', `the witness ${wtns.name} does not start with the constant 1 (value 0 is ${first}), as every circom witness does`, {
      details: { file: wtns.name, index: 0 },
    });
  }
}

/**
 * Uniform in [1, r): rejection sampling on bitLength(r)-bit values (fewer than 2 draws expected,
 * since r > 2^(bits - 1)), so no modular bias at all.
 */
export function randomScalar(r: bigint): bigint {
  const bits = r.toString(2).length;
  const bytes = new Uint8Array(32);
  const topMask = (1 << (bits - 248)) - 1;
  for (;;) {
    globalThis.crypto.getRandomValues(bytes);
    bytes[31] &= topMask;
    let v = 0n;
    for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
    if (v > 0n && v < r) return v;
  }
}
