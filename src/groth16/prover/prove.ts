/**
 * groth16.prove: snarkjs's Groth16 prover (groth16_prove.js) on zkgpu's runtime. Same inputs
 * (.zkey, .wtns), same output JSON, and the same arithmetic, so snarkjs's verification key accepts
 * the proofs:
 *   A_i, B_i, C_i = A_i B_i at the domain points (qap.ts)
 *   each of A, B, C: inverse NTT, then forward NTT on the coset w_2n <w_n> (w_2n = Fr.w[power + 1])
 *   H scalars = A B - C at the coset points
 *   pi_a = MSM(A, w) + alpha1 + r delta1
 *   pi_b = MSM(B2, w) + beta2 + s delta2          (and its G1 twin b1 = MSM(B1, w) + beta1 + s delta1)
 *   pi_c = MSM(C, w_private) + MSM(H, quotient) + s pi_a + r b1 - r s delta1
 * with fresh uniform r, s in [1, r) from crypto.getRandomValues.
 * Scheduling, as one graph on the runtime: A, B, C (a wasm task, qap-wasm.ts) and the G2 MSM
 * start first; then the six transforms, and the C, A and B1 MSMs. The critical path (A, B, C ->
 * transforms -> quotient -> H MSM) has a higher worker-pool priority, so H starts as soon as its
 * scalars exist; each MSM spreads over its share of the workers only (workerLayout), the other
 * MSMs keeping the rest busy. The main thread only reads and posts (through the pool's reused
 * staging buffers): its core is the workers'. The planner sees each
 * queued job's work, so with a GPU the G1 MSMs lean to it while G2 holds the workers.
 */
import { ZkgpuError } from '../../core/errors.js';
import { createRuntime, type Backend, type JobReport, type Runtime } from '../../runtime/runtime.js';
import { CURVES, decodePoint, encodePoint, pointBytes, rootOfUnity, type G1Point, type G2Point } from '../../math/index.js';
import { abortError } from '../../core/abort.js';
import { openZkey, ZKEY_SECTION, type ZkeyFile } from '../formats/zkey.js';
import { readWtns, type Witness } from '../formats/wtns.js';
import { buildAbcOnWorker, hScalarsOnWorker, quotientOnWorker } from './qap-wasm.js';
import { encodeFrArray, readFr, viewOf } from '../formats/fr.js';
import { g1ToJson, g2ToJson, type Groth16Proof } from '../formats/proof-format.js';
import type { BinSource } from '../formats/source.js';
import { concatBytes } from '../../core/bytes.js';

export interface Groth16Progress {
  /** The stage that just finished (a key of Groth16Timings). */
  stage: string;
  /** Stages finished so far, including this one. */
  done: number;
  total: number;
}

export interface ProveOptions {
  /** Runtime to use (left open). Without one, a runtime is created and disposed before returning. */
  runtime?: Runtime;
  /** Worker threads of the runtime created when none is given. */
  threads?: number;
  /** Engine for every MSM and NTT; default 'auto'. */
  backend?: Backend;
  signal?: AbortSignal;
  onProgress?: (event: Groth16Progress) => void;
  /**
   * The runtime's report of every MSM and NTT of the proof, with the stage it belongs to ('msmA',
   * 'ifftB', 'finalize', ...): where each chunk ran and for how long (zkgpu profile uses it).
   */
  onJobReport?: (stage: string, report: JobReport) => void;
  /**
   * How the H MSM's scalars are made. 'one-task': A, B, C, the six transforms and the quotient as
   * one wasm task on one worker, nothing copied between them (timings: `qap`). 'stages': A, B, C,
   * then each transform through the runtime (spread over workers, or on the GPU), then the
   * quotient (timings: `buildABC`, `ifftA`... `quotient`). 'auto' (default): 'one-task' when the
   * transforms would run whole on one worker anyway (fewer than 6 threads) and no GPU could take
   * them (none, or a software adapter 'auto' leaves out), else 'stages'.
   */
  qap?: 'auto' | 'one-task' | 'stages';
}

