/**
 * The runtime: owns the CPU worker pool and (when an adapter exists) one GPU device, checks every
 * request at the boundary, and routes it to an engine (backend-choice.ts). Every call ends with a
 * JobReport (which engine and adapter ran it, how long it took), delivered to the request's
 * `onReport` and as a 'job' event on the runtime.
 */
import { ZkgpuError } from './errors.js';
import { CURVES, encodeScalar, invMod, type CurveName, type GroupName } from './math/index.js';
import { compileWasm, type WasmSource } from './cpu/wasm-engine.js';
import { WorkerPool, abortError } from './cpu/pool.js';
import { msmOnPool } from './cpu/msm.js';
import { nttOnPool } from './cpu/ntt.js';
import { defaultThreadCount } from './cpu/threads.js';
import { splitRange } from './cpu/split.js';
import { acquireGpu, type GpuAdapterInfo, type GpuContext } from './gpu/context.js';
import { gpuNtt } from './ntt/gpu.js';
import { gpuMsm } from './msm/gpu.js';
import { describeBackends, detectHardware, plan, type HardwareReport, type Plan, type PlanJob } from './scheduler/index.js';
import { gpuBabyBearNtt } from './ntt/babybear-gpu.js';
import { babybearNttOnPool, checkBabyBearNttJob } from './cpu/babybear-ntt.js';
import { BABYBEAR_GENERATOR } from './math/babybear.js';
import { checkBackend, chooseBackend, gpuFailure, isRecoverableOnCpu, type Backend, type BackendChoice, type Engine } from './backend-choice.js';
import { dropZeroScalars } from './msm-compact.js';
import { checkBelow, checkBytes, checkCurve, checkGroup, checkSignal, pointBytes, SCALAR_BYTES } from './validate.js';

export type NttOrder = 'natural' | 'bit-reversed';

export type { Backend, Engine } from './backend-choice.js';

/** What ran one call, and how long it took. */
export interface JobReport {
  op: 'msm' | 'ntt';
  /** The curve (its Fr for an NTT); absent for a BabyBear NTT. */
  curve?: CurveName;
  /** Set for the 31-bit BabyBear NTT. */
  field?: 'babybear';
  group?: GroupName;
  /** Points (MSM) or field elements (NTT). */
  n: number;
  requested: Backend;
  /** The engine that produced the result. */
  backend: Engine;
  /** Why this engine (the 'auto' rule, or the request). */
  reason: string;
  /** The GPU adapter, when backend is 'webgpu'. */
  adapter: GpuAdapterInfo | null;
  /** Worker threads, when backend is 'wasm'. */
  threads: number | null;
  ms: number;
  /** GPU execution time from timestamp queries (RuntimeOptions.gpuTimestamps), when measured. */
  gpuMs?: number;
  /** Set when the GPU failed and the call was re-run on the CPU (only for backend 'auto'). */
  fallback?: { from: 'webgpu'; error: string };
}

export class JobEvent extends Event {
  readonly report: JobReport;
  constructor(report: JobReport) {
    super('job');
    this.report = report;
  }
}

export interface RuntimeOptions {
  /** CPU worker threads; defaults to the available parallelism, capped by the cgroup CPU quota. */
  threads?: number;
  /** Where the engine's .wasm comes from (bytes, URL, path or compiled Module); defaults to the packaged file. */
  wasm?: WasmSource;
  /**
   * WebGPU: a `GPU` (navigator.gpu, Dawn's create()) or a ready `GPUDevice` (left alive on
   * dispose); true/undefined finds one if it can (navigator.gpu in browsers, Dawn in Node);
   * false runs on the CPU only.
   */
  gpu?: GPU | GPUDevice | boolean;
  /**
   * Time every GPU submission with timestamp queries (where the device has 'timestamp-query') and
   * put the GPU time in each report's gpuMs. Off by default: one extra readback per submission.
   */
  gpuTimestamps?: boolean;
}

export interface MsmRequest {
  curve: CurveName;
  group: GroupName;
  /** Affine points, .zkey encoding: little-endian Montgomery coordinates, infinity as zeros. */
  points: Uint8Array;
  /** 32-byte little-endian scalars in standard form, each below the group order. */
  scalars: Uint8Array;
  /** Check every point is on the curve (costs about one field multiplication per coordinate). */
  validatePoints?: boolean;
  /** Pippenger window width override, for tuning; chosen from n when absent. */
  windowBits?: number;
  /** Engine for this call; default 'auto'. */
  backend?: Backend;
  /** Called with the report of this call (also dispatched as a 'job' event on the runtime). */
  onReport?: (report: JobReport) => void;
  signal?: AbortSignal;
}

