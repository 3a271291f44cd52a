/**
 * Faults as events (lavapipe + 2 workers): GPU out-of-memory halving (injected: lavapipe
 * over-commits, so a real one cannot be provoked), a worker crash mid-chunk, a chunk that fails
 * every attempt, abort, and the GPU device destroyed mid-job, pinned and 'auto', with and without
 * failover, then re-acquired. Every job that resolves is checked against the BigInt reference.
 *
 * The hooks come through createRuntime's test-only `faultInjection` option (scheduler/execute/executor.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from 'webgpu';
import {
  createRuntime,
  isZkgpuError,
  type DeviceLostDetail,
  type DeviceReacquiredDetail,
  type JobReport,
  type RetryDetail,
  type Runtime,
  type RuntimeOptions,
} from '../../../../src/index.js';
import { GpuError } from '../../../../src/gpu/context.js';
import type { FaultInjection } from '../../../../src/scheduler/execute/executor.js';
import { OOM_FLOOR_ELEMENTS } from '../../../../src/scheduler/execute/executor.js';
import { SEED } from '../../../support/seed.js';
import { BN254_G1_DEVICE_BYTES, progressionCase } from '../../../support/msm-inputs.js';

/** The hooks of the test running now (the runtime keeps the one object). */
let hooks: FaultInjection = {};
const faultInjection: FaultInjection = {
  gpuChunk: (info) => hooks.gpuChunk?.(info),
  workerTask: (info) => hooks.workerTask?.(info),
};

let runtime: Runtime;
const events: { type: string; detail: unknown }[] = [];
beforeAll(async () => {
  runtime = await createRuntime({ threads: 2, faultInjection } as RuntimeOptions);
  if (!runtime.gpu) throw new Error('no WebGPU adapter: the scheduler suites need one (lavapipe works; XDG_RUNTIME_DIR=/tmp)');
  console.log(`[faults] ${runtime.gpu.description} seed ${SEED}`);
  for (const type of ['retry', 'device-lost', 'device-reacquired', 'worker-exit']) {
    runtime.addEventListener(type, (e) => events.push({ type, detail: (e as CustomEvent).detail }));
  }
  const warm = progressionCase('bn254', 64, 'warm');
  await runtime.msm({ curve: 'bn254', group: 'g1', points: warm.points, scalars: warm.scalars, backend: 'webgpu' });
}, 300_000);
afterAll(() => runtime?.dispose());

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function take(type: string): unknown[] {
  const out = events.filter((e) => e.type === type).map((e) => e.detail);
  return out;
}

async function msm(rt: Runtime, name: string, n: number, extra: { backend?: 'webgpu' | 'wasm' | 'auto'; failover?: boolean; signal?: AbortSignal } = {}) {
  const c = progressionCase('bn254', n, name);
  let report: JobReport | undefined;
  const out = await rt.msm({ curve: 'bn254', group: 'g1', points: c.points, scalars: c.scalars, ...extra, onReport: (r) => (report = r) });
  expect(hex(out), `${name}: the MSM equals the reference`).toBe(hex(c.expected));
  return report!;
}

