/// <reference types="@webgpu/types" />
/**
 * The executor: runs one job's planned chunks on their backends and adds up the parts. It knows
 * kernels only through `Kernel` (a GPU run, a worker-pool run, a combine), never their WGSL.
 *
 * - Each backend's chunks of a job run one after another (the planner's model), backends side by
 *   side. On a GPU the next chunk is queued once the current one's inputs are uploaded, so its
 *   upload can run while the current one computes (device-queue.ts; chunks the planner marked
 *   `overlap`). A job still keeps at most one chunk waiting per device: the chunks of concurrent
 *   jobs alternate in the FIFO device queues and the pool's FIFO, and no job starves.
 * - Faults are events, not failures: a lost GPU re-runs its in-flight and remaining chunks on the
 *   workers ('device-lost', 'retry'); GPU out-of-memory halves the chunk down to
 *   OOM_FLOOR_ELEMENTS and lowers the budget later plans use, then goes to the workers; a crashed
 *   worker's chunk re-runs on a replacement. A chunk that fails MAX_CHUNK_ATTEMPTS times rejects
 *   the job with CHUNK_FAILED naming the stage and the chunk.
 * - `failover: false` turns a lost device or an unrecoverable out-of-memory into a rejection.
 */
import { ZkgpuError, isZkgpuError } from '../../core/errors.js';
import { abortError } from '../../core/abort.js';
import { GpuError, type GpuContext } from '../../gpu/context.js';
import type { StagedGpu } from '../../gpu/runner.js';
import { GPU_CHUNKS_IN_FLIGHT } from '../backends.js';
import type { DeviceQueue } from './device-queue.js';
import type { SchedulerStats } from './stats.js';

/** A chunk is tried at most this often (a GPU attempt and its re-runs on the workers count alike). */
export const MAX_CHUNK_ATTEMPTS = 3;
/**
 * GPU out-of-memory halves a chunk until it is this small, then gives the chunk to the workers: at
 * 256 points a GPU MSM is all fixed cost (the CPU takes a few ms), so smaller halves gain nothing.
 */
export const OOM_FLOOR_ELEMENTS = 256;
/** A destroyed device may fail a readback before device.lost settles: wait this long to tell. */
const LOSS_GRACE_MS = 100;

export type BackendKind = 'wasm' | 'webgpu';

export interface ExecChunk {
  /** The planner's backend id ('wasm', 'webgpu', 'webgpu:1'). */
  backend: string;
  kind: BackendKind;
  offset: number;
  count: number;
  /** GPU only: the planner sized it so it may upload or compute beside another such chunk. */
  overlap?: boolean;
}

/**
 * When a GPU chunk's successful attempt uploaded and computed, in ms since the job started. The
 * next chunk's uploadStart before this one's computeEnd shows the two overlapped.
 */
export interface ChunkTiming {
  uploadStart: number;
  uploadEnd: number;
  computeStart: number;
  /** The result is back on the host. */
  computeEnd: number;
}

/** One finished piece of a job, as its JobReport lists it. */
export interface ChunkReport {
  /** The backend id that produced it (after any failover). */
  backend: string;
  offset: number;
  count: number;
  /** From the chunk's first attempt to its result, queueing included. */
  ms: number;
  /** 1 when it ran once; more after a crash or device loss. */
  attempts: number;
  /** GPU chunks: when its inputs were uploaded and when it computed. */
  timing?: ChunkTiming;
}

export interface ChunkRange {
  offset: number;
  count: number;
}

/** What a test hook learns about an attempt. */
export interface ChunkAttempt {
  job: number;
  /** Index of the planned chunk. */
  chunk: number;
  offset: number;
  count: number;
  /** 1-based. */
  attempt: number;
  backend: string;
}

/**
 * Test-only hooks, passed as `faultInjection` to createRuntime and deliberately absent from the
 * public RuntimeOptions type. Each may throw (a GpuError('out-of-memory', ...) fakes an OOM).
 */
export interface FaultInjection {
  /**
   * Called in the device queue as a GPU attempt's compute starts (after its upload, before the
   * kernel computes); may destroy `device`.
   */
  gpuChunk?(info: ChunkAttempt & { device: GPUDevice }): void | Promise<void>;
  /** Called inside each worker task of a wasm attempt, before the kernel: `crash()` ends that worker. */
  workerTask?(info: ChunkAttempt & { crash(): void }): void | Promise<void>;
}

