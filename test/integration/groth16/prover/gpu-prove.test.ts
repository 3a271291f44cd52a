/**
 * Groth16 proofs on the WebGPU engine (lavapipe in CI): the G1 and G2 witness MSMs and the NTTs
 * run on the GPU, the 3-7-point blinding sums on the workers (below break-even).
 *
 * Fails (never skips) without an adapter, and asserts from the runtime's own job reports that the
 * witness MSMs and the NTTs ran on the GPU: a silent CPU run cannot pass.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, groth16, JobEvent, type JobReport, type Runtime } from '../../../../src/index.js';
import { listFixtures, loadSnarkjs, readJson, terminateSnarkjsCurves, type SnarkjsApi } from '../../../support/groth16/committed-vectors.js';

let runtime: Runtime;
let snarkjs: SnarkjsApi;
const reports: JobReport[] = [];

beforeAll(async () => {
  runtime = await createRuntime({ threads: 2 });
  if (!runtime.gpu) throw new Error('no WebGPU adapter: the GPU suites need one (lavapipe works; export XDG_RUNTIME_DIR=/tmp)');
  console.log(`[groth16 gpu] adapter: ${runtime.gpu.description} (${runtime.gpu.vendor}, ${runtime.gpu.architecture})`);
  runtime.addEventListener('job', (e) => {
    if (e instanceof JobEvent) reports.push(e.report);
  });
  snarkjs = await loadSnarkjs();
});

afterAll(async () => {
  await runtime?.dispose();
  await terminateSnarkjsCurves();
});

// Two shapes per curve keep lavapipe's time in check: full-size witness values and 0/1 ones.
const CASES = listFixtures().filter((f) => ['mulchain', 'bits'].includes(f.meta.circuit));

describe.each(CASES.map((f) => [f.id, f] as const))('groth16 on WebGPU: %s', (_id, f) => {
  it("backend webgpu: snarkjs verifies, public signals equal snarkjs's, and the GPU ran the witness MSMs (G1 and G2) and the NTTs", async () => {
    reports.length = 0;
    const r = await groth16.prove(f.zkey, f.wtns, { runtime, backend: 'webgpu' });
    expect(await snarkjs.groth16.verify(readJson(f.vkey), r.publicSignals, JSON.parse(JSON.stringify(r.proof)))).toBe(true);
    expect(r.publicSignals).toEqual(JSON.parse(readFileSync(f.snarkjsPublic, 'utf8')));

    // The witness MSMs A, B1, C, H and B2 (the blinding sums of 3 and 7 points are pinned to the workers).
    const g1 = reports.filter((j) => j.op === 'msm' && j.group === 'g1' && j.requested === 'webgpu');
    const g2 = reports.filter((j) => j.op === 'msm' && j.group === 'g2' && j.requested === 'webgpu');
    const ntt = reports.filter((j) => j.op === 'ntt');
    // A, B, C each inverse + coset transform.
    expect(g1).toHaveLength(4);
    expect(g2).toHaveLength(1);
    expect(ntt).toHaveLength(6);
    for (const j of [...g1, ...g2, ...ntt]) {
      expect(j.backend, `${j.op} ${j.group ?? ''} n=${j.n}: ${j.reason}`).toBe('webgpu');
      expect(j.adapter?.description).toBe(runtime.gpu?.description);
      expect(j.fallback).toBeUndefined();
    }
    console.log(
      `[groth16 gpu] ${f.id}: total ${r.timings.total.toFixed(0)} ms; G2 MSM on ${reports
        .filter((j) => j.group === 'g2')
        .map((j) => j.backend)
        .join(', ')}`,
    );
  });
});

describe('qap auto beside a GPU adapter', () => {
  const f = CASES.find((c) => c.meta.circuit === 'mulchain' && c.id.startsWith('bn128'))!;
  const stagesOf = async (rt: Runtime, backend?: 'auto' | 'webgpu') => {
    const stages: string[] = [];
    const r = await groth16.prove(f.zkey, f.wtns, { runtime: rt, backend, onProgress: (e) => void stages.push(e.stage) });
    expect(await snarkjs.groth16.verify(readJson(f.vkey), r.publicSignals, JSON.parse(JSON.stringify(r.proof)))).toBe(true);
    return stages;
  };

  it('one worker task when auto never gives this software adapter the transforms; staged when it may, or when pinned to webgpu', async () => {
    expect(runtime.gpu?.description, 'this test expects a software adapter (lavapipe in CI)').toMatch(/llvmpipe|lavapipe|swiftshader/i);
    expect(runtime.autoMayUseGpu).toBe(false);
    const auto = await stagesOf(runtime, 'auto');
    expect(auto).toContain('qap');
    expect(auto).not.toContain('ntt');
    const pinned = await stagesOf(runtime, 'webgpu');
    expect(pinned).toContain('ntt');
    expect(pinned).not.toContain('qap');
    // A backends list naming 'webgpu' lets auto weigh the software adapter: the transforms stay separate jobs.
    const shared = await createRuntime({ threads: 2, backends: ['webgpu', 'wasm'] });
    try {
      expect(shared.autoMayUseGpu).toBe(true);
      const stages = await stagesOf(shared, 'auto');
      expect(stages).toContain('ntt');
      expect(stages).not.toContain('qap');
    } finally {
      await shared.dispose();
    }
  });
});
