/// <reference types="@webgpu/types" />
/**
 * The executor's contract (executor.ts has the vocabulary): what it is given (a job, its planned
 * chunks, a Kernel, an ExecEnv), what it returns (ExecResult, ChunkReport), the events it dispatches
 * (ExecutorEventMap, for the runtime's typed event map) and the test-only fault hooks.
 */
import type { GpuContext } from '../../gpu/context.js';
import type { StagedGpu } from '../../gpu/runner.js';
import type { DeviceQueue } from './device-queue.js';
import type { SchedulerStats } from './stats.js';

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

/** One finished chunk of a job, as its JobReport lists it. */
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
  /** The job's id. */
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
  /**
   * Called with a GPU attempt's result before it is used: what it returns replaces the result (a
   * silent device fault: a well-formed but wrong answer, for the checks downstream to catch).
   */
  gpuResult?(info: ChunkAttempt, result: unknown): unknown;
  /** Called inside each try of a runtime.runOnWorker task (runtime/worker-task.ts), before the task: `crash()` ends that worker. */
  workerOnlyTask?(info: { stage: string; attempt: number; crash(): void }): void | Promise<void>;
}

export interface Kernel<T> {
  /** False for an NTT: it cannot be halved, so GPU out-of-memory sends it to the workers whole. */
  splittable: boolean;
  gpu(ctx: GpuContext, range: ChunkRange, signal: AbortSignal | undefined): Promise<T>;
  /**
   * `gpu` in two steps: upload the chunk's inputs, then `run` computes. When given, the device
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

/** A GPU backend as the runtime holds it now: its context and its device queue. */
export interface GpuHandle {
  ctx: GpuContext;
  queue: DeviceQueue;
}

export interface ExecEnv {
  /** The device behind a GPU backend id now, or null when the runtime has none. */
  gpu(id: string): GpuHandle | null;
  /** Every GPU backend id of the runtime, in order (where a lost device's chunks may go next). */
  gpuIds?(): readonly string[];
  /** A chunk saw the device gone (the runtime reports it once per device and may re-acquire). */
  deviceLost(id: string, ctx: GpuContext, message: string): void;
  /** An out-of-memory: later plans keep the device's budget (all chunks in flight) under `bytes`. */
  lowerGpuBudget(id: string, bytes: number): void;
  stats: SchedulerStats;
  /** Receives the executor's events (ExecutorEventMap), to re-dispatch on the runtime. */
  dispatch(event: Event): void;
  faults?: FaultInjection;
}

export interface ExecJob {
  id: number;
  /** The job's label in errors: "MSM bn254 g1", "NTT bn254" (see the vocabulary above). */
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

/** Detail of 'progress': a chunk finished. */
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

/** Detail of 'retry': an attempt failed and the chunk runs again. */
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

/** The events the executor dispatches (through ExecEnv.dispatch, as CustomEvents) and their details. */
export interface ExecutorEventMap {
  progress: ProgressDetail;
  retry: RetryDetail;
}
