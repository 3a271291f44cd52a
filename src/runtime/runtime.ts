/**
 * The runtime: the facade users hold. It owns the CPU worker pool and (when an adapter exists) one
 * GPU device, and runs every call the same way: parse (requests.ts) -> plan (planner.ts, with the
 * 'auto' policy of scheduler/policy.ts) -> execute (scheduler/execute/executor.ts: one queue per
 * GPU device, the pool for the workers, faults handled as events) -> report (report.ts: to the
 * request's `onReport` and as a 'job' event). GPU ownership and loss live in gpu-owner.ts, the
 * kernels in kernels.ts, the typed event map in events.ts.
 */
import { abortError } from '../core/abort.js';
import { ZkgpuError } from '../core/errors.js';
import { showValue } from '../core/show.js';
import { pointBytes } from '../core/sizes.js';
import { invalidPointError } from '../core/validate.js';
import { postable, WorkerPool } from '../cpu/pool.js';
import { splitRange } from '../cpu/split.js';
import { defaultThreadCount } from '../cpu/threads.js';
import { compileWasm } from '../cpu/wasm-engine.js';
import type { GpuAdapterInfo } from '../gpu/context.js';
import type { PoolStats } from '../gpu/pool.js';
import type { CurveName, GroupName } from '../math/index.js';
import { dropZeroScalars } from '../msm/compact.js';
import { MIN_POINTS_PER_WORKER } from '../msm/cpu.js';
import { executeChunks, type ExecChunk, type ExecEnv, type Kernel } from '../scheduler/execute/executor.js';
import { SchedulerStats } from '../scheduler/execute/stats.js';
import { detectHardware, detectHostMemory } from '../scheduler/hardware/detect.js';
import type { HardwareReport } from '../scheduler/hardware/types.js';
import { msmEffectiveElements, msmScalarProfile } from '../scheduler/models.js';
import type { Calibration } from '../scheduler/calibration/calibration.js';
import type { Plan, PlanJob } from '../scheduler/plan.js';
import { chooseBackend, mayUseGpu, type AutoState } from '../scheduler/policy.js';
import { callbackErrorEvent, deviceDistrustedEvent, JobEvent, RuntimeEventTarget, workerExitEvent } from './events.js';
import { checkGpuSelection, gpusFromEnv, type GpuSelection } from './adapters.js';
import { GpuFleet, openGpus, type GpuDetails, type OpenedGpus } from './gpu-owner.js';
import { GpuTelemetryCache, type RuntimeStats, type TelemetryStatus } from './telemetry.js';
import { runRetried, type WorkerTask, type WorkerTaskOptions } from './worker-task.js';
import { babyBearNttKernel, msmKernel, nttKernel, planChunks } from './kernels.js';
import { Planner, resolveCalibration } from './planner.js';
import { buildJobReport, stageName, type JobInfo } from './report.js';
import {
  checkPriority,
  parseBabyBearNttRequest,
  parseMsmRequest,
  parseNttRequest,
  parseSamplePointsRequest,
  parseSettings,
  parseThreads,
  type BabyBearNttRequest,
  type MsmRequest,
  type NttRequest,
  type RuntimeOptions,
  type SamplePointsRequest,
  type Settings,
} from './requests.js';

// The layer's names, re-exported for the modules that import them from here (groth16, tests).
export { MAX_NTT_LOG_N } from '../core/sizes.js';
export type { Backend, Engine } from '../scheduler/policy.js';
export type { ChunkReport, ChunkTiming, ProgressDetail, RetryDetail } from '../scheduler/execute/executor.js';
export type { DeviceStats } from '../scheduler/execute/stats.js';
export type { RuntimeDeviceStats, RuntimeStats, TelemetryStatus } from './telemetry.js';
export type { GpuSelection } from './adapters.js';
export type { JobReport } from './report.js';
export type { BabyBearNttRequest, MsmRequest, NttOrder, NttRequest, RuntimeOptions, SamplePointsRequest } from './requests.js';
export { JobEvent } from './events.js';
export type { DeviceDistrustedDetail, DeviceLostDetail, DeviceReacquiredDetail, RuntimeEventMap, RuntimeEventName, WorkerExitDetail } from './events.js';

