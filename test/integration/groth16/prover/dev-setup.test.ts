/**
 * The INSECURE development setup (groth16.devSetup, zkgpu setup) against snarkjs: for fixture
 * circuits on both curves (compiled here from test/support/groth16/circuits with circom2, since the
 * .r1cs files are not committed), a dev key is made, then both zkgpu's prover and snarkjs's prove
 * with it and snarkjs.groth16.verify must accept both proofs with the dev vkey and reject a wrong
 * public signal. The oracle is snarkjs's verifier (pairings zkgpu does not implement), so a
 * wrong H convention or a misplaced IC point cannot pass. The fixed-base wasm kernel is checked
 * against the BigInt oracle in src/math; bad .r1cs files must fail with file name and offset.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, groth16, isZkgpuError, type Runtime } from '../../../../src/index.js';
import { DEV_SETUP_WARNING } from '../../../../src/groth16/index.js';
import { openR1cs } from '../../../../src/groth16/formats/r1cs.js';
import { main } from '../../../../src/cli/main.js';
import { compileWasm, WasmEngine } from '../../../../src/cpu/wasm-engine.js';
import { WorkerPool } from '../../../../src/cpu/pool.js';
import { FIXED_BASE_CHUNK, fixedBaseOnPool } from '../../../../src/msm/fixed-base.js';
import {
  CURVES,
  createRng,
  decodePoints,
  encodePoint,
  encodeScalars,
  g1,
  g2,
  randomSeed,
  type AnyPoint,
  type CurveName,
  type Group,
  type GroupName,
  type Rng,
} from '../../../../src/math/index.js';
import type { AffinePoint } from '../../../../src/math/point.js';
import { fixture, loadSnarkjs, terminateSnarkjsCurves, type SnarkjsApi } from '../../../support/groth16/committed-vectors.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const run = promisify(execFile);

/** Which fixtures get a dev key: every shape, both curves (poseidon exists for bn128 only). */
const CASES = ['bn128/tiny', 'bn128/poseidon', 'bn128/manypublic', 'bls12381/tiny', 'bls12381/bits'];

let dir: string;
let runtime: Runtime;
let snarkjs: SnarkjsApi & { zKey: { exportVerificationKey(zkey: unknown): Promise<unknown> } };

/** Compiles a fixture's circuit.circom to an .r1cs as scripts/make-groth16-fixtures.mjs does. */
async function compileR1cs(id: string): Promise<string> {
  const [curve, name] = id.split('/');
  const out = join(dir, curve, name);
  const args = [
    join(ROOT, 'node_modules/circom2/cli.js'),
    join('test/support/groth16/circuits', name, 'circuit.circom'),
    '--r1cs',
    '-o',
    out,
    '--prime',
    curve,
    '-l',
    'node_modules',
  ];
  await run('mkdir', ['-p', out]);
  await run(process.execPath, args, { cwd: ROOT, maxBuffer: 64 << 20 });
  return join(out, 'circuit.r1cs');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zkgpu-devsetup-'));
  runtime = await createRuntime({ threads: 2, gpu: false });
  snarkjs = (await loadSnarkjs()) as typeof snarkjs;
});

