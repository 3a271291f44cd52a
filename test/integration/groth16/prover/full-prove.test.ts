/**
 * groth16.fullProve: witness from circom's .wasm through circom_runtime, then the prover. The
 * witness is compared value by value with snarkjs.wtns.calculate's, the proof is checked by
 * snarkjs.groth16.verify, and bad inputs must be INPUT_INVALID errors naming the signal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as snarkjs from 'snarkjs';
import { groth16 } from '../../../../src/groth16/index.js';
import { createRuntime, type Runtime } from '../../../../src/runtime/runtime.js';
import { isZkgpuError } from '../../../../src/core/errors.js';
import { fixture } from '../../../support/groth16/toolchain-fixtures.js';

let runtime: Runtime;

beforeAll(async () => {
  runtime = await createRuntime({ threads: 2, gpu: false });
});

afterAll(async () => {
  await runtime?.dispose();
  for (const name of ['curve_bn128', 'curve_bls12381']) {
    const curve = (globalThis as unknown as Record<string, { terminate?: () => Promise<void> } | undefined>)[name];
    await curve?.terminate?.();
  }
});

describe.each([
  ['bn128', 'mul'],
  ['bls12381', 'mul'],
  ['bn128', 'private'],
] as const)('groth16.fullProve %s %s', (curve, circuit) => {
  it("computes snarkjs's witness and a proof snarkjs verifies", async () => {
    const f = fixture(curve, circuit);
    const res = await groth16.fullProve(f.input, f.wasm, f.zkey, { runtime });
    expect(await snarkjs.groth16.verify(f.vkey, res.publicSignals, res.proof)).toBe(true);
    const wtns = { type: 'mem' as const };
    await snarkjs.wtns.calculate(f.input, f.wasm, wtns);
    const theirs = await groth16.readWtns(wtns as unknown as { type: 'mem'; data: Uint8Array });
    const ours = await groth16.readWtns(f.wtns);
    expect(ours.values).toEqual(theirs.values);
    expect(res.publicSignals).toEqual(theirs.values.slice(1, res.publicSignals.length + 1).map(String));
    expect(res.timings.witness).toBeGreaterThan(0);
    expect(res.timings.total).toBeGreaterThanOrEqual(res.timings.witness!);
  });
});

describe('fullProve inputs', () => {
  const f = fixture('bn128', 'mul');

  it('accepts numbers, bigints, decimal and hex strings alike', async () => {
    const res = await groth16.fullProve({ a: 3, b: 11n, k: '0x7' }, f.wasm, f.zkey, { runtime });
    expect(res.publicSignals).toEqual(['234', '7']);
    expect(await snarkjs.groth16.verify(f.vkey, res.publicSignals, res.proof)).toBe(true);
  });

  it.each([
    [{ a: '3', b: 'eleven', k: '7' }, 'b', 'not a decimal or 0x-hex integer'],
    [{ a: '3', b: '11', k: 1.5 }, 'k', 'not an integer'],
    [{ a: '3', b: null, k: '7' }, 'b', 'got null'],
    [{ a: ['3', {}], b: '11', k: '7' }, 'a[1]', 'got object'],
    [{ a: '3', b: '11', k: '7', extra: '1' }, 'extra', 'not an input of the circuit'],
    [{ a: ['3', '4'], b: '11', k: '7' }, 'a', 'takes 1 value, the input gives 2'],
  ])('%j: INPUT_INVALID naming the signal', async (input, signal, text) => {
    const e = await groth16.fullProve(input, f.wasm, f.zkey, { runtime }).catch((x) => x);
    expect(isZkgpuError(e, 'INPUT_INVALID'), String(e)).toBe(true);
    expect(e.message).toContain(`"${signal}"`);
    expect(e.message).toContain(text);
  });

  it('a missing signal: INPUT_INVALID saying how many values are missing', async () => {
    const e = await groth16.fullProve({ a: '3', k: '7' }, f.wasm, f.zkey, { runtime }).catch((x) => x);
    expect(isZkgpuError(e, 'INPUT_INVALID'), String(e)).toBe(true);
    expect(e.message).toContain('sets 2 of the 3 input values');
    expect(e.message).toContain(f.wasm);
    const notObject = await groth16.fullProve([1, 2] as never, f.wasm, f.zkey, { runtime }).catch((x) => x);
    expect(isZkgpuError(notObject, 'INPUT_INVALID')).toBe(true);
  });

  it('a .wasm that is not a circuit: FILE_FORMAT naming it; an aborted signal: ABORTED', async () => {
    const e = await groth16.fullProve(f.input, f.zkey, f.zkey, { runtime }).catch((x) => x);
    expect(isZkgpuError(e, 'FILE_FORMAT'), String(e)).toBe(true);
    expect(e.message).toContain(f.zkey);
    const aborted = AbortSignal.abort();
    const a = await groth16.fullProve(f.input, f.wasm, f.zkey, { runtime, signal: aborted }).catch((x) => x);
    expect(isZkgpuError(a, 'ABORTED'), String(a)).toBe(true);
  });

  it('a circuit .wasm compiled for the other curve: WITNESS_MISMATCH naming the wasm and the key', async () => {
    const bls = fixture('bls12381', 'mul');
    const e = await groth16.fullProve(f.input, bls.wasm, f.zkey, { runtime }).catch((x) => x);
    expect(isZkgpuError(e, 'WITNESS_MISMATCH'), String(e)).toBe(true);
    expect(e.message).toContain(bls.wasm);
    expect(e.message).toContain(f.zkey);
  });
});
