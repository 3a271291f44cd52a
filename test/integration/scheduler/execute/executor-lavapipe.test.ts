/**
 * The scheduler executing plans on lavapipe + 2 workers: an MSM split between the GPU and the
 * workers, many small chunks under a tiny GPU or host budget, concurrent jobs interleaving in the
 * device queue, progress events, stats counters, and NTTs through the same path. Every result is
 * checked against the BigInt reference (src/math); the seed is logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type JobReport, type ProgressDetail, type Runtime } from '../../../../src/index.js';
import { CURVES, decodeScalars, encodePoint, encodeScalars, msmNaive, nttReference } from '../../../../src/math/index.js';
import { rngFor, SEED } from '../../../support/seed.js';
import { BN254_G1_DEVICE_BYTES, progressionCase } from '../../../support/msm-inputs.js';

let runtime: Runtime;
beforeAll(async () => {
  // An explicit list naming 'webgpu' lets the software adapter share 'auto' jobs.
  runtime = await createRuntime({ threads: 2, backends: ['webgpu', 'wasm'] });
  if (!runtime.gpu) throw new Error('no WebGPU adapter: the scheduler suites need one (lavapipe works; XDG_RUNTIME_DIR=/tmp)');
  console.log(`[scheduler] ${runtime.gpu.description} seed ${SEED}`);
  // lavapipe compiles the MSM pipelines at the first dispatch (seconds): pay it here.
  const warm = progressionCase('bn254', 64, 'warm');
  await runtime.msm({ curve: 'bn254', group: 'g1', points: warm.points, scalars: warm.scalars, backend: 'webgpu' });
}, 300_000);
afterAll(() => runtime?.dispose());

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Reports and progress events of the calls made inside `fn`. */
async function observe<T>(rt: Runtime, fn: () => Promise<T>): Promise<{ out: T; reports: JobReport[]; progress: ProgressDetail[] }> {
  const reports: JobReport[] = [];
  const progress: ProgressDetail[] = [];
  const onJob = (e: Event) => reports.push((e as Event & { report: JobReport }).report);
  const onProgress = (e: Event) => progress.push((e as CustomEvent<ProgressDetail>).detail);
  rt.addEventListener('job', onJob);
  rt.addEventListener('progress', onProgress);
  try {
    return { out: await fn(), reports, progress };
  } finally {
    rt.removeEventListener('job', onJob);
    rt.removeEventListener('progress', onProgress);
  }
}

function expectCovers(report: JobReport, n: number): void {
  let next = 0;
  for (const c of report.chunks) {
    expect(c.offset).toBe(next);
    expect(c.count).toBeGreaterThan(0);
    expect(c.attempts).toBeGreaterThanOrEqual(1);
    expect(c.ms).toBeGreaterThanOrEqual(0);
    next += c.count;
  }
  expect(next).toBe(n);
}

