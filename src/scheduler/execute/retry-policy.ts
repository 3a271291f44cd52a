/**
 * The retry/failover policy: what the executor does with a chunk whose attempt failed, or whose
 * GPU is gone before it starts. Pure (no devices, no clocks, no events); the executor carries the
 * decision out. Vocabulary as in executor.ts: a chunk is a planned piece on one backend, an
 * attempt one try of it; "the workers" is the WASM worker pool, backend id 'wasm', which every
 * runtime has, so it is where every chunk that leaves a GPU goes.
 *
 * The rules, in the order they apply:
 * 1. A failure that is not the GPU's or a worker crash ('fatal': a kernel's own error on the
 *    workers, bad input, abort) rejects the job with the error as thrown.
 * 2. GPU out-of-memory halves a splittable chunk while the half stays at or above the floor; the
 *    halves retry on the same GPU, each with fresh attempts (a halving is not a failed try: its
 *    depth is bounded by log2(count / floor) instead).
 * 3. Without failover, an out-of-memory that cannot halve and a lost device reject with their GPU
 *    code; a pinned backend ('webgpu' asked for by name) rejects any other GPU error with
 *    GPU_ERROR. (A GPU error under 'auto' moves even with `failover: false`: that option is
 *    about losing the device or its memory, not about kernel errors.)
 * 4. A chunk tried `maxAttempts` times rejects the job with CHUNK_FAILED.
 * 5. A crashed worker's chunk retries on the workers (the pool has replaced the worker); any
 *    other GPU failure moves the chunk to the workers.
 */
import type { ZkgpuErrorCode } from '../../core/errors.js';
import { gpuErrorCode, type GpuErrorKind } from '../../gpu/errors.js';

/** A chunk is tried at most this often (a GPU attempt and its re-runs on the workers count alike). */
export const MAX_CHUNK_ATTEMPTS = 3;
/**
 * GPU out-of-memory halves a chunk until it is this small, then gives the chunk to the workers: at
 * 256 points a GPU MSM is all fixed cost (the CPU takes a few ms), so smaller halves gain nothing.
 */
export const OOM_FLOOR_ELEMENTS = 256;

/** What a failed attempt's error means to the policy (the executor's classification). */
export type FailureClass =
  /** The GPU device is gone (GpuError 'lost', GPU_DEVICE_LOST, or the device died meanwhile). */
  | 'device-lost'
  /** The GPU ran out of memory for this chunk. */
  | 'out-of-memory'
  /** Any other GPU failure (validation, internal, a GPU_* ZkgpuError, a plain Error). */
  | 'gpu-error'
  /** A worker died under the chunk (WORKER_CRASHED). */
  | 'worker-crashed'
  /** Not a fault to route around: rejects as thrown. */
  | 'fatal';

export interface FailedChunk {
  failure: FailureClass;
  /** Attempts made at this range, the failed one included (1-based). */
  attempts: number;
  /** The caller named the backend ('webgpu'): a GPU error that is not loss or OOM rejects. */
  pinned: boolean;
  /** Whether a lost device or an unrecoverable out-of-memory may move the chunk to the workers. */
  failover: boolean;
  /** False for an NTT: it cannot be halved. */
  splittable: boolean;
  /** Elements in the chunk. */
  count: number;
  /** Default OOM_FLOOR_ELEMENTS. */
  floor?: number;
  /** Default MAX_CHUNK_ATTEMPTS. */
  maxAttempts?: number;
}

export type RetryDecision =
  /** Run [offset, offset + first) then [offset + first, offset + count) on the same GPU. */
  | { action: 'halve'; first: number; second: number }
  /** Try again on the same backend (a crashed worker has been replaced). */
  | { action: 'retry' }
  /** Give the chunk to the workers (backend 'wasm'). */
  | { action: 'move-to-workers' }
  /**
   * Reject the job. `code`: 'as-thrown' rejects with the attempt's own error; a GPU code rejects
   * with the error turned into a ZkgpuError of that code (gpu/errors.ts toGpuZkgpuError, which
   * keeps a thrown ZkgpuError as it is); CHUNK_FAILED names the chunk and its attempts.
   */
  | { action: 'reject'; code: ZkgpuErrorCode | 'as-thrown' };

