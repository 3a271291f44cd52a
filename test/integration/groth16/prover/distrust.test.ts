/**
 * No wrong proof out, and a faulty GPU distrusted (issue 17): a GPU whose MSM results are silently
 * wrong (fault injection replaces each GPU chunk's sum with another valid point, as a bit flip in
 * a bucket would) makes the first proof fail its check; the runtime then distrusts that GPU
 * ('device-distrusted'), the proof is made again on the workers, and what is returned verifies with
 * snarkjs. A proof that fails on the workers alone (an altered witness) is PROOF_INVALID and
 * distrusts nothing. Runs on lavapipe in CI; fails (never skips) without an adapter.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isZkgpuError } from '../../../../src/core/errors.js';
import { groth16 } from '../../../../src/groth16/index.js';
import { CURVES, encodePoint } from '../../../../src/math/index.js';
import { createRuntime, JobEvent, type DeviceDistrustedDetail, type JobReport, type Runtime } from '../../../../src/runtime/runtime.js';
import type { Plan } from '../../../../src/scheduler/plan.js';
import { BN254_R, section } from '../../../support/groth16/binfile.js';
import { fixture, loadSnarkjs, readJson, terminateSnarkjsCurves } from '../../../support/groth16/committed-vectors.js';

const f = fixture('bn128/mulchain');
let runtime: Runtime;
let dir: string;
let corruptGpu = true;
let corrupted = 0;
const distrusted: DeviceDistrustedDetail[] = [];
const reports: JobReport[] = [];
let autoBefore: Plan;

beforeAll(async () => {
  const wrongSum = encodePoint('bn254', 'g1', { ...CURVES.bn254.g1.generator, infinity: false } as never);
  runtime = await createRuntime({
    threads: 2,
    // lavapipe is a software adapter, which 'auto' leaves out unless the backends list names it.
    backends: ['webgpu', 'wasm'],
    faultInjection: {
      gpuResult: (_info: unknown, result: unknown) => {
        // MSM sums only (a 64-byte G1 point); NTT outputs pass unchanged.
        if (!corruptGpu || !(result instanceof Uint8Array) || result.length !== 64) return result;
        corrupted++;
        return wrongSum.slice();
      },
    },
  } as never);
  if (!runtime.gpu) throw new Error('no WebGPU adapter: the GPU suites need one (lavapipe works; export XDG_RUNTIME_DIR=/tmp)');
  autoBefore = await runtime.plan({ op: 'msm', curve: 'bn254', group: 'g1', n: 1 << 20, backend: 'auto' });
  runtime.addEventListener('device-distrusted', (e) => distrusted.push(e.detail));
  runtime.addEventListener('job', (e) => {
    if (e instanceof JobEvent) reports.push(e.report);
  });
  dir = mkdtempSync(join(tmpdir(), 'zkgpu-distrust-'));
});

afterAll(async () => {
  await runtime?.dispose();
  rmSync(dir, { recursive: true, force: true });
  await terminateSnarkjsCurves();
});

describe('a GPU that returns wrong sums', () => {
  it("fails the first proof's check, is distrusted, and the proof is redone on the workers: what is returned verifies", async () => {
    const result = await groth16.prove(f.zkey, f.wtns, { runtime, backend: 'webgpu', verify: true });
    expect(corrupted, 'the fault was never injected: the GPU did not run any MSM chunk').toBeGreaterThan(0);
    const snarkjs = await loadSnarkjs();
    expect(await snarkjs.groth16.verify(readJson(f.vkey), result.publicSignals, result.proof)).toBe(true);
    expect(result.redoneAfter).toEqual({ devices: ['webgpu'] });
    expect(distrusted.map((d) => d.device)).toEqual(['webgpu']);
    expect(distrusted[0].reason).toMatch(/failed its check/);
    expect(distrusted[0].untilMs).toBeGreaterThan(performance.now());
    // The redo's witness MSMs ran on the workers.
    const redo = reports.slice(-9).filter((r) => r.op === 'msm' && r.n > 8);
    expect(redo.length).toBeGreaterThan(0);
    for (const r of redo) expect(r.backend).toBe('wasm');
  }, 180_000);

  it("while distrusted, 'auto' plans leave the GPU out; a job naming its id still may use it", async () => {
    expect(
      autoBefore.chunks.some((c) => c.backend === 'webgpu'),
      'before the fault, auto gave the GPU a share',
    ).toBe(true);
    const plan = await runtime.plan({ op: 'msm', curve: 'bn254', group: 'g1', n: 1 << 20, backend: 'auto' });
    expect(plan.chunks.every((c) => c.backend === 'wasm')).toBe(true);
    const named = await runtime.plan({ op: 'msm', curve: 'bn254', group: 'g1', n: 1 << 20, backend: 'webgpu' });
    expect(named.chunks.some((c) => c.backend === 'webgpu')).toBe(true);
    expect(() => runtime.distrust('wasm')).toThrow(/cannot be distrusted/);
  });

  it('a proof that fails on the workers alone (witness altered) is PROOF_INVALID and distrusts nothing', async () => {
    corruptGpu = false;
    const before = distrusted.length;
    const bytes = new Uint8Array(readFileSync(f.wtns));
    const at = section(bytes, 2).at + 5 * 32;
    let v = bytes.subarray(at, at + 32).reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
    v = (v + 1n) % BN254_R;
    for (let i = 0; i < 32; i++, v >>= 8n) bytes[at + i] = Number(v & 0xffn);
    const path = join(dir, 'altered.wtns');
    writeFileSync(path, bytes);
    const error = await groth16.prove(f.zkey, path, { runtime, backend: 'wasm', verify: true }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isZkgpuError(error, 'PROOF_INVALID'), String(error)).toBe(true);
    expect(distrusted.length).toBe(before);
  }, 120_000);
});
