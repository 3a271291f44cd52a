/// <reference types="@webgpu/types" />
/**
 * The executor: runs one job's planned chunks on their backends and adds up the parts. It knows
 * kernels only through `Kernel` (a GPU run, a worker-pool run, a combine), never their WGSL. Its
 * contract (Kernel, ExecEnv, reports, event details) is in types.ts, re-exported here; what to do
 * after a failure is the pure policy of retry-policy.ts; this file carries the steps out.
 *
 * Vocabulary (here and in device-queue.ts, retry-policy.ts, stats.ts):
 * - job: one runtime call (one msm() or ntt()), run by one executeChunks(); `ExecJob.id` numbers
 *   it and `ExecJob.stage` is its label in errors ("MSM bn254 g1"; a label, not a pipeline step:
 *   the field keeps the name its callers use).
 * - chunk: a planned piece [offset, offset + count) of a job on one backend. The halves of a chunk
 *   halved after an out-of-memory are chunks too and keep the planned chunk's index.
 * - attempt: one try of a chunk on one backend; `attempts` counts the tries of one range.
 * - backend: a planner id, 'wasm' (the worker pool: "the workers") or 'webgpu', 'webgpu:1' (a GPU
 *   device); its kind says which engine runs it. A GpuHandle is a GPU backend as the runtime holds
 *   it now (its context and device queue).
 * - upload, compute: the two steps of a GPU attempt in the device queue; to stage a chunk is to
 *   upload its inputs ahead of its compute (`DeviceQueue.stage`, `Kernel.gpuStage`, StagedGpu).
 * - failure class: what a failed attempt's error means to the retry policy (retry-policy.ts);
 *   failover: a chunk leaving its GPU for the workers; fallback: the first failover's reason,
 *   for the job report.
 * - "pool" alone is never used: the worker pool (cpu/pool.ts) or the buffer pool (gpu/pool.ts).
 *
 * How a job runs:
 * - Each backend's chunks of a job run one after another (the planner's model), backends side by
 *   side. On a GPU the next chunk is queued once the current one's inputs are uploaded, so its
 *   upload can run while the current one computes (device-queue.ts; chunks the planner marked
 *   `overlap`). A job still keeps at most one chunk waiting per device: the chunks of concurrent
 *   jobs alternate in the FIFO device queues and the worker pool's FIFO, and no job starves.
 * - Faults are events, not failures: a lost GPU re-runs its in-flight and remaining chunks on the
 *   workers ('retry'; the runtime reports 'device-lost' through ExecEnv.deviceLost); GPU
 *   out-of-memory halves the chunk down to OOM_FLOOR_ELEMENTS and lowers the budget later plans
 *   use, then goes to the workers; a crashed worker's chunk re-runs on a replacement. A chunk that
 *   fails MAX_CHUNK_ATTEMPTS times rejects the job with CHUNK_FAILED naming the job and the chunk.
 * - `failover: false` turns a lost device or an unrecoverable out-of-memory into a rejection.
 */
import { ZkgpuError, isZkgpuError } from '../../core/errors.js';
import { abortError } from '../../core/abort.js';
import type { GpuContext } from '../../gpu/context.js';
import { GpuError, classifyGpuError, toGpuZkgpuError } from '../../gpu/errors.js';
import type { StagedGpu } from '../../gpu/runner.js';
import { GPU_CHUNKS_IN_FLIGHT } from '../backends.js';
import { budgetAfterOom, decideRetry, decideUnavailableGpu, retryReason, unavailableReason, type FailureClass, type RetryDecision } from './retry-policy.js';
import type { SchedulerStats } from './stats.js';
import type { BackendKind, ChunkAttempt, ChunkRange, ChunkReport, ChunkTiming, ExecChunk, ExecEnv, ExecJob, ExecResult, ExecutorEventMap, GpuHandle, Kernel } from './types.js';