/** How long runtime.distrust leaves a device out by default. */
const DEFAULT_DISTRUST_MS = 10 * 60_000;

export class Runtime extends RuntimeEventTarget {
  #disposed = false;
  #jobCount = 0;
  readonly #counters = new SchedulerStats();
  readonly #gpu: GpuFleet;
  readonly #planner: Planner;
  readonly #env: ExecEnv;
  /** What the adapter selection left out or could not tell apart (hardware().notes). */
  readonly #gpuNotes: string[];
  readonly #telemetry: GpuTelemetryCache;

  private constructor(
    private readonly pool: WorkerPool,
    gpus: OpenedGpus,
    private readonly settings: Settings,
    calibration: Calibration | null,
  ) {
    super();
    // Re-dispatch the pool's worker-exit events on the runtime (one EventTarget for callers).
    pool.addEventListener('worker-exit', (e) => this.dispatchEvent(workerExitEvent((e as CustomEvent).detail)));
    this.#counters.register('wasm', 'wasm');
    this.#gpuNotes = gpus.notes;
    this.#gpu = new GpuFleet(gpus.devices, {
      dispatch: (e) => this.dispatchEvent(e),
      installed: (id) => this.#counters.register(id, 'webgpu'),
    });
    this.#telemetry = new GpuTelemetryCache(() => this.#gpu.owners.map((o) => ({ id: o.id, ctx: o.context, name: o.adapterName })));
    this.#planner = new Planner(settings, { gpu: () => this.#gpu.primary, gpus: () => this.#gpu.contexts, detect: () => this.hardware() }, calibration);
    this.#env = {
      gpu: (id) => this.#gpu.lane(id),
      gpuIds: () => this.#gpu.owners.map((o) => o.id),
      deviceLost: (id, ctx, message) => this.#gpu.lost(id, ctx, message),
      lowerGpuBudget: (id, bytes) => this.#planner.lowerGpuBudget(id, bytes),
      stats: this.#counters,
      dispatch: (e) => this.dispatchEvent(e),
      faults: settings.faults,
    };
  }

  static async create(options: RuntimeOptions = {}): Promise<Runtime> {
    if (typeof options !== 'object' || options === null) {
      throw new ZkgpuError('INVALID_ARGUMENT', `createRuntime options must be an object, got ${showValue(options)}`);
    }
    // Default: the available cores capped by the cgroup CPU quota (a container limited to 8 CPUs
    // on a 128-core host gets 8 workers, not 128).
    const threads = parseThreads(
      options.threads ??
        (await detectHardware().then(
          (h) => h.cpu.threads,
          () => defaultThreadCount(),
        )),
    );
    const settings = parseSettings(options);
    const module = await compileWasm(options.wasm);
    const gpus = await openGpus(options.gpu, gpuSelection(options));
    for (const d of gpus.devices) if (settings.gpuTimestamps) d.ctx.timestamps = true;
    try {
      const calibration = await resolveCalibration(
        options.calibration,
        gpus.devices.map((d) => d.ctx),
      );
      const runtime = new Runtime(await WorkerPool.create({ threads, module }), gpus, settings, calibration);
      // One nvidia-smi run now (about 50 ms; 1 ms when absent), so stats() has figures from the start.
      if (gpus.devices.length > 0) await runtime.#telemetry.refresh();
      return runtime;
    } catch (e) {
      for (const d of gpus.devices) d.ctx.dispose();
      throw e;
    }
  }

  /** Number of CPU worker threads. */
  get threads(): number {
    return this.pool.size;
  }

  /** @internal Per worker, ms spent running tasks since creation (WorkerPool.busyMs): the Groth16 profile's per-worker idle time. */
  workerBusyMs(): number[] {
    return this.pool.busyMs();
  }

  /**
   * The GPU adapter this runtime's 'auto' rule looks at (the first usable hardware device, else
   * the first device), or null when it runs on the CPU only. `gpus` lists every device.
   */
  get gpu(): GpuAdapterInfo | null {
    return this.#gpu.primary?.info ?? null;
  }

  /** Every GPU device by backend id, in order; `adapter` null while a lost device is not replaced. */
  get gpus(): { id: string; adapter: GpuAdapterInfo | null; lost: boolean }[] {
    return this.#gpu.owners.map((o) => ({ id: o.id, adapter: o.info, lost: o.context === null || o.context.lost !== null || o.context.disposed }));
  }

  /** The adapter with the device's limits and features (for reports), or null without a GPU; `id` picks a device (default: the one `gpu` names). */
  gpuDetails(id?: string): GpuDetails | null {
    if (id !== undefined) return this.#gpu.owner(id)?.details() ?? null;
    const primary = this.#gpu.primary;
    return this.#gpu.owners.find((o) => o.context === primary)?.details() ?? null;
  }

  /**
   * nvidia-smi's figures now (temperature, utilisation, memory, power, throttle reasons), paired
   * with this runtime's devices where the names allow; `available: false` with the reason where
   * the tool is absent or fails (never made-up figures).
   */
  async gpuTelemetry(): Promise<TelemetryStatus> {
    this.checkOpen();
    await this.#telemetry.refresh();
    return this.#telemetry.status();
  }

  /**
   * What this runtime can use: CPU threads (cgroup quota included), the host memory budget, and
   * its GPU with limits and budget, each figure with its source (`zkgpu info` prints the same).
   */
  async hardware(options: { maxHostBytes?: number; maxGpuBytes?: number; probeGpu?: boolean } = {}): Promise<HardwareReport> {
    this.checkOpen();
    const live = this.#gpu.owners.flatMap((o) => (o.context ? [{ id: o.id, ctx: o.context }] : []));
    const report = await detectHardware({
      gpus: live.map((l) => l.ctx),
      ...options,
      maxHostBytes: options.maxHostBytes ?? this.settings.maxHostBytes,
      maxGpuBytes: options.maxGpuBytes ?? this.settings.maxGpuBytes,
    });
    report.gpus.forEach((g, i) => (g.id = live[i].id));
    report.notes.push(...this.#gpuNotes);
    return report;
  }

  /**
   * Leaves a device (a backend id such as 'webgpu' or 'webgpu:1') out of 'auto' plans, and of
   * plans asking for its kind, for `forMs` (default 10 minutes): a result it computed failed a
   * check (groth16's verify calls this before redoing a proof elsewhere). Jobs naming its id still
   * run there. Dispatches 'device-distrusted'. The workers ('wasm') cannot be distrusted: they are
   * where work goes when nothing else is trusted.
   */
  distrust(device: string, options: { forMs?: number; reason?: string } = {}): void {
    this.checkOpen();
    if (device === 'wasm') throw new ZkgpuError('INVALID_ARGUMENT', "the workers ('wasm') cannot be distrusted: they are where work goes when no device is trusted");
    const forMs = options.forMs ?? DEFAULT_DISTRUST_MS;
    if (!(Number.isFinite(forMs) && forMs > 0))
      throw new ZkgpuError('INVALID_ARGUMENT', `forMs must be a positive number of milliseconds, got ${showValue(forMs)}`, { details: { field: 'forMs' } });
    const reason = options.reason ?? 'distrusted by the caller';
    const untilMs = this.#planner.distrust(device, forMs, reason);
    this.dispatchEvent(deviceDistrustedEvent({ device, untilMs, reason }));
  }

  /**
   * The host memory budget alone (the runtime's maxHostBytes, else detected: cgroup-aware, times
   * the safety factor), for callers that plan memory per job (a Groth16 proof's memory plan);
   * cheaper than hardware(): no GPU or CPU figures, and no file read when maxHostBytes is set.
   */
  async hostMemory(): Promise<HardwareReport['memory']> {
    this.checkOpen();
    return detectHostMemory(this.settings.maxHostBytes);
  }

  /**
   * The plan the scheduler makes for a job on this runtime's devices and budgets: what runtime.msm
   * and runtime.ntt execute for the same job (measured models when this host is calibrated,
   * `calibrated: true`; the defaults otherwise). `backend` takes 'auto', 'wasm', 'webgpu' or a backend id.
   */
  async plan(job: PlanJob): Promise<Plan> {
    this.checkOpen();
    return (await this.#planner.schedule(job, null, { threads: this.threads })).plan;
  }

  /**
   * @internal One task on a worker, outside the planner (the Groth16 prover's QAP stages,
   * src/groth16/prover/qap-wasm.ts; the dev setup's fixed-base tasks), retried when its worker
   * dies (CHUNK_FAILED naming `options.stage` after MAX_CHUNK_ATTEMPTS). Not part of the public
   * API and not in stats().
   */
  runOnWorker<T>(task: WorkerTask<T>, signal?: AbortSignal, priority?: number, options?: WorkerTaskOptions): Promise<T> {
    this.checkOpen();
    // A task whose worker dies is retried as a chunk would be (worker-task.ts).
    return runRetried(this.pool, task, { signal, priority: checkPriority(priority), faults: this.settings.faults }, options);
  }

  /**
   * The GPU buffer pool's byte counters (allocated, in use, peak in use since the device was
   * acquired), or null without a GPU. WebGPU reports no VRAM use: these are zkgpu's own buffers.
   */
  gpuMemory(id?: string): PoolStats | null {
    const owner = id !== undefined ? this.#gpu.owner(id) : this.#gpu.owners.find((o) => o.context === this.#gpu.primary);
    return owner?.memory() ?? null;
  }

  /**
   * Per-device work since creation (busy time, utilisation, bytes, chunks, failures, queued work),
   * each GPU row with its adapter and its last nvidia-smi sample (`telemetry` says when that was,
   * or why there is none; runtime.gpuTelemetry() samples now), and the job count.
   */
  stats(): RuntimeStats {
    const snap = this.#counters.snapshot();
    const devices = snap.devices.map((d) => ({ ...d, queuedMs: this.#planner.queuedMs(d.id), ...this.#telemetry.row(d.id) }));
    // Sampled in the background when older than its interval: the next call sees it.
    this.#telemetry.refreshIfStale();
    return { ...snap, devices, telemetry: this.#telemetry.status() };
  }

  /** @internal What 'auto' depends on besides the job (scheduler/policy.ts): the device and the `backends` option. */
  get autoState(): AutoState {
    return { gpu: this.#gpu.primary, backends: this.settings.backends };
  }

  /**
   * @internal Whether 'auto' may put any job on the GPU (scheduler/policy.ts mayUseGpu). The
   * Groth16 prover makes its H scalars in one worker task when it may not.
   */
  get autoMayUseGpu(): boolean {
    return mayUseGpu('auto', this.autoState);
  }

  /** The runtime itself: 'job' (JobEvent) and 'worker-exit' events. Kept for older callers. */
  get events(): EventTarget {
    return this;
  }

  async msm(request: MsmRequest): Promise<Uint8Array> {
    this.checkOpen();
    const req = parseMsmRequest(request);
    const { curve, group } = req;
    const terms = dropZeroScalars(req.points, req.scalars, req.size);
    // Every point is validated, zero scalar or not: a bad point is bad input whatever its scalar.
    // When no term was dropped and the plan is all on the workers, each worker checks its points
    // in the MSM task itself (one copy and one message fewer); otherwise a pass of its own first.
    let validateInTask = req.validatePoints && terms.dropped === 0;
    if (req.validatePoints && !validateInTask) await this.validatePoints(curve, group, req.points, req.signal);
    await this.#gpu.settled();
    // A pinned 'webgpu' without a usable device is an error before any planning.
    if (req.requested === 'webgpu') chooseBackend({ requested: 'webgpu', gpu: this.#gpu.primary, n: terms.n, gpuCannot: null });
    // Planned by what its scalars cost, not by their count: 0/1 witness terms cost a fraction of
    // dense ones (scheduler/models.ts; one pass, ~1 ms per 2^16 scalars).
    const effectiveElements = msmEffectiveElements(msmScalarProfile(terms.scalars), curve);
    const job: PlanJob = { op: 'msm', curve, group, n: terms.n, effectiveElements, backend: req.requested };
    const { plan, reason, release } = await this.#planner.schedule(job, null, { enqueue: true, threads: Math.min(this.threads, req.maxWorkers) });
    try {
      if (validateInTask && plan.chunks.some((c) => c.backend !== 'wasm')) {
        validateInTask = false;
        await this.validatePoints(curve, group, req.points, req.signal);
      }
      const kernel = msmKernel(this.pool, { request: { ...req, maxWorkers: msmWorkers(req.maxWorkers, effectiveElements) }, terms, validateInTask, faults: this.settings.faults });
      return await this.execute({ op: 'msm', curve, group, ...jobFields(req) }, planChunks(plan), reason, kernel);
    } finally {
      release();
    }
  }

  async ntt(request: NttRequest): Promise<Uint8Array> {
    this.checkOpen();
    const req = parseNttRequest(request);
    await this.#gpu.settled();
    const gpuCannot = this.#gpu.bindingCannot(req.values.length);
    if (req.requested === 'webgpu') chooseBackend({ requested: 'webgpu', gpu: this.#gpu.primary, n: req.n, gpuCannot });
    if (req.signal?.aborted) throw abortError(req.signal);
    const job: PlanJob = { op: 'ntt', curve: req.curve, n: req.n, backend: req.requested };
    const { plan, reason, release } = await this.#planner.schedule(job, gpuCannot, { enqueue: true, threads: Math.min(this.threads, req.maxWorkers) });
    try {
      return await this.execute({ op: 'ntt', curve: req.curve, ...jobFields(req) }, planChunks(plan), reason, nttKernel(this.pool, req));
    } finally {
      release();
    }
  }

  /** NTT over the 31-bit BabyBear field (STARK provers); same semantics as `ntt`. */
  async nttBabyBear(request: BabyBearNttRequest): Promise<Uint32Array> {
    this.checkOpen();
    const req = parseBabyBearNttRequest(request);
    await this.#gpu.settled();
    const gpuCannot = this.#gpu.bindingCannot(req.job.values.byteLength);
    // No planner model for BabyBear yet: the whole transform goes where the policy says (the
    // backends list does not lift the software/size rules here: nothing would weigh them).
    const primary = this.#gpu.primary;
    const choice = chooseBackend({ requested: req.requested, gpu: primary, n: req.n, gpuCannot, backends: this.settings.backends, listLiftsRules: false });
    if (req.signal?.aborted) throw abortError(req.signal);
    // Unplanned: the whole transform on the workers or on the device 'auto' looks at.
    const gpuId = this.#gpu.owners.find((o) => o.context === primary)?.id ?? 'webgpu';
    const chunks: ExecChunk[] = [{ backend: choice.engine === 'webgpu' ? gpuId : 'wasm', kind: choice.engine, offset: 0, count: req.n }];
    return this.execute({ op: 'ntt', field: 'babybear', ...jobFields(req) }, chunks, choice.reason, babyBearNttKernel(this.pool, req));
  }

  /** n distinct valid points (deterministic from the seed), for benchmarks and tests. */
  async samplePoints(request: SamplePointsRequest): Promise<Uint8Array> {
    this.checkOpen();
    const { curve, group, n, seed } = parseSamplePointsRequest(request);
    return this.pool.run((api) => api.generatePoints(curve, group, n, seed));
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#telemetry.dispose();
    await this.#gpu.dispose();
    await this.pool.dispose();
  }

  /** Runs a job's chunks through the executor and reports it (report.ts). */
  private async execute<T>(job: JobInfo, chunks: ExecChunk[], reason: string, kernel: Kernel<T>): Promise<T> {
    const id = ++this.#jobCount;
    const start = performance.now();
    const elements = chunks.reduce((a, c) => a + c.count, 0);
    try {
      const exec = { id, stage: stageName(job), n: elements, pinned: job.requested !== 'auto', failover: job.failover, signal: job.signal };
      const r = await executeChunks(this.#env, exec, chunks, kernel);
      const report = buildJobReport(job, r, { id, reason, ms: performance.now() - start, adapterOf: (backend) => this.#gpu.owner(backend)?.info ?? null, threads: this.pool.size });
      this.callUser('onReport', job.onReport, report);
      this.dispatchEvent(new JobEvent(report));
      return r.value;
    } finally {
      this.#counters.jobs++;
    }
  }

  /**
   * Calls a caller's callback after the work is done: one that throws must not lose the result,
   * so its error goes to a 'callback-error' event and, unless a listener calls preventDefault()
   * (as with the web's ErrorEvent), to a console warning.
   */
  private callUser<A>(name: string, callback: ((arg: A) => void) | undefined, arg: A): void {
    if (!callback) return;
    try {
      callback(arg);
    } catch (error) {
      if (this.dispatchEvent(callbackErrorEvent({ callback: name, error }))) console.warn(`zkgpu: ${name} threw (the result is returned anyway):`, error);
    }
  }

  private async validatePoints(curve: CurveName, group: GroupName, points: Uint8Array, signal?: AbortSignal): Promise<void> {
    const size = pointBytes(curve, group);
    const n = points.length / size;
    const bad = await Promise.all(
      splitRange(n, this.pool.size).map(({ offset, count }) => {
        // Posted through the worker's reused staging buffer (postable; the caller's buffer is never
        // detached): a fresh slice per call was a new allocation and page faults on every proof.
        const chunk = points.subarray(offset * size, (offset + count) * size);
        return this.pool.run((api, worker) => api.validatePoints(curve, group, postable(this.pool, worker, [chunk])[0]), signal).then((i) => (i < 0 ? -1 : offset + i));
      }),
    );
    const first = bad.find((i) => i >= 0);
    if (first !== undefined) throw invalidPointError(first, size, curve, group);
  }

  private checkOpen(): void {
    if (this.#disposed) throw new ZkgpuError('DISPOSED', 'the runtime has been disposed');
  }
}

/**
 * Workers an MSM's worker chunk spreads over: the request's cap, and no more than one per
 * MIN_POINTS_PER_WORKER of its effective (uniform-scalar) work, the size the split was measured
 * to pay from (msm/cpu.ts). A 0/1 witness MSM of 33,282 terms costs like ~870 uniform points and
 * runs whole on one worker, leaving the others to the proof's other jobs.
 */
function msmWorkers(maxWorkers: number, effectiveElements: number): number {
  return Math.max(1, Math.min(maxWorkers, Math.floor(effectiveElements / MIN_POINTS_PER_WORKER)));
}

/** The report fields every parsed request carries. */
function jobFields(req: Pick<JobInfo, 'n' | 'requested' | 'failover' | 'signal' | 'onReport'>): Pick<JobInfo, 'n' | 'requested' | 'failover' | 'signal' | 'onReport'> {
  return { n: req.n, requested: req.requested, failover: req.failover, signal: req.signal, onReport: req.onReport };
}

/**
 * The adapters to open: the `gpus` option, else ZKGPU_GPUS (only when no `gpu` object was given:
 * that one is the device), else undefined (the default selection).
 */
function gpuSelection(options: RuntimeOptions): GpuSelection | undefined {
  if (options.gpus !== undefined) return checkGpuSelection(options.gpus);
  if (options.gpu !== undefined && options.gpu !== true) return undefined;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.ZKGPU_GPUS;
  return gpusFromEnv(env);
}

export async function createRuntime(options?: RuntimeOptions): Promise<Runtime> {
  return Runtime.create(options);
}
