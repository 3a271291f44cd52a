/**
 * The drop-in API's edges: the prepared prover (groth16.prover) against snarkjs's verifier, the
 * default runtime's reuse, option checks at the boundary (INVALID_ARGUMENT naming the option) and
 * callbacks that throw (the proof is returned, the error reported as 'callback-error').
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRuntime, groth16, isZkgpuError, type Runtime } from '../../../../src/index.js';
import { defaultRuntime } from '../../../../src/groth16/prover/default-runtime.js';
import { fixture, loadSnarkjs, readJson, terminateSnarkjsCurves, type SnarkjsApi } from '../../../support/groth16/committed-vectors.js';

const MULCHAIN = fixture('bn128/mulchain');
const TINY = fixture('bn128/tiny');

let runtime: Runtime;
let snarkjs: SnarkjsApi;

beforeAll(async () => {
  runtime = await createRuntime({ threads: 2, gpu: false });
  snarkjs = await loadSnarkjs();
});

afterAll(async () => {
  await runtime?.dispose();
  await groth16.disposeDefaultRuntime();
  await terminateSnarkjsCurves();
});

async function verifies(f: typeof MULCHAIN, r: { proof: unknown; publicSignals: unknown }): Promise<boolean> {
  return snarkjs.groth16.verify(readJson(f.vkey), JSON.parse(JSON.stringify(r.publicSignals)), JSON.parse(JSON.stringify(r.proof)));
}

describe('groth16.prover (prepared key)', () => {
  it('proves repeatedly from one read of the key, each proof verified by snarkjs, public signals as snarkjs made them', async () => {
    const prover = await groth16.prover(MULCHAIN.zkey, { runtime, backend: 'wasm' });
    expect(prover.header.nVars).toBe(MULCHAIN.meta.nVars);
    // The key's sections are held: at least the points and coefficients, at most the file.
    const fileBytes = readFileSync(MULCHAIN.zkey).byteLength;
    expect(prover.byteLength).toBeGreaterThan(fileBytes / 2);
    expect(prover.byteLength).toBeLessThanOrEqual(fileBytes);
    const expected = readJson<string[]>(MULCHAIN.snarkjsPublic);
    for (const qap of ['one-task', 'stages'] as const) {
      const r = await prover.prove(MULCHAIN.wtns, { qap });
      expect(await verifies(MULCHAIN, r)).toBe(true);
      expect(r.publicSignals).toEqual(expected);
    }
    const full = await prover.fullProve(JSON.parse(readFileSync(MULCHAIN.input, 'utf8')), MULCHAIN.wasm);
    expect(await verifies(MULCHAIN, full)).toBe(true);
    expect(full.publicSignals).toEqual(expected);
    // A tampered public signal must fail, so the checks above are not vacuous.
    expect(await verifies(MULCHAIN, { ...full, publicSignals: full.publicSignals.map((s, i) => (i === 0 ? String(BigInt(s) + 1n) : s)) })).toBe(false);

    await prover.dispose();
    expect(prover.byteLength).toBe(0);
    await expect(prover.prove(MULCHAIN.wtns)).rejects.toSatisfy((e: unknown) => isZkgpuError(e, 'DISPOSED'));
  });

  it('refuses a witness of another circuit as groth16.prove does (WITNESS_MISMATCH)', async () => {
    const prover = await groth16.prover(MULCHAIN.zkey, { runtime, backend: 'wasm' });
    await expect(prover.prove(TINY.wtns)).rejects.toSatisfy((e: unknown) => isZkgpuError(e, 'WITNESS_MISMATCH'));
  });
});

describe('default runtime', () => {
  it('is created once per configuration and reused by prove, fullProve and a prover without a runtime', async () => {
    const first = await groth16.prove(TINY.zkey, TINY.wtns, { threads: 2, backend: 'wasm' });
    expect(await verifies(TINY, first)).toBe(true);
    const shared = await defaultRuntime({ threads: 2, gpu: false });
    const jobs: number[] = [];
    const onJob = () => jobs.push(1);
    shared.addEventListener('job', onJob);
    const second = await groth16.fullProve(JSON.parse(readFileSync(TINY.input, 'utf8')), TINY.wasm, TINY.zkey, { threads: 2, backend: 'wasm' });
    const prover = await groth16.prover(TINY.zkey, { threads: 2, backend: 'wasm' });
    const third = await prover.prove(TINY.wtns);
    shared.removeEventListener('job', onJob);
    expect(await verifies(TINY, second)).toBe(true);
    expect(await verifies(TINY, third)).toBe(true);
    // The MSMs of both later proofs ran on the same runtime object the first one created.
    expect(jobs.length).toBeGreaterThanOrEqual(2 * 5);
    expect(await defaultRuntime({ threads: 2, gpu: false })).toBe(shared);

    await groth16.disposeDefaultRuntime();
    const fresh = await defaultRuntime({ threads: 2, gpu: false });
    expect(fresh).not.toBe(shared);
    await groth16.disposeDefaultRuntime();
  });
});

describe('option checks', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['runtime', { runtime: {} }],
    ['runtime', { runtime: 'default' }],
    ['threads', { threads: 0 }],
    ['threads', { threads: 1.5 }],
    ['signal', { signal: {} }],
    ['backend', { backend: 'gpu' }],
    ['qap', { qap: 'two-tasks' }],
    ['onProgress', { onProgress: 'log' }],
    ['onJobReport', { onJobReport: {} }],
  ];
  it.each(bad)('refuses a bad %s as INVALID_ARGUMENT naming it, before any work (prove, fullProve, prover)', async (name, options) => {
    const named = (e: unknown) => isZkgpuError(e, 'INVALID_ARGUMENT') && e.details?.field === name && e.message.startsWith(`${name} must be`);
    await expect(groth16.prove(TINY.zkey, TINY.wtns, options)).rejects.toSatisfy(named);
    await expect(groth16.fullProve({ a: 1 }, TINY.wasm, TINY.zkey, options)).rejects.toSatisfy(named);
    await expect(groth16.prover(TINY.zkey, options)).rejects.toSatisfy(named);
    const prover = await groth16.prover(TINY.zkey, { runtime });
    await expect(prover.prove(TINY.wtns, options)).rejects.toSatisfy(named);
  });

  it('refuses options that are not an object', async () => {
    await expect(groth16.prove(TINY.zkey, TINY.wtns, 5 as never)).rejects.toSatisfy(
      (e: unknown) => isZkgpuError(e, 'INVALID_ARGUMENT') && /options must be an object/.test((e as Error).message),
    );
  });
});

describe('callbacks that throw', () => {
  it.each(['onProgress', 'onJobReport'] as const)('an %s that throws loses no proof: the proof is returned and the error reported as callback-error', async (name) => {
    const seen: { callback: string; error: unknown }[] = [];
    const listener = (e: Event) => {
      const detail = (e as CustomEvent<{ callback: string; error: unknown }>).detail;
      seen.push(detail);
      e.preventDefault(); // handled: no console warning
    };
    runtime.addEventListener('callback-error', listener);
    const warn = vi.spyOn(console, 'warn');
    try {
      const boom = new Error(`${name} failed`);
      const r = await groth16.prove(MULCHAIN.zkey, MULCHAIN.wtns, {
        runtime,
        backend: 'wasm',
        [name]: () => {
          throw boom;
        },
      });
      expect(await verifies(MULCHAIN, r)).toBe(true);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((d) => d.callback === name && d.error === boom)).toBe(true);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      runtime.removeEventListener('callback-error', listener);
      warn.mockRestore();
    }
  });

  it('an onProgress that throws in fullProve (its witness stage too) loses no proof', async () => {
    let calls = 0;
    const listener = (e: Event) => e.preventDefault();
    runtime.addEventListener('callback-error', listener);
    try {
      const r = await groth16.fullProve(JSON.parse(readFileSync(TINY.input, 'utf8')), TINY.wasm, TINY.zkey, {
        runtime,
        backend: 'wasm',
        onProgress: () => {
          calls++;
          throw new Error('progress bar broke');
        },
      });
      expect(await verifies(TINY, r)).toBe(true);
      expect(calls).toBeGreaterThan(1);
    } finally {
      runtime.removeEventListener('callback-error', listener);
    }
  });
});