export { MAX_CHUNK_ATTEMPTS, OOM_FLOOR_ELEMENTS } from './retry-policy.js';
export type {
  BackendKind,
  ExecChunk,
  ChunkTiming,
  ChunkReport,
  ChunkRange,
  ChunkAttempt,
  FaultInjection,
  Kernel,
  GpuHandle,
  ExecEnv,
  ExecJob,
  ExecResult,
  ProgressDetail,
  RetryDetail,
  ExecutorEventMap,
} from './types.js';

/** A destroyed device may fail a readback before device.lost settles: wait this long to tell. */
const LOSS_GRACE_MS = 100;

/** The one place the executor dispatches an event: the type and its detail checked together. */
function emit<K extends keyof ExecutorEventMap>(env: ExecEnv, type: K, detail: ExecutorEventMap[K]): void {
  env.dispatch(new CustomEvent<ExecutorEventMap[K]>(type, { detail }));
}

export function executeChunks<T>(env: ExecEnv, job: ExecJob, planned: readonly ExecChunk[], kernel: Kernel<T>): Promise<ExecResult<T>> {
  return abortable(new JobRun(env, job, planned, kernel).run(), job.signal);
}

/** Rejects as soon as the signal aborts, whatever the work is doing. */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    if (signal.aborted) {
      // The work has started already and will reject on its own: observe it, or that rejection
      // would be unhandled (a job cancelled while it was still being planned).
      work.catch(() => {});
      return onAbort();
    }
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * What a failed attempt's error means to the retry policy. On the workers only a crash is a fault;
 * on a GPU the classification of gpu/errors.ts decides, except that an ambiguous GPU error is
 * re-read as a loss when the device turns out to be gone within LOSS_GRACE_MS.
 */
async function classifyFailure(e: unknown, kind: BackendKind, ctx: GpuContext | null): Promise<FailureClass> {
  if (kind === 'wasm') return isZkgpuError(e, 'WORKER_CRASHED') ? 'worker-crashed' : 'fatal';
  const gpuKind = classifyGpuError(e);
  if (gpuKind === null) return 'fatal';
  if (gpuKind === 'lost') return 'device-lost';
  if (gpuKind === 'out-of-memory') return 'out-of-memory';
  if (ctx && !ctx.lost) {
    await Promise.race([ctx.device.lost, sleep(LOSS_GRACE_MS)]);
    await sleep(0); // the context records the loss in its own then()
  }
  return ctx?.lost ? 'device-lost' : 'gpu-error';
}

/** Where a chunk runs now: it starts on its planned backend and may move to the workers. */
interface Placement {
  backend: string;
  kind: BackendKind;
}

const WORKERS: Placement = { backend: 'wasm', kind: 'wasm' };

/** What a failed attempt was, for the failure step. */
interface FailedAttempt {
  index: number;
  chunk: ExecChunk;
  range: ChunkRange;
  at: Placement;
  gpu: GpuHandle | null;
  attempts: number;
}

/** A GPU attempt's extras: whether it may overlap, where its timing goes, and its upload signal. */
interface GpuAttemptOptions {
  overlap?: boolean;
  timing: ChunkTiming;
  /** Called once the inputs are on the device: the backend's next chunk may then be queued. */
  onUploaded?: () => void;
}

/** One job being executed: the parts and reports its chunks produced so far, and what it learned. */
class JobRun<T> {
  private readonly start = performance.now();
  private readonly reports: ChunkReport[] = [];
  private readonly parts: T[] = [];
  /** Elements finished. */
  private done = 0;
  private fallback: string | undefined;
  private gpuNs = 0;
  /** Some GPU attempt was measured with timestamp queries. */
  private timed = false;
  /** A chunk rejected the job: start no more chunks. */
  private failed = false;
  /** GPU ids this job saw lost: its remaining chunks there go to the workers, even on a new device. */
  private readonly lostGpus = new Set<string>();

  constructor(
    private readonly env: ExecEnv,
    private readonly job: ExecJob,
    private readonly planned: readonly ExecChunk[],
    private readonly kernel: Kernel<T>,
  ) {}