describe('scheduler: faults are events', () => {
  it('GPU out-of-memory halves the chunk, retries on the GPU, and lowers the budget later plans use', async () => {
    events.length = 0;
    hooks = {
      gpuChunk: ({ count }) => {
        if (count > 600) throw new GpuError('out-of-memory', `injected: ${count} points do not fit`);
      },
    };
    const report = await msm(runtime, 'oom-halve', 2000, { backend: 'webgpu' });
    expect(report.chunks.map((c) => [c.backend, c.offset, c.count])).toEqual([
      ['webgpu', 0, 500],
      ['webgpu', 500, 500],
      ['webgpu', 1000, 500],
      ['webgpu', 1500, 500],
    ]);
    expect(report.fallback).toBeUndefined();
    const retries = take('retry') as RetryDetail[];
    expect(retries.map((r) => [r.offset, r.count, r.from, r.to])).toEqual([
      [0, 2000, 'webgpu', 'webgpu'],
      [0, 1000, 'webgpu', 'webgpu'],
      [1000, 1000, 'webgpu', 'webgpu'],
    ]);
    expect(retries.every((r) => /out of memory.*halved/.test(r.reason))).toBe(true);
    // The budget learned from the failure: no GPU chunk over 500 points now.
    const p = await runtime.plan({ op: 'msm', curve: 'bn254', group: 'g1', n: 4000, backend: 'webgpu' });
    expect(Math.max(...p.chunks.map((c) => c.count))).toBeLessThanOrEqual(500);
    expect(Math.max(...p.chunks.map((c) => c.deviceBytes))).toBeLessThanOrEqual(500 * BN254_G1_DEVICE_BYTES);
  });

  it('at the floor the chunk goes to the workers (and with failover: false the job rejects GPU_OUT_OF_MEMORY)', async () => {
    events.length = 0;
    hooks = {
      gpuChunk: () => {
        throw new GpuError('out-of-memory', 'injected: nothing fits');
      },
    };
    const n = 2 * OOM_FLOOR_ELEMENTS + 100; // halves once (306 + 306), then each half is under 2 x floor
    const report = await msm(runtime, 'oom-floor', n, { backend: 'webgpu' });
    expect(report.chunks.map((c) => [c.backend, c.count])).toEqual([
      ['wasm', 306],
      ['wasm', 306],
    ]);
    expect(report.backend).toBe('wasm');
    expect(report.fallback?.error).toMatch(/nothing fits/);
    const retries = take('retry') as RetryDetail[];
    expect(retries.filter((r) => r.to === 'wasm')).toHaveLength(2);
    await expect(msm(runtime, 'oom-no-failover', 300, { backend: 'webgpu', failover: false })).rejects.toSatisfy((e) => isZkgpuError(e, 'GPU_OUT_OF_MEMORY'));
    hooks = {};
  });

  it('a worker that crashes mid-chunk: the chunk re-runs on another worker, the worker is replaced', async () => {
    events.length = 0;
    let crashed = false;
    hooks = {
      workerTask: ({ crash, attempt }) => {
        if (attempt === 1 && !crashed) {
          crashed = true;
          crash();
        }
      },
    };
    const before = runtime.stats().devices.find((d) => d.id === 'wasm')!;
    const report = await msm(runtime, 'crash-once', 3000, { backend: 'wasm' });
    hooks = {};
    expect(crashed).toBe(true);
    expect(report.chunks).toHaveLength(1);
    expect(report.chunks[0].attempts).toBe(2);
    const retries = take('retry') as RetryDetail[];
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ from: 'wasm', to: 'wasm', attempt: 1, offset: 0, count: 3000 });
    expect(retries[0].reason).toMatch(/worker crashed/);
    // The pool reports the replacement once it has started.
    await expect.poll(() => take('worker-exit').length).toBe(1);
    expect(take('worker-exit')[0]).toMatchObject({ replaced: true });
    const after = runtime.stats().devices.find((d) => d.id === 'wasm')!;
    expect(after.failures).toBe(before.failures + 1);
  });

  it('a chunk that fails every attempt rejects with CHUNK_FAILED naming the stage and the chunk', async () => {
    hooks = { workerTask: ({ crash }) => crash() };
    const err = await msm(runtime, 'crash-always', 1000, { backend: 'wasm' }).catch((e) => e);
    hooks = {};
    expect(isZkgpuError(err, 'CHUNK_FAILED')).toBe(true);
    expect(err.message).toMatch(/MSM bn254 g1: chunk #0 of 1 \(offset 0, count 1000\) failed 3 times/);
    // The pool replaced its workers: the runtime still works.
    await expect.poll(() => runtime.stats().devices.find((d) => d.id === 'wasm')!.failures).toBeGreaterThanOrEqual(3);
    await msm(runtime, 'after-crashes', 500, { backend: 'wasm' });
  });

  it('abort rejects ABORTED promptly while GPU chunks are queued, and the queue keeps working', async () => {
    const rt = await createRuntime({ threads: 2, maxGpuBytes: 2 * 64 * BN254_G1_DEVICE_BYTES }); // 64-point chunks, two in flight
    try {
      const c = progressionCase('bn254', 640, 'abort');
      const ac = new AbortController();
      let t0 = 0;
      rt.addEventListener(
        'progress',
        () => {
          t0 = performance.now();
          ac.abort(new Error('enough'));
        },
        { once: true },
      );
      await expect(rt.msm({ curve: 'bn254', group: 'g1', points: c.points, scalars: c.scalars, backend: 'webgpu', signal: ac.signal })).rejects.toSatisfy((e) =>
        isZkgpuError(e, 'ABORTED'),
      );
      console.log(`[faults] aborted after the first of 10 GPU chunks: rejected ${(performance.now() - t0).toFixed(0)} ms after the abort`);
      await msm(rt, 'after-abort', 100, { backend: 'webgpu' });
    } finally {
      await rt.dispose();
    }
  });

  it("the device destroyed mid-job ('auto'): the job finishes on the workers, 'device-lost', then a new device", async () => {
    events.length = 0;
    const rt = await createRuntime({ threads: 2, backends: ['webgpu', 'wasm'], maxGpuBytes: 500 * BN254_G1_DEVICE_BYTES, faultInjection } as RuntimeOptions);
    const seen: { type: string; detail: unknown }[] = [];
    for (const type of ['retry', 'device-lost', 'device-reacquired']) rt.addEventListener(type, (e) => seen.push({ type, detail: (e as CustomEvent).detail }));
    try {
      const reacquired = new Promise<DeviceReacquiredDetail>((res) => rt.addEventListener('device-reacquired', (e) => res((e as CustomEvent).detail), { once: true }));
      // Destroyed while the first GPU chunk runs: after the kernel has started submitting.
      hooks = {
        gpuChunk: ({ device, attempt }) => {
          if (attempt === 1) setTimeout(() => device.destroy(), 5);
        },
      };
      const report = await msm(rt, 'lost-auto', 12000);
      hooks = {};
      expect(report.fallback).toBeDefined();
      expect(report.chunks.some((c) => c.backend === 'wasm')).toBe(true);
      const lost = seen.filter((e) => e.type === 'device-lost').map((e) => e.detail as DeviceLostDetail);
      expect(lost).toHaveLength(1);
      expect(lost[0]).toMatchObject({ device: 'webgpu', reacquire: true });
      expect((await reacquired).ok).toBe(true);
      // The new device serves later jobs.
      const next = await msm(rt, 'after-reacquire', 300, { backend: 'webgpu' });
      expect(next.backend).toBe('webgpu');
      expect(next.fallback).toBeUndefined();
    } finally {
      hooks = {};
      await rt.dispose();
    }
  });

  it("pinned 'webgpu': a device lost mid-chunk fails over to the workers; with failover: false it rejects GPU_DEVICE_LOST", async () => {
    events.length = 0;
    // Destroyed as chunk 1 starts computing, so that chunk's own GPU attempt fails (in flight). Chunk
    // 2 was uploaded beside chunk 1's compute (device-queue.ts), so it was in flight too: its GPU
    // attempt fails and it re-runs on the workers as attempt 2.
    hooks = {
      gpuChunk: ({ device, chunk }) => {
        if (chunk === 1) device.destroy();
      },
    };
    const rt = await createRuntime({ threads: 2, maxGpuBytes: 2 * 100 * BN254_G1_DEVICE_BYTES, faultInjection } as RuntimeOptions); // 100-point chunks
    const reacquired = new Promise<void>((res) => rt.addEventListener('device-reacquired', () => res(), { once: true }));
    try {
      const report = await msm(rt, 'lost-pinned', 300, { backend: 'webgpu' });
      expect(report.chunks.map((c) => [c.backend, c.offset, c.attempts])).toEqual([
        ['webgpu', 0, 1],
        ['wasm', 100, 2],
        ['wasm', 200, 2],
      ]);
      expect(report.fallback?.from).toBe('webgpu');
      await reacquired;
    } finally {
      hooks = {};
      await rt.dispose();
    }

    // A caller-given device: never replaced; failover: false rejects.
    // Dawn aborts the process if its GPU object is collected while a device lives: keep `gpu` referenced.
    const gpu = create([]);
    const device = await (await gpu.requestAdapter())!.requestDevice();
    const given = await createRuntime({ threads: 2, gpu: device, faultInjection } as RuntimeOptions);
    const lost: DeviceLostDetail[] = [];
    given.addEventListener('device-lost', (e) => lost.push((e as CustomEvent).detail));
    hooks = { gpuChunk: ({ device: d }) => d.destroy() };
    try {
      const err = await msm(given, 'lost-no-failover', 200, { backend: 'webgpu', failover: false }).catch((e) => e);
      expect(isZkgpuError(err, 'GPU_DEVICE_LOST')).toBe(true);
      expect(lost).toMatchObject([{ device: 'webgpu', reacquire: false }]);
      hooks = {};
      const after = await msm(given, 'given-after-loss', 200);
      expect(after.backend).toBe('wasm');
    } finally {
      hooks = {};
      await given.dispose();
      void gpu;
    }
  });
});