export interface NttRequest {
  curve: CurveName;
  /** 2^k Fr elements, 32-byte little-endian standard form. */
  values: Uint8Array;
  inverse?: boolean;
  /** Evaluate on the coset g·H: true uses the field's multiplicative generator, a bigint sets g. */
  coset?: boolean | bigint;
  inputOrder?: NttOrder;
  outputOrder?: NttOrder;
  /** Engine for this call; default 'auto'. */
  backend?: Backend;
  /** Called with the report of this call (also dispatched as a 'job' event on the runtime). */
  onReport?: (report: JobReport) => void;
  signal?: AbortSignal;
}

export interface BabyBearNttRequest {
  /** 2^k elements of BabyBear (p = 2^31 - 2^27 + 1) in standard form, each below p. Not modified. */
  values: Uint32Array;
  inverse?: boolean;
  /** Evaluate on the coset g·H: true uses BabyBear's generator 31, a number sets g. */
  coset?: boolean | number;
  inputOrder?: NttOrder;
  outputOrder?: NttOrder;
  backend?: Backend;
  onReport?: (report: JobReport) => void;
  signal?: AbortSignal;
}

export interface SamplePointsRequest {
  curve: CurveName;
  group: GroupName;
  n: number;
  seed?: number;
}

/** Largest transform accepted: 2^24 values are 512 MiB, within one wasm32 instance's 4 GiB. */
export const MAX_NTT_LOG_N = 24;

