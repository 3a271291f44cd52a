/**
 * Upload/compute overlap on lavapipe: under a small GPU budget an MSM runs as many GPU chunks, and
 * the device queue uploads each next chunk while the current one computes. Checked from the
 * report's per-chunk timestamps (never from wall-clock speed): the answer equals the BigInt
 * reference, some chunk's upload began before the previous chunk's compute ended, computes never
 * overlap each other, and the device's busy time counts the overlapped time once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type JobReport, type Runtime } from '../../../../src/index.js';
import { SEED } from '../../../support/seed.js';
import { BN254_G1_DEVICE_BYTES, progressionCase } from '../../../support/msm-inputs.js';

const CHUNK = 64;
let rt: Runtime;
beforeAll(async () => {
  // Two chunks in flight share the budget: 2 x 64 points of device bytes gives 64-point chunks.
  rt = await createRuntime({ threads: 2, maxGpuBytes: 2 * CHUNK * BN254_G1_DEVICE_BYTES });
  if (!rt.gpu) throw new Error('no WebGPU adapter: the scheduler suites need one (lavapipe works; XDG_RUNTIME_DIR=/tmp)');
  console.log(`[overlap] ${rt.gpu.description} seed ${SEED}`);
  const warm = progressionCase('bn254', 16, 'overlap-warm'); // compiles the MSM pipelines
  await rt.msm({ curve: 'bn254', group: 'g1', points: warm.points, scalars: warm.scalars, backend: 'webgpu' });
}, 300_000);
afterAll(() => rt?.dispose());

describe('scheduler: GPU uploads overlap the previous chunk compute', () => {
  it('many GPU chunks: the oracle answer, an upload inside the previous compute, serial computes, busy time counted once', async () => {
    const n = 10 * CHUNK;
    const c = progressionCase('bn254', n, 'overlap');
    const planned = await rt.plan({ op: 'msm', curve: 'bn254', group: 'g1', n, backend: 'webgpu' });
    expect(planned.chunks).toHaveLength(10);
    expect(planned.chunks.every((x) => x.overlap && 2 * x.deviceBytes <= 2 * CHUNK * BN254_G1_DEVICE_BYTES)).toBe(true);
    const before = rt.stats().devices.find((d) => d.id === 'webgpu')!;
    let report: JobReport | undefined;
    const out = await rt.msm({ curve: 'bn254', group: 'g1', points: c.points, scalars: c.scalars, backend: 'webgpu', onReport: (r) => (report = r) });
    expect(Buffer.from(out).toString('hex')).toBe(Buffer.from(c.expected).toString('hex'));
    expect(report!.fallback).toBeUndefined(); // the GPU did it all: no silent CPU fallback

    const chunks = [...report!.chunks].sort((a, b) => a.timing!.computeStart - b.timing!.computeStart);
    expect(chunks).toHaveLength(10);
    for (const x of chunks) {
      expect(x.backend).toBe('webgpu');
      const t = x.timing!;
      expect(t.uploadStart).toBeLessThanOrEqual(t.uploadEnd);
      expect(t.uploadEnd).toBeLessThanOrEqual(t.computeStart);
      expect(t.computeStart).toBeLessThanOrEqual(t.computeEnd);
    }
    const overlapped = chunks.slice(1).filter((x, i) => x.timing!.uploadStart < chunks[i].timing!.computeEnd);
    console.log(`[overlap] ${overlapped.length} of 9 uploads began while the previous chunk computed`);
    expect(overlapped.length).toBeGreaterThanOrEqual(1);
    // One compute at a time: each starts after the previous one ended.
    chunks.slice(1).forEach((x, i) => expect(x.timing!.computeStart).toBeGreaterThanOrEqual(chunks[i].timing!.computeEnd));

    // Busy time is the union of the chunks' intervals: overlapped uploads are not counted twice,
    // so it is no longer than the job itself, and at least the sum of the (serial) computes.
    const after = rt.stats().devices.find((d) => d.id === 'webgpu')!;
    const busy = after.busyMs - before.busyMs;
    const computeSum = chunks.reduce((a, x) => a + (x.timing!.computeEnd - x.timing!.computeStart), 0);
    expect(busy).toBeLessThanOrEqual(report!.ms + 1);
    expect(busy).toBeGreaterThanOrEqual(computeSum - 1);
    expect(after.chunks - before.chunks).toBe(10);
    expect(after.bytesIn - before.bytesIn).toBe(n * (64 + 32));
    expect(after.bytesOut - before.bytesOut).toBe(10 * 64);
    expect(after.failures).toBe(before.failures);
  });
});
