/**
 * A proof within a memory budget (src/groth16/prover/streamed.ts, memory-plan.ts): the point
 * sections streamed in pieces, each piece's MSM a job of its own, the partial sums added; every
 * proof verified by snarkjs. The committed keys are smaller than a real piece (2^12 points), so the
 * test seam FORCE_PIECE_ELEMENTS sets the piece size; the plan's own choice is covered by the unit
 * test and the cgroup test (memory-limit.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isZkgpuError } from '../../../../src/core/errors.js';
import { groth16 } from '../../../../src/groth16/index.js';
import { FORCE_PIECE_ELEMENTS } from '../../../../src/groth16/prover/memory-plan.js';
import { createRuntime, type Runtime } from '../../../../src/runtime/runtime.js';
import { section } from '../../../support/groth16/binfile.js';
import { fixture, loadSnarkjs, readJson, terminateSnarkjsCurves } from '../../../support/groth16/committed-vectors.js';

let runtime: Runtime;
let dir: string;

beforeAll(async () => {
  runtime = await createRuntime({ threads: 2, gpu: false });
  dir = mkdtempSync(join(tmpdir(), 'zkgpu-streamed-'));
});

afterAll(async () => {
  await runtime?.dispose();
  rmSync(dir, { recursive: true, force: true });
  await terminateSnarkjsCurves();
});

/** The stage of every runtime job a proof ran, in order. */
function jobStages(): { stages: string[]; onJobReport: (stage: string) => void } {
  const stages: string[] = [];
  return { stages, onJobReport: (stage) => void stages.push(stage) };
}

describe('streamed proofs', () => {
  for (const id of ['bn128/mulchain', 'bls12381/mulchain', 'bn128/manypublic']) {
    it(`${id}: pieces of 300 points prove what snarkjs verifies`, async () => {
      const f = fixture(id);
      const header = await groth16.readZkeyHeader(f.zkey);
      const jobs = jobStages();
      const result = await groth16.prove(f.zkey, f.wtns, { runtime, verify: false, onJobReport: jobs.onJobReport, [FORCE_PIECE_ELEMENTS]: 300 } as never);
      const snarkjs = await loadSnarkjs();
      expect(await snarkjs.groth16.verify(readJson(f.vkey), result.publicSignals, result.proof)).toBe(true);
      // One job per piece (points over 300, rounded up) in every witness MSM: streamed, not whole.
      const pieces = (n: number) => Math.ceil(n / 300);
      expect(jobs.stages.filter((s) => s === 'msmB2')).toHaveLength(pieces(header.nVars));
      expect(jobs.stages.filter((s) => s === 'msmH')).toHaveLength(pieces(header.domainSize));
      expect(jobs.stages.filter((s) => s === 'msmC')).toHaveLength(pieces(header.nVars - header.nPublic - 1));
      console.log(`[streamed] ${id}: ${header.nVars} variables, domain ${header.domainSize}, ${jobs.stages.length} jobs, ${result.timings.total.toFixed(0)} ms`);
    }, 120_000);
  }

  it('streams by itself when the budget is between the minimum and the comfortable figure, and the proof verifies', async () => {
    const f = fixture('bn128/mulchain');
    const whole = await groth16.plan(f.zkey, { runtime, verify: false });
    expect(whole.mode).toBe('whole');
    const maxHostBytes = Math.floor((whole.minimalBytes + whole.comfortableBytes) / 2);
    const plan = await groth16.plan(f.zkey, { runtime, verify: false, maxHostBytes });
    // mulchain's sections are smaller than one piece: streamed in one piece per section.
    if (whole.minimalBytes < whole.comfortableBytes) expect(plan.mode).toBe('streamed');
    const result = await groth16.prove(f.zkey, f.wtns, { runtime, verify: false, maxHostBytes });
    const snarkjs = await loadSnarkjs();
    expect(await snarkjs.groth16.verify(readJson(f.vkey), result.publicSignals, result.proof)).toBe(true);
  }, 120_000);

  it('refuses a budget below the minimum before any work: PLAN_INFEASIBLE with both figures', async () => {
    const f = fixture('bn128/mulchain');
    const plan = await groth16.plan(f.zkey, { runtime, verify: false });
    const jobs = jobStages();
    const progress: string[] = [];
    const error = await groth16
      .prove(f.zkey, f.wtns, { runtime, verify: false, maxHostBytes: plan.minimalBytes - 1, onJobReport: jobs.onJobReport, onProgress: (e) => progress.push(e.stage) })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isZkgpuError(error, 'PLAN_INFEASIBLE'), String(error)).toBe(true);
    if (!isZkgpuError(error)) return;
    expect(error.details?.memory?.minimalBytes).toBe(plan.minimalBytes);
    expect(error.details?.memory?.comfortableBytes).toBe(plan.comfortableBytes);
    expect(error.details?.memory?.budgetBytes).toBe(plan.minimalBytes - 1);
    expect(jobs.stages).toEqual([]);
    expect(progress).toEqual([]);
    await expect(groth16.plan(f.zkey, { runtime, maxHostBytes: plan.minimalBytes - 1 })).rejects.toMatchObject({ code: 'PLAN_INFEASIBLE' });
  }, 60_000);

  it('names a bad point in a later piece by its index and byte offset in the whole section', async () => {
    const f = fixture('bn128/mulchain');
    const bytes = new Uint8Array(readFileSync(f.zkey));
    const pointsC = section(bytes, 8);
    const index = 777; // in the third piece of 300
    bytes[pointsC.at + index * 64] ^= 0x01; // x changed: off the curve (y^2 = x^3 + 3 no longer holds)
    const path = join(dir, 'bad-point.zkey');
    writeFileSync(path, bytes);
    const error = await groth16.prove(path, f.wtns, { runtime, verify: false, [FORCE_PIECE_ELEMENTS]: 300 } as never).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isZkgpuError(error, 'FILE_FORMAT'), String(error)).toBe(true);
    if (!isZkgpuError(error)) return;
    expect(error.details).toMatchObject({ section: 8, index, offset: pointsC.at + index * 64, stage: 'msmC' });
  }, 60_000);
});