export class Runtime extends EventTarget {
  private disposed = false;
  /** GPU jobs run one at a time (one queue per device; cached tables and timers assume it). */
  private gpuQueue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly pool: WorkerPool,
    private readonly gpuContext: GpuContext | null,
  ) {
    super();
    // Re-dispatch the pool's worker-exit events on the runtime (one EventTarget for callers).
    pool.addEventListener('worker-exit', (e) => this.dispatchEvent(new CustomEvent('worker-exit', { detail: (e as CustomEvent).detail })));
  }

  static async create(options: RuntimeOptions = {}): Promise<Runtime> {
    // Default: the available cores capped by the cgroup CPU quota (a container limited to 8 CPUs
    // on a 128-core host gets 8 workers, not 128).
    const threads = options.threads ?? (await detectHardware().then((h) => h.cpu.threads, () => defaultThreadCount()));
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new ZkgpuError('INVALID_ARGUMENT', `threads must be an integer from 1 to 256, got ${threads}`);
    }
    const module = await compileWasm(options.wasm);
    const gpu = await openGpu(options.gpu);
    if (gpu && options.gpuTimestamps) gpu.timestamps = true;
    try {
      return new Runtime(await WorkerPool.create({ threads, module }), gpu);
    } catch (e) {
      gpu?.dispose();
      throw e;
    }
  }

  /** Number of CPU worker threads. */
  get threads(): number {
    return this.pool.size;
  }

  /** The GPU adapter this runtime uses, or null when it runs on the CPU only. */
  get gpu(): GpuAdapterInfo | null {
    return this.gpuContext?.info ?? null;
  }

  /** The adapter with the device's limits and features (for reports), or null without a GPU. */
  gpuDetails(): (GpuAdapterInfo & { limits: Record<string, number>; features: string[] }) | null {
    const ctx = this.gpuContext;
    if (!ctx) return null;
    const limits: Record<string, number> = {};
    // GPUSupportedLimits exposes its values as prototype getters: for-in walks them.
    for (const key in ctx.limits) {
      const v = (ctx.limits as unknown as Record<string, unknown>)[key];
      if (typeof v === 'number') limits[key] = v;
    }
    return { ...ctx.info, limits, features: [...ctx.device.features].sort() };
  }

  /**
   * What this runtime can use: CPU threads (cgroup quota included), the host memory budget, and
   * its GPU with limits and budget, each figure with its source (`zkgpu info` prints the same).
   */
  async hardware(options: { maxHostBytes?: number; maxGpuBytes?: number; probeGpu?: boolean } = {}): Promise<HardwareReport> {
    this.checkOpen();
    return detectHardware({ gpus: this.gpuContext ? [this.gpuContext] : [], ...options });
  }

  /**
   * The plan the scheduler's planner makes for a job on this runtime's devices (default cost
   * models until calibration lands: `calibrated: false`). Today's calls still run by the simple
   * per-call rule of `backend`; executing these plans is the scheduler's next step.
   */
  async plan(job: PlanJob): Promise<Plan> {
    const report = await this.hardware();
    let backends = describeBackends(report, job, { threads: this.threads });
    // No G2 kernel on WebGPU: G2 MSMs plan on the workers only.
    if (job.op === 'msm' && job.group === 'g2') backends = backends.filter((b) => b.kind !== 'webgpu');
    return plan(job, backends);
  }

  /** The runtime itself: 'job' (JobEvent) and 'worker-exit' events. Kept for older callers. */
  get events(): EventTarget {
    return this;
  }

  async msm(request: MsmRequest): Promise<Uint8Array> {
    this.checkOpen();
    const curve = checkCurve(request?.curve);
    const group = checkGroup(request.group);
    const points = checkBytes('points', request.points);
    const scalars = checkBytes('scalars', request.scalars);
    const signal = checkSignal(request.signal);
    const requested = checkBackend(request.backend);
    const size = pointBytes(curve, group);
    if (points.length % size !== 0) {
      throw new ZkgpuError('LENGTH_MISMATCH', `points: ${points.length} bytes is not a whole number of ${curve} ${group} points (${size} bytes each)`);
    }
    if (scalars.length % SCALAR_BYTES !== 0) {
      throw new ZkgpuError('LENGTH_MISMATCH', `scalars: ${scalars.length} bytes is not a whole number of 32-byte scalars`);
    }
    const n = points.length / size;
    if (scalars.length / SCALAR_BYTES !== n) {
      throw new ZkgpuError('LENGTH_MISMATCH', `${n} points but ${scalars.length / SCALAR_BYTES} scalars`);
    }
    const windowBits = request.windowBits;
    if (windowBits !== undefined && (!Number.isInteger(windowBits) || windowBits < 1 || windowBits > 24)) {
      throw new ZkgpuError('INVALID_ARGUMENT', `windowBits must be an integer from 1 to 24, got ${windowBits}`);
    }
    checkBelow(scalars, CURVES[curve].r, 'scalar', 'SCALAR_OUT_OF_RANGE');
    if (signal?.aborted) throw abortError(signal);
    // Points are validated before zero terms are dropped: a bad point is bad input whatever its scalar.
    if (request.validatePoints) await this.validatePoints(curve, group, points, signal);
    const terms = dropZeroScalars(points, scalars, size);
    const choice = chooseBackend({ requested, gpu: this.gpuContext, n: terms.n, gpuCannot: gpuMsmCannot(group) });
    const cpu = () => msmOnPool(this.pool, { curve, group, points: terms.points, scalars: terms.scalars, pointBytes: size, windowBits, signal });
    return this.runJob({ op: 'msm', curve, group, n, requested, signal, onReport: request.onReport }, choice, cpu, (gpu) =>
      gpuMsm(gpu, { curve, points: terms.points, scalars: terms.scalars, windowBits, signal }),
    );
  }

  async ntt(request: NttRequest): Promise<Uint8Array> {
    this.checkOpen();
    const curve = checkCurve(request?.curve);
    const values = checkBytes('values', request.values);
    const signal = checkSignal(request.signal);
    const inputOrder = checkOrder('inputOrder', request.inputOrder);
    const outputOrder = checkOrder('outputOrder', request.outputOrder);
    const requested = checkBackend(request.backend);
    if (values.length % SCALAR_BYTES !== 0) {
      throw new ZkgpuError('LENGTH_MISMATCH', `values: ${values.length} bytes is not a whole number of 32-byte field elements`);
    }
    const n = values.length / SCALAR_BYTES;
    if (n === 0 || (n & (n - 1)) !== 0) {
      throw new ZkgpuError('NTT_SIZE_NOT_POWER_OF_TWO', `NTT size must be a power of two, got ${n} values`);
    }
    const logN = Math.log2(n);
    const params = CURVES[curve];
    const maxLog = Math.min(MAX_NTT_LOG_N, params.frTwoAdicity);
    if (logN > maxLog) {
      throw new ZkgpuError('NTT_SIZE_TOO_LARGE', `NTT size 2^${logN} exceeds the largest supported for ${curve}, 2^${maxLog}`);
    }
    checkBelow(values, params.r, 'field element', 'FIELD_ELEMENT_OUT_OF_RANGE');
    const shift = cosetShift(curve, request.coset);
    const inverse = request.inverse === true;
    const binding = this.gpuContext?.limits.maxStorageBufferBindingSize ?? Infinity;
    const gpuCannot = values.length > binding ? `${values.length} bytes exceed the GPU's storage binding limit (${binding} bytes)` : null;
    const choice = chooseBackend({ requested, gpu: this.gpuContext, n, gpuCannot });
    if (signal?.aborted) throw abortError(signal);
    const r = params.r;
    const cpu = () =>
      nttOnPool(this.pool, {
        curve,
        values,
        logN,
        inverse,
        shift: shift === null ? null : encodeScalar(shift),
        shiftInverse: shift === null ? null : encodeScalar(invMod(shift, r)),
        nInverse: encodeScalar(invMod(BigInt(n), r)),
        inputOrder,
        outputOrder,
        signal,
      });
    return this.runJob({ op: 'ntt', curve, n, requested, signal, onReport: request.onReport }, choice, cpu, (gpu) =>
      gpuNtt(gpu, { curve, values, logN, inverse, shift, inputOrder, outputOrder }),
    );
  }

  /** NTT over the 31-bit BabyBear field (STARK provers); same semantics as `ntt`. */
  async nttBabyBear(request: BabyBearNttRequest): Promise<Uint32Array> {
    this.checkOpen();
    const values = request?.values;
    if (!(values instanceof Uint32Array)) throw new ZkgpuError('INVALID_ARGUMENT', 'values must be a Uint32Array of BabyBear elements');
    const signal = checkSignal(request.signal);
    const inputOrder = checkOrder('inputOrder', request.inputOrder);
    const outputOrder = checkOrder('outputOrder', request.outputOrder);
    const requested = checkBackend(request.backend);
    const n = values.length;
    if (n === 0 || (n & (n - 1)) !== 0) {
      throw new ZkgpuError('NTT_SIZE_NOT_POWER_OF_TWO', `NTT size must be a power of two, got ${n} values`);
    }
    const logN = Math.log2(n);
    const coset = request.coset;
    let shift: number | null;
    if (coset === undefined || coset === false) shift = null;
    else if (coset === true) shift = BABYBEAR_GENERATOR;
    else if (typeof coset === 'number') shift = coset;
    else throw new ZkgpuError('INVALID_ARGUMENT', `coset must be a boolean or a number, got ${String(coset)}`);
    const job = { values, logN, inverse: request.inverse === true, shift, inputOrder, outputOrder };
    checkBabyBearNttJob('nttBabyBear', job);
    const binding = this.gpuContext?.limits.maxStorageBufferBindingSize ?? Infinity;
    const gpuCannot = values.byteLength > binding ? `${values.byteLength} bytes exceed the GPU's storage binding limit (${binding} bytes)` : null;
    const choice = chooseBackend({ requested, gpu: this.gpuContext, n, gpuCannot });
    if (signal?.aborted) throw abortError(signal);
    return this.runJob(
      { op: 'ntt', field: 'babybear', n, requested, signal, onReport: request.onReport },
      choice,
      () => babybearNttOnPool(this.pool, { ...job, signal }),
      (gpu) => gpuBabyBearNtt(gpu, job),
    );
  }

  /**
   * Runs a call on the chosen engine and reports it. A GPU failure under 'auto' (device lost, out
   * of memory) re-runs the call on the workers and says so in the report; under 'webgpu' it
   * rejects with the GPU error code.
   */
  private async runJob<T>(
    job: { op: 'msm' | 'ntt'; curve?: CurveName; field?: 'babybear'; group?: GroupName; n: number; requested: Backend; signal?: AbortSignal; onReport?: (r: JobReport) => void },
    choice: BackendChoice,
    cpu: () => Promise<T>,
    gpuRun: (gpu: GpuContext) => Promise<T>,
  ): Promise<T> {
    const start = performance.now();
    let engine = choice.engine;
    let fallback: JobReport['fallback'];
    let result: T;
    let gpuMs: number | undefined;
    if (engine === 'webgpu') {
      const gpu = this.gpuContext as GpuContext;
      try {
        const run = this.gpuQueue.then(async () => {
          const ns0 = gpu.gpuTimeNs;
          const out = await gpuRun(gpu);
          return { out, ns: gpu.gpuTimeNs - ns0 };
        });
        this.gpuQueue = run.catch(() => undefined);
        const { out, ns } = await run;
        result = out;
        if (gpu.timestamps && gpu.canTimestamp) gpuMs = ns / 1e6;
        if (job.signal?.aborted) throw abortError(job.signal);
      } catch (e) {
        if (isZkgpuErrorLike(e, 'ABORTED') || (e as Error)?.name === 'AbortError') throw e;
        const err = gpuFailure(e, `${job.op} (${job.curve ?? job.field}, n=${job.n})`);
        if (job.requested !== 'auto' || !isRecoverableOnCpu(err)) throw err;
        fallback = { from: 'webgpu', error: err.message };
        engine = 'wasm';
        result = await cpu();
      }
    } else {
      result = await cpu();
    }
    const report: JobReport = {
      op: job.op,
      ...(job.curve ? { curve: job.curve } : {}),
      ...(job.field ? { field: job.field } : {}),
      ...(job.group ? { group: job.group } : {}),
      n: job.n,
      requested: job.requested,
      backend: engine,
      reason: fallback ? `${choice.reason}; re-run on the CPU after a GPU failure` : choice.reason,
      adapter: engine === 'webgpu' ? (this.gpuContext?.info ?? null) : null,
      threads: engine === 'wasm' ? this.pool.size : null,
      ms: performance.now() - start,
      ...(gpuMs !== undefined && engine === 'webgpu' ? { gpuMs } : {}),
      ...(fallback ? { fallback } : {}),
    };
    job.onReport?.(report);
    this.dispatchEvent(new JobEvent(report));
    return result;
  }

  /** n distinct valid points (deterministic from the seed), for benchmarks and tests. */
  async samplePoints(request: SamplePointsRequest): Promise<Uint8Array> {
    this.checkOpen();
    const curve = checkCurve(request?.curve);
    const group = checkGroup(request.group);
    const { n, seed = 1 } = request;
    if (!Number.isInteger(n) || n < 0 || n > 1 << 26) {
      throw new ZkgpuError('INVALID_ARGUMENT', `n must be an integer from 0 to 2^26, got ${n}`);
    }
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new ZkgpuError('INVALID_ARGUMENT', `seed must be a 32-bit unsigned integer, got ${seed}`);
    }
    return this.pool.run((api) => api.generatePoints(curve, group, n, seed));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.gpuContext?.dispose();
    await this.pool.dispose();
  }

  private async validatePoints(curve: CurveName, group: GroupName, points: Uint8Array, signal?: AbortSignal): Promise<void> {
    const size = pointBytes(curve, group);
    const n = points.length / size;
    const bad = await Promise.all(
      splitRange(n, this.pool.size).map(({ offset, count }) => {
        const chunk = points.slice(offset * size, (offset + count) * size);
        return this.pool.run((api) => api.validatePoints(curve, group, chunk), signal).then((i) => (i < 0 ? -1 : offset + i));
      }),
    );
    const first = bad.find((i) => i >= 0);
    if (first !== undefined) {
      throw new ZkgpuError(
        'POINT_NOT_ON_CURVE',
        `invalid point at index ${first} (byte offset ${first * size}): a coordinate is not below p or the point is not on the ${curve} ${group} curve`,
      );
    }
  }

  private checkOpen(): void {
    if (this.disposed) throw new ZkgpuError('DISPOSED', 'the runtime has been disposed');
  }
}