/**
 * Milliseconds per stage. MSMs and transforms overlap in time (they share the runtime), so the
 * stages do not add up to `total`; each is its own wall time from start to result.
 */
export interface Groth16Timings {
  /** fullProve only: computing the witness from the input. */
  witness?: number;
  /** Header parse plus reading the coefficient and point sections. */
  readKey: number;
  readWitness: number;
  /** qap 'one-task' only: A, B, C, the six transforms and the quotient, one worker task. */
  qap?: number;
  /** qap 'stages' only, as the seven below: A, B, C at the domain points. */
  buildABC?: number;
  ifftA?: number;
  fftA?: number;
  ifftB?: number;
  fftB?: number;
  ifftC?: number;
  fftC?: number;
  /** All six transforms, first start to last result. */
  ntt?: number;
  /** A B - C at the coset points. */
  quotient?: number;
  msmA: number;
  msmB1: number;
  msmB2: number;
  msmC: number;
  msmH: number;
  /** Blinding with r and s, and the proof's final point additions. */
  finalize: number;
  total: number;
}

export interface Groth16ProveResult {
  proof: Groth16Proof;
  publicSignals: string[];
  /** Non-enumerable, so JSON.stringify(result) matches snarkjs's output exactly. */
  readonly timings: Groth16Timings;
}

const STAGES = ['readKey', 'readWitness', 'buildABC', 'ntt', 'quotient', 'qap', 'msmA', 'msmB1', 'msmB2', 'msmC', 'msmH', 'finalize'] as const;

/** Progress events of one proof on this runtime: every stage but the other path's QAP stages ('qap', or 'buildABC', 'ntt', 'quotient'). */
export function proveStageCount(runtime: Runtime, options: ProveOptions): number {
  return STAGES.length - (qapInOneTask(options.qap, runtime, options.backend) ? 3 : 1);
}

export async function prove(zkeySource: BinSource, wtnsSource: BinSource, options: ProveOptions = {}): Promise<Groth16ProveResult> {
  return withRuntime(options, (runtime) => proveOn(runtime, zkeySource, wtnsSource, options, {}));
}

/** Runs `work` on options.runtime, or on a runtime created for it and disposed afterwards (even on error). */
export async function withRuntime<T>(options: ProveOptions, work: (runtime: Runtime) => Promise<T>): Promise<T> {
  checkOptions(options);
  if (options.runtime) return work(options.runtime);
  if (options.signal?.aborted) throw abortError(options.signal);
  // A software GPU never wins (scheduler/policy.ts) and Dawn start-up costs ~100s of ms: skip it for 'wasm'.
  const runtime = await createRuntime({ threads: options.threads, gpu: options.backend === 'wasm' ? false : undefined });
  try {
    return await work(runtime);
  } finally {
    await runtime.dispose();
  }
}

function checkOptions(options: ProveOptions): void {
  if (typeof options !== 'object' || options === null) throw new ZkgpuError('INVALID_ARGUMENT', 'options must be an object');
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new ZkgpuError('INVALID_ARGUMENT', 'onProgress must be a function');
  }
  if (options.onJobReport !== undefined && typeof options.onJobReport !== 'function') {
    throw new ZkgpuError('INVALID_ARGUMENT', 'onJobReport must be a function');
  }
  if (options.backend !== undefined && options.backend !== 'auto' && options.backend !== 'wasm' && options.backend !== 'webgpu') {
    throw new ZkgpuError('INVALID_ARGUMENT', `backend must be 'webgpu', 'wasm' or 'auto', got ${JSON.stringify(options.backend)}`);
  }
  if (options.qap !== undefined && options.qap !== 'auto' && options.qap !== 'one-task' && options.qap !== 'stages') {
    throw new ZkgpuError('INVALID_ARGUMENT', `qap must be 'auto', 'one-task' or 'stages', got ${JSON.stringify(options.qap)}`);
  }
}

