/**
 * End to end on every committed fixture, both curves: zkgpu's WASM engine proves, snarkjs verifies.
 * The oracle is snarkjs (its verifier, and the public signals it produced for the same witness when
 * the vectors were made); nothing expected here is computed by zkgpu.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, groth16, type Groth16ProveResult, type Runtime } from '../../../../src/index.js';
import { listFixtures, loadSnarkjs, readJson, terminateSnarkjsCurves, type Fixture, type SnarkjsApi, type SnarkjsProof } from '../../../support/groth16/committed-vectors.js';

const FIXTURES = listFixtures();

let runtime: Runtime;
let snarkjs: SnarkjsApi;

beforeAll(async () => {
  // One runtime for the whole file (worker start-up ~100s of ms); 2 threads = this machine's cores.
  runtime = await createRuntime({ threads: 2, gpu: false });
  snarkjs = await loadSnarkjs();
});

afterAll(async () => {
  await runtime?.dispose();
  await terminateSnarkjsCurves();
});

function vkeyOf(f: Fixture): { curve: string } {
  return readJson(f.vkey);
}

/** snarkjs.groth16.verify, with the proof passed through JSON as a file would carry it. */
async function snarkjsAccepts(f: Fixture, publicSignals: unknown, proof: unknown): Promise<boolean> {
  return snarkjs.groth16.verify(vkeyOf(f), JSON.parse(JSON.stringify(publicSignals)), JSON.parse(JSON.stringify(proof)));
}

describe('fixtures', () => {
  it('cover both curves, every circuit shape, and domains from 2^6 to 2^11', () => {
    const ids = FIXTURES.map((f) => f.id);
    for (const c of ['tiny', 'mulchain', 'manypublic', 'bits']) {
      expect(ids).toContain(`bn128/${c}`);
      expect(ids).toContain(`bls12381/${c}`);
    }
    expect(ids).toContain('bn128/poseidon');
    const domains = FIXTURES.map((f) => f.meta.domainSize);
    expect(Math.min(...domains)).toBeLessThanOrEqual(2 ** 6);
    expect(Math.max(...domains)).toBeGreaterThanOrEqual(2 ** 11);
    expect(Math.max(...FIXTURES.map((f) => f.meta.nPublic))).toBeGreaterThanOrEqual(64);
  });
});

describe.each(FIXTURES.map((f) => [f.id, f] as const))('groth16 on %s', (_id, f) => {
  let result: Groth16ProveResult;

  beforeAll(async () => {
    result = await groth16.prove(f.zkey, f.wtns, { runtime, backend: 'wasm' });
  });

  it('prove (wasm): snarkjs verifies the proof', async () => {
    expect(result.proof.protocol).toBe('groth16');
    expect(result.proof.curve).toBe(vkeyOf(f).curve);
    expect(await snarkjsAccepts(f, result.publicSignals, result.proof)).toBe(true);
  });

  it("public signals equal snarkjs's for the same witness", () => {
    const expected = readJson<string[]>(f.snarkjsPublic);
    expect(expected).toHaveLength(f.meta.nPublic);
    expect(result.publicSignals).toEqual(expected);
  });

  it("the JSON has snarkjs's shape, and timings stay out of it", () => {
    const ours = JSON.parse(JSON.stringify(result)) as { proof: SnarkjsProof; publicSignals: string[] };
    const theirs = readJson<SnarkjsProof>(f.snarkjsProof);
    expect(Object.keys(ours).sort()).toEqual(['proof', 'publicSignals']);
    expect(Object.keys(ours.proof).sort()).toEqual(Object.keys(theirs).sort());
    expect(ours.proof.pi_a).toHaveLength(3);
    expect(ours.proof.pi_b.map((c) => c.length)).toEqual([2, 2, 2]);
    // Fresh blinding (r, s) per proof: a proof equal to snarkjs's stored one would mean none.
    expect(ours.proof.pi_a).not.toEqual(theirs.pi_a);
    expect(result.timings.total).toBeGreaterThan(0);
    expect(result.timings.msmH).toBeGreaterThanOrEqual(0);
  });

  it('a tampered proof or public signal does not verify', async () => {
    // Swapping pi_a and pi_c keeps both valid curve points: only the pairing check can reject it.
    const swapped = { ...result.proof, pi_a: result.proof.pi_c, pi_c: result.proof.pi_a };
    expect(await snarkjsAccepts(f, result.publicSignals, swapped)).toBe(false);
    const bumped = [...result.publicSignals];
    bumped[0] = (BigInt(bumped[0]) + 1n).toString();
    expect(await snarkjsAccepts(f, bumped, result.proof)).toBe(false);
  });

  it('fullProve from input.json verifies and gives the same public signals', async () => {
    const input = JSON.parse(readFileSync(f.input, 'utf8')) as Record<string, unknown>;
    const stages: string[] = [];
    const full = await groth16.fullProve(input, f.wasm, f.zkey, { runtime, backend: 'wasm', onProgress: (e) => stages.push(e.stage) });
    expect(full.publicSignals).toEqual(readJson(f.snarkjsPublic));
    expect(await snarkjsAccepts(f, full.publicSignals, full.proof)).toBe(true);
    expect(full.timings.witness).toBeGreaterThan(0);
    expect(stages[0]).toBe('witness');
  });
});

describe('groth16.prove without a runtime', () => {
  it('creates and disposes its own (threads: 1) and the proof verifies', async () => {
    const f = FIXTURES.find((x) => x.id === 'bls12381/tiny')!;
    const r = await groth16.prove(f.zkey, f.wtns, { backend: 'wasm', threads: 1 });
    expect(await snarkjsAccepts(f, r.publicSignals, r.proof)).toBe(true);
  });

  it('takes the files as bytes too (snarkjs { type: "mem" } objects)', async () => {
    const f = FIXTURES.find((x) => x.id === 'bn128/manypublic')!;
    // Plain Uint8Array copies: a Node Buffer here hangs the prover today (runtime.msm slices its
    // inputs with Buffer.prototype.slice, a view, and the transfer to the worker detaches the file).
    const zkey = new Uint8Array(readFileSync(f.zkey));
    const wtns = new Uint8Array(readFileSync(f.wtns));
    const r = await groth16.prove({ type: 'mem', data: zkey }, wtns, { runtime, backend: 'wasm' });
    expect(r.publicSignals).toEqual(readJson(f.snarkjsPublic));
    expect(await snarkjsAccepts(f, r.publicSignals, r.proof)).toBe(true);
  });
});