  async run(): Promise<ExecResult<T>> {
    const byBackend = new Map<string, { index: number; chunk: ExecChunk }[]>();
    this.planned.forEach((chunk, index) => {
      const list = byBackend.get(chunk.backend) ?? [];
      list.push({ index, chunk });
      byBackend.set(chunk.backend, list);
    });
    await Promise.all([...byBackend.values()].map((chunks) => this.runBackendChunks(chunks)));
    const value = await this.kernel.combine(this.parts, this.job.signal);
    this.reports.sort((a, b) => a.offset - b.offset);
    return { value, chunks: this.reports, ...(this.fallback ? { fallback: this.fallback } : {}), ...(this.timed ? { gpuMs: this.gpuNs / 1e6 } : {}) };
  }

  /**
   * One backend's chunks, in plan order, beside the other backends'. The next chunk is queued when
   * the current one is done or, on a GPU, once its inputs are uploaded (it then computes while the
   * next uploads); either way at most one of them waits in the device queue.
   */
  private async runBackendChunks(chunks: readonly { index: number; chunk: ExecChunk }[]): Promise<void> {
    const started: Promise<void>[] = [];
    for (const { index, chunk } of chunks) {
      if (this.failed) break; // another chunk failed the job: start nothing more
      let uploaded!: () => void;
      const ready = new Promise<void>((r) => (uploaded = r));
      const finished = this.runChunk(index, chunk, uploaded).then(
        (out) => void this.parts.push(...out),
        (e) => {
          this.failed = true;
          throw e;
        },
      );
      finished.catch(() => {}); // awaited below; this only keeps an early exit from leaving it unhandled
      started.push(finished);
      await Promise.race([ready, finished]);
    }
    await Promise.all(started);
  }

  /** Runs one chunk to its parts, moving, retrying or halving it as the retry policy says. */
  private async runChunk(index: number, chunk: ExecChunk, onUploaded?: () => void): Promise<T[]> {
    let at: Placement = { backend: chunk.backend, kind: chunk.kind };
    const range = { offset: chunk.offset, count: chunk.count };
    const t0 = performance.now();
    let attempts = 0;
    for (;;) {
      this.throwIfAborted();
      const gpu = at.kind === 'webgpu' ? this.env.gpu(at.backend) : null;
      if (at.kind === 'webgpu' && !this.gpuUsable(index, range, at.backend, gpu)) {
        at = this.elsewhere(at.backend);
        continue;
      }
      attempts++;
      const info: ChunkAttempt = { job: this.job.id, chunk: index, offset: range.offset, count: range.count, attempt: attempts, backend: at.backend };
      const timing: ChunkTiming = { uploadStart: 0, uploadEnd: 0, computeStart: 0, computeEnd: 0 };
      try {
        const out = await (at.kind === 'wasm' ? this.attemptOnWorkers(range, info) : this.attemptOnGpu(gpu!, range, info, { overlap: chunk.overlap, timing, onUploaded }));
        this.throwIfAborted(); // no progress after the job has rejected
        this.chunkDone(index, at, range, { ms: performance.now() - t0, attempts, timing });
        return [out];
      } catch (e) {
        this.rethrowAbort(e);
        const failed: FailedAttempt = { index, chunk, range, at, gpu, attempts };
        const decision = this.afterFailure(e, failed, await classifyFailure(e, at.kind, gpu?.ctx ?? null));
        if (decision.action === 'halve') {
          const halves = { backend: at.backend, kind: at.kind, overlap: chunk.overlap };
          const first = await this.runChunk(index, { ...halves, offset: range.offset, count: decision.first }, onUploaded);
          const second = await this.runChunk(index, { ...halves, offset: range.offset + decision.first, count: decision.second }, onUploaded);
          return [...first, ...second];
        }
        if (decision.action === 'move-to-workers') at = this.elsewhere(at.backend);
      }
    }
  }

