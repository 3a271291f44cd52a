/**
 * The retry/failover policy (scheduler/execute/retry-policy.ts) on its own: every branch of
 * decideRetry by example, the placement of a chunk whose GPU is gone, the budget an out-of-memory
 * leaves, the 'retry' reasons; then properties over all inputs (fast-check, seeded by
 * test/support/seed.ts): what each action may follow from, and that any run of failures ends.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gpuErrorCode } from '../../../../src/gpu/errors.js';
import {
  budgetAfterOom,
  decideRetry,
  decideUnavailableGpu,
  halfOf,
  MAX_CHUNK_ATTEMPTS,
  OOM_FLOOR_ELEMENTS,
  retryReason,
  unavailableReason,
  type FailedChunk,
  type FailureClass,
  type RetryDecision,
} from '../../../../src/scheduler/execute/retry-policy.js';
import '../../../support/seed.js';

/** A first failure of a 1000-element splittable chunk under 'auto' with failover. */
function failed(failure: FailureClass, extra: Partial<FailedChunk> = {}): FailedChunk {
  return { failure, attempts: 1, pinned: false, failover: true, splittable: true, count: 1000, ...extra };
}

const FAILURES: readonly FailureClass[] = ['device-lost', 'out-of-memory', 'gpu-error', 'worker-crashed', 'fatal'];

describe('decideRetry, branch by branch', () => {
  it("'fatal' rejects with the error as thrown, whatever the flags and attempts", () => {
    for (const pinned of [false, true]) {
      for (const failover of [false, true]) {
        for (const attempts of [1, MAX_CHUNK_ATTEMPTS, MAX_CHUNK_ATTEMPTS + 1]) {
          expect(decideRetry(failed('fatal', { pinned, failover, attempts }))).toEqual({ action: 'reject', code: 'as-thrown' });
        }
      }
    }
  });

  it('out-of-memory halves a splittable chunk (larger half first) while the half stays at or above the floor', () => {
    expect(decideRetry(failed('out-of-memory', { count: 1000 }))).toEqual({ action: 'halve', first: 500, second: 500 });
    expect(decideRetry(failed('out-of-memory', { count: 3001 }))).toEqual({ action: 'halve', first: 1501, second: 1500 });
    // The smallest chunk that still halves: its half is exactly the floor, the other one under it.
    expect(decideRetry(failed('out-of-memory', { count: 2 * OOM_FLOOR_ELEMENTS - 1 }))).toEqual({ action: 'halve', first: OOM_FLOOR_ELEMENTS, second: OOM_FLOOR_ELEMENTS - 1 });
    // One under that: the half would be under the floor, so the chunk goes to the workers whole.
    expect(decideRetry(failed('out-of-memory', { count: 2 * OOM_FLOOR_ELEMENTS - 2 }))).toEqual({ action: 'move-to-workers' });
    // A halving is not a failed try: it happens even at the last attempt and without failover.
    expect(decideRetry(failed('out-of-memory', { attempts: MAX_CHUNK_ATTEMPTS, failover: false }))).toEqual({ action: 'halve', first: 500, second: 500 });
    // A custom floor; and a one-element chunk never halves (its half is itself).
    expect(decideRetry(failed('out-of-memory', { count: 10, floor: 5 }))).toEqual({ action: 'halve', first: 5, second: 5 });
    expect(decideRetry(failed('out-of-memory', { count: 1, floor: 1 }))).toEqual({ action: 'move-to-workers' });
    expect(decideRetry(failed('out-of-memory', { count: 2, floor: 1 }))).toEqual({ action: 'halve', first: 1, second: 1 });
  });

  it('out-of-memory that cannot halve: to the workers with failover, GPU_OUT_OF_MEMORY without, CHUNK_FAILED at the last attempt', () => {
    const whole = { splittable: false };
    expect(decideRetry(failed('out-of-memory', whole))).toEqual({ action: 'move-to-workers' });
    expect(decideRetry(failed('out-of-memory', { ...whole, pinned: true }))).toEqual({ action: 'move-to-workers' });
    expect(decideRetry(failed('out-of-memory', { ...whole, failover: false }))).toEqual({ action: 'reject', code: 'GPU_OUT_OF_MEMORY' });
    // Without failover the GPU code wins over the attempt count.
    expect(decideRetry(failed('out-of-memory', { ...whole, failover: false, attempts: MAX_CHUNK_ATTEMPTS }))).toEqual({ action: 'reject', code: 'GPU_OUT_OF_MEMORY' });
    expect(decideRetry(failed('out-of-memory', { ...whole, attempts: MAX_CHUNK_ATTEMPTS }))).toEqual({ action: 'reject', code: 'CHUNK_FAILED' });
    expect(decideRetry(failed('out-of-memory', { count: 300, attempts: MAX_CHUNK_ATTEMPTS - 1 }))).toEqual({ action: 'move-to-workers' });
  });

  it('a lost device: to the workers with failover (pinned or not), GPU_DEVICE_LOST without, CHUNK_FAILED at the last attempt', () => {
    for (const pinned of [false, true]) {
      expect(decideRetry(failed('device-lost', { pinned }))).toEqual({ action: 'move-to-workers' });
      expect(decideRetry(failed('device-lost', { pinned, failover: false }))).toEqual({ action: 'reject', code: 'GPU_DEVICE_LOST' });
      expect(decideRetry(failed('device-lost', { pinned, failover: false, attempts: MAX_CHUNK_ATTEMPTS }))).toEqual({ action: 'reject', code: 'GPU_DEVICE_LOST' });
      expect(decideRetry(failed('device-lost', { pinned, attempts: MAX_CHUNK_ATTEMPTS }))).toEqual({ action: 'reject', code: 'CHUNK_FAILED' });
    }
  });

  it("another GPU error: to the workers under 'auto' (with or without failover), GPU_ERROR when pinned, CHUNK_FAILED at the last attempt", () => {
    for (const failover of [false, true]) {
      expect(decideRetry(failed('gpu-error', { failover }))).toEqual({ action: 'move-to-workers' });
      expect(decideRetry(failed('gpu-error', { failover, pinned: true }))).toEqual({ action: 'reject', code: 'GPU_ERROR' });
      expect(decideRetry(failed('gpu-error', { failover, pinned: true, attempts: MAX_CHUNK_ATTEMPTS }))).toEqual({ action: 'reject', code: 'GPU_ERROR' });
      expect(decideRetry(failed('gpu-error', { failover, attempts: MAX_CHUNK_ATTEMPTS }))).toEqual({ action: 'reject', code: 'CHUNK_FAILED' });
    }
  });

  it('a crashed worker retries on the workers until the last attempt, then CHUNK_FAILED; flags do not matter', () => {
    for (const pinned of [false, true]) {
      for (const failover of [false, true]) {
        for (let attempts = 1; attempts < MAX_CHUNK_ATTEMPTS; attempts++) {
          expect(decideRetry(failed('worker-crashed', { pinned, failover, attempts }))).toEqual({ action: 'retry' });
        }
        expect(decideRetry(failed('worker-crashed', { pinned, failover, attempts: MAX_CHUNK_ATTEMPTS }))).toEqual({ action: 'reject', code: 'CHUNK_FAILED' });
      }
    }
  });

  it('maxAttempts overrides MAX_CHUNK_ATTEMPTS', () => {
    expect(decideRetry(failed('worker-crashed', { attempts: 1, maxAttempts: 1 }))).toEqual({ action: 'reject', code: 'CHUNK_FAILED' });
    expect(decideRetry(failed('worker-crashed', { attempts: MAX_CHUNK_ATTEMPTS, maxAttempts: MAX_CHUNK_ATTEMPTS + 1 }))).toEqual({ action: 'retry' });
  });

  it("the GPU codes are the classification's (gpu/errors.ts)", () => {
    expect(decideRetry(failed('device-lost', { failover: false }))).toEqual({ action: 'reject', code: gpuErrorCode('lost') });
    expect(decideRetry(failed('out-of-memory', { failover: false, splittable: false }))).toEqual({ action: 'reject', code: gpuErrorCode('out-of-memory') });
    expect(decideRetry(failed('gpu-error', { pinned: true }))).toEqual({ action: 'reject', code: gpuErrorCode('internal') });
  });
});

