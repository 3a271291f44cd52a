/**
 * The runtime: owns the CPU worker pool and (when an adapter exists) one GPU device, checks every
 * request at the boundary, asks the scheduler's planner how to split it over its backends
 * (scheduler/policy.ts says whether the GPU may take part), and runs the plan's chunks through the
 * executor (scheduler/execute/executor.ts: one queue per GPU device, the pool for the workers, faults
 * handled as events). Every call ends with a JobReport (engines, chunks, time), delivered to the
 * request's `onReport` and as a 'job' event on the runtime; runtime.stats() sums the devices' work.
 */
import { transfer, type Remote } from 'comlink';
import type { CpuWorkerApi } from '../cpu/worker-api.js';
import { ZkgpuError } from '../core/errors.js';
import { CURVES, encodeScalar, invMod, type CurveName, type GroupName } from '../math/index.js';
import { compileWasm, type WasmSource } from '../cpu/wasm-engine.js';
import { WorkerPool } from '../cpu/pool.js';
import { abortError } from '../core/abort.js';
import { addOnPool, msmOnPool } from '../msm/cpu.js';
import { nttOnPool } from '../ntt/cpu.js';
import { defaultThreadCount } from '../cpu/threads.js';
import { splitRange } from '../cpu/split.js';
import { acquireGpu, type GpuAdapterInfo, type GpuContext, type GpuErrorEvent } from '../gpu/context.js';
import type { PoolStats } from '../gpu/pool.js';
import type { StagedGpu } from '../gpu/runner.js';
import { stageGpuNtt } from '../ntt/gpu.js';
import { gpuMsm, stageGpuMsm } from '../msm/gpu.js';
import { calibratedModels, checkCalibration, describeBackends, detectHardware, hardwareFingerprint, loadCalibration, plan, type BackendDescription, type Calibration, type HardwareReport, type Plan, type PlanJob } from '../scheduler/index.js';
import { checkByteCap } from '../scheduler/hardware/detect-host.js';
import { modelsFor } from '../scheduler/calibration/calibration.js';
import { defaultBytesPerElement } from '../scheduler/models.js';
import { DeviceQueue } from '../scheduler/execute/device-queue.js';
import { executeChunks, type ChunkReport, type ExecChunk, type ExecEnv, type FaultInjection, type Kernel } from '../scheduler/execute/executor.js';
import { SchedulerStats, type RuntimeStats } from '../scheduler/execute/stats.js';
import { gpuBabyBearNtt } from '../ntt/babybear-gpu.js';
import { babybearNttOnPool, checkBabyBearNttJob } from '../ntt/babybear-cpu.js';
import { BABYBEAR_GENERATOR } from '../math/babybear.js';
import { checkBackend, chooseBackend, isSoftwareAdapter, type Backend, type BackendChoice, type Engine } from '../scheduler/policy.js';
import { dropZeroScalars } from '../msm/compact.js';
import { checkBelow, checkBytes, checkCurve, checkGroup, checkSignal, invalidPointError } from '../core/validate.js';
import { MAX_NTT_LOG_N, pointBytes, SCALAR_BYTES } from '../core/sizes.js';

export { MAX_NTT_LOG_N } from '../core/sizes.js';

export type NttOrder = 'natural' | 'bit-reversed';

export type { Backend, Engine } from '../scheduler/policy.js';
export type { ChunkReport, ChunkTiming, ProgressDetail, RetryDetail } from '../scheduler/execute/executor.js';
export type { DeviceStats, RuntimeStats } from '../scheduler/execute/stats.js';

/** Detail of the runtime's 'device-lost' event. */
export interface DeviceLostDetail {
  /** The backend id ('webgpu'). */
  device: string;
  adapter: GpuAdapterInfo;
  message: string;
  /** Whether the runtime is acquiring a new device (it found the adapter itself, not given a GPUDevice). */
  reacquire: boolean;
}

/** Detail of the runtime's 'device-reacquired' event (after a 'device-lost' with reacquire: true). */
export interface DeviceReacquiredDetail {
  device: string;
  ok: boolean;
  /** The new device's adapter, when ok. */
  adapter: GpuAdapterInfo | null;
  error?: string;
}

