/**
 * groth16.prove without a runtime, as a script would call it: the default runtime is created once,
 * reused by the next proof (no new workers, no second GPU device), and Node exits by itself
 * afterwards without any dispose (idle workers unref'd). Both proofs verified by snarkjs.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, loadSnarkjs, readJson, terminateSnarkjsCurves } from '../../../support/groth16/committed-vectors.js';

const child = fileURLToPath(new URL('../../../support/children/groth16-default-runtime.ts', import.meta.url));

afterAll(async () => {
  await terminateSnarkjsCurves();
});

describe('default runtime in a script', () => {
  it('is reused by the second proof and lets Node exit without dispose', async () => {
    const f = fixture('bn128/mulchain');
    const started = performance.now();
    const result = spawnSync(process.execPath, ['--import', 'tsx', child, f.zkey, f.wtns], { encoding: 'utf8', timeout: 240_000 });
    const wallMs = Math.round(performance.now() - started);
    expect(result.error, `the process did not exit by itself (stderr: ${result.stderr})`).toBeUndefined();
    expect(result.status, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    console.log(`[groth16 default runtime] gpu ${out.gpu}, first proof ${out.firstMs} ms, second ${out.secondMs} ms, child wall ${wallMs} ms`);
    expect(out.sameRuntime).toBe(true);
    // The second proof's five MSMs and blinding MSMs ran on the runtime the first proof created.
    expect(out.secondJobsOnFirstRuntime).toBeGreaterThanOrEqual(5);
    const snarkjs = await loadSnarkjs();
    for (const proof of out.proofs) {
      expect(await snarkjs.groth16.verify(readJson(f.vkey), proof.publicSignals, proof.proof)).toBe(true);
    }
  }, 300_000);
});