export interface Kernel<T> {
  /** False for an NTT: it cannot be halved, so GPU out-of-memory sends it to the workers whole. */
  splittable: boolean;
  gpu(ctx: GpuContext, range: ChunkRange, signal: AbortSignal | undefined): Promise<T>;
  /**
   * `gpu` in two halves: upload the chunk's inputs, then `run` computes. When given, the device
   * queue uploads a chunk while the one ahead of it computes; without it the whole of `gpu` is
   * the compute and nothing overlaps.
   */
  gpuStage?(ctx: GpuContext, range: ChunkRange, signal: AbortSignal | undefined): Promise<StagedGpu<T>>;
  wasm(range: ChunkRange, signal: AbortSignal | undefined, attempt: ChunkAttempt): Promise<T>;
  /** Adds the parts (in any order); called with every part, also with one or none. */
  combine(parts: T[], signal: AbortSignal | undefined): Promise<T>;
  bytesIn(count: number): number;
  bytesOut: number;
  /** Device bytes per element the planner counts: what an out-of-memory lowers the budget to. */
  deviceBytesPerElement: number;
}

export interface GpuLane {
  ctx: GpuContext;
  queue: DeviceQueue;
}

export interface ExecEnv {
  /** The device behind a GPU backend id now, or null when the runtime has none. */
  gpu(id: string): GpuLane | null;
  /** A chunk saw the device gone (the runtime reports it once per device and may re-acquire). */
  deviceLost(id: string, ctx: GpuContext, message: string): void;
  /** An out-of-memory: later plans keep the device's budget (all chunks in flight) under `bytes`. */
  lowerGpuBudget(id: string, bytes: number): void;
  stats: SchedulerStats;
  dispatch(event: Event): void;
  faults?: FaultInjection;
}

export interface ExecJob {
  id: number;
  /** Names the work in errors: "MSM bn254 g1", "NTT bn254". */
  stage: string;
  n: number;
  /** The caller pinned the backend: a GPU error that is not loss or OOM rejects instead of moving. */
  pinned: boolean;
  failover: boolean;
  signal?: AbortSignal;
}

export interface ExecResult<T> {
  value: T;
  chunks: ChunkReport[];
  /** Why GPU work was moved to the workers, when it was. */
  fallback?: string;
  /** GPU time from timestamp queries, when the device measured it. */
  gpuMs?: number;
}

export interface ProgressDetail {
  job: number;
  /** Index of the planned chunk that finished (a halved chunk reports each half). */
  chunk: number;
  chunks: number;
  backend: string;
  offset: number;
  count: number;
  /** Elements finished so far in this job. */
  done: number;
  n: number;
}

export interface RetryDetail {
  job: number;
  chunk: number;
  offset: number;
  count: number;
  /** The attempt that failed (1-based). */
  attempt: number;
  from: string;
  /** Where it runs next ('wasm' after a GPU loss, the same id after a crash or a halving). */
  to: string;
  reason: string;
}