describe('a chunk whose GPU is gone before its attempt', () => {
  it('unavailableReason names why, in order: no device, lost in this job, lost, disposed', () => {
    const ok = { lost: null, disposed: false };
    expect(unavailableReason(null, false)).toBe('this runtime has no GPU device');
    expect(unavailableReason(null, true)).toBe('this runtime has no GPU device');
    expect(unavailableReason(ok, true)).toBe('the device was lost during this job');
    expect(unavailableReason({ lost: { message: 'GPU device lost (destroyed): gone' }, disposed: true }, true)).toBe('the device was lost during this job');
    expect(unavailableReason({ lost: { message: 'GPU device lost (destroyed): gone' }, disposed: true }, false)).toBe('GPU device lost (destroyed): gone');
    expect(unavailableReason({ lost: null, disposed: true }, false)).toBe('the GPU context was disposed');
    expect(unavailableReason(ok, false)).toBeNull();
  });

  it('goes to the workers with failover, rejects GPU_DEVICE_LOST without', () => {
    expect(decideUnavailableGpu(true)).toEqual({ action: 'move-to-workers' });
    expect(decideUnavailableGpu(false)).toEqual({ action: 'reject', code: 'GPU_DEVICE_LOST' });
  });
});

describe('budgetAfterOom and retryReason', () => {
  it('the budget is the half (rounded up) times the bytes per element, times the chunks in flight for an overlapping chunk', () => {
    expect(budgetAfterOom(1000, 288, false, 2)).toBe(500 * 288);
    expect(budgetAfterOom(1000, 288, true, 2)).toBe(2 * 500 * 288);
    expect(budgetAfterOom(1001, 288, true, 3)).toBe(3 * 501 * 288);
    expect(budgetAfterOom(1, 64, false, 2)).toBe(64);
    expect(halfOf(7)).toBe(4);
    expect(halfOf(8)).toBe(4);
  });

  it('each failure that keeps the job going has its reason', () => {
    expect(retryReason('out-of-memory', { action: 'halve', first: 1000, second: 999 }, 'x')).toBe('GPU out of memory (x): halved to 1000 + 999 elements');
    expect(retryReason('out-of-memory', { action: 'move-to-workers' }, 'x')).toBe('GPU out of memory at the floor: x');
    expect(retryReason('device-lost', { action: 'move-to-workers' }, 'x')).toBe('GPU device lost: x');
    expect(retryReason('gpu-error', { action: 'move-to-workers' }, 'x')).toBe('GPU error: x');
    expect(retryReason('worker-crashed', { action: 'retry' }, 'x')).toBe('worker crashed: x');
  });
});

