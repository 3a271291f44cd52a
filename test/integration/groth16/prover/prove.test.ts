/**
 * groth16.prove against snarkjs on both curves: every proof is checked by snarkjs.groth16.verify
 * with the verification key snarkjs exported (an independent implementation: ffjavascript's
 * pairing), public signals and JSON shape are compared with snarkjs.groth16.prove's on the same
 * key and witness, and a tampered proof must fail (so the check is not vacuous).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as snarkjs from 'snarkjs';
import { groth16 } from '../../../../src/groth16/index.js';
import { createRuntime, type Runtime } from '../../../../src/runtime/runtime.js';
import { isZkgpuError } from '../../../../src/core/errors.js';
import { fixture, type FixtureCircuit, type FixtureCurve } from '../../../support/groth16/toolchain-fixtures.js';
import { BN254_R, encodeWtns } from '../../../support/groth16/binfile.js';

let runtime: Runtime;

beforeAll(async () => {
  runtime = await createRuntime({ threads: 2, gpu: false });
});

afterAll(async () => {
  await runtime?.dispose();
  // snarkjs keeps ffjavascript curve singletons with worker threads alive; end them.
  for (const name of ['curve_bn128', 'curve_bls12381']) {
    const curve = (globalThis as unknown as Record<string, { terminate?: () => Promise<void> } | undefined>)[name];
    await curve?.terminate?.();
  }
});

/** The structure of a JSON value with every string replaced by its length class, for shape comparison. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return typeof v;
}

const CASES: [FixtureCurve, FixtureCircuit][] = [
  ['bn128', 'mul'],
  ['bn128', 'private'],
  ['bls12381', 'mul'],
  ['bls12381', 'private'],
];

describe.each(CASES)('groth16.prove %s %s', (curve, circuit) => {
  // Both ways of making the H scalars: one wasm task, and the staged transforms through the runtime.
  it.each(['one-task', 'stages'] as const)("produces a proof snarkjs verifies, shaped like snarkjs's, with the same public signals (qap %s)", async (qap) => {
    const f = fixture(curve, circuit);
    const ours = await groth16.prove(f.zkey, f.wtns, { runtime, backend: 'wasm', qap });
    const theirs = await snarkjs.groth16.prove(f.zkey, f.wtns);
    console.log(`[groth16] ${curve}/${circuit} timings (ms): ${JSON.stringify(ours.timings, (_k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}`);

    expect(await snarkjs.groth16.verify(f.vkey, ours.publicSignals, ours.proof)).toBe(true);
    expect(ours.publicSignals).toEqual(theirs.publicSignals);
    expect(shape(JSON.parse(JSON.stringify(ours)))).toEqual(shape(theirs));
    expect(Object.keys(ours).sort()).toEqual(['proof', 'publicSignals']);
    expect(ours.proof.curve).toBe(curve);
    expect(ours.proof.protocol).toBe('groth16');

    // Not vacuous: a changed public signal or a swapped proof element must fail.
    const wrongSignals = ours.publicSignals.length > 0 ? [String(BigInt(ours.publicSignals[0]) + 1n), ...ours.publicSignals.slice(1)] : null;
    if (wrongSignals) expect(await snarkjs.groth16.verify(f.vkey, wrongSignals, ours.proof)).toBe(false);
    expect(await snarkjs.groth16.verify(f.vkey, ours.publicSignals, { ...ours.proof, pi_c: ours.proof.pi_a })).toBe(false);
  });
});

describe('groth16.prove behaviour', () => {
  it('uses fresh randomness: two proofs of the same witness differ and both verify', async () => {
    const f = fixture('bn128', 'mul');
    const [p1, p2] = await Promise.all([groth16.prove(f.zkey, f.wtns, { runtime }), groth16.prove(f.zkey, f.wtns, { runtime })]);
    expect(p1.proof.pi_a).not.toEqual(p2.proof.pi_a);
    expect(p1.proof.pi_c).not.toEqual(p2.proof.pi_c);
    expect(await snarkjs.groth16.verify(f.vkey, p1.publicSignals, p1.proof)).toBe(true);
    expect(await snarkjs.groth16.verify(f.vkey, p2.publicSignals, p2.proof)).toBe(true);
  });

  it('accepts every source kind: path, file URL, bytes, ArrayBuffer, { type: "mem" }', async () => {
    const f = fixture('bn128', 'mul');
    const zkeyBytes = new Uint8Array(readFileSync(f.zkey));
    const wtnsBytes = new Uint8Array(readFileSync(f.wtns));
    const sources: [unknown, unknown][] = [
      [pathToFileURL(f.zkey), pathToFileURL(f.wtns).href],
      [zkeyBytes, wtnsBytes.slice().buffer],
      [
        { type: 'mem', data: zkeyBytes },
        { type: 'mem', data: wtnsBytes },
      ],
    ];
    for (const [zkey, wtns] of sources) {
      const res = await groth16.prove(zkey as Uint8Array, wtns as Uint8Array, { runtime });
      expect(await snarkjs.groth16.verify(f.vkey, res.publicSignals, res.proof)).toBe(true);
    }
    // The caller's buffers are read, never written.
    expect(zkeyBytes).toEqual(new Uint8Array(readFileSync(f.zkey)));
  });

  it('leaves the key and witness files untouched', async () => {
    const f = fixture('bls12381', 'mul');
    const before = [statSync(f.zkey).mtimeMs, statSync(f.wtns).mtimeMs];
    const bytes = [readFileSync(f.zkey), readFileSync(f.wtns)];
    await groth16.prove(f.zkey, f.wtns, { runtime });
    expect([statSync(f.zkey).mtimeMs, statSync(f.wtns).mtimeMs]).toEqual(before);
    expect(readFileSync(f.zkey).equals(bytes[0]) && readFileSync(f.wtns).equals(bytes[1])).toBe(true);
  });

  const STAGED_QAP = ['buildABC', 'ifftA', 'fftA', 'ifftB', 'fftB', 'ifftC', 'fftC', 'ntt', 'quotient'] as const;
  const COMMON = ['readKey', 'readWitness', 'msmA', 'msmB1', 'msmB2', 'msmC', 'msmH', 'finalize', 'total'] as const;
  const COMMON_EVENTS = ['readKey', 'readWitness', 'msmA', 'msmB1', 'msmB2', 'msmC', 'msmH', 'finalize'];
  it.each([
    // 2 threads and no GPU: 'auto' makes the H scalars in one task.
    [undefined, ['qap'], ['qap']],
    ['one-task', ['qap'], ['qap']],
    ['stages', STAGED_QAP, ['buildABC', 'ntt', 'quotient']],
  ] as const)('reports timings per stage (non-enumerable) and progress up to done === total (qap %s)', async (qap, qapTimings, qapEvents) => {
    const f = fixture('bn128', 'mul');
    const events: { stage: string; done: number; total: number }[] = [];
    const res = await groth16.prove(f.zkey, f.wtns, { runtime, qap, onProgress: (e) => events.push(e) });
    const t = res.timings as unknown as Record<string, number | undefined>;
    for (const k of [...COMMON, ...qapTimings]) expect(t[k], k).toBeGreaterThanOrEqual(0);
    const otherPath = (qapTimings as readonly string[]).includes('qap') ? STAGED_QAP : ['qap'];
    for (const k of otherPath) expect(t[k], k).toBeUndefined();
    expect(t.total).toBeGreaterThanOrEqual(t.msmH as number);
    expect(Object.getOwnPropertyDescriptor(res, 'timings')?.enumerable).toBe(false);
    expect(events.length).toBe(events[0].total);
    expect(events.map((e) => e.done)).toEqual(events.map((_, i) => i + 1));
    expect(new Set(events.map((e) => e.stage))).toEqual(new Set([...COMMON_EVENTS, ...qapEvents]));
  });

  it('refuses an unknown qap option, naming it', async () => {
    const f = fixture('bn128', 'mul');
    const e = await groth16.prove(f.zkey, f.wtns, { runtime, qap: 'fast' as 'auto' }).catch((x) => x);
    expect(isZkgpuError(e, 'INVALID_ARGUMENT')).toBe(true);
    expect(e.message).toMatch(/qap must be 'auto', 'one-task' or 'stages', got "fast"/);
  });

  it('leaves a given runtime open, creates and disposes its own otherwise', async () => {
    const f = fixture('bn128', 'mul');
    await groth16.prove(f.zkey, f.wtns, { runtime });
    // Still usable:
    const n = await runtime.ntt({ curve: 'bn254', values: new Uint8Array(64) });
    expect(n.length).toBe(64);
    const own = await groth16.prove(f.zkey, f.wtns, { threads: 1, backend: 'wasm' });
    expect(await snarkjs.groth16.verify(f.vkey, own.publicSignals, own.proof)).toBe(true);
  });

  it('rejects with ABORTED for an aborted signal, before and during the proof', async () => {
    const f = fixture('bn128', 'mul');
    const pre = new AbortController();
    pre.abort(new Error('stop'));
    const e1 = await groth16.prove(f.zkey, f.wtns, { runtime, signal: pre.signal }).catch((e) => e);
    expect(isZkgpuError(e1, 'ABORTED')).toBe(true);
    const e1b = await groth16.prove(f.zkey, f.wtns, { signal: pre.signal }).catch((e) => e);
    expect(isZkgpuError(e1b, 'ABORTED')).toBe(true);

    // 'readKey' comes while the first worker tasks (the H scalars, the G2 MSM) run, on both paths.
    for (const qap of ['one-task', 'stages'] as const) {
      const mid = new AbortController();
      const p = groth16.prove(f.zkey, f.wtns, {
        runtime,
        qap,
        signal: mid.signal,
        onProgress: (e) => {
          if (e.stage === 'readKey') mid.abort();
        },
      });
      const e2 = await p.catch((e) => e);
      expect(isZkgpuError(e2, 'ABORTED'), qap).toBe(true);
    }
    // The runtime still works after the cancelled jobs.
    const ok = await groth16.prove(f.zkey, f.wtns, { runtime });
    expect(await snarkjs.groth16.verify(f.vkey, ok.publicSignals, ok.proof)).toBe(true);
  });

  it('rejects a witness of another curve or length with WITNESS_MISMATCH naming both files', async () => {
    const mul = fixture('bn128', 'mul');
    const blsMul = fixture('bls12381', 'mul');
    for (const [zkey, wtns] of [
      [mul.zkey, blsMul.wtns],
      [blsMul.zkey, mul.wtns],
    ]) {
      const e = await groth16.prove(zkey, wtns, { runtime }).catch((x) => x);
      expect(isZkgpuError(e, 'WITNESS_MISMATCH'), String(e)).toBe(true);
      expect(e.message).toContain(zkey);
      expect(e.message).toContain(wtns);
    }
    // One value too many (a witness of a bigger circuit), written by the test's own encoder.
    const values = (await groth16.readWtns(mul.wtns)).values;
    const longer = encodeWtns(BN254_R, [...values, 5n]);
    const e = await groth16.prove(mul.zkey, longer, { runtime }).catch((x) => x);
    expect(isZkgpuError(e, 'WITNESS_MISMATCH'), String(e)).toBe(true);
    expect(e.message).toContain(mul.zkey);
    expect(e.message).toMatch(/witness bytes has 7 values .* expects 6/);
  });

  it('rejects bad options and sources with INVALID_ARGUMENT / FILE_READ_ERROR', async () => {
    const f = fixture('bn128', 'mul');
    const bad = await groth16.prove(f.zkey, f.wtns, { runtime, backend: 'cuda' as never }).catch((e) => e);
    expect(isZkgpuError(bad, 'INVALID_ARGUMENT')).toBe(true);
    const missing = await groth16.prove('/nonexistent/zkgpu/key.zkey', f.wtns, { runtime }).catch((e) => e);
    expect(isZkgpuError(missing, 'FILE_READ_ERROR')).toBe(true);
    expect(missing.message).toContain('/nonexistent/zkgpu/key.zkey');
    const wrongType = await groth16.prove(42 as never, f.wtns, { runtime }).catch((e) => e);
    expect(isZkgpuError(wrongType, 'INVALID_ARGUMENT')).toBe(true);
  });
});