  /**
   * Where a chunk goes when it leaves a GPU (lost, or an error the policy moves): another of the
   * runtime's GPUs that is live and not lost in this job, else the workers. The other GPU's budget
   * was not planned for this chunk: an out-of-memory there halves it as usual.
   */
  private elsewhere(from: string): Placement {
    for (const id of this.env.gpuIds?.() ?? []) {
      if (id === from || this.lostGpus.has(id)) continue;
      const handle = this.env.gpu(id);
      if (handle && unavailableReason(handle.ctx, false) === null) return { backend: id, kind: 'webgpu' };
    }
    return WORKERS;
  }

  /**
   * Whether the GPU can take the chunk's next attempt. When it cannot, the chunk goes to the
   * workers (false; the job's fallback notes why) or, without failover, the job rejects.
   */
  private gpuUsable(index: number, range: ChunkRange, backend: string, gpu: GpuHandle | null): boolean {
    const gone = unavailableReason(gpu?.ctx ?? null, this.lostGpus.has(backend));
    if (gone === null) return true;
    const decision = decideUnavailableGpu(this.job.failover);
    if (decision.action === 'reject') {
      throw new ZkgpuError(decision.code, `${this.job.stage}: chunk #${index} (offset ${range.offset}, count ${range.count}) cannot run on ${backend}: ${gone}`);
    }
    this.fallback ??= `${backend}: ${gone}`;
    return false;
  }

  /**
   * The failure step: records what the failure taught (a lower GPU budget, a lost device), asks the
   * retry policy, and either throws the job's rejection or reports the retry ('retry' event) and
   * returns the decision for runChunk to carry out.
   */
  private afterFailure(e: unknown, f: FailedAttempt, failure: FailureClass): RetryDecision {
    const { kernel, job } = this;
    if (failure === 'out-of-memory') {
      this.env.lowerGpuBudget(f.at.backend, budgetAfterOom(f.range.count, kernel.deviceBytesPerElement, f.chunk.overlap === true, GPU_CHUNKS_IN_FLIGHT));
    } else if (failure === 'device-lost') {
      this.lostGpus.add(f.at.backend);
      this.env.deviceLost(f.at.backend, f.gpu!.ctx, f.gpu!.ctx.lost?.message ?? message(e));
    }
    const decision = decideRetry({ failure, attempts: f.attempts, pinned: job.pinned, failover: job.failover, splittable: kernel.splittable, count: f.range.count });
    if (decision.action === 'reject') throw this.rejection(decision.code, e, f, failure);
    if (decision.action === 'move-to-workers') this.fallback ??= `${f.at.backend}: ${message(e)}`;
    const to = decision.action === 'move-to-workers' ? this.elsewhere(f.at.backend).backend : f.at.backend;
    emit(this.env, 'retry', {
      job: job.id,
      chunk: f.index,
      offset: f.range.offset,
      count: f.range.count,
      attempt: f.attempts,
      from: f.at.backend,
      to,
      reason: retryReason(failure, decision, message(e)),
    });
    return decision;
  }

  /** The error the job rejects with, for a policy's 'reject' decision. */
  private rejection(code: ZkgpuError['code'] | 'as-thrown', e: unknown, f: FailedAttempt, failure: FailureClass): unknown {
    if (code === 'as-thrown') return e;
    if (code === 'CHUNK_FAILED') {
      const where = `chunk #${f.index} of ${this.planned.length} (offset ${f.range.offset}, count ${f.range.count})`;
      return new ZkgpuError('CHUNK_FAILED', `${this.job.stage}: ${where} failed ${f.attempts} times; last on ${f.at.backend}: ${message(e)}`, { cause: e });
    }
    // A GPU code: the classification turns the error into it. A loss the device itself reported is
    // told in the device's words.
    const lost = failure === 'device-lost' ? f.gpu!.ctx.lost : null;
    return toGpuZkgpuError(lost ? new GpuError('lost', lost.message, { cause: e }) : e, this.job.stage);
  }