/** What ran one call, and how long it took. */
export interface JobReport {
  /** Job number on this runtime (the `job` of its 'progress' and 'retry' events). */
  id: number;
  op: 'msm' | 'ntt';
  /** The curve (its Fr for an NTT); absent for a BabyBear NTT. */
  curve?: CurveName;
  /** Set for the 31-bit BabyBear NTT. */
  field?: 'babybear';
  group?: GroupName;
  /** Points (MSM) or field elements (NTT). */
  n: number;
  requested: Backend;
  /**
   * The engine that did most of the work (most elements; `chunks` has the split). A job with no
   * elements reports the pinned engine, or 'wasm'.
   */
  backend: Engine;
  /** Why this split (the planner's reason, what was left out and why, any failover). */
  reason: string;
  /** The GPU adapter, when a chunk ran on the GPU. */
  adapter: GpuAdapterInfo | null;
  /** Worker threads, when a chunk ran on the workers. */
  threads: number | null;
  /** The finished chunks in offset order (elements after zero-scalar terms are dropped, for an MSM). */
  chunks: ChunkReport[];
  ms: number;
  /** GPU execution time from timestamp queries (RuntimeOptions.gpuTimestamps), when measured. */
  gpuMs?: number;
  /** Set when GPU work was re-run on the workers (device lost, out of memory at the floor, GPU error). */
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
  /**
   * GPU memory the chunks in flight on a GPU may hold together, in bytes (each GPU; two chunks: one
   * uploads while the other computes); always wins over the detected budget.
   */
  maxGpuBytes?: number;
  /** Host memory one job may hold, in bytes; always wins over the detected budget. */
  maxHostBytes?: number;
  /**
   * The backends 'auto' plans over. Default: the workers, and the GPU when it is a hardware
   * adapter and the job has at least AUTO_GPU_MIN_ELEMENTS elements. An explicit list naming
   * 'webgpu' drops both rules (a software adapter shares jobs; the cost models decide); one
   * without 'webgpu' keeps 'auto' on the workers. A request's `backend` pin still wins.
   */
  backends?: Engine[];
  /**
   * The cost models the planner uses. Default: the calibration cached for this host and adapter
   * (`zkgpu calibrate` writes it; IndexedDB in browsers), else the built-in defaults. A
   * Calibration object uses that one (e.g. shipped with a web app); false always uses the defaults.
   */
  calibration?: Calibration | false;
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
  /**
   * Worker tasks the call's CPU part is split into, at most (default: every worker). A caller
   * running several MSMs at once (a prover) gives each fewer: a whole MSM on one worker does
   * ~10% less work than two halves (wider window, one bucket reduction), and the others keep
   * the remaining workers busy. The planner's CPU estimate uses this many threads.
   */
  maxWorkers?: number;
  /** Worker-pool priority of the call's CPU tasks (default 0): higher runs first; see WorkerPool.run. */
  priority?: number;
  /**
   * Default true: GPU chunks whose device is lost (or out of memory at the smallest chunk) re-run
   * on the workers, also under backend 'webgpu'. false rejects with GPU_DEVICE_LOST / GPU_OUT_OF_MEMORY.
   */
  failover?: boolean;
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
  /** As MsmRequest.maxWorkers: 1 runs a CPU transform whole on one worker (no four-step split). */
  maxWorkers?: number;
  /** As MsmRequest.priority. */
  priority?: number;
  /**
   * Default true: GPU chunks whose device is lost (or out of memory at the smallest chunk) re-run
   * on the workers, also under backend 'webgpu'. false rejects with GPU_DEVICE_LOST / GPU_OUT_OF_MEMORY.
   */
  failover?: boolean;
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
  failover?: boolean;
  onReport?: (report: JobReport) => void;
  signal?: AbortSignal;
}

export interface SamplePointsRequest {
  curve: CurveName;
  group: GroupName;
  n: number;
  seed?: number;
}


/** Where a lost device's replacement comes from: the default search, the caller's GPU, or nowhere. */
type GpuSource = { gpu?: GPU } | null;

interface Settings {
  maxGpuBytes?: number;
  maxHostBytes?: number;
  backends: Engine[] | null;
  faults?: FaultInjection;
}

/** How long the planner reuses a hardware detection (about 2 ms): memory figures move, not per call. */
const HARDWARE_TTL_MS = 1000;