/** Internal entry shared with fullProve: `extra` carries stages done before (the witness). */
export async function proveOn(
  runtime: Runtime,
  zkeySource: BinSource,
  wtnsSource: BinSource,
  options: ProveOptions,
  extra: { witness?: number; stagesBefore?: number; wtnsName?: string },
): Promise<Groth16ProveResult> {
  const start = performance.now();
  const userSignal = options.signal;
  // One controller per runtime call (about 16 per proof): a single shared signal would collect
  // more than Node's 10-listener warning threshold. On any failure they all cancel, so a caller's
  // runtime is not left busy with jobs of a proof that already failed.
  const jobControllers = new Set<AbortController>();
  let cancelled: { reason: unknown } | null = null;
  const cancelAll = (reason: unknown) => {
    cancelled ??= { reason };
    for (const c of jobControllers) c.abort(reason);
  };
  const jobSignal = (): AbortSignal => {
    const c = new AbortController();
    if (cancelled) c.abort(cancelled.reason);
    jobControllers.add(c);
    return c.signal;
  };
  const onUserAbort = () => cancelAll(userSignal?.reason);
  userSignal?.addEventListener('abort', onUserAbort, { once: true });
  const checkAbort = () => {
    if (userSignal?.aborted) throw abortError(userSignal);
  };
  const progressTotal = proveStageCount(runtime, options) + (extra.stagesBefore ?? 0);
  let progressDone = extra.stagesBefore ?? 0;
  const progress = (stage: string) => {
    progressDone++;
    options.onProgress?.({ stage, done: progressDone, total: progressTotal });
  };
  const t: Partial<Groth16Timings> = extra.witness === undefined ? {} : { witness: extra.witness };
  const pending: Promise<unknown>[] = [];
  let key: ZkeyFile | undefined;
  try {
    checkAbort();
    let mark = performance.now();
    key = await openZkey(zkeySource);
    const h = key.header;
    t.readKey = performance.now() - mark;
    checkAbort();

    mark = performance.now();
    const wtns = await readWtns(wtnsSource);
    if (extra.wtnsName) wtns.name = extra.wtnsName;
    t.readWitness = performance.now() - mark;
    progress('readWitness');
    checkMatch(key, wtns);
    checkAbort();

    mark = performance.now();
    // What the first worker tasks need (A, B, C and the G2 MSM); the other sections are read
    // while the workers run those, instead of with both workers idle.
    const coefficients = await key.bin.readSection(ZKEY_SECTION.coefficients);
    const pointsB2 = await key.bin.readSection(ZKEY_SECTION.pointsB2);
    t.readKey += performance.now() - mark;
    checkAbort();

    const { curve } = h;
    const backend = options.backend;
    const timed = <T>(stage: keyof Groth16Timings, job: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const p = job().then((v) => {
        t[stage] = performance.now() - t0;
        if ((STAGES as readonly string[]).includes(stage)) progress(stage);
        return v;
      });
      // Observed here so a job that fails after another stage already threw is never an unhandled rejection.
      pending.push(p.catch(() => {}));
      return p;
    };
    // Key points are checked to be on the curve on the way, so a corrupted point section is an
    // error naming the section, not a proof that fails verification later. Cost measured on a
    // 2^14-constraint BN254 proof, 2 threads, median of 4: 2084 ms checked vs 2050 ms unchecked (~2%).
    const reportTo = (stage: string) => (options.onJobReport ? (r: JobReport) => options.onJobReport?.(stage, r) : undefined);
    const lay = workerLayout(runtime.threads, h.nVars, h.domainSize);
    const msm = (stage: string, id: number, group: 'g1' | 'g2', points: Uint8Array, scalars: Uint8Array, priority = 0, workers?: number) =>
      // The WebGPU engine has no G2 kernel: with backend 'webgpu' the G2 MSM runs on the workers,
      // beside the G1 MSMs on the GPU (the split the scheduler makes too).
      runtime
        .msm({
          curve,
          group,
          points,
          scalars,
          backend: group === 'g2' && backend === 'webgpu' ? 'wasm' : backend,
          validatePoints: true,
          maxWorkers: workers ?? (group === 'g2' ? lay.g2Workers : lay.g1Workers),
          priority,
          signal: jobSignal(),
          onReport: reportTo(stage),
        })
        .catch((e) => {
          throw keyPointError(e, key as ZkeyFile, id, group);
        });

    // The H MSM's scalars first (the critical path: A, B, C -> transforms -> quotient -> H MSM),
    // at a higher pool priority than the witness MSMs, so H starts as soon as its scalars exist
    // instead of queuing behind them.
    const qapContext = {
      fileName: key.name,
      sectionOffset: key.bin.section(ZKEY_SECTION.coefficients).offset,
      r: h.r,
      domainSize: h.domainSize,
      nVars: h.nVars,
    };
    // Evaluations on the domain -> coefficients -> evaluations on the coset w_2n <w_n>, as snarkjs
    // (its `inc` = Fr.w[power + 1]; power < frTwoAdicity, checked when the key was opened).
    const shift = rootOfUnity(curve, h.power + 1);
    const stagedHScalars = async (): Promise<Uint8Array> => {
      const abc = await timed('buildABC', () => buildAbcOnWorker(runtime, curve, coefficients, wtns.bytes, qapContext, jobSignal(), CRITICAL_PATH));
      checkAbort();
      const nttStart = performance.now();
      const ntt = (stage: string, values: Uint8Array, options: { inverse?: boolean; coset?: bigint }) =>
        runtime.ntt({ curve, values, ...options, backend, maxWorkers: lay.nttWorkers, priority: CRITICAL_PATH, signal: jobSignal(), onReport: reportTo(stage) });
      const toCoset = (name: 'A' | 'B' | 'C', values: Uint8Array) =>
        timed(`ifft${name}`, () => ntt(`ifft${name}`, values, { inverse: true })).then((coeffs) => timed(`fft${name}`, () => ntt(`fft${name}`, coeffs, { coset: shift })));
      const [ea, eb, ec] = await Promise.all([toCoset('A', abc.a), toCoset('B', abc.b), toCoset('C', abc.c)]);
      t.ntt = performance.now() - nttStart;
      progress('ntt');
      checkAbort();
      return timed('quotient', () => quotientOnWorker(runtime, curve, ea, eb, ec, jobSignal(), CRITICAL_PATH));
    };
    const hScalars = qapInOneTask(options.qap, runtime, backend)
      ? timed('qap', () => hScalarsOnWorker(runtime, curve, coefficients, wtns.bytes, qapContext, shift, jobSignal(), CRITICAL_PATH))
      : stagedHScalars();
    pending.push(hScalars.catch(() => {}));
    // Beside it, the G2 MSM, the longest: it runs on the workers only (no WebGPU G2 kernel), and
    // the planner sees its queued work, so the G1 MSMs planned after it lean to the GPU where
    // there is one.
    const msmB2 = timed('msmB2', () => msm('msmB2', ZKEY_SECTION.pointsB2, 'g2', pointsB2, wtns.bytes));

    mark = performance.now();
    const pointsA = await key.bin.readSection(ZKEY_SECTION.pointsA);
    const pointsB1 = await key.bin.readSection(ZKEY_SECTION.pointsB1);
    const pointsC = await key.bin.readSection(ZKEY_SECTION.pointsC);
    t.readKey += performance.now() - mark;
    progress('readKey');
    checkAbort();

    // The other witness MSMs, largest first (C has nearly every variable; A and B1 skip the
    // points at infinity): they fill the workers around the H scalars' work. The last one, B1,
    // is split over every worker (lay.tailWorkers), so its pieces go to whichever workers free
    // up first instead of one worker finishing it alone while the others idle.
    const msmC = timed('msmC', () => msm('msmC', ZKEY_SECTION.pointsC, 'g1', pointsC, wtns.bytes.subarray((h.nPublic + 1) * 32)));
    const msmA = timed('msmA', () => msm('msmA', ZKEY_SECTION.pointsA, 'g1', pointsA, wtns.bytes));
    const msmB1 = timed('msmB1', () => msm('msmB1', ZKEY_SECTION.pointsB1, 'g1', pointsB1, wtns.bytes, 0, lay.tailWorkers));
    // Read while the H scalars are made: between their end and the H MSM's submission there is
    // then no file read, so the H MSM reaches the pool before a freed worker takes a lower-priority MSM.
    mark = performance.now();
    const pointsH = await key.bin.readSection(ZKEY_SECTION.pointsH);
    t.readKey += performance.now() - mark;
    const quotient = await hScalars;
    checkAbort();

    const msmH = timed('msmH', () => msm('msmH', ZKEY_SECTION.pointsH, 'g1', pointsH, quotient, CRITICAL_PATH));

    const [a, b1, b2, c, hSum] = await Promise.all([msmA, msmB1, msmB2, msmC, msmH]);
    checkAbort();

    // Blinding, as a few small MSMs on the runtime instead of BigInt scalar multiplications here
    // (those took ~115 ms per proof, a G2 one most of it). With s pi_a and r b1 expanded:
    //   pi_a = A + alpha1 + r delta1,  pi_b = B2 + beta2 + s delta2,
    //   pi_c = C + H + s A + s alpha1 + r B1 + r beta1 + r s delta1
    // (the r s delta1 of s pi_a and of r b1 cancel one -r s delta1 and leave one).
    mark = performance.now();
    const order = CURVES[curve].r;
    const r = randomScalar(order);
    const s = randomScalar(order);
    const rs = (r * s) % order;
    // Always on the workers: 3 to 7 points are below any GPU's break-even, and there is no G2 GPU kernel.
    const small = (group: 'g1' | 'g2', terms: [Uint8Array | G1Point | G2Point, bigint][]) =>
      runtime.msm({
        curve,
        group,
        points: concatBytes(terms.map(([p]) => (p instanceof Uint8Array ? p : encodePoint(curve, group, p)))),
        scalars: encodeFrArray(terms.map(([, k]) => k)),
        backend: 'wasm',
        signal: jobSignal(),
        onReport: reportTo('finalize'),
      });
    const [piA, piB, piC] = await Promise.all([
      small('g1', [[a, 1n], [h.alpha1, 1n], [h.delta1, r]]),
      small('g2', [[b2, 1n], [h.beta2, 1n], [h.delta2, s]]),
      small('g1', [[c, 1n], [hSum, 1n], [a, s], [h.alpha1, s], [b1, r], [h.beta1, r], [h.delta1, rs]]),
    ]);
    const witnessView = viewOf(wtns.bytes);
    const publicSignals = Array.from({ length: h.nPublic }, (_, i) => readFr(witnessView, (i + 1) * 32).toString());
    t.finalize = performance.now() - mark;
    progress('finalize');
    t.total = performance.now() - start + (extra.witness ?? 0);

    const result = {
      proof: {
        pi_a: g1ToJson(decodePoint(curve, 'g1', piA)),
        pi_b: g2ToJson(decodePoint(curve, 'g2', piB)),
        pi_c: g1ToJson(decodePoint(curve, 'g1', piC)),
        protocol: 'groth16',
        curve: h.snarkjsCurve,
      },
      publicSignals,
    } as Groth16ProveResult;
    Object.defineProperty(result, 'timings', { value: t as Groth16Timings, enumerable: false });
    return result;
  } catch (e) {
    cancelAll(e);
    if (userSignal?.aborted && !(e instanceof ZkgpuError && e.code === 'ABORTED')) throw abortError(userSignal);
    throw e;
  } finally {
    userSignal?.removeEventListener('abort', onUserAbort);
    // Let cancelled jobs settle before the caller disposes the runtime (their rejections are handled).
    await Promise.all(pending);
    await key?.close();
  }
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
  if (backend === 'webgpu') return false;
  return nttWorkers(runtime.threads) === 1 && (backend === 'wasm' || !runtime.autoMayUseGpu);
}

