/**
 * A fixed-size pool of CPU workers, each with its own WebAssembly instance.
 *
 * Contract (the pitfalls comlink leaves open):
 * - abort: the task's promise rejects with an AbortError first; a running task's worker is then
 *   terminated (wasm cannot be interrupted) and replaced;
 * - a worker that dies rejects the call it was running (comlink alone would never settle it) and
 *   is replaced; a worker that fails while starting is never respawned;
 * - idle workers are unref'd so a Node process exits when the work ends; dispose() ends them all.
 */
import { transfer, wrap, type Remote } from 'comlink';
import { ZkgpuError } from '../core/errors.js';
import { abortError } from '../core/abort.js';
import { spawnCpuWorker, type SpawnWorker, type WorkerHandle } from './spawn.js';
import type { CpuWorkerApi } from './worker-api.js';
import { canShareMemory } from '../core/bytes.js';

/**
 * Largest staging buffer a worker keeps (per worker, for as long as the pool lives). Bigger
 * inputs are copied into fresh buffers and transferred, as everything is without shared memory.
 */
export const MAX_STAGING_BYTES = 32 << 20;

export type PoolTask<T> = (api: Remote<CpuWorkerApi>, workerIndex: number) => Promise<T>;

interface Job {
  task: PoolTask<unknown>;
  priority: number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
  settled: boolean;
  cleanup(): void;
}

interface Slot {
  index: number;
  /** Reused input buffer in shared memory (see stage). */
  staging?: Uint8Array;
  handle?: WorkerHandle;
  api?: Remote<CpuWorkerApi>;
  job?: Job;
  starting: boolean;
  generation: number;
  /** Milliseconds of finished tasks on this slot, and when its running task started (busyMs). */
  busyMs: number;
  busySince: number | null;
}

export interface WorkerExitDetail {
  worker: number;
  reason: string;
  replaced: boolean;
}

export interface PoolOptions {
  threads: number;
  module: WebAssembly.Module;
  spawn?: SpawnWorker;
}

/** Runs `fn` in a later macrotask, after every pending promise continuation. */
const afterMicrotasks: (fn: () => void) => void = typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

const isShared = (a: Uint8Array) => typeof SharedArrayBuffer === 'function' && a.buffer instanceof SharedArrayBuffer;

/**
 * What to post to `worker` for a task's input ranges. Never the caller's own buffer (a transfer
 * would detach it): SharedArrayBuffer-backed inputs go as views of the same memory; the rest is
 * copied into the worker's reused staging buffer (WorkerPool.stage), or, without shared memory,
 * into fresh buffers that are transferred.
 */
export function postable(pool: WorkerPool, worker: number, parts: Uint8Array[]): Uint8Array[] {
  const own = parts.filter((p) => !isShared(p));
  const staged = own.length > 0 ? pool.stage(worker, own) : [];
  let next = 0;
  return parts.map((p) => {
    if (isShared(p)) return p;
    if (staged) return staged[next++];
    const copy = p.slice();
    return transfer(copy, [copy.buffer]);
  });
}

export class WorkerPool extends EventTarget {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private disposed = false;
  private pumpScheduled = false;

  private constructor(
    private readonly module: WebAssembly.Module,
    private readonly spawn: SpawnWorker,
    threads: number,
  ) {
    super();
    this.slots = Array.from({ length: threads }, (_, index) => ({ index, generation: 0, starting: false, busyMs: 0, busySince: null }));
  }