interface JobInfo {
  op: 'msm' | 'ntt';
  curve?: CurveName;
  field?: 'babybear';
  group?: GroupName;
  /** Elements as the caller gave them (the report's n). */
  n: number;
  requested: Backend;
  failover: boolean;
  signal?: AbortSignal;
  onReport?: (r: JobReport) => void;
}

export class Runtime extends EventTarget {
  private disposed = false;
  private gpuContext: GpuContext | null = null;
  /** The device's queue: GPU chunks run one at a time (cached tables and timers assume it). */
  private gpuQueue = new DeviceQueue();
  private readonly counters = new SchedulerStats();
  private jobCount = 0;
  private reacquiring: Promise<void> | null = null;
  private readonly lostReported = new WeakSet<GpuContext>();
  /** Lowered by a GPU out-of-memory: later plans keep GPU chunks under it. */
  private learnedGpuBytes = Infinity;
  private hardwareCache: { at: number; ctx: GpuContext | null; report: Promise<HardwareReport> } | null = null;
  /** Estimated ms of planned, unfinished work per backend id (the planner's busyForMs). */
  private readonly backlog = new Map<string, number>();
  private readonly env: ExecEnv;
  /** Measured cost models (null: the defaults, plans say calibrated: false). */
  private calibration: Calibration | null = null;

  private constructor(
    private readonly pool: WorkerPool,
    gpu: GpuContext | null,
    private readonly gpuSource: GpuSource,
    private readonly settings: Settings,
  ) {
    super();
    // Re-dispatch the pool's worker-exit events on the runtime (one EventTarget for callers).
    pool.addEventListener('worker-exit', (e) => this.dispatchEvent(new CustomEvent('worker-exit', { detail: (e as CustomEvent).detail })));
    this.counters.register('wasm', 'wasm');
    if (gpu) this.installGpu(gpu);
    this.env = {
      gpu: (id) => (id === 'webgpu' && this.gpuContext ? { ctx: this.gpuContext, queue: this.gpuQueue } : null),
      deviceLost: (_id, ctx, message) => this.onGpuLost(ctx, message),
      lowerGpuBudget: (_id, bytes) => {
        this.learnedGpuBytes = Math.min(this.learnedGpuBytes, bytes);
      },
      stats: this.counters,
      dispatch: (e) => this.dispatchEvent(e),
      faults: settings.faults,
    };
  }

  static async create(options: RuntimeOptions = {}): Promise<Runtime> {
    // Default: the available cores capped by the cgroup CPU quota (a container limited to 8 CPUs
    // on a 128-core host gets 8 workers, not 128).
    const threads = options.threads ?? (await detectHardware().then((h) => h.cpu.threads, () => defaultThreadCount()));
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new ZkgpuError('INVALID_ARGUMENT', `threads must be an integer from 1 to 256, got ${threads}`);
    }
    const settings: Settings = {
      maxGpuBytes: checkByteCap('maxGpuBytes', options.maxGpuBytes),
      maxHostBytes: checkByteCap('maxHostBytes', options.maxHostBytes),
      backends: checkBackendList(options.backends),
      // Test-only (not in RuntimeOptions): scheduler/execute/executor.ts FaultInjection.
      faults: (options as { faultInjection?: FaultInjection }).faultInjection,
    };
    const module = await compileWasm(options.wasm);
    const { ctx: gpu, source } = await openGpu(options.gpu);
    if (gpu && options.gpuTimestamps) gpu.timestamps = true;
    try {
      const rt = new Runtime(await WorkerPool.create({ threads, module }), gpu, source, settings);
      rt.calibration = await resolveCalibration(options.calibration, gpu);
      return rt;
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
    return detectHardware({
      gpus: this.gpuContext ? [this.gpuContext] : [],
      ...options,
      maxHostBytes: options.maxHostBytes ?? this.settings.maxHostBytes,
      maxGpuBytes: options.maxGpuBytes ?? this.settings.maxGpuBytes,
    });
  }

  /**
   * The plan the scheduler makes for a job on this runtime's devices and budgets: what runtime.msm
   * and runtime.ntt execute for the same job (measured models when this host is calibrated,
   * `calibrated: true`; the defaults otherwise). `backend` takes 'auto', 'wasm', 'webgpu' or a backend id.
   */
  async plan(job: PlanJob): Promise<Plan> {
    this.checkOpen();
    const gpuCannot = job?.op === 'msm' ? gpuMsmCannot(job.group ?? 'g1') : null;
    return (await this.schedule(job, gpuCannot)).plan;
  }