const GPU_KIND_OF: Partial<Record<FailureClass, GpuErrorKind>> = {
  'device-lost': 'lost',
  'out-of-memory': 'out-of-memory',
  'gpu-error': 'internal',
};

/** The size of the first half when a chunk of `count` elements is halved (the larger half). */
export function halfOf(count: number): number {
  return Math.ceil(count / 2);
}

export function decideRetry(f: FailedChunk): RetryDecision {
  const floor = f.floor ?? OOM_FLOOR_ELEMENTS;
  const maxAttempts = f.maxAttempts ?? MAX_CHUNK_ATTEMPTS;
  if (f.failure === 'fatal') return { action: 'reject', code: 'as-thrown' };
  if (f.failure === 'out-of-memory') {
    const half = halfOf(f.count);
    if (f.splittable && f.count > half && half >= floor) return { action: 'halve', first: half, second: f.count - half };
  }
  const gpuKind = GPU_KIND_OF[f.failure];
  if (gpuKind !== undefined) {
    const recoverable = f.failure === 'gpu-error' ? !f.pinned : f.failover;
    if (!recoverable) return { action: 'reject', code: gpuErrorCode(gpuKind) };
  }
  if (f.attempts >= maxAttempts) return { action: 'reject', code: 'CHUNK_FAILED' };
  return f.failure === 'worker-crashed' ? { action: 'retry' } : { action: 'move-to-workers' };
}

/**
 * What to do with a chunk planned on a GPU that is gone before its attempt starts (no device now,
 * lost earlier in this job, disposed): the workers take it, or, without failover, the job rejects.
 */
export function decideUnavailableGpu(failover: boolean): { action: 'move-to-workers' } | { action: 'reject'; code: 'GPU_DEVICE_LOST' } {
  return failover ? { action: 'move-to-workers' } : { action: 'reject', code: 'GPU_DEVICE_LOST' };
}

/**
 * Why a GPU backend cannot take a chunk now, or null when it can. `lostInJob`: this job already
 * saw the device lost (its remaining chunks leave it even when the runtime re-acquired a new one).
 */
export function unavailableReason(gpu: { lost: { message: string } | null; disposed: boolean } | null, lostInJob: boolean): string | null {
  if (!gpu) return 'this runtime has no GPU device';
  if (lostInJob) return 'the device was lost during this job';
  if (gpu.lost) return gpu.lost.message;
  if (gpu.disposed) return 'the GPU context was disposed';
  return null;
}

/**
 * Bytes a GPU's budget drops to after an out-of-memory on a chunk of `count` elements: later plans
 * keep chunks at its half. A chunk planned to share the device (`overlap`) had `chunksInFlight`
 * shares of the budget, so the budget is that many halves.
 */
export function budgetAfterOom(count: number, deviceBytesPerElement: number, overlap: boolean, chunksInFlight: number): number {
  return halfOf(count) * deviceBytesPerElement * (overlap ? chunksInFlight : 1);
}

/** The 'retry' event's reason for a decision that keeps the job going. */
export function retryReason(failure: FailureClass, decision: RetryDecision, message: string): string {
  if (decision.action === 'halve') return `GPU out of memory (${message}): halved to ${decision.first} + ${decision.second} elements`;
  const what: Record<FailureClass, string> = {
    'worker-crashed': 'worker crashed',
    'out-of-memory': 'GPU out of memory at the floor',
    'device-lost': 'GPU device lost',
    'gpu-error': 'GPU error',
    fatal: 'failed',
  };
  return `${what[failure]}: ${message}`;
}