  private chunkDone(index: number, at: Placement, range: ChunkRange, r: { ms: number; attempts: number; timing: ChunkTiming }): void {
    this.reports.push({ backend: at.backend, offset: range.offset, count: range.count, ms: r.ms, attempts: r.attempts, ...(at.kind === 'webgpu' ? { timing: r.timing } : {}) });
    this.done += range.count;
    emit(this.env, 'progress', {
      job: this.job.id,
      chunk: index,
      chunks: this.planned.length,
      backend: at.backend,
      offset: range.offset,
      count: range.count,
      done: this.done,
      n: this.job.n,
    });
  }

  private throwIfAborted(): void {
    const { signal } = this.job;
    if (signal?.aborted) throw abortError(signal);
  }

  /** An attempt that failed because the job was aborted ends the chunk, whatever else it says. */
  private rethrowAbort(e: unknown): void {
    this.throwIfAborted();
    if (isZkgpuError(e, 'ABORTED')) throw e;
  }

  private async attemptOnWorkers(range: ChunkRange, info: ChunkAttempt): Promise<T> {
    const end = this.env.stats.begin(info.backend, 'wasm', this.kernel.bytesIn(range.count));
    try {
      const out = await this.kernel.wasm(range, this.job.signal, info);
      end({ ok: true, bytesOut: this.kernel.bytesOut });
      return out;
    } catch (e) {
      end({ ok: false, bytesOut: 0 });
      throw e;
    }
  }

  /**
   * One GPU attempt through the device queue: upload (the kernel's gpuStage, when it has one),
   * then compute. One stats interval runs from the upload's start to the compute's end: the union
   * in SchedulerStats counts an upload that overlaps another chunk's compute once.
   */
  private attemptOnGpu({ ctx, queue }: GpuHandle, range: ChunkRange, info: ChunkAttempt, { overlap, timing, onUploaded }: GpuAttemptOptions): Promise<T> {
    const { kernel, env, start } = this;
    const { signal } = this.job;
    let end: ReturnType<SchedulerStats['begin']> | null = null;
    const fail = () => end?.({ ok: false, bytesOut: 0 });
    const upload = async (): Promise<StagedGpu<T> | null> => {
      end = env.stats.begin(info.backend, 'webgpu', kernel.bytesIn(range.count));
      timing.uploadStart = performance.now() - start;
      try {
        const staged = kernel.gpuStage ? await kernel.gpuStage(ctx, range, signal) : null;
        timing.uploadEnd = performance.now() - start;
        // Nothing staged ahead (a kernel without gpuStage): the next chunk waits for this one.
        if (staged) onUploaded?.();
        return staged;
      } catch (e) {
        fail();
        throw e;
      }
    };
    const compute = async (staged: StagedGpu<T> | null): Promise<T> => {
      timing.computeStart = performance.now() - start;
      try {
        await env.faults?.gpuChunk?.({ ...info, device: ctx.device });
        const ns0 = ctx.gpuTimeNs;
        const computed = staged ? await staged.run() : await kernel.gpu(ctx, range, signal);
        const out = env.faults?.gpuResult ? (env.faults.gpuResult(info, computed) as T) : computed;
        if (ctx.timestamps && ctx.canTimestamp) {
          this.timed = true;
          this.gpuNs += ctx.gpuTimeNs - ns0;
        }
        timing.computeEnd = performance.now() - start;
        end!({ ok: true, bytesOut: kernel.bytesOut });
        return out;
      } catch (e) {
        fail();
        await staged?.release(); // a no-op once run() has taken the inputs
        throw e;
      }
    };
    const discard = async (staged: StagedGpu<T> | null): Promise<void> => {
      fail();
      await staged?.release();
    };
    return queue.stage({ overlap: overlap === true && kernel.gpuStage !== undefined, upload, compute, discard }, signal);
  }
}