function checkOrder(name: string, order: unknown): NttOrder {
  if (order === undefined || order === 'natural') return 'natural';
  if (order === 'bit-reversed') return order;
  throw new ZkgpuError('INVALID_ARGUMENT', `${name} must be 'natural' or 'bit-reversed', got ${JSON.stringify(order)}`);
}

function cosetShift(curve: CurveName, coset: unknown): bigint | null {
  if (coset === undefined || coset === false) return null;
  if (coset === true) return CURVES[curve].frGenerator;
  if (typeof coset === 'bigint' && coset > 0n && coset < CURVES[curve].r) return coset;
  throw new ZkgpuError('INVALID_ARGUMENT', `coset must be a boolean or a non-zero bigint below r, got ${String(coset)}`);
}

/** Why the GPU cannot run an MSM of this group, or null. */
function gpuMsmCannot(group: GroupName): string | null {
  return group === 'g2' ? 'the WebGPU engine has no G2 MSM kernel' : null;
}

function isZkgpuErrorLike(e: unknown, code: string): boolean {
  return e instanceof ZkgpuError && e.code === code;
}

/** A caller-given GPU must work (GPU_UNAVAILABLE otherwise); the default search may find none. */
async function openGpu(gpu: RuntimeOptions['gpu']): Promise<GpuContext | null> {
  if (gpu === false) return null;
  if (gpu === undefined || gpu === true) {
    try {
      return await acquireGpu();
    } catch {
      return null;
    }
  }
  let ctx: GpuContext | null;
  try {
    ctx = await acquireGpu({ gpu });
  } catch (e) {
    throw new ZkgpuError('GPU_UNAVAILABLE', `the GPU given to createRuntime could not be opened: ${(e as Error).message}`, { cause: e });
  }
  if (!ctx) throw new ZkgpuError('GPU_UNAVAILABLE', 'the GPU given to createRuntime has no adapter');
  return ctx;
}

export async function createRuntime(options?: RuntimeOptions): Promise<Runtime> {
  return Runtime.create(options);
}