describe('scheduler: executing plans', () => {
  it("'auto' with backends [webgpu, wasm] splits an MSM between the GPU and the workers; the sum equals the reference", async () => {
    const n = 8192;
    const c = progressionCase('bn254', n, 'split');
    const before = runtime.stats();
    const { out, reports } = await observe(runtime, () => runtime.msm({ curve: 'bn254', group: 'g1', points: c.points, scalars: c.scalars }));
    expect(hex(out)).toBe(hex(c.expected));
    const [report] = reports;
    expect(new Set(report.chunks.map((x) => x.backend))).toEqual(new Set(['webgpu', 'wasm']));
    expectCovers(report, n);
    expect(report.reason).toMatch(/split/);
    expect(report.adapter?.description).toBe(runtime.gpu?.description);
    expect(report.threads).toBe(2);
    // The report names the engine that did most of the elements.
    const onGpu = report.chunks.filter((x) => x.backend === 'webgpu').reduce((a, x) => a + x.count, 0);
    expect(report.backend).toBe(onGpu > n - onGpu ? 'webgpu' : 'wasm');

    // Stats: both devices ran a chunk, and the bytes handed over are exactly the job's input.
    const after = runtime.stats();
    const dev = (s: typeof after, id: string) => s.devices.find((d) => d.id === id)!;
    expect(after.jobs).toBe(before.jobs + 1);
    let bytesIn = 0;
    for (const id of ['webgpu', 'wasm']) {
      expect(dev(after, id).chunks).toBeGreaterThan(dev(before, id).chunks);
      expect(dev(after, id).busyMs).toBeGreaterThan(dev(before, id).busyMs);
      expect(dev(after, id).bytesOut - dev(before, id).bytesOut).toBe(64 * report.chunks.filter((x) => x.backend === id).length);
      expect(dev(after, id).utilisation).toBeGreaterThan(0);
      expect(dev(after, id).utilisation).toBeLessThanOrEqual(1);
      expect(dev(after, id).failures).toBe(dev(before, id).failures);
      bytesIn += dev(after, id).bytesIn - dev(before, id).bytesIn;
    }
    expect(bytesIn).toBe(n * (64 + 32));
  });

  it('a tiny GPU budget gives a many-chunk plan, every chunk within it, progress per chunk, and the msmNaive answer', async () => {
    // The device holds two chunks at once (the next uploads while one computes): 100 points each.
    const maxGpuBytes = 2 * 100 * BN254_G1_DEVICE_BYTES;
    const rt = await createRuntime({ threads: 2, maxGpuBytes });
    try {
      const n = 450;
      const c = progressionCase('bn254', n, 'tiny-gpu');
      const planned = await rt.plan({ op: 'msm', curve: 'bn254', group: 'g1', n, backend: 'webgpu' });
      expect(planned.chunks.length).toBe(5);
      for (const chunk of planned.chunks) expect(2 * chunk.deviceBytes).toBeLessThanOrEqual(maxGpuBytes);
      expect(planned.chunks.every((x) => x.overlap)).toBe(true);
      const { out, reports, progress } = await observe(rt, () => rt.msm({ curve: 'bn254', group: 'g1', points: c.points, scalars: c.scalars, backend: 'webgpu' }));
      expect(hex(out)).toBe(hex(encodePoint('bn254', 'g1', msmNaive('bn254', 'g1', c.pointList, c.scalarList))));
      const [report] = reports;
      expect(report.backend).toBe('webgpu');
      expect(report.chunks.map((x) => [x.backend, x.offset, x.count])).toEqual(planned.chunks.map((x) => ['webgpu', x.offset, x.count]));
      expect(progress.map((p) => p.chunk)).toEqual([0, 1, 2, 3, 4]);
      expect(progress.map((p) => p.done)).toEqual([90, 180, 270, 360, 450]);
      expect(progress.every((p) => p.job === report.id && p.chunks === 5 && p.n === n && p.backend === 'webgpu')).toBe(true);
    } finally {
      await rt.dispose();
    }
  });

  it('a tiny host budget splits a wasm MSM into chunks within it', async () => {
    // Without a GPU the workers get the whole host budget; a BN254 G1 point costs 5 x 96 B there.
    const maxHostBytes = 300 * 5 * 96;
    const rt = await createRuntime({ threads: 2, maxHostBytes, gpu: false });
    try {
      const n = 1000;
      const c = progressionCase('bn254', n, 'tiny-host');
      const planned = await rt.plan({ op: 'msm', curve: 'bn254', group: 'g1', n, backend: 'wasm' });
      for (const chunk of planned.chunks) expect(chunk.hostBytes).toBeLessThanOrEqual(maxHostBytes);
      expect(planned.chunks.length).toBe(4);
      const { out, reports } = await observe(rt, () => rt.msm({ curve: 'bn254', group: 'g1', points: c.points, scalars: c.scalars }));
      expect(hex(out)).toBe(hex(c.expected));
      expect(reports[0].chunks.length).toBe(planned.chunks.length);
      expectCovers(reports[0], n);
    } finally {
      await rt.dispose();
    }
  });

  it('four concurrent MSMs on mixed backends all finish right, and their GPU chunks interleave (none starves)', async () => {
    const rt = await createRuntime({ threads: 2, maxGpuBytes: 2 * 128 * BN254_G1_DEVICE_BYTES, backends: ['webgpu', 'wasm'] });
    try {
      const cases = [
        { c: progressionCase('bn254', 640, 'conc-a'), backend: 'webgpu' as const },
        { c: progressionCase('bn254', 640, 'conc-b'), backend: 'webgpu' as const },
        { c: progressionCase('bn254', 6000, 'conc-c'), backend: 'auto' as const },
        { c: progressionCase('bn254', 3000, 'conc-d'), backend: 'wasm' as const },
      ];
      const { out, reports, progress } = await observe(rt, () =>
        Promise.all(cases.map(({ c, backend }) => rt.msm({ curve: 'bn254', group: 'g1', points: c.points, scalars: c.scalars, backend }))),
      );
      out.forEach((o, i) => expect(hex(o), `job ${i}`).toBe(hex(cases[i].c.expected)));
      expect(reports).toHaveLength(4);
      // The device queue's order: every job with several GPU chunks has its first one done before
      // any such job's last (a FIFO fed whole jobs would run one job's five chunks back to back).
      const gpuEvents = progress.filter((p) => p.backend === 'webgpu');
      const order = gpuEvents.map((p) => p.job);
      console.log(`[scheduler] GPU chunk order by job: ${order.join(' ')}`);
      const jobs = [...new Set(order)].filter((j) => order.filter((x) => x === j).length > 1);
      expect(jobs.length).toBeGreaterThanOrEqual(2);
      const firsts = jobs.map((j) => gpuEvents.findIndex((p) => p.job === j));
      const lasts = jobs.map((j) => gpuEvents.map((p) => p.job).lastIndexOf(j));
      expect(Math.max(...firsts)).toBeLessThan(Math.min(...lasts));
    } finally {
      await rt.dispose();
    }
  });

  it('NTTs run whole on one backend through the same path: one chunk in the report, one progress event', async () => {
    const n = 1 << 10;
    const rng = rngFor('ntt');
    const xs = Array.from({ length: n }, () => rng.nextBigInt(CURVES.bn254.r));
    for (const backend of ['webgpu', 'wasm'] as const) {
      const { out, reports, progress } = await observe(runtime, () => runtime.ntt({ curve: 'bn254', values: encodeScalars(xs), backend }));
      expect(decodeScalars(out)).toEqual(nttReference('bn254', xs, {}));
      expect(reports[0].backend).toBe(backend);
      const timing = backend === 'webgpu' ? { timing: expect.objectContaining({ uploadStart: expect.any(Number), computeEnd: expect.any(Number) }) } : {};
      expect(reports[0].chunks).toEqual([{ backend, offset: 0, count: n, ms: expect.any(Number), attempts: 1, ...timing }]);
      expect(progress.map((p) => [p.chunk, p.chunks, p.done])).toEqual([[0, 1, n]]);
    }
  });

  it("the default 'auto' keeps a software adapter and small jobs off the GPU and says why", async () => {
    const rt = await createRuntime({ threads: 2 });
    try {
      const c = progressionCase('bn254', 2048, 'default-auto');
      let report: JobReport | undefined;
      const out = await rt.msm({ curve: 'bn254', group: 'g1', points: c.points, scalars: c.scalars, onReport: (r) => (report = r) });
      expect(hex(out)).toBe(hex(c.expected));
      expect(report?.chunks.every((x) => x.backend === 'wasm')).toBe(true);
      expect(report?.reason).toMatch(/software adapter/);
    } finally {
      await rt.dispose();
    }
  });

  it('checks the new options at the boundary', async () => {
    await expect(createRuntime({ backends: ['cuda' as never] })).rejects.toThrow(/backends must be/);
    await expect(createRuntime({ maxGpuBytes: -1 })).rejects.toThrow(/maxGpuBytes/);
    const c = progressionCase('bn254', 4, 'bad-failover');
    await expect(runtime.msm({ curve: 'bn254', group: 'g1', points: c.points, scalars: c.scalars, failover: 'no' as never })).rejects.toThrow(/failover must be a boolean/);
  });
});
