/**
 * End to end on this machine: `zkgpu calibrate --quick` on the wasm workers, and calibrate() on
 * Dawn + lavapipe, into a temporary ZKGPU_CACHE_DIR; then the cache read back gives models that
 * make the planner's plans calibrated. Timings are logged, never asserted.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../../../src/cli/main.js';
import { createRuntime, type JobReport } from '../../../../src/index.js';
import {
  calibrate,
  calibratedModels,
  CALIBRATION_KERNELS,
  describeBackends,
  hardwareFingerprint,
  loadCalibration,
  plan,
  saveCalibration,
  type CalibrateResult,
  type Calibration,
  type PlanJob,
} from '../../../../src/scheduler/index.js';

process.env.XDG_RUNTIME_DIR ??= '/tmp';

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s) };
}

let dir: string;
const savedEnv = process.env.ZKGPU_CACHE_DIR;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zkgpu-calibrate-e2e-'));
  process.env.ZKGPU_CACHE_DIR = dir;
});
afterAll(async () => {
  if (savedEnv === undefined) delete process.env.ZKGPU_CACHE_DIR;
  else process.env.ZKGPU_CACHE_DIR = savedEnv;
  await rm(dir, { recursive: true, force: true });
});

function logModels(cal: Calibration): void {
  for (const m of cal.models) {
    console.log(
      `[calibrate] ${m.kernel} ${m.backend}: ${m.fixedMs.toFixed(2)} ms + ${m.perElementNs.toFixed(1)} ns/element at ${m.samples.map((s) => s.n).join(',')}${m.clamped ? ` (${m.clamped})` : ''}`,
    );
  }
}

describe('zkgpu calibrate (wasm)', () => {
  it('--quick --backend wasm: every kernel measured, written under ZKGPU_CACHE_DIR; the plans made from it are calibrated', async () => {
    const io = capture();
    expect(await main(['calibrate', '--quick', '--json', '--backend', 'wasm', '--threads', '2'], io), io.stderr.join('\n')).toBe(0);
    const out = JSON.parse(io.stdout.join('\n')) as CalibrateResult & { location: string };
    expect(out.skipped).toEqual([]);
    expect(out.calibration.models.map((m) => m.kernel).sort()).toEqual([...CALIBRATION_KERNELS].sort());
    expect(out.calibration.models.every((m) => m.backend === 'wasm' && m.threads === 2 && m.perElementNs > 0 && m.fixedMs >= 0)).toBe(true);
    expect(out.location.startsWith(dir)).toBe(true);
    expect(existsSync(out.location)).toBe(true);
    // Progress went to stderr, one line per size.
    expect(io.stderr.filter((l) => / wasm 2\^\d+: /.test(l)).length).toBeGreaterThanOrEqual(2 * CALIBRATION_KERNELS.length);
    logModels(out.calibration);

    const rt = await createRuntime({ threads: 2, gpu: false });
    try {
      const cal = await loadCalibration(await hardwareFingerprint({ gpu: rt.gpu }));
      expect(cal).not.toBeNull();
      expect(cal!.models).toEqual(out.calibration.models);
      const report = await rt.hardware();
      for (const job of [
        { op: 'msm', curve: 'bn254', group: 'g1', n: 1 << 16 },
        { op: 'msm', curve: 'bls12-381', group: 'g2', n: 1 << 12 },
        { op: 'ntt', curve: 'bls12-381', n: 1 << 16 },
      ] satisfies PlanJob[]) {
        const models = calibratedModels(cal, job, ['wasm'], { threads: rt.threads });
        expect(models.wasm.calibrated).toBe(true);
        expect(models.wasm.source).toMatch(/^calibrated \d{4}-\d\d-\d\d on .* \(2 sizes 2\^\d+\.\.2\^\d+, 2 threads, quick\)$/);
        const p = plan(job, describeBackends(report, job, { threads: rt.threads, models }));
        expect(p.calibrated).toBe(true);
        expect(p.reason).not.toContain('uncalibrated');
      }
      // Without the models the same plan is not calibrated (the flag comes from them).
      const job = { op: 'msm', curve: 'bn254', group: 'g1', n: 1 << 16 } as const;
      expect(plan(job, describeBackends(report, job, { threads: rt.threads })).calibrated).toBe(false);
    } finally {
      await rt.dispose();
    }

    // The text table names each kernel, and `zkgpu info` now reports the cached calibration.
    const text = capture();
    expect(await main(['calibrate', '--quick', '--backend', 'wasm', '--threads', '2'], text)).toBe(0);
    expect(text.stdout[0]).toMatch(/^kernel\s+backend\s+fixed ms\s+ns\/element\s+sizes\s+runs/);
    for (const k of CALIBRATION_KERNELS) expect(text.stdout.some((l) => l.startsWith(`${k} `))).toBe(true);
    expect(text.stdout.at(-1)).toBe(`written to ${out.location}`);
    const info = capture();
    expect(await main(['info', '--no-gpu'], info)).toBe(0);
    expect(info.stdout.at(-1)).toMatch(
      new RegExp(`^calibrated\\s+${CALIBRATION_KERNELS.length} model\\(s\\), updated .* in ${out.location.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
    );
  });
});

describe('calibrate on WebGPU (Dawn + lavapipe)', () => {
  it('--quick: GPU kernels measured on the GPU (results equal to wasm), cached per adapter, a pinned GPU plan is calibrated', async () => {
    const rt = await createRuntime({ threads: 2 });
    const jobs: JobReport[] = [];
    rt.addEventListener('job', (e) => jobs.push((e as Event & { report: JobReport }).report));
    try {
      // This machine has Dawn + lavapipe: no GPU here is a failure, not a skip.
      expect(rt.gpu).not.toBeNull();
      const kernels = ['msm:bn254:g1', 'ntt:bn254', 'ntt:babybear'];
      const started = performance.now();
      const result = await calibrate(rt, { quick: true, kernels });
      console.log(`[calibrate] quick wasm + webgpu on ${rt.gpu!.description} in ${(performance.now() - started).toFixed(0)} ms`);
      logModels(result.calibration);
      expect(result.skipped).toEqual([]);
      const gpuModels = result.calibration.models.filter((m) => m.backend === 'webgpu');
      expect(gpuModels.map((m) => m.kernel).sort()).toEqual([...kernels].sort());
      for (const m of gpuModels) expect(m.adapter).toEqual({ vendor: rt.gpu!.vendor, architecture: rt.gpu!.architecture, description: rt.gpu!.description });
      // The GPU really ran them (no silent CPU fallback): job reports from the GPU with its adapter.
      const gpuJobs = jobs.filter((j) => j.backend === 'webgpu');
      expect(new Set(gpuJobs.map((j) => j.field ?? `${j.op}:${j.curve}`))).toEqual(new Set(['msm:bn254', 'ntt:bn254', 'babybear']));
      expect(gpuJobs.every((j) => j.adapter?.description === rt.gpu!.description && !j.fallback)).toBe(true);

      await saveCalibration(result.calibration);
      const fp = await hardwareFingerprint({ gpu: rt.gpu });
      const cal = await loadCalibration(fp);
      expect(cal!.models.filter((m) => m.backend === 'webgpu')).toHaveLength(kernels.length);
      const report = await rt.hardware();
      const job = { op: 'ntt', curve: 'bn254', n: 1 << 14, backend: 'webgpu' } as const;
      const models = calibratedModels(cal, job, ['wasm', 'webgpu'], { threads: rt.threads });
      expect(models.webgpu.source).toContain(rt.gpu!.description);
      const p = plan(job, describeBackends(report, job, { threads: rt.threads, models }));
      expect(p.calibrated).toBe(true);
      expect(p.chunks.map((c) => c.backend)).toEqual(['webgpu']);
      // Another adapter's runtime would not get these GPU models.
      const other = await loadCalibration({ ...fp, gpu: { vendor: 'other', architecture: 'x', description: 'y' } });
      expect(other?.models.some((m) => m.backend === 'webgpu') ?? false).toBe(false);
    } finally {
      await rt.dispose();
    }
  });
});
