/**
 * ProveOptions.verify: the proof is checked against the key's verification data before it is
 * returned (src/groth16/prover/verify.ts). Well-formed but wrong inputs (a witness value changed
 * below r; a key point replaced by the point at infinity) pass every format check and yield a
 * proof that snarkjs rejects: with verify on that is PROOF_INVALID, with verify false the
 * unchecked proof is returned as before (and snarkjs rejects it, so the fault is real).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { groth16 } from '../../../../src/groth16/index.js';
import { createRuntime, type Runtime } from '../../../../src/runtime/runtime.js';
import { isZkgpuError } from '../../../../src/core/errors.js';
import { fixture, readJson } from '../../../support/groth16/committed-vectors.js';
import { BN254_R, section } from '../../../support/groth16/binfile.js';

let runtime: Runtime;
let dir: string;
const f = fixture('bn128/mulchain');
const vkey = readJson(f.vkey);

beforeAll(async () => {
  runtime = await createRuntime({ threads: 2, gpu: false });
  dir = mkdtempSync(join(tmpdir(), 'zkgpu-verify-'));
});

afterAll(async () => {
  await runtime?.dispose();
  rmSync(dir, { recursive: true, force: true });
  for (const name of ['curve_bn128', 'curve_bls12381']) {
    const curve = (globalThis as unknown as Record<string, { terminate?: () => Promise<void> } | undefined>)[name];
    await curve?.terminate?.();
  }
});

const readLe = (b: Uint8Array, at: number) => b.subarray(at, at + 32).reduceRight((v, x) => (v << 8n) | BigInt(x), 0n);
function writeLe(b: Uint8Array, at: number, v: bigint): void {
  for (let i = 0; i < 32; i++, v >>= 8n) b[at + i] = Number(v & 0xffn);
}

/** The fixture's witness with value `index` replaced by value + 1 mod r: still well-formed. */
function alteredWitness(index: number): string {
  const bytes = new Uint8Array(readFileSync(f.wtns));
  const at = section(bytes, 2).at + index * 32;
  writeLe(bytes, at, (readLe(bytes, at) + 1n) % BN254_R);
  const path = join(dir, `altered-${index}.wtns`);
  writeFileSync(path, bytes);
  return path;
}

/** The fixture's key with the first point of section 5 (A) whose witness value is non-zero set to infinity (all zero bytes, as snarkjs writes it). */
function keyWithPointAtInfinity(): string {
  const bytes = new Uint8Array(readFileSync(f.zkey));
  const witness = new Uint8Array(readFileSync(f.wtns));
  const values = section(witness, 2).at;
  const a = section(bytes, 5);
  const g1Bytes = 64;
  for (let i = 0; i * g1Bytes < a.size; i++) {
    const point = bytes.subarray(a.at + i * g1Bytes, a.at + (i + 1) * g1Bytes);
    if (point.some((x) => x !== 0) && readLe(witness, values + i * 32) !== 0n) {
      point.fill(0);
      const path = join(dir, 'infinity.zkey');
      writeFileSync(path, bytes);
      return path;
    }
  }
  throw new Error('no A point with a non-zero witness value');
}

describe('groth16.prove verify', () => {
  it('a good proof passes the check (verify true) and snarkjs verifies it', async () => {
    const r = await groth16.prove(f.zkey, f.wtns, { runtime, backend: 'wasm', verify: true });
    expect(r.timings.verify).toBeGreaterThan(0);
    expect(await snarkjs.groth16.verify(vkey, r.publicSignals, r.proof)).toBe(true);
  });

  it('a witness value changed below r: PROOF_INVALID naming the cause and the device of each part; verify false returns the bad proof', async () => {
    const nPublic = f.meta.nPublic;
    const wtns = alteredWitness(nPublic + 2); // a private signal
    const err = await groth16.prove(f.zkey, wtns, { runtime, backend: 'wasm', verify: true, qap: 'one-task' }).catch((e) => e);
    expect(isZkgpuError(err, 'PROOF_INVALID')).toBe(true);
    expect(err.message).toMatch(/witness/);
    expect(err.details.devices).toMatchObject({ msmA: ['wasm'], msmB2: ['wasm'], msmC: ['wasm'], msmH: ['wasm'], qap: ['wasm'] });

    const unchecked = await groth16.prove(f.zkey, wtns, { runtime, backend: 'wasm', verify: false });
    expect(unchecked.timings.verify).toBeUndefined();
    expect(await snarkjs.groth16.verify(vkey, unchecked.publicSignals, unchecked.proof)).toBe(false);
  });

  it('a key point set to infinity: PROOF_INVALID (verify true), the unchecked proof with verify false', async () => {
    const zkey = keyWithPointAtInfinity();
    const err = await groth16.prove(zkey, f.wtns, { runtime, backend: 'wasm', verify: true, qap: 'stages' }).catch((e) => e);
    expect(isZkgpuError(err, 'PROOF_INVALID')).toBe(true);
    expect(err.message).toMatch(/key/);
    expect(err.details.devices).toMatchObject({ buildABC: ['wasm'], quotient: ['wasm'], msmA: ['wasm'] });

    const unchecked = await groth16.prove(zkey, f.wtns, { runtime, backend: 'wasm', verify: false });
    expect(await snarkjs.groth16.verify(vkey, unchecked.publicSignals, unchecked.proof)).toBe(false);
  });

  it("'auto' checks from AUTO_VERIFY_MIN_DOMAIN up once the verifier's curve is built (the first 'auto' call starts it); a bad verify value is INVALID_ARGUMENT naming the field", async () => {
    const { checkCostsLittle, AUTO_VERIFY_MIN_DOMAIN } = await import('../../../../src/groth16/prover/verify.js');
    // bn254's curve was built by the checks above; BLS12-381's is not yet: 'auto' skips, then checks once it is ready.
    expect(checkCostsLittle('auto', AUTO_VERIFY_MIN_DOMAIN, 'bn254')).toBe(true);
    expect(checkCostsLittle('auto', AUTO_VERIFY_MIN_DOMAIN / 2, 'bn254')).toBe(false);
    expect(checkCostsLittle('auto', AUTO_VERIFY_MIN_DOMAIN, 'bls12-381')).toBe(false);
    await expect.poll(() => checkCostsLittle('auto', AUTO_VERIFY_MIN_DOMAIN, 'bls12-381'), { timeout: 60_000, interval: 200 }).toBe(true);
    expect(checkCostsLittle(true, 64, 'bn254')).toBe(true);
    expect(checkCostsLittle(false, 1 << 20, 'bn254')).toBe(false);
    const err = await groth16.prove(f.zkey, f.wtns, { runtime, verify: 'yes' as never }).catch((e) => e);
    expect(isZkgpuError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect(err.details.field).toBe('verify');
  });
});