const anyFailedChunk = fc.record({
  failure: fc.constantFrom(...FAILURES),
  attempts: fc.integer({ min: 1, max: 6 }),
  pinned: fc.boolean(),
  failover: fc.boolean(),
  splittable: fc.boolean(),
  count: fc.integer({ min: 1, max: 1 << 22 }),
  floor: fc.integer({ min: 1, max: 4096 }),
  maxAttempts: fc.integer({ min: 1, max: 5 }),
});

describe('decideRetry, properties', () => {
  it('each action follows only from the failures that allow it', () => {
    fc.assert(
      fc.property(anyFailedChunk, (f) => {
        const d = decideRetry(f);
        switch (d.action) {
          case 'halve':
            expect(f.failure).toBe('out-of-memory');
            expect(f.splittable).toBe(true);
            expect(d.first + d.second).toBe(f.count);
            expect(d.first).toBeGreaterThanOrEqual(f.floor);
            // Both halves are at least the floor less one, and the first is the larger.
            expect(d.second).toBeGreaterThanOrEqual(f.floor - 1);
            expect(d.second).toBeGreaterThanOrEqual(1);
            expect(d.first - d.second).toBeGreaterThanOrEqual(0);
            expect(d.first - d.second).toBeLessThanOrEqual(1);
            break;
          case 'retry':
            expect(f.failure).toBe('worker-crashed');
            expect(f.attempts).toBeLessThan(f.maxAttempts);
            break;
          case 'move-to-workers':
            expect(['device-lost', 'out-of-memory', 'gpu-error']).toContain(f.failure);
            expect(f.attempts).toBeLessThan(f.maxAttempts);
            if (f.failure === 'gpu-error') expect(f.pinned).toBe(false);
            else expect(f.failover).toBe(true);
            break;
          case 'reject':
            if (d.code === 'as-thrown') expect(f.failure).toBe('fatal');
            else if (d.code === 'CHUNK_FAILED') expect(f.attempts).toBeGreaterThanOrEqual(f.maxAttempts);
            else expect(['GPU_DEVICE_LOST', 'GPU_OUT_OF_MEMORY', 'GPU_ERROR']).toContain(d.code);
            break;
        }
      }),
    );
  });

  it('at or past the last attempt nothing runs again on the same range (only a halving goes on)', () => {
    fc.assert(
      fc.property(anyFailedChunk, (f) => {
        fc.pre(f.attempts >= f.maxAttempts);
        expect(['halve', 'reject']).toContain(decideRetry(f).action);
      }),
    );
  });

  it('a chunk that fails every attempt ends in a rejection, after at most maxAttempts tries per piece', () => {
    // Simulates the executor: a GPU attempt fails with `onGpu`, an attempt on the workers with
    // `onWorkers`; a halving runs both halves (each with fresh attempts), a move goes to the
    // workers. The run must end in one rejection, with every piece tried at most maxAttempts times.
    const scenario = fc.record({
      onGpu: fc.constantFrom<FailureClass>('device-lost', 'out-of-memory', 'gpu-error', 'fatal'),
      onWorkers: fc.constantFrom<FailureClass>('worker-crashed', 'fatal'),
      pinned: fc.boolean(),
      failover: fc.boolean(),
      splittable: fc.boolean(),
      count: fc.integer({ min: 1, max: 1 << 16 }),
      floor: fc.integer({ min: 1, max: 1024 }),
      maxAttempts: fc.integer({ min: 1, max: 4 }),
    });
    fc.assert(
      fc.property(scenario, (s) => {
        let steps = 0;
        const run = (count: number): RetryDecision & { action: 'reject' } => {
          let onWorkers = false;
          for (let attempts = 1; ; attempts++) {
            steps++;
            expect(attempts).toBeLessThanOrEqual(s.maxAttempts);
            const d = decideRetry({ ...s, failure: onWorkers ? s.onWorkers : s.onGpu, attempts, count });
            if (d.action === 'reject') return d;
            if (d.action === 'halve') return run(d.first); // the first half fails the job already
            if (d.action === 'move-to-workers') onWorkers = true;
          }
        };
        const end = run(s.count);
        expect(end.action).toBe('reject');
        // Halvings stop at the floor: a bounded number of levels, each tried a bounded number of times.
        expect(steps).toBeLessThanOrEqual((Math.ceil(Math.log2(s.count + 1)) + 1) * s.maxAttempts);
      }),
    );
  });
});