  /**
   * @internal One task on a worker, outside the planner (the Groth16 prover's QAP stages,
   * src/groth16/qap-wasm.ts). Not part of the public API and not in stats().
   */
  runOnWorker<T>(task: (api: Remote<CpuWorkerApi>) => Promise<T>, signal?: AbortSignal, priority?: number): Promise<T> {
    this.checkOpen();
    return this.pool.run(task, signal, checkPriority(priority));
  }

  /**
   * The GPU buffer pool's byte counters (allocated, in use, peak in use since the device was
   * acquired), or null without a GPU. WebGPU reports no VRAM use: these are zkgpu's own buffers.
   */
  gpuMemory(): PoolStats | null {
    return this.gpuContext?.pool.stats() ?? null;
  }

  /** Per-device work since creation (busy time, utilisation, bytes, chunks, failures, queued work) and the job count. */
  stats(): RuntimeStats {
    const snap = this.counters.snapshot();
    return { ...snap, devices: snap.devices.map((d) => ({ ...d, queuedMs: this.backlog.get(d.id) ?? 0 })) };
  }

  /** The backends the planner sees for a job: budgets (the caller's caps, a learned GPU cap) applied. */
  private async describe(job: PlanJob, threads = this.threads): Promise<BackendDescription[]> {
    const report = await this.plannerHardware();
    const models = calibratedModels(this.calibration, job, ['wasm', 'webgpu'], { threads });
    let backends = describeBackends(report, job, { threads, models });
    // No G2 kernel on WebGPU: G2 MSMs plan on the workers only.
    if (job.op === 'msm' && job.group === 'g2') backends = backends.filter((b) => b.kind !== 'webgpu');
    return backends.map((b) => {
      const busyForMs = this.backlog.get(b.id) ?? 0;
      return b.kind === 'webgpu'
        ? { ...b, budgetBytes: Math.min(b.budgetBytes, this.learnedGpuBytes), software: b.software && !this.explicitGpu, busyForMs }
        : { ...b, busyForMs };
    });
  }

  /** A detection reused for HARDWARE_TTL_MS (and redone when the GPU context changes). */
  private plannerHardware(): Promise<HardwareReport> {
    const now = performance.now();
    const c = this.hardwareCache;
    if (c && c.ctx === this.gpuContext && now - c.at < HARDWARE_TTL_MS) return c.report;
    const report = this.hardware();
    this.hardwareCache = { at: now, ctx: this.gpuContext, report };
    report.catch(() => {
      if (this.hardwareCache?.report === report) this.hardwareCache = null;
    });
    return report;
  }

  /**
   * @internal Whether 'auto' may put any job on the GPU: there is one, the backends list does not
   * leave it out, and it is a hardware adapter or the backends list names 'webgpu'. The Groth16
   * prover makes its H scalars in one worker task when it may not.
   */
  get autoMayUseGpu(): boolean {
    const ctx = this.gpuContext;
    if (!ctx) return false;
    if (this.settings.backends && !this.settings.backends.includes('webgpu')) return false;
    return this.explicitGpu || !isSoftwareAdapter(ctx.info);
  }

  private get explicitGpu(): boolean {
    return this.settings.backends?.includes('webgpu') ?? false;
  }

  /** Whether 'auto' lets the GPU into a job, and why not when it does not. */
  private autoChoice(n: number, gpuCannot: string | null, useBackendsList = true): BackendChoice {
    if (this.settings.backends && !this.settings.backends.includes('webgpu')) {
      return { engine: 'wasm', reason: "auto: the runtime's backends list leaves the GPU out" };
    }
    return chooseBackend({ requested: 'auto', gpu: this.gpuContext, n, gpuCannot, explicitGpu: useBackendsList && this.explicitGpu });
  }

