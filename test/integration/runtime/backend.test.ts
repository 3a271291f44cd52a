/**
 * The runtime's backend selection on a real adapter (lavapipe in CI): 'webgpu' runs the WGSL
 * kernels and says so in its report, 'wasm' runs the workers, 'auto' keeps software adapters off
 * the GPU, and the two engines agree bit for bit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, globals } from 'webgpu';
import { createRuntime, isSoftwareAdapter, isZkgpuError, type JobReport, type Runtime } from '../../../src/index.js';
import { BABYBEAR_P, babybearNttReference, CURVES, decodeScalars as decode, encodeScalars, nttReference } from '../../../src/math/index.js';
import { rngFor, SEED } from '../../support/seed.js';

Object.assign(globalThis, globals);

let runtime: Runtime;
beforeAll(async () => {
  runtime = await createRuntime({ threads: 2 });
  if (!runtime.gpu) throw new Error('no WebGPU adapter: the GPU suites need one (lavapipe works)');
  console.log(`[gpu runtime] ${runtime.gpu.description} seed ${SEED}`);
});
afterAll(() => runtime?.dispose());

function randomValues(name: string, n: number, r: bigint): bigint[] {
  const rng = rngFor(name);
  return Array.from({ length: n }, () => rng.nextBigInt(r));
}

describe('runtime backends on a real adapter', () => {
  it('reports the adapter and recognises it as software', () => {
    expect(runtime.gpu?.description).toMatch(/\S/);
    // CI has lavapipe (or SwiftShader in Chromium): both must be classed as software.
    expect(isSoftwareAdapter(runtime.gpu!)).toBe(true);
  });

  for (const curve of ['bn254', 'bls12-381'] as const) {
    it(`${curve} NTT: backend webgpu runs on the GPU and equals wasm and the oracle`, async () => {
      const logN = 10;
      const xs = randomValues(`rt-ntt-${curve}`, 1 << logN, CURVES[curve].r);
      const values = encodeScalars(xs);
      const reports: JobReport[] = [];
      const onReport = (r: JobReport) => reports.push(r);
      const gpuOut = await runtime.ntt({ curve, values, backend: 'webgpu', coset: true, onReport });
      const cpuOut = await runtime.ntt({ curve, values, backend: 'wasm', coset: true, onReport });
      expect(reports.map((r) => r.backend)).toEqual(['webgpu', 'wasm']);
      expect(reports[0].adapter?.description).toBe(runtime.gpu?.description);
      expect(reports[0].threads).toBeNull();
      expect(reports[1].adapter).toBeNull();
      expect(reports[1].threads).toBe(2);
      expect(Buffer.from(gpuOut).equals(Buffer.from(cpuOut))).toBe(true);
      const want = nttReference(curve, xs, { shift: CURVES[curve].frGenerator });
      expect(decode(gpuOut)).toEqual(want);
    });
  }

  it('BabyBear NTT: webgpu equals wasm and the oracle (coset, inverse), reports the field', async () => {
    const rng = rngFor('rt-babybear');
    const n = 1 << 12;
    const values = Uint32Array.from({ length: n }, () => rng.nextU32() % BABYBEAR_P);
    values[0] = 0;
    values[1] = BABYBEAR_P - 1;
    const reports: JobReport[] = [];
    const onReport = (r: JobReport) => reports.push(r);
    const gpuOut = await runtime.nttBabyBear({ values, coset: true, backend: 'webgpu', onReport });
    const cpuOut = await runtime.nttBabyBear({ values, coset: true, backend: 'wasm', onReport });
    expect(reports.map((r) => [r.backend, r.field, r.curve])).toEqual([
      ['webgpu', 'babybear', undefined],
      ['wasm', 'babybear', undefined],
    ]);
    expect(gpuOut).toEqual(cpuOut);
    expect(Array.from(gpuOut)).toEqual(Array.from(babybearNttReference(values, { shift: 31 })));
    const back = await runtime.nttBabyBear({ values: gpuOut, coset: true, inverse: true, backend: 'webgpu' });
    expect(back).toEqual(values);
  });

  it('hardware() describes the threads, memory and this GPU; plan() covers the job and keeps G2 off the GPU', async () => {
    const hw = await runtime.hardware();
    expect(hw.cpu.threads).toBeGreaterThanOrEqual(1);
    const byDefault = await createRuntime({ gpu: false });
    try {
      expect(byDefault.threads).toBe(hw.cpu.threads);
    } finally {
      await byDefault.dispose();
    }
    expect(hw.memory.budgetBytes).toBeGreaterThan(0);
    expect(hw.gpus.map((g) => g.description)).toEqual([runtime.gpu!.description]);
    expect(hw.gpus[0].software).toBe(true);
    const p = await runtime.plan({ op: 'msm', curve: 'bn254', group: 'g1', n: 1 << 16, backend: 'webgpu' });
    expect(p.chunks.reduce((a, c) => a + c.count, 0)).toBe(1 << 16);
    expect(new Set(p.chunks.map((c) => c.backend))).toEqual(new Set(['webgpu']));
    const g2 = await runtime.plan({ op: 'msm', curve: 'bn254', group: 'g2', n: 1000 });
    expect(g2.chunks.every((c) => c.backend === 'wasm')).toBe(true);
  });

  it("'auto' keeps a software adapter off the GPU and says why", async () => {
    const values = encodeScalars(randomValues('rt-auto', 1 << 15, CURVES.bn254.r));
    let report: JobReport | undefined;
    await runtime.ntt({ curve: 'bn254', values, onReport: (r) => (report = r) });
    expect(report?.backend).toBe('wasm');
    expect(report?.requested).toBe('auto');
    expect(report?.reason).toMatch(/software adapter/);
  });

  it("every call is also a 'job' event on the runtime", async () => {
    const seen = new Promise<JobReport>((res) => runtime.addEventListener('job', (e) => res((e as Event & { report: JobReport }).report), { once: true }));
    await runtime.ntt({ curve: 'bn254', values: encodeScalars([1n, 2n, 3n, 4n]), backend: 'webgpu' });
    const report = await seen;
    expect(report.op).toBe('ntt');
    expect(report.backend).toBe('webgpu');
    expect(report.n).toBe(4);
    expect(report.ms).toBeGreaterThanOrEqual(0);
  });

  it('rejects an unknown backend name', async () => {
    await expect(runtime.ntt({ curve: 'bn254', values: encodeScalars([1n, 2n]), backend: 'cuda' as never })).rejects.toSatisfy(
      (e) => isZkgpuError(e, 'INVALID_ARGUMENT') && /backend/.test((e as Error).message),
    );
  });

  it("backend 'webgpu' on a CPU-only runtime is GPU_UNAVAILABLE, not a silent CPU run", async () => {
    const cpuOnly = await createRuntime({ threads: 1, gpu: false });
    try {
      expect(cpuOnly.gpu).toBeNull();
      await expect(cpuOnly.ntt({ curve: 'bn254', values: encodeScalars([1n, 2n]), backend: 'webgpu' })).rejects.toSatisfy((e) => isZkgpuError(e, 'GPU_UNAVAILABLE'));
    } finally {
      await cpuOnly.dispose();
    }
  });

  it('uses a GPUDevice it is given and leaves it alive on dispose', async () => {
    const gpu = create([]);
    const adapter = await gpu.requestAdapter();
    const device = await adapter!.requestDevice();
    const rt = await createRuntime({ threads: 1, gpu: device });
    const out = await rt.ntt({ curve: 'bn254', values: encodeScalars([5n, 6n]), backend: 'webgpu' });
    expect(decode(out)).toEqual(nttReference('bn254', [5n, 6n], {}));
    await rt.dispose();
    // still usable: creating a buffer on a destroyed device would raise a validation error
    device.pushErrorScope('validation');
    device.createBuffer({ size: 4, usage: GPUBufferUsage.STORAGE }).destroy();
    expect(await device.popErrorScope()).toBeNull();
    device.destroy();
  });

  it('after the device is lost, auto runs on the CPU and webgpu rejects with GPU_DEVICE_LOST', async () => {
    const gpu = create([]);
    const adapter = await gpu.requestAdapter();
    const device = await adapter!.requestDevice();
    const rt = await createRuntime({ threads: 1, gpu: device });
    try {
      device.destroy();
      await device.lost;
      await new Promise((r) => setTimeout(r, 0));
      const values = encodeScalars([1n, 2n, 3n, 4n]);
      await expect(rt.ntt({ curve: 'bn254', values, backend: 'webgpu' })).rejects.toSatisfy((e) => isZkgpuError(e, 'GPU_DEVICE_LOST'));
      let report: JobReport | undefined;
      const out = await rt.ntt({ curve: 'bn254', values, onReport: (r) => (report = r) });
      expect(report?.backend).toBe('wasm');
      expect(decode(out)).toEqual(nttReference('bn254', [1n, 2n, 3n, 4n], {}));
    } finally {
      await rt.dispose();
    }
  });
});
