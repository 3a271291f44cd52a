/**
 * The executor (scheduler/execute/executor.ts) with fake kernels, no GPU or workers: element i is worth
 * i + 1, a chunk returns the sum of its elements, so the job's answer is n (n + 1) / 2 whatever
 * the split, the halvings or the retries. Covers lanes, progress, OOM halving and its floor,
 * crash retries up to CHUNK_FAILED, GPU errors under 'auto' and pinned, loss, and abort.
 */
import { describe, expect, it } from 'vitest';
import { isZkgpuError } from '../../../../src/core/errors.js';
import { GpuError, type GpuContext } from '../../../../src/gpu/context.js';
import { DeviceQueue } from '../../../../src/scheduler/execute/device-queue.js';
import {
  executeChunks,
  MAX_CHUNK_ATTEMPTS,
  OOM_FLOOR_ELEMENTS,
  type ExecChunk,
  type ExecEnv,
  type ExecJob,
  type Kernel,
  type ProgressDetail,
  type RetryDetail,
} from '../../../../src/scheduler/execute/executor.js';
import { SchedulerStats } from '../../../../src/scheduler/execute/stats.js';
import { ZkgpuError } from '../../../../src/core/errors.js';
import { rngFor } from '../../../support/seed.js';

const sum = (offset: number, count: number) => count * offset + (count * (count + 1)) / 2;

function fakeCtx(): GpuContext & { lose(): void } {
  let resolveLost: (v: unknown) => void = () => {};
  const ctx = {
    lost: null as null | { kind: 'lost'; message: string },
    disposed: false,
    timestamps: false,
    canTimestamp: false,
    gpuTimeNs: 0,
    device: { lost: new Promise((r) => (resolveLost = r)) },
    lose() {
      ctx.lost = { kind: 'lost', message: 'fake device lost' };
      resolveLost({ reason: 'destroyed' });
    },
  };
  return ctx as unknown as GpuContext & { lose(): void };
}

interface Harness {
  env: ExecEnv;
  events: { type: string; detail: unknown }[];
  budgets: number[];
  lost: string[];
  ctx: ReturnType<typeof fakeCtx>;
}

function harness(): Harness {
  const ctx = fakeCtx();
  const queue = new DeviceQueue();
  const h: Harness = {
    events: [],
    budgets: [],
    lost: [],
    ctx,
    env: {
      gpu: (id) => (id === 'webgpu' ? { ctx, queue } : null),
      deviceLost: (id) => h.lost.push(id),
      lowerGpuBudget: (_id, bytes) => h.budgets.push(bytes),
      stats: new SchedulerStats(),
      dispatch: (e) => h.events.push({ type: e.type, detail: (e as CustomEvent).detail }),
    },
  };
  return h;
}

function kernel(
  opts: { gpu?: (offset: number, count: number) => void | Promise<void>; wasm?: (offset: number, count: number, attempt: number) => void | Promise<void> } = {},
): Kernel<number> {
  return {
    splittable: true,
    gpu: async (_ctx, r) => {
      await opts.gpu?.(r.offset, r.count);
      return sum(r.offset, r.count);
    },
    wasm: async (r, _signal, a) => {
      await opts.wasm?.(r.offset, r.count, a.attempt);
      return sum(r.offset, r.count);
    },
    combine: async (parts) => parts.reduce((a, b) => a + b, 0),
    bytesIn: (count) => count * 96,
    bytesOut: 64,
    deviceBytesPerElement: 288,
  };
}

function job(n: number, extra: Partial<ExecJob> = {}): ExecJob {
  return { id: 1, stage: 'MSM test g1', n, pinned: false, failover: true, ...extra };
}

/** A random split of n over the two backends, in chunks. */
function randomChunks(name: string): { n: number; chunks: ExecChunk[] } {
  const rng = rngFor(name);
  const chunks: ExecChunk[] = [];
  let offset = 0;
  const parts = 1 + (rng.nextU32() % 8);
  for (let i = 0; i < parts; i++) {
    const count = 1 + (rng.nextU32() % 2000);
    const kind = rng.nextU32() % 2 === 0 ? 'wasm' : 'webgpu';
    chunks.push({ backend: kind, kind, offset, count });
    offset += count;
  }
  return { n: offset, chunks };
}