type Failure = 'device-lost' | 'oom' | 'gpu' | 'worker' | 'fatal';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function classify(e: unknown, kind: BackendKind, ctx: GpuContext | null): Promise<Failure> {
  if (kind === 'wasm') return isZkgpuError(e, 'WORKER_CRASHED') ? 'worker' : 'fatal';
  if ((e instanceof GpuError && e.kind === 'lost') || isZkgpuError(e, 'GPU_DEVICE_LOST')) return 'device-lost';
  if ((e instanceof GpuError && e.kind === 'out-of-memory') || isZkgpuError(e, 'GPU_OUT_OF_MEMORY')) return 'oom';
  if (e instanceof ZkgpuError && !e.code.startsWith('GPU_')) return 'fatal';
  if (ctx && !ctx.lost) {
    await Promise.race([ctx.device.lost, sleep(LOSS_GRACE_MS)]);
    await sleep(0); // the context records the loss in its own then()
  }
  return ctx?.lost ? 'device-lost' : 'gpu';
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function gpuError(e: unknown, stage: string): ZkgpuError {
  if (e instanceof ZkgpuError) return e;
  const code = e instanceof GpuError ? (e.kind === 'lost' ? 'GPU_DEVICE_LOST' : e.kind === 'out-of-memory' ? 'GPU_OUT_OF_MEMORY' : 'GPU_ERROR') : 'GPU_ERROR';
  return new ZkgpuError(code, `${stage} on the GPU failed: ${message(e)}`, { cause: e });
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

export function executeChunks<T>(env: ExecEnv, job: ExecJob, planned: readonly ExecChunk[], kernel: Kernel<T>): Promise<ExecResult<T>> {
  return abortable(run(env, job, planned, kernel), job.signal);
}

async function run<T>(env: ExecEnv, job: ExecJob, planned: readonly ExecChunk[], kernel: Kernel<T>): Promise<ExecResult<T>> {
  const { signal } = job;
  const jobStart = performance.now();
  const reports: ChunkReport[] = [];
  const parts: T[] = [];
  let done = 0;
  let fallback: string | undefined;
  let gpuNs = 0;
  let timed = false;
  let failed = false;
  /** GPU ids this job saw lost: its remaining chunks there go to the workers, even on a new device. */
  const lost = new Set<string>();

  const retry = (detail: RetryDetail) => env.dispatch(new CustomEvent<RetryDetail>('retry', { detail }));

  /**
   * One attempt of a chunk. GPU attempts fill `timing` and call `onUploaded` once the inputs are
   * on the device (the lane then queues its next chunk).
   */
  const attemptOn = async (
    kind: BackendKind,
    lane: GpuLane | null,
    range: ChunkRange,
    info: ChunkAttempt,
    gpu: { overlap?: boolean; timing: ChunkTiming; onUploaded?: () => void },
  ): Promise<T> => {
    const { overlap, timing, onUploaded } = gpu;
    if (kind === 'wasm') {
      const end = env.stats.begin(info.backend, 'wasm', kernel.bytesIn(range.count));
      try {
        const out = await kernel.wasm(range, signal, info);
        end({ ok: true, bytesOut: kernel.bytesOut });
        return out;
      } catch (e) {
        end({ ok: false, bytesOut: 0 });
        throw e;
      }
    }
    const { ctx, queue } = lane!;
    // One stats interval from the upload's start to the compute's end: the union in SchedulerStats
    // counts an upload that overlaps another chunk's compute once.
    let end: ReturnType<SchedulerStats['begin']> | null = null;
    const fail = () => end?.({ ok: false, bytesOut: 0 });
    return queue.stage<StagedGpu<T> | null, T>(
      {
        overlap: overlap === true && kernel.gpuStage !== undefined,
        upload: async () => {
          end = env.stats.begin(info.backend, 'webgpu', kernel.bytesIn(range.count));
          timing.uploadStart = performance.now() - jobStart;
          try {
            const staged = kernel.gpuStage ? await kernel.gpuStage(ctx, range, signal) : null;
            timing.uploadEnd = performance.now() - jobStart;
            // Nothing staged ahead (a kernel without gpuStage): the next chunk waits for this one.
            if (staged) onUploaded?.();
            return staged;
          } catch (e) {
            fail();
            throw e;
          }
        },
        compute: async (staged) => {
          timing.computeStart = performance.now() - jobStart;
          try {
            await env.faults?.gpuChunk?.({ ...info, device: ctx.device });
            const ns0 = ctx.gpuTimeNs;
            const out = staged ? await staged.run() : await kernel.gpu(ctx, range, signal);
            if (ctx.timestamps && ctx.canTimestamp) {
              timed = true;
              gpuNs += ctx.gpuTimeNs - ns0;
            }
            timing.computeEnd = performance.now() - jobStart;
            end!({ ok: true, bytesOut: kernel.bytesOut });
            return out;
          } catch (e) {
            fail();
            await staged?.release(); // a no-op once run() has taken the inputs
            throw e;
          }
        },
        discard: async (staged) => {
          fail();
          await staged?.release();
        },
      },
      signal,
    );
  };

  /** Runs one planned chunk (or a half of one) to its parts, moving and retrying it on faults. */
  const runChunk = async (index: number, chunk: ExecChunk, onUploaded?: () => void): Promise<T[]> => {
    let { backend, kind } = chunk;
    const range = { offset: chunk.offset, count: chunk.count };
    const t0 = performance.now();
    let attempts = 0;
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      let lane: GpuLane | null = null;
      if (kind === 'webgpu') {
        lane = env.gpu(backend);
        const gone = !lane
          ? 'this runtime has no GPU device'
          : lost.has(backend)
            ? 'the device was lost during this job'
            : lane.ctx.lost ? lane.ctx.lost.message : lane.ctx.disposed ? 'the GPU context was disposed' : null;
        if (gone) {
          if (!job.failover) throw new ZkgpuError('GPU_DEVICE_LOST', `${job.stage}: chunk #${index} (offset ${range.offset}, count ${range.count}) cannot run on ${backend}: ${gone}`);
          fallback ??= `${backend}: ${gone}`;
          backend = 'wasm';
          kind = 'wasm';
          continue;
        }
      }
      attempts++;
      const info: ChunkAttempt = { job: job.id, chunk: index, offset: range.offset, count: range.count, attempt: attempts, backend };
      const timing: ChunkTiming = { uploadStart: 0, uploadEnd: 0, computeStart: 0, computeEnd: 0 };
      try {
        const out = await attemptOn(kind, lane, range, info, { overlap: chunk.overlap, timing, onUploaded });
        if (signal?.aborted) throw abortError(signal); // no progress after the job has rejected
        reports.push({ backend, offset: range.offset, count: range.count, ms: performance.now() - t0, attempts, ...(kind === 'webgpu' ? { timing } : {}) });
        done += range.count;
        env.dispatch(
          new CustomEvent<ProgressDetail>('progress', {
            detail: { job: job.id, chunk: index, chunks: planned.length, backend, offset: range.offset, count: range.count, done, n: job.n },
          }),
        );
        return [out];
      } catch (e) {
        if (signal?.aborted || isZkgpuError(e, 'ABORTED')) throw signal?.aborted ? abortError(signal) : e;
        const failure = await classify(e, kind, lane?.ctx ?? null);
        if (failure === 'fatal') throw e;
        const base = { job: job.id, chunk: index, offset: range.offset, count: range.count, attempt: attempts, from: backend };
        if (failure === 'oom') {
          const half = Math.ceil(range.count / 2);
          // Later plans keep chunks at `half`: a chunk planned to share the device (overlap) had
          // GPU_CHUNKS_IN_FLIGHT shares of the budget, so the budget is that many halves.
          env.lowerGpuBudget(backend, half * kernel.deviceBytesPerElement * (chunk.overlap ? GPU_CHUNKS_IN_FLIGHT : 1));
          if (kernel.splittable && range.count > half && half >= OOM_FLOOR_ELEMENTS) {
            retry({ ...base, to: backend, reason: `GPU out of memory (${message(e)}): halved to ${half} + ${range.count - half} elements` });
            const halves = { backend, kind, overlap: chunk.overlap };
            const first = await runChunk(index, { ...halves, offset: range.offset, count: half }, onUploaded);
            const second = await runChunk(index, { ...halves, offset: range.offset + half, count: range.count - half }, onUploaded);
            return [...first, ...second];
          }
          if (!job.failover) throw gpuError(e, job.stage);
        } else if (failure === 'device-lost') {
          lost.add(backend);
          env.deviceLost(backend, lane!.ctx, lane!.ctx.lost?.message ?? message(e));
          if (!job.failover) throw gpuError(lane!.ctx.lost ? new GpuError('lost', lane!.ctx.lost.message, { cause: e }) : e, job.stage);
        } else if (failure === 'gpu' && job.pinned) {
          throw gpuError(e, job.stage);
        }
        if (attempts >= MAX_CHUNK_ATTEMPTS) {
          throw new ZkgpuError(
            'CHUNK_FAILED',
            `${job.stage}: chunk #${index} of ${planned.length} (offset ${range.offset}, count ${range.count}) failed ${attempts} times; last on ${backend}: ${message(e)}`,
            { cause: e },
          );
        }
        if (failure !== 'worker') {
          fallback ??= `${backend}: ${message(e)}`;
          backend = 'wasm';
          kind = 'wasm';
        }
        retry({ ...base, to: backend, reason: failure === 'worker' ? `worker crashed: ${message(e)}` : `${failure === 'oom' ? 'GPU out of memory at the floor' : failure === 'device-lost' ? 'GPU device lost' : 'GPU error'}: ${message(e)}` });
      }
    }
  };

  // One lane per backend, in plan order; lanes run side by side. A lane queues its next chunk when
  // the current one is done or, on a GPU, once its inputs are uploaded (it then computes while the
  // next uploads); either way at most one of its chunks waits in the device queue.
  const lanes = new Map<string, { index: number; chunk: ExecChunk }[]>();
  planned.forEach((chunk, index) => {
    const list = lanes.get(chunk.backend) ?? [];
    list.push({ index, chunk });
    lanes.set(chunk.backend, list);
  });
  await Promise.all(
    [...lanes.values()].map(async (list) => {
      const started: Promise<void>[] = [];
      for (const { index, chunk } of list) {
        if (failed) break; // another chunk failed the job: start nothing more
        let uploaded!: () => void;
        const ready = new Promise<void>((r) => (uploaded = r));
        const done = runChunk(index, chunk, uploaded).then(
          (out) => void parts.push(...out),
          (e) => {
            failed = true;
            throw e;
          },
        );
        done.catch(() => {}); // awaited below; this only keeps an early exit from leaving it unhandled
        started.push(done);
        await Promise.race([ready, done]);
      }
      await Promise.all(started);
    }),
  );
  const value = await kernel.combine(parts, signal);
  reports.sort((a, b) => a.offset - b.offset);
  return { value, chunks: reports, ...(fallback ? { fallback } : {}), ...(timed ? { gpuMs: gpuNs / 1e6 } : {}) };
}