/** Pool priority of the proof's critical path (A, B, C, the transforms, the quotient, the H MSM). */
const CRITICAL_PATH = 1;

/**
 * Workers each MSM and transform of one proof may spread over. Five MSMs and three transform
 * chains run at once, so there is parallelism across them: each MSM takes a share of the
 * workers in proportion to its cost (a G2 point ~2.3 G1 points on wasm), at least one, and each
 * transform a third (three chains). With 2 workers everything runs whole on one worker: at
 * 2^16 (BN254, one worker) the five MSMs took 2805 ms whole and 3133 ms as halves, and a 2^16
 * transform whole skips the four-step split's three transposes on the main thread. From
 * WHOLE_MSM_MAX_VARS variables on, each MSM spreads over every worker again: at 2^20 whole MSMs
 * made the proof slower (37.9 s against 36.0 s split, 2 workers) and bigger (2.20 against 1.83
 * GiB peak RSS: each worker's heap holds a whole MSM), the bucket reduction being cheap there.
 *
 * tailWorkers is for the MSM queued last: always split over every worker, it evens out the end
 * of the proof. At 2^16 with 2 workers, whole, it ran alone on one worker for its last ~330 ms
 * while the other idled; split, the proof took 1945 ms instead of 2033 (median of 15 each,
 * same machine, alternating processes).
 */