describe('executeChunks', () => {
  it('runs every chunk on its backend, adds the parts, and reports each chunk and its progress', async () => {
    for (let t = 0; t < 10; t++) {
      const h = harness();
      const { n, chunks } = randomChunks(`split-${t}`);
      const r = await executeChunks(h.env, job(n), chunks, kernel());
      expect(r.value).toBe(sum(0, n));
      expect(r.chunks.map((c) => [c.backend, c.offset, c.count, c.attempts])).toEqual(chunks.map((c) => [c.backend, c.offset, c.count, 1]));
      const progress = h.events.filter((e) => e.type === 'progress').map((e) => e.detail as ProgressDetail);
      expect(progress).toHaveLength(chunks.length);
      expect(progress.at(-1)!.done).toBe(n);
      const stats = h.env.stats.snapshot();
      expect(stats.devices.reduce((a, d) => a + d.bytesIn, 0)).toBe(n * 96);
      expect(stats.devices.reduce((a, d) => a + d.chunks, 0)).toBe(chunks.length);
    }
  });

  it('GPU out-of-memory halves down to the floor, lowers the budget, then moves to the workers', async () => {
    const h = harness();
    const limit = 700;
    const r = await executeChunks(
      h.env,
      job(3000),
      [{ backend: 'webgpu', kind: 'webgpu', offset: 0, count: 3000 }],
      kernel({
        gpu: (_o, count) => {
          if (count > limit) throw new GpuError('out-of-memory', 'fake OOM');
        },
      }),
    );
    expect(r.value).toBe(sum(0, 3000));
    expect(r.chunks.every((c) => c.backend === 'webgpu' && c.count <= limit)).toBe(true);
    expect(r.chunks.map((c) => c.count)).toEqual([375, 375, 375, 375, 375, 375, 375, 375]);
    expect(Math.min(...h.budgets)).toBe(375 * 288);

    const floor = harness();
    const all = await executeChunks(
      floor.env,
      job(1000, { pinned: true }),
      [{ backend: 'webgpu', kind: 'webgpu', offset: 0, count: 1000 }],
      kernel({
        gpu: () => {
          throw new GpuError('out-of-memory', 'fake OOM');
        },
      }),
    );
    expect(all.value).toBe(sum(0, 1000));
    expect(all.chunks.every((c) => c.backend === 'wasm' && c.count >= OOM_FLOOR_ELEMENTS / 2)).toBe(true);
    expect(all.fallback).toMatch(/fake OOM/);
    await expect(
      executeChunks(
        harness().env,
        job(300, { failover: false }),
        [{ backend: 'webgpu', kind: 'webgpu', offset: 0, count: 300 }],
        kernel({
          gpu: () => {
            throw new GpuError('out-of-memory', 'fake OOM');
          },
        }),
      ),
    ).rejects.toSatisfy((e) => isZkgpuError(e, 'GPU_OUT_OF_MEMORY'));
  });

  it('a crashed worker retries the chunk; MAX_CHUNK_ATTEMPTS crashes reject CHUNK_FAILED naming the chunk', async () => {
    const crash = () => {
      throw new ZkgpuError('WORKER_CRASHED', 'fake crash');
    };
    const h = harness();
    const chunks: ExecChunk[] = [
      { backend: 'wasm', kind: 'wasm', offset: 0, count: 10 },
      { backend: 'wasm', kind: 'wasm', offset: 10, count: 20 },
    ];
    const r = await executeChunks(h.env, job(30), chunks, kernel({ wasm: (o, _c, attempt) => (o === 10 && attempt < MAX_CHUNK_ATTEMPTS ? crash() : undefined) }));
    expect(r.value).toBe(sum(0, 30));
    expect(r.chunks.map((c) => c.attempts)).toEqual([1, MAX_CHUNK_ATTEMPTS]);
    const retries = h.events.filter((e) => e.type === 'retry').map((e) => e.detail as RetryDetail);
    expect(retries.map((x) => [x.chunk, x.attempt, x.from, x.to])).toEqual([
      [1, 1, 'wasm', 'wasm'],
      [1, 2, 'wasm', 'wasm'],
    ]);
    await expect(executeChunks(harness().env, job(30), chunks, kernel({ wasm: (o) => (o === 10 ? crash() : undefined) }))).rejects.toSatisfy(
      (e) => isZkgpuError(e, 'CHUNK_FAILED') && /MSM test g1: chunk #1 of 2 \(offset 10, count 20\) failed 3 times/.test((e as Error).message),
    );
  });

  it("a GPU error moves the chunk under 'auto' and rejects when pinned; a lost device moves in-flight and later chunks", async () => {
    const chunks: ExecChunk[] = [0, 1, 2].map((i) => ({ backend: 'webgpu', kind: 'webgpu', offset: i * 100, count: 100 }));
    const broken = kernel({
      gpu: () => {
        throw new GpuError('internal', 'fake kernel bug');
      },
    });
    const auto = await executeChunks(harness().env, job(300), chunks, broken);
    expect(auto.value).toBe(sum(0, 300));
    expect(auto.chunks.every((c) => c.backend === 'wasm')).toBe(true);
    await expect(executeChunks(harness().env, job(300, { pinned: true }), chunks, broken)).rejects.toSatisfy((e) => isZkgpuError(e, 'GPU_ERROR'));

    const h = harness();
    const r = await executeChunks(
      h.env,
      job(300, { pinned: true }),
      chunks,
      kernel({
        gpu: (offset) => {
          if (offset === 100) {
            h.ctx.lose();
            throw new GpuError('lost', 'fake loss');
          }
        },
      }),
    );
    expect(r.value).toBe(sum(0, 300));
    expect(r.chunks.map((c) => [c.backend, c.attempts])).toEqual([
      ['webgpu', 1],
      ['wasm', 2],
      ['wasm', 1],
    ]);
    expect(h.lost).toEqual(['webgpu']);
  });

  it('abort rejects at once, with a GPU chunk running and others queued, and queued ones never start', async () => {
    const h = harness();
    const ac = new AbortController();
    const started: number[] = [];
    let release: () => void = () => {};
    const hang = new Promise<void>((r) => (release = r));
    const chunks: ExecChunk[] = [0, 1, 2].map((i) => ({ backend: 'webgpu', kind: 'webgpu', offset: i * 10, count: 10 }));
    const run = executeChunks(
      h.env,
      job(30, { signal: ac.signal }),
      chunks,
      kernel({
        gpu: async (offset) => {
          started.push(offset);
          await hang;
        },
      }),
    );
    await new Promise((r) => setTimeout(r, 10));
    ac.abort(new Error('stop'));
    await expect(run).rejects.toSatisfy((e) => isZkgpuError(e, 'ABORTED'));
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toEqual([0]);

    const q = new DeviceQueue();
    const a2 = new AbortController();
    const first = q.run(() => new Promise((r) => setTimeout(() => r('first'), 20)));
    const queued = q.run(async () => 'never', a2.signal);
    a2.abort();
    await expect(queued).rejects.toSatisfy((e) => isZkgpuError(e, 'ABORTED'));
    expect(q.pending).toBe(0);
    expect(await first).toBe('first');
  });

  it('a job whose signal is already aborted rejects ABORTED, runs nothing, and leaves no unhandled rejection', async () => {
    const h = harness();
    const ac = new AbortController();
    ac.abort(new Error('cancelled while planning'));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const started: number[] = [];
      const chunks: ExecChunk[] = [0, 1].map((i) => ({ backend: 'wasm', kind: 'wasm', offset: i * 10, count: 10 }));
      await expect(executeChunks(h.env, job(20, { signal: ac.signal }), chunks, kernel({ wasm: (offset) => void started.push(offset) }))).rejects.toSatisfy((e) =>
        isZkgpuError(e, 'ABORTED'),
      );
      await new Promise((r) => setTimeout(r, 20));
      expect(started).toEqual([]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