  /** Plans a job: a pinned backend, or 'auto' over the backends its rules let in. */
  /**
   * Plans a job on the backends as they are now (budgets, and the work other jobs already queued
   * on each). With `enqueue`, the plan's work joins the backlog right away, in the same tick as
   * planning, so the next job plans around it; `release` takes it out when the job ends.
   */
  private async schedule(job: PlanJob, gpuCannot: string | null, enqueue = false, threads = this.threads): Promise<{ plan: Plan; reason: string; release: () => void }> {
    let backends = await this.describe(job, threads);
    let note: string | null = null;
    if ((job.backend ?? 'auto') === 'auto') {
      const choice = this.autoChoice(job.n, gpuCannot);
      if (choice.engine === 'wasm') {
        backends = backends.filter((b) => b.kind !== 'webgpu');
        note = choice.reason;
      } else if (this.settings.backends && !this.settings.backends.includes('wasm')) {
        backends = backends.filter((b) => b.kind !== 'wasm');
      }
    }
    const p = plan(job, backends);
    const excluded = p.backends.filter((b) => b.excluded).map((b) => `${b.backend}: ${b.excluded}`);
    const release = enqueue ? this.addBacklog(p) : () => {};
    return { plan: p, reason: [p.reason, note, ...excluded].filter(Boolean).join('; '), release };
  }