  /** Starts every worker; rejects (and stops those that did start) if any fails to start. */
  static async create(options: PoolOptions): Promise<WorkerPool> {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new ZkgpuError('INVALID_ARGUMENT', `threads must be a positive integer, got ${options.threads}`);
    }
    const pool = new WorkerPool(options.module, options.spawn ?? spawnCpuWorker, options.threads);
    const started = await Promise.allSettled(pool.slots.map((slot) => pool.start(slot)));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await pool.dispose();
      throw new ZkgpuError('WORKER_CRASHED', `a CPU worker failed to start: ${errorText(failed.reason)}`, {
        cause: failed.reason,
      });
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  /** Number of tasks waiting for a worker. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Queues `task` for the next free worker. Higher `priority` goes first, equal priorities in
   * arrival order: a prover puts its critical path (transforms, the quotient) ahead of the long
   * MSMs queued before it. A task already running is never preempted.
   */
  run<T>(task: PoolTask<T>, signal?: AbortSignal, priority = 0): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.disposed) return reject(new ZkgpuError('DISPOSED', 'the runtime has been disposed'));
      if (signal?.aborted) return reject(abortError(signal));
      const job: Job = {
        task: task as PoolTask<unknown>,
        priority,
        resolve: resolve as (v: unknown) => void,
        reject,
        signal,
        settled: false,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      const onAbort = () => this.abort(job);
      signal?.addEventListener('abort', onAbort, { once: true });
      const after = this.queue.findIndex((queued) => queued.priority < priority);
      this.queue.splice(after < 0 ? this.queue.length : after, 0, job);
      this.pump();
    });
  }

  /** Terminates every worker and rejects all queued and running tasks. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const error = new ZkgpuError('DISPOSED', 'the runtime was disposed while this task was pending');
    for (const job of this.queue.splice(0)) this.settle(job, error);
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.job) this.settle(slot.job, error);
        slot.job = undefined;
        const handle = slot.handle;
        slot.handle = undefined;
        slot.api = undefined;
        await handle?.terminate();
      }),
    );
  }

  /**
   * Copies `parts` into worker `workerIndex`'s staging buffer (shared memory, kept and reused) and
   * returns views of them there, to post to that worker in place of fresh copies. Why: a fresh
   * buffer costs its page faults on every task, ~5 ms per MB on the 2-core VMs measured here (a
   * 2^16 Groth16 proof posts ~34 MB), where a warm one copies at ~0.1 ms per MB. Call it only
   * from a task running on that worker: its next task overwrites the buffer. Null without shared
   * memory or above MAX_STAGING_BYTES (then copy and transfer).
   */
  stage(workerIndex: number, parts: readonly Uint8Array[]): Uint8Array[] | null {
    const aligned = (n: number) => (n + 15) & ~15;
    const total = parts.reduce((n, p) => n + aligned(p.length), 0);
    const slot = this.slots[workerIndex];
    if (!slot || total > MAX_STAGING_BYTES || !canShareMemory()) return null;
    if (!slot.staging || slot.staging.length < total) {
      // Grown in whole MiB steps with headroom, so a run of slightly larger inputs reallocates once.
      const size = Math.min(MAX_STAGING_BYTES, Math.ceil((total * 1.25) / (1 << 20)) << 20);
      slot.staging = new Uint8Array(new SharedArrayBuffer(size));
    }
    const staging = slot.staging;
    let at = 0;
    return parts.map((p) => {
      const view = staging.subarray(at, at + p.length);
      view.set(p);
      at += aligned(p.length);
      return view;
    });
  }

  /**
   * Per worker, the milliseconds it has spent running tasks since the pool started (the running
   * task counted up to now). Two readings around a piece of work give each worker's busy and
   * idle time in it (the Groth16 profile's per-worker idle column).
   */
  busyMs(): number[] {
    const now = performance.now();
    return this.slots.map((s) => s.busyMs + (s.busySince === null ? 0 : now - s.busySince));
  }

  /** Workers able to take a task now or soon (not failed at start-up). */
  get liveWorkers(): number {
    return this.slots.filter((s) => s.api || s.starting).length;
  }

  private async start(slot: Slot): Promise<void> {
    const generation = ++slot.generation;
    slot.starting = true;
    let handle: WorkerHandle | undefined;
    let api: Remote<CpuWorkerApi>;
    try {
      handle = await this.spawn();
      api = wrap<CpuWorkerApi>(handle.endpoint);
      const exited = new Promise<never>((_, reject) => {
        handle!.onExit((reason) => {
          reject(new Error(reason));
          this.onWorkerExit(slot, generation, reason);
        });
      });
      exited.catch(() => {});
      // A worker that dies during init would otherwise leave init() pending forever.
      await Promise.race([api.init(this.module), exited]);
    } catch (e) {
      await handle?.terminate();
      throw e;
    } finally {
      slot.starting = false;
    }
    if (this.disposed) {
      await handle.terminate();
      return;
    }
    handle.unref();
    slot.handle = handle;
    slot.api = api;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.api || slot.job) continue;
      const job = this.queue.shift()!;
      this.execute(slot, job);
    }
  }

  private execute(slot: Slot, job: Job): void {
    slot.job = job;
    slot.busySince = performance.now();
    slot.handle!.ref();
    const generation = slot.generation;
    job.task(slot.api!, slot.index).then(
      (value) => this.finish(slot, generation, job, () => job.resolve(value)),
      (error) => this.finish(slot, generation, job, () => job.reject(toZkgpuError(error, slot.index))),
    );
  }

  private finish(slot: Slot, generation: number, job: Job, settle: () => void): void {
    if (!job.settled) {
      job.settled = true;
      job.cleanup();
      settle();
    }
    if (slot.generation === generation && slot.job === job) {
      this.endBusy(slot);
      slot.job = undefined;
      slot.handle?.unref();
      this.pumpSoon();
    }
  }

  /**
   * pump() once the promise continuations of the task that just ended have run: a job's next
   * stage (a prover's quotient after its last transform) is queued, with its priority, before the
   * freed worker takes what was already waiting; pumping at once gave the worker to a long MSM
   * and left the critical path waiting for it. One macrotask per finished task (~0.1 ms).
   */
  private pumpSoon(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    afterMicrotasks(() => {
      this.pumpScheduled = false;
      if (!this.disposed) this.pump();
    });
  }

  private endBusy(slot: Slot): void {
    if (slot.busySince !== null) slot.busyMs += performance.now() - slot.busySince;
    slot.busySince = null;
  }

  private settle(job: Job, error: unknown): void {
    if (job.settled) return;
    job.settled = true;
    job.cleanup();
    job.reject(error);
  }

  private abort(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(job, abortError(job.signal));
      return;
    }
    const slot = this.slots.find((s) => s.job === job);
    this.settle(job, abortError(job.signal));
    // wasm cannot be interrupted: the only way to stop the work is to end the worker.
    if (slot) void this.replace(slot, 'aborted task', false);
  }

  private onWorkerExit(slot: Slot, generation: number, reason: string): void {
    if (this.disposed || slot.generation !== generation || slot.starting) return;
    if (slot.job) {
      this.settle(slot.job, new ZkgpuError('WORKER_CRASHED', `CPU worker ${slot.index} stopped while running a task (${reason})`));
    }
    void this.replace(slot, reason, true);
  }

  private async replace(slot: Slot, reason: string, crashed: boolean): Promise<void> {
    const old = slot.handle;
    this.endBusy(slot);
    slot.handle = undefined;
    slot.api = undefined;
    slot.job = undefined;
    slot.generation++;
    await old?.terminate().catch(() => {});
    if (this.disposed) return;
    let replaced = true;
    try {
      await this.start(slot);
    } catch {
      replaced = false; // a worker that cannot start is not retried; the pool shrinks
    }
    if (crashed) {
      this.dispatchEvent(new CustomEvent<WorkerExitDetail>('worker-exit', { detail: { worker: slot.index, reason, replaced } }));
    }
    if (this.liveWorkers === 0) {
      const error = new ZkgpuError('WORKER_CRASHED', 'no CPU worker is left to run tasks');
      for (const job of this.queue.splice(0)) this.settle(job, error);
    }
    this.pump();
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function toZkgpuError(e: unknown, worker: number): unknown {
  if (e instanceof ZkgpuError) return e;
  return new ZkgpuError('WASM_ERROR', `CPU worker ${worker}: ${errorText(e)}`, { cause: e });
}