afterAll(async () => {
  await runtime?.dispose();
  await terminateSnarkjsCurves();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(CASES)('dev setup on %s', (id) => {
  const f = fixture(id);
  let r1cs: string;
  let result: Awaited<ReturnType<typeof groth16.devSetup>>;
  const seed = randomSeed();

  beforeAll(async () => {
    r1cs = await compileR1cs(id);
    console.log(`dev setup ${id}: seed ${seed}`);
    result = await groth16.devSetup(r1cs, { seed, threads: 2 });
  });

  it('matches the circuit and snarkjs rules for the header', async () => {
    const h = await groth16.readZkeyHeader(result.zkey as Uint8Array);
    expect(h.nVars).toBe(f.meta.nVars);
    expect(h.nPublic).toBe(f.meta.nPublic);
    // snarkjs's domain (its meta.json, written from snarkjs's r1cs info) is the same size.
    expect(h.domainSize).toBe(f.meta.domainSize);
    expect(result.vkey.curve).toBe(f.meta.curve);
    expect(result.warning).toBe(DEV_SETUP_WARNING);
    // snarkjs's own exporter, run on the whole key, gives the vkey devSetup returned.
    expect(await snarkjs.zKey.exportVerificationKey({ type: 'mem', data: result.zkey })).toEqual(result.vkey);
  });

  it('zkgpu proves with the dev key; snarkjs verifies, and rejects a wrong public signal', async () => {
    const { proof, publicSignals } = await groth16.prove(result.zkey as Uint8Array, f.wtns, { runtime, backend: 'wasm' });
    expect(await snarkjs.groth16.verify(result.vkey, publicSignals, proof)).toBe(true);
    const wrong = [...publicSignals];
    wrong[0] = ((BigInt(wrong[0]) + 1n) % CURVES[f.meta.curve === 'bn128' ? 'bn254' : 'bls12-381'].r).toString();
    expect(await snarkjs.groth16.verify(result.vkey, wrong, proof)).toBe(false);
  });

  it('snarkjs proves with the dev key, and verifies its own proof with the dev vkey', async () => {
    const { proof, publicSignals } = await snarkjs.groth16.prove({ type: 'mem', data: result.zkey } as unknown as string, f.wtns);
    expect(await snarkjs.groth16.verify(result.vkey, publicSignals, proof)).toBe(true);
    // A proof for another key must not pass with the dev vkey: the committed snarkjs proof.
    const committed = JSON.parse(readFileSync(f.snarkjsProof, 'utf8'));
    expect(await snarkjs.groth16.verify(result.vkey, publicSignals, committed)).toBe(false);
  });
});

describe('dev setup keys', () => {
  it('are a function of the seed: same seed, same bytes; another seed, another key', async () => {
    const r1cs = await compileR1cs('bls12381/tiny');
    const a = await groth16.devSetup(r1cs, { seed: 7, threads: 1 });
    const b = await groth16.devSetup(r1cs, { seed: 7, threads: 2 });
    const c = await groth16.devSetup(r1cs, { seed: 8, threads: 2 });
    expect(Buffer.from(a.zkey as Uint8Array).equals(Buffer.from(b.zkey as Uint8Array))).toBe(true);
    expect(Buffer.from(a.zkey as Uint8Array).equals(Buffer.from(c.zkey as Uint8Array))).toBe(false);
    expect(a.vkey).toEqual(b.vkey);
  });

  it("run on the caller's runtime, leave it open, and are the same bytes as on a runtime of their own", async () => {
    const r1cs = await compileR1cs('bn128/tiny');
    const own = await groth16.devSetup(r1cs, { seed: 11, threads: 2 });
    const shared = await groth16.devSetup(r1cs, { seed: 11, runtime });
    expect(Buffer.from(shared.zkey as Uint8Array).equals(Buffer.from(own.zkey as Uint8Array))).toBe(true);
    // Still open: the same runtime proves with the key, and snarkjs accepts the proof.
    const { proof, publicSignals } = await groth16.prove(shared.zkey as Uint8Array, fixture('bn128/tiny').wtns, { runtime, backend: 'wasm' });
    expect(await snarkjs.groth16.verify(shared.vkey, publicSignals, proof)).toBe(true);
  });
});

describe('zkgpu setup (CLI)', () => {
  it('writes the key and vkey, prints the insecure warning, and the files prove and verify', async () => {
    const r1cs = await compileR1cs('bn128/tiny');
    const zkey = join(dir, 'cli.zkey');
    const vkeyPath = join(dir, 'cli-vkey.json');
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['setup', r1cs, zkey, '--vkey', vkeyPath, '--seed', '42', '--threads', '2'], { out: (s) => out.push(s), err: (s) => err.push(s) });
    expect(code).toBe(0);
    expect(err.join('\n')).toContain('INSECURE');
    expect(out.join('\n')).toContain('INSECURE dev key (seed 42)');
    const vkey = JSON.parse(readFileSync(vkeyPath, 'utf8'));
    const { proof, publicSignals } = await groth16.prove(zkey, fixture('bn128/tiny').wtns, { runtime, backend: 'wasm' });
    expect(await snarkjs.groth16.verify(vkey, publicSignals, proof)).toBe(true);

    const help: string[] = [];
    expect(await main(['setup', '--help'], { out: (s) => help.push(s), err: () => {} })).toBe(0);
    expect(help.join('\n')).toContain('INSECURE: for testing and benchmarks only');
    expect(await main(['setup', r1cs], { out: () => {}, err: () => {} })).toBe(2);
    expect(await main(['setup', r1cs, r1cs], { out: () => {}, err: () => {} })).toBe(2);
  });
});

describe('bad .r1cs files', () => {
  let good: Uint8Array;
  beforeAll(async () => {
    good = new Uint8Array(readFileSync(await compileR1cs('bn128/tiny')));
  });

  async function rejection(bytes: Uint8Array, name: string): Promise<{ code: string; message: string }> {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    try {
      await groth16.devSetup(path, { seed: 1, threads: 1 });
    } catch (e) {
      if (!isZkgpuError(e)) throw e;
      expect(e.message).toContain(path);
      return { code: e.code, message: e.message };
    }
    throw new Error(`${name} was accepted`);
  }

  it('wrong magic: FILE_FORMAT at offset 0', async () => {
    const bad = good.slice();
    bad.set([0x7a, 0x6b, 0x65, 0x79]); // "zkey"
    const e = await rejection(bad, 'magic.r1cs');
    expect(e.code).toBe('FILE_FORMAT');
    expect(e.message).toMatch(/not a \.r1cs file.*byte offset 0/);
  });

  it('truncated: FILE_FORMAT naming the section that runs past the end', async () => {
    const e = await rejection(good.slice(0, Math.floor(good.length / 2)), 'truncated.r1cs');
    expect(e.code).toBe('FILE_FORMAT');
    expect(e.message).toMatch(/section \d.*truncated\?.*byte offset \d+/);
  });

  it('a wire id out of range inside the constraints: FILE_FORMAT naming constraint, term and offset', async () => {
    const r1cs = await openR1cs(good);
    const nWires = r1cs.header.nWires;
    await r1cs.close();
    // Section 2's payload: walk the section table (12-byte file header, 12-byte section headers).
    const view = new DataView(good.buffer, good.byteOffset, good.byteLength);
    let pos = 12;
    while (view.getUint32(pos, true) !== 2) pos += 12 + Number(view.getBigUint64(pos + 4, true));
    const payload = pos + 12;
    const bad = good.slice();
    // Constraint 0, A: nTerms at payload, first wire id right after it.
    expect(view.getUint32(payload, true)).toBeGreaterThan(0);
    new DataView(bad.buffer).setUint32(payload + 4, nWires + 5, true);
    const e = await rejection(bad, 'wire.r1cs');
    expect(e.code).toBe('FILE_FORMAT');
    expect(e.message).toContain(`constraint 0 A term 0: wire ${nWires + 5} is not below nWires = ${nWires}`);
    expect(e.message).toContain(`byte offset ${payload + 4}`);
  });

  it('a prime that is neither curve: FILE_FORMAT in the header', async () => {
    const bad = good.slice();
    const view = new DataView(bad.buffer);
    let pos = 12;
    while (view.getUint32(pos, true) !== 1) pos += 12 + Number(view.getBigUint64(pos + 4, true));
    bad[pos + 12 + 4] ^= 0x01; // lowest byte of the prime
    const e = await rejection(bad, 'prime.r1cs');
    expect(e.code).toBe('FILE_FORMAT');
    expect(e.message).toMatch(/section 1 \(header\): prime \d+ is not the scalar field of .*\(byte offset \d+\)/);
  });
});

/** The fixed-base kernel: [k] base against the BigInt oracle, random scalars (seed logged) and edges. */
describe('fixed-base scalar multiplication (wasm) vs the BigInt oracle', () => {
  let engine: WasmEngine;
  beforeAll(async () => {
    engine = await WasmEngine.create();
  });

  const cases: [CurveName, GroupName][] = [
    ['bn254', 'g1'],
    ['bn254', 'g2'],
    ['bls12-381', 'g1'],
    ['bls12-381', 'g2'],
  ];

  it.each(cases)('%s %s: random scalars, 0, 1, r-1, byte and window boundaries, random base', (curve, group) => {
    const seed = randomSeed();
    console.log(`fixed-base ${curve} ${group}: seed ${seed}`);
    const rng = createRng(seed);
    if (group === 'g1') checkFixedBase(engine, curve, group, g1(curve), rng);
    else checkFixedBase(engine, curve, group, g2(curve), rng);
  });

  function checkFixedBase<T>(engine: WasmEngine, curve: CurveName, group: GroupName, G: Group<T>, rng: Rng): void {
    const r = CURVES[curve].r;
    const edges = [0n, 1n, 2n, r - 1n, r - 2n, 255n, 256n, 257n, (1n << 248n) - 1n, 1n << 248n, (r - 1n) >> 1n];
    const scalars = [...edges, ...Array.from({ length: 8 }, () => rng.nextBigInt(r))];
    for (const base of [G.generator, G.random(rng)]) {
      const bytes = engine.fixedBaseMul(curve, group, encodePoint(curve, group, base as AnyPoint), encodeScalars(scalars));
      const got = decodePoints(curve, group, bytes) as AffinePoint<T>[];
      scalars.forEach((k, i) => {
        expect(G.eq(got[i], G.mul(base, k)), `[${k}] base`).toBe(true);
      });
    }
    // Infinity as the base: every product is infinity (all-zero encoding).
    const inf = engine.fixedBaseMul(curve, group, encodePoint(curve, group, G.infinity as AnyPoint), encodeScalars([3n, 5n]));
    expect(inf.every((b) => b === 0)).toBe(true);
  }

  it('on the pool, split into chunks: same points as one engine, spot-checked against the oracle', async () => {
    const pool = await WorkerPool.create({ threads: 2, module: await compileWasm() });
    try {
      const seed = randomSeed();
      console.log(`fixed-base pool: seed ${seed}`);
      const rng = createRng(seed);
      const r = CURVES.bn254.r;
      const n = FIXED_BASE_CHUNK + 37; // two chunks, the second short
      const scalars = Array.from({ length: n }, () => rng.nextBigInt(r));
      const base = encodePoint('bn254', 'g1', g1('bn254').generator);
      const onPool = await fixedBaseOnPool(pool, { curve: 'bn254', group: 'g1', base, scalars: encodeScalars(scalars) });
      const direct = engine.fixedBaseMul('bn254', 'g1', base, encodeScalars(scalars));
      expect(Buffer.from(onPool).equals(Buffer.from(direct))).toBe(true);
      const pts = decodePoints('bn254', 'g1', onPool);
      for (const i of [0, FIXED_BASE_CHUNK - 1, FIXED_BASE_CHUNK, n - 1]) {
        expect(g1('bn254').eq(pts[i], g1('bn254').mul(g1('bn254').generator, scalars[i]))).toBe(true);
      }
    } finally {
      await pool.dispose();
    }
  });
});