  /** Adds a plan's estimated work per backend to the backlog; the returned function removes it (once). */
  private addBacklog(p: Plan): () => void {
    const work = new Map<string, number>();
    for (const c of p.chunks) work.set(c.backend, (work.get(c.backend) ?? 0) + c.estimateMs);
    for (const [id, ms] of work) this.backlog.set(id, (this.backlog.get(id) ?? 0) + ms);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Clamped: float sums may leave a hair below zero.
      for (const [id, ms] of work) this.backlog.set(id, Math.max(0, (this.backlog.get(id) ?? 0) - ms));
    };
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
    const failover = checkFailover(request.failover);
    const maxWorkers = checkMaxWorkers(request.maxWorkers);
    const priority = checkPriority(request.priority);
    const terms = dropZeroScalars(points, scalars, size);
    // Every point is validated, zero scalar or not: a bad point is bad input whatever its scalar.
    // When no term was dropped and the plan is all on the workers, each worker checks its points
    // in the MSM task itself (one copy and one message fewer); otherwise a pass of its own first.
    let validateInTask = request.validatePoints === true && terms.dropped === 0;
    if (request.validatePoints && !validateInTask) await this.validatePoints(curve, group, points, signal);
    await this.gpuSettled();
    const gpuCannot = gpuMsmCannot(group);
    // A pinned 'webgpu' without a usable device is an error before any planning.
    if (requested === 'webgpu') chooseBackend({ requested, gpu: this.gpuContext, n: terms.n, gpuCannot });
    const { plan: p, reason, release } = await this.schedule({ op: 'msm', curve, group, n: terms.n, backend: requested }, gpuCannot, true, Math.min(this.threads, maxWorkers));
    if (validateInTask && p.chunks.some((c) => c.backend !== 'wasm')) {
      validateInTask = false;
      try {
        await this.validatePoints(curve, group, points, signal);
      } catch (e) {
        release();
        throw e;
      }
    }
    const faults = this.settings.faults;
    const slice = (r: { offset: number; count: number }) => ({
      points: terms.points.subarray(r.offset * size, (r.offset + r.count) * size),
      scalars: terms.scalars.subarray(r.offset * SCALAR_BYTES, (r.offset + r.count) * SCALAR_BYTES),
    });
    const kernel: Kernel<Uint8Array> = {
      splittable: true,
      gpu: (ctx, r, sig) => gpuMsm(ctx, { curve, ...slice(r), windowBits, signal: sig }),
      gpuStage: (ctx, r, sig) => stageGpuMsm(ctx, { curve, ...slice(r), windowBits, signal: sig }),
      wasm: (r, sig, attempt) =>
        msmOnPool(this.pool, {
          curve,
          group,
          ...slice(r),
          pointBytes: size,
          windowBits,
          ...(validateInTask ? { validate: { firstIndex: r.offset } } : {}),
          signal: sig,
          maxWorkers,
          priority,
          beforeTask: faults?.workerTask ? (api) => faults.workerTask!({ ...attempt, crash: () => void api.crash() }) : undefined,
        }),
      combine: (parts, sig) => addOnPool(this.pool, curve, group, parts, size, sig, priority),
      bytesIn: (count) => count * (size + SCALAR_BYTES),
      bytesOut: size,
      deviceBytesPerElement: defaultBytesPerElement({ op: 'msm', curve, group }, 'webgpu').device,
    };
    return this.execute({ op: 'msm', curve, group, n, requested, failover, signal, onReport: request.onReport }, planChunks(p), reason, kernel).finally(release);
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
    const failover = checkFailover(request.failover);
    const maxWorkers = checkMaxWorkers(request.maxWorkers);
    const priority = checkPriority(request.priority);
    await this.gpuSettled();
    const binding = this.gpuContext?.limits.maxStorageBufferBindingSize ?? Infinity;
    const gpuCannot = values.length > binding ? `${values.length} bytes exceed the GPU's storage binding limit (${binding} bytes)` : null;
    if (requested === 'webgpu') chooseBackend({ requested, gpu: this.gpuContext, n, gpuCannot });
    if (signal?.aborted) throw abortError(signal);
    const { plan: p, reason, release } = await this.schedule({ op: 'ntt', curve, n, backend: requested }, gpuCannot, true, Math.min(this.threads, maxWorkers));
    const r = params.r;
    const cpu = (sig: AbortSignal | undefined) =>
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
        signal: sig,
        maxWorkers,
        priority,
      });
    const kernel = wholeKernel(values.length, 5 * SCALAR_BYTES, cpu, (gpu) => stageGpuNtt(gpu, { curve, values, logN, inverse, shift, inputOrder, outputOrder }));
    return this.execute({ op: 'ntt', curve, n, requested, failover, signal, onReport: request.onReport }, planChunks(p), reason, kernel).finally(release);
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
    const failover = checkFailover(request.failover);
    await this.gpuSettled();
    const binding = this.gpuContext?.limits.maxStorageBufferBindingSize ?? Infinity;
    const gpuCannot = values.byteLength > binding ? `${values.byteLength} bytes exceed the GPU's storage binding limit (${binding} bytes)` : null;
    // No planner model for BabyBear yet: the whole transform goes where the rule says (the
    // backends list does not lift the software/size rules here: nothing would weigh them).
    const choice = requested === 'auto' ? this.autoChoice(n, gpuCannot, false) : chooseBackend({ requested, gpu: this.gpuContext, n, gpuCannot });
    if (signal?.aborted) throw abortError(signal);
    const kernel = wholeKernel(
      values.byteLength,
      2 * values.BYTES_PER_ELEMENT,
      (sig) => babybearNttOnPool(this.pool, { ...job, signal: sig }),
      // Not split into upload and compute: it all runs as the compute, alone on the device.
      async (gpu) => ({ run: () => gpuBabyBearNtt(gpu, job), release: async () => {} }),
    );
    const chunks: ExecChunk[] = [{ backend: choice.engine, kind: choice.engine, offset: 0, count: n }];
    return this.execute({ op: 'ntt', field: 'babybear', n, requested, failover, signal, onReport: request.onReport }, chunks, choice.reason, kernel);
  }

  /**
   * Runs a job's chunks through the executor and reports it. The report's backend is the engine
   * that did most elements; `chunks` lists every finished piece.
   */
  private async execute<T>(job: JobInfo, chunks: ExecChunk[], reason: string, kernel: Kernel<T>): Promise<T> {
    const id = ++this.jobCount;
    const start = performance.now();
    const stage = `${job.op.toUpperCase()} ${job.curve ?? job.field}${job.group ? ` ${job.group}` : ''}`;
    const elements = chunks.reduce((a, c) => a + c.count, 0);
    try {
      const r = await executeChunks(this.env, { id, stage, n: elements, pinned: job.requested !== 'auto', failover: job.failover, signal: job.signal }, chunks, kernel);
      let onGpu = 0;
      let onCpu = 0;
      for (const c of r.chunks) {
        if (c.backend === 'wasm') onCpu += c.count;
        else onGpu += c.count;
      }
      const engine: Engine = onGpu + onCpu === 0 ? (job.requested === 'webgpu' ? 'webgpu' : 'wasm') : onGpu > onCpu ? 'webgpu' : 'wasm';
      const report: JobReport = {
        id,
        op: job.op,
        ...(job.curve ? { curve: job.curve } : {}),
        ...(job.field ? { field: job.field } : {}),
        ...(job.group ? { group: job.group } : {}),
        n: job.n,
        requested: job.requested,
        backend: engine,
        reason: r.fallback ? `${reason}; GPU work re-run on the workers after a GPU failure` : reason,
        adapter: onGpu > 0 || engine === 'webgpu' ? (this.gpuContext?.info ?? null) : null,
        threads: onCpu > 0 || engine === 'wasm' ? this.pool.size : null,
        chunks: r.chunks,
        ms: performance.now() - start,
        ...(r.gpuMs !== undefined && onGpu > 0 ? { gpuMs: r.gpuMs } : {}),
        ...(r.fallback ? { fallback: { from: 'webgpu' as const, error: r.fallback } } : {}),
      };
      job.onReport?.(report);
      this.dispatchEvent(new JobEvent(report));
      return r.value;
    } finally {
      this.counters.jobs++;
    }
  }

  /** Waits for a device being re-acquired after a loss, so a job plans on the new one. */
  private async gpuSettled(): Promise<void> {
    if (this.reacquiring) await this.reacquiring;
  }

  private installGpu(ctx: GpuContext): void {
    this.gpuContext = ctx;
    this.gpuQueue = new DeviceQueue();
    this.counters.register('webgpu', 'webgpu');
    ctx.addEventListener('gpuerror', (e) => {
      const detail = (e as GpuErrorEvent).detail;
      if (detail.kind === 'lost') this.onGpuLost(ctx, detail.message);
    });
  }

  /** Reports a lost device once ('device-lost') and, when the runtime found the adapter itself, acquires a new one. */
  private onGpuLost(ctx: GpuContext, message: string): void {
    if (this.disposed || this.lostReported.has(ctx)) return;
    this.lostReported.add(ctx);
    const reacquire = this.gpuSource !== null && ctx === this.gpuContext;
    this.dispatchEvent(new CustomEvent<DeviceLostDetail>('device-lost', { detail: { device: 'webgpu', adapter: ctx.info, message, reacquire } }));
    if (reacquire) {
      this.reacquiring = this.reacquireGpu(ctx).finally(() => {
        this.reacquiring = null;
      });
    }
  }

  private async reacquireGpu(old: GpuContext): Promise<void> {
    let next: GpuContext | null = null;
    let error: string | undefined;
    try {
      next = await acquireGpu(this.gpuSource?.gpu ? { gpu: this.gpuSource.gpu } : {});
      if (!next) error = 'no adapter found';
    } catch (e) {
      error = (e as Error)?.message ?? String(e);
    }
    if (this.disposed) {
      next?.dispose();
      return;
    }
    if (next) {
      next.timestamps = old.timestamps;
      old.dispose();
      this.installGpu(next);
    }
    this.dispatchEvent(
      new CustomEvent<DeviceReacquiredDetail>('device-reacquired', { detail: { device: 'webgpu', ok: next !== null, adapter: next?.info ?? null, ...(error ? { error } : {}) } }),
    );
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
    await this.reacquiring?.catch(() => {});
    this.gpuContext?.dispose();
    await this.pool.dispose();
  }

  private async validatePoints(curve: CurveName, group: GroupName, points: Uint8Array, signal?: AbortSignal): Promise<void> {
    const size = pointBytes(curve, group);
    const n = points.length / size;
    const bad = await Promise.all(
      splitRange(n, this.pool.size).map(({ offset, count }) => {
        // slice() copies (the caller's buffer is never detached); the copy is then moved, not cloned.
        const chunk = points.slice(offset * size, (offset + count) * size);
        return this.pool.run((api) => api.validatePoints(curve, group, transfer(chunk, [chunk.buffer])), signal).then((i) => (i < 0 ? -1 : offset + i));
      }),
    );
    const first = bad.find((i) => i >= 0);
    if (first !== undefined) throw invalidPointError(first, size, curve, group);
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

function checkMaxWorkers(maxWorkers: unknown): number {
  if (maxWorkers === undefined) return Infinity;
  if (typeof maxWorkers === 'number' && Number.isInteger(maxWorkers) && maxWorkers >= 1) return maxWorkers;
  throw new ZkgpuError('INVALID_ARGUMENT', `maxWorkers must be a positive integer, got ${JSON.stringify(maxWorkers)}`);
}

function checkPriority(priority: unknown): number {
  if (priority === undefined) return 0;
  if (typeof priority === 'number' && Number.isFinite(priority)) return priority;
  throw new ZkgpuError('INVALID_ARGUMENT', `priority must be a finite number, got ${JSON.stringify(priority)}`);
}

function checkFailover(failover: unknown): boolean {
  if (failover === undefined) return true;
  if (typeof failover === 'boolean') return failover;
  throw new ZkgpuError('INVALID_ARGUMENT', `failover must be a boolean, got ${JSON.stringify(failover)}`);
}

function checkBackendList(backends: unknown): Engine[] | null {
  if (backends === undefined) return null;
  const ok = Array.isArray(backends) && backends.length > 0 && backends.every((b) => b === 'webgpu' || b === 'wasm') && new Set(backends).size === backends.length;
  if (!ok) throw new ZkgpuError('INVALID_ARGUMENT', `backends must be a non-empty list of distinct 'webgpu' and 'wasm', got ${JSON.stringify(backends)}`);
  return backends as Engine[];
}

/** The plan's chunks as the executor takes them (a backend id 'webgpu', 'webgpu:1', ... is a GPU). */
function planChunks(p: Plan): ExecChunk[] {
  return p.chunks.map((c) => ({ backend: c.backend, kind: c.backend === 'wasm' ? 'wasm' : 'webgpu', offset: c.offset, count: c.count, overlap: c.overlap }));
}

/**
 * A kernel that runs the whole input in one piece (NTTs: never split, so never halved). `gpu`
 * stages it (uploads the input; `run` computes), so the device queue can upload it while
 * another chunk computes.
 */
function wholeKernel<T>(bytes: number, deviceBytesPerElement: number, cpu: (signal?: AbortSignal) => Promise<T>, gpu: (ctx: GpuContext) => Promise<StagedGpu<T>>): Kernel<T> {
  return {
    splittable: false,
    gpu: async (ctx) => (await gpu(ctx)).run(),
    gpuStage: (ctx) => gpu(ctx),
    wasm: (_r, signal) => cpu(signal),
    combine: async (parts) => parts[0],
    bytesIn: () => bytes,
    bytesOut: bytes,
    deviceBytesPerElement,
  };
}

/** A caller-given GPU must work (GPU_UNAVAILABLE otherwise); the default search may find none. */
async function openGpu(gpu: RuntimeOptions['gpu']): Promise<{ ctx: GpuContext | null; source: GpuSource }> {
  if (gpu === false) return { ctx: null, source: null };
  if (gpu === undefined || gpu === true) {
    try {
      const ctx = await acquireGpu();
      return { ctx, source: ctx ? {} : null };
    } catch {
      return { ctx: null, source: null };
    }
  }
  let ctx: GpuContext | null;
  try {
    ctx = await acquireGpu({ gpu });
  } catch (e) {
    throw new ZkgpuError('GPU_UNAVAILABLE', `the GPU given to createRuntime could not be opened: ${(e as Error).message}`, { cause: e });
  }
  if (!ctx) throw new ZkgpuError('GPU_UNAVAILABLE', 'the GPU given to createRuntime has no adapter');
  // A GPUDevice given by the caller is theirs: after its loss the runtime stays on the workers.
  const givenDevice = typeof gpu === 'object' && gpu !== null && 'createBuffer' in gpu;
  return { ctx, source: givenDevice ? null : { gpu: gpu as GPU } };
}

export async function createRuntime(options?: RuntimeOptions): Promise<Runtime> {
  return Runtime.create(options);
}

/**
 * The calibration a new runtime plans with: the caller's, none (false), or the cached one for
 * this host and adapter. A cache that cannot be read is not fatal: the defaults still plan safely.
 */
async function resolveCalibration(option: RuntimeOptions['calibration'], gpu: GpuContext | null): Promise<Calibration | null> {
  if (option === false) return null;
  if (option !== undefined) {
    const problem = checkCalibration(option);
    if (problem) throw new ZkgpuError('INVALID_ARGUMENT', `calibration option: ${problem}`);
    // The caller's host is trusted (a web app ships one per device class); its GPU models must
    // still be of this adapter.
    return { ...option, models: modelsFor(option, gpu?.info ?? null) };
  }
  return loadCalibration(await hardwareFingerprint({ gpu: gpu?.info ?? null })).catch(() => null);
}
