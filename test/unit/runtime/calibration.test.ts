/**
 * The runtime plans with the calibration cached for its host (ZKGPU_CACHE_DIR here, a temporary
 * directory), with one the caller passes, or with none (calibration: false).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../../../src/index.js';
import { CALIBRATION_SCHEMA, hardwareFingerprint, saveCalibration, type Calibration, type MeasuredModel } from '../../../src/scheduler/index.js';

let dir: string;
const savedEnv = process.env.ZKGPU_CACHE_DIR;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zkgpu-runtime-calibration-'));
  process.env.ZKGPU_CACHE_DIR = dir;
});
afterAll(async () => {
  if (savedEnv === undefined) delete process.env.ZKGPU_CACHE_DIR;
  else process.env.ZKGPU_CACHE_DIR = savedEnv;
  await rm(dir, { recursive: true, force: true });
});

function wasmModel(kernel: string, perElementNs: number, threads: number): MeasuredModel {
  return {
    kernel,
    backend: 'wasm',
    fixedMs: 3,
    perElementNs,
    rmsResidualMs: 0.1,
    threads,
    firstRunExtraMs: 0,
    samples: [{ n: 4096, medianMs: 3 + (4096 * perElementNs) / 1e6, runsMs: [1], warmupMs: 1 }],
    measuredAt: '2026-12-04T12:00:00.000Z',
    quick: true,
  };
}

async function calibrationOfThisHost(models: MeasuredModel[]): Promise<Calibration> {
  const { host } = await hardwareFingerprint();
  return { schema: CALIBRATION_SCHEMA, host, updatedAt: '2026-12-04T12:00:00.000Z', models };
}

const job = { op: 'msm', curve: 'bn254', group: 'g1', n: 1 << 14 } as const;

describe('runtime calibration', () => {
  it('no cache: default models, the plan says calibrated: false', async () => {
    const rt = await createRuntime({ threads: 1, gpu: false });
    try {
      const p = await rt.plan(job);
      expect(p.calibrated).toBe(false);
      expect(p.reason).toContain('uncalibrated');
    } finally {
      await rt.dispose();
    }
  });

  it('a cached calibration for this host is used by the next runtime; calibration: false ignores it', async () => {
    await saveCalibration(await calibrationOfThisHost([wasmModel('msm:bn254:g1', 1234, 1)]), { warn: () => {} });
    const rt = await createRuntime({ threads: 1, gpu: false });
    const off = await createRuntime({ threads: 1, gpu: false, calibration: false });
    try {
      const p = await rt.plan(job);
      expect(p.calibrated).toBe(true);
      // The plan's estimate comes from the measured line: 3 ms + n * 1234 ns.
      expect(p.estimateMs).toBeCloseTo(3 + (job.n * 1234) / 1e6, 0);
      // Another kernel has no measurement: defaults, not calibrated.
      expect((await rt.plan({ op: 'ntt', curve: 'bn254', n: 1 << 14 })).calibrated).toBe(false);
      expect((await off.plan(job)).calibrated).toBe(false);
    } finally {
      await rt.dispose();
      await off.dispose();
    }
  });

  it('a calibration passed by the caller is used; one measured on other thread counts is scaled, not calibrated', async () => {
    const cal = await calibrationOfThisHost([wasmModel('msm:bn254:g1', 2000, 2)]);
    const one = await createRuntime({ threads: 1, gpu: false, calibration: cal });
    const two = await createRuntime({ threads: 2, gpu: false, calibration: cal });
    try {
      const p1 = await one.plan(job);
      expect(p1.calibrated).toBe(false);
      expect(p1.estimateMs).toBeCloseTo(3 + (job.n * 4000) / 1e6, 0);
      expect((await two.plan(job)).calibrated).toBe(true);
    } finally {
      await one.dispose();
      await two.dispose();
    }
  });

  it('a malformed calibration is refused with the field that is wrong', async () => {
    const cal = await calibrationOfThisHost([wasmModel('msm:bn254:g1', -1, 1)]);
    await expect(createRuntime({ threads: 1, gpu: false, calibration: cal })).rejects.toThrow(/calibration\.models\[0\]\.perElementNs/);
  });
});