export function workerLayout(threads: number, nVars: number, domainSize: number): WorkerLayout {
  const ntt = nttWorkers(threads);
  if (nVars >= WHOLE_MSM_MAX_VARS) return { g1Workers: threads, g2Workers: threads, nttWorkers: ntt, tailWorkers: threads };
  const g2Cost = 2.3 * nVars;
  const total = 3 * nVars + domainSize + g2Cost; // A, B1, C and H in G1, B2 in G2
  const share = (cost: number) => Math.max(1, Math.round((threads * cost) / total));
  return { g1Workers: share(nVars), g2Workers: share(g2Cost), nttWorkers: ntt, tailWorkers: threads };
}

export interface WorkerLayout {
  g1Workers: number;
  g2Workers: number;
  nttWorkers: number;
  tailWorkers: number;
}

/** Workers per transform: a third each, three chains running at once. */
function nttWorkers(threads: number): number {
  return Math.max(1, Math.floor(threads / 3));
}

/** Measured whole-MSM win at 2^16 and loss at 2^20 (workerLayout); 2^18 splits the difference, not measured. */
export const WHOLE_MSM_MAX_VARS = 1 << 18;

/** The runtime's POINT_NOT_ON_CURVE (index within the section) as FILE_FORMAT at the file offset. */
function keyPointError(e: unknown, key: ZkeyFile, id: number, group: 'g1' | 'g2'): unknown {
  if (!(e instanceof ZkgpuError) || e.code !== 'POINT_NOT_ON_CURVE') return e;
  const index = Number(/index (\d+)/.exec(e.message)?.[1] ?? NaN);
  const section = key.bin.section(id);
  const at = Number.isFinite(index) ? section.offset + index * pointBytes(key.header.curve, group) : section.offset;
  const which = Number.isFinite(index) ? `point ${index}` : 'a point';
  return new ZkgpuError(
    'FILE_FORMAT',
    `${key.name}: ${key.bin.label(id)}: ${which} is not on the ${key.header.curve} ${group.toUpperCase()} curve or has a coordinate not below q (byte offset ${at})`,
    { cause: e },
  );
}

function checkMatch(key: ZkeyFile, wtns: Witness): void {
  const h = key.header;
  if (wtns.q !== h.r) {
    throw new ZkgpuError(
      'WITNESS_MISMATCH',
      `the witness ${wtns.name} is for ${wtns.curve} (prime ${wtns.q}) but the proving key ${key.name} is for ${h.curve} (group order ${h.r})`,
    );
  }
  if (wtns.nWitness !== h.nVars) {
    throw new ZkgpuError(
      'WITNESS_MISMATCH',
      `the witness ${wtns.name} has ${wtns.nWitness} values but the proving key ${key.name} expects ${h.nVars} (nVars): witness and key are for different circuits`,
    );
  }
  const first = wtns.bytes.length >= 32 ? readFr(viewOf(wtns.bytes), 0) : 'missing';
  if (first !== 1n) {
    throw new ZkgpuError('WITNESS_MISMATCH', `the witness ${wtns.name} does not start with the constant 1 (value 0 is ${first}), as every circom witness does`);
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
