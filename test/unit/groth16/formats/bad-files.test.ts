/**
 * Bad proving keys, witnesses and inputs: each is rejected with its ZkgpuError code and a message
 * that names the file and the section/offset (or the signal), and no file is ever written to.
 * The bad files are copies in a temporary directory; the committed vectors are hashed before and
 * after to show that nothing touched them either.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, groth16, isZkgpuError, type Runtime, type ZkgpuErrorCode, type ZkgpuErrorDetails } from '../../../../src/index.js';
import { fixture, hashAllFixtureFiles, readJson, sha256File } from '../../../support/groth16/committed-vectors.js';

const TINY = fixture('bn128/tiny');
const BITS = fixture('bn128/bits');
const BLS_TINY = fixture('bls12381/tiny');
const MANYPUBLIC = fixture('bn128/manypublic');

let runtime: Runtime;
let dir: string;
let before: Map<string, string>;
/** sha256 of every bad copy as written, checked again at the end (the prover must not touch them). */
const copies = new Map<string, string>();

beforeAll(async () => {
  before = hashAllFixtureFiles();
  runtime = await createRuntime({ threads: 2, gpu: false });
  dir = mkdtempSync(join(tmpdir(), 'zkgpu-groth16-bad-'));
});

afterAll(async () => {
  await runtime?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A copy of `src` in the temp dir, changed by `edit`. */
function badCopy(src: string, name: string, edit: (bytes: Uint8Array) => Uint8Array | void): string {
  const bytes = new Uint8Array(readFileSync(src));
  const out = edit(bytes) ?? bytes;
  const path = join(dir, name);
  writeFileSync(path, out);
  copies.set(path, sha256File(path));
  return path;
}

/** Section table of a snarkjs binary file (magic, version, count, then id/size/body). */
function sections(bytes: Uint8Array): Map<number, { offset: number; size: number }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<number, { offset: number; size: number }>();
  let at = 12;
  while (at + 12 <= bytes.length) {
    const id = view.getUint32(at, true);
    const size = Number(view.getBigUint64(at + 4, true));
    out.set(id, { offset: at + 12, size });
    at += 12 + size;
  }
  return out;
}

async function rejection(p: Promise<unknown>): Promise<{ code: ZkgpuErrorCode; message: string; details?: ZkgpuErrorDetails }> {
  try {
    await p;
  } catch (e) {
    if (!isZkgpuError(e)) throw new Error(`expected a ZkgpuError, got ${String(e)}`, { cause: e });
    return { code: e.code, message: e.message, details: e.details };
  }
  throw new Error('expected a rejection, the call succeeded');
}

const prove = (zkey: string, wtns: string) => groth16.prove(zkey, wtns, { runtime, backend: 'wasm' });

describe('bad .zkey files', () => {
  it('truncated inside the header: FILE_FORMAT naming the file and offset', async () => {
    const path = badCopy(TINY.zkey, 'header-cut.zkey', (b) => b.subarray(0, 40));
    const e = await rejection(prove(path, TINY.wtns));
    expect(e.code).toBe('FILE_FORMAT');
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/byte offset \d+/);
  });

  it('truncated in the middle of section 7 (B2 points): FILE_FORMAT naming the section', async () => {
    const path = join(dir, 'half.zkey');
    copyFileSync(TINY.zkey, path);
    const s = sections(readFileSync(path));
    const pointsB2 = s.get(7)!;
    truncateSync(path, pointsB2.offset + Math.floor(pointsB2.size / 2));
    copies.set(path, sha256File(path));
    const e = await rejection(prove(path, TINY.wtns));
    expect(e.code).toBe('FILE_FORMAT');
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/section 7/);
    expect(e.message).toMatch(/byte offset \d+/);
  });

  it('wrong magic: FILE_FORMAT at offset 0', async () => {
    const path = badCopy(TINY.zkey, 'magic.zkey', (b) => void b.set([0x6e, 0x6f, 0x70, 0x65], 0));
    const e = await rejection(prove(path, TINY.wtns));
    expect(e.code).toBe('FILE_FORMAT');
    expect(e.message).toContain(path);
    expect(e.message).toContain('byte offset 0');
    expect(e.details).toEqual({ file: path, offset: 0, field: 'magic' });
  });

  it('a corrupted point in section 5 (A points): FILE_FORMAT naming section, point and offset', async () => {
    const src = readFileSync(TINY.zkey);
    const a = sections(src).get(5)!;
    // Point 3's x coordinate set to all 0xff bytes: not below p, so no valid point.
    const at = a.offset + 3 * 64;
    const path = badCopy(TINY.zkey, 'point.zkey', (b) => void b.fill(0xff, at, at + 32));
    const e = await rejection(prove(path, TINY.wtns));
    expect(e.code).toBe('FILE_FORMAT');
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/section 5/);
    expect(e.message).toContain('point 3');
    expect(e.message).toContain(`byte offset ${at}`);
    // The runtime's POINT_NOT_ON_CURVE says index 3 in its details; the prover maps it to the file.
    expect(e.details).toEqual({ file: path, section: 5, index: 3, offset: at, stage: 'msmA' });
  });

  it('a PLONK key: PROTOCOL_MISMATCH naming PLONK', async () => {
    const plonk = join(TINY.dir, 'plonk.zkey');
    const e = await rejection(prove(plonk, TINY.wtns));
    expect(e.code).toBe('PROTOCOL_MISMATCH');
    expect(e.message).toContain(plonk);
    expect(e.message).toMatch(/PLONK/);
  });

  it('a missing file: FILE_READ_ERROR naming it', async () => {
    const path = join(dir, 'does-not-exist.zkey');
    const e = await rejection(prove(path, TINY.wtns));
    expect(e.code).toBe('FILE_READ_ERROR');
    expect(e.message).toContain(path);
    expect(e.details).toEqual({ file: path });
  });
});

describe('bad .wtns files', () => {
  it('truncated in the values: FILE_FORMAT naming the file and offset', async () => {
    const path = badCopy(TINY.wtns, 'cut.wtns', (b) => b.subarray(0, b.length - 40));
    const e = await rejection(prove(TINY.zkey, path));
    expect(e.code).toBe('FILE_FORMAT');
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/byte offset \d+/);
  });

  it('a value not below the prime: FILE_FORMAT naming the value index and offset', async () => {
    const src = readFileSync(TINY.wtns);
    const values = sections(src).get(2)!;
    const at = values.offset + 5 * 32;
    const path = badCopy(TINY.wtns, 'value.wtns', (b) => void b.fill(0xff, at, at + 32));
    const e = await rejection(prove(TINY.zkey, path));
    expect(e.code).toBe('FILE_FORMAT');
    expect(e.message).toContain(path);
    expect(e.message).toContain('value 5');
    expect(e.message).toContain(`byte offset ${at}`);
    expect(e.details).toEqual({ file: path, section: 2, index: 5, offset: at });
  });

  it('a witness of another circuit: WITNESS_MISMATCH naming both files and sizes', async () => {
    const e = await rejection(prove(TINY.zkey, BITS.wtns));
    expect(e.code).toBe('WITNESS_MISMATCH');
    expect(e.message).toContain(BITS.wtns);
    expect(e.message).toContain(TINY.zkey);
    expect(e.message).toContain(String(BITS.meta.nVars));
    expect(e.message).toContain(String(TINY.meta.nVars));
  });

  it('a witness of the same circuit on the other curve: WITNESS_MISMATCH', async () => {
    const e = await rejection(prove(TINY.zkey, BLS_TINY.wtns));
    expect(e.code).toBe('WITNESS_MISMATCH');
    expect(e.message).toContain(BLS_TINY.wtns);
  });
});

describe('bad circuit inputs (fullProve)', () => {
  const input = () => readJson<Record<string, unknown>>(MANYPUBLIC.input);
  const fullProve = (i: Record<string, unknown>) => groth16.fullProve(i, MANYPUBLIC.wasm, MANYPUBLIC.zkey, { runtime, backend: 'wasm' });

  it('a missing signal: INPUT_INVALID naming the circuit file', async () => {
    const i = input();
    delete i.k;
    const e = await rejection(fullProve(i));
    expect(e.code).toBe('INPUT_INVALID');
    expect(e.message).toContain(MANYPUBLIC.wasm);
    expect(e.message).toMatch(/missing/);
  });

  it('an array signal one value short: INPUT_INVALID naming the signal and both counts', async () => {
    const i = input();
    i.x = (i.x as string[]).slice(1);
    const e = await rejection(fullProve(i));
    expect(e.code).toBe('INPUT_INVALID');
    expect(e.message).toContain('"x"');
    expect(e.message).toContain('32');
    expect(e.message).toContain('31');
  });

  it('an unknown signal: INPUT_INVALID naming it', async () => {
    const e = await rejection(fullProve({ ...input(), extra: '1' }));
    expect(e.code).toBe('INPUT_INVALID');
    expect(e.message).toContain('"extra"');
  });

  it('a value that is not a number: INPUT_INVALID naming the signal and index', async () => {
    const i = input();
    (i.x as string[])[7] = 'seven';
    const e = await rejection(fullProve(i));
    expect(e.code).toBe('INPUT_INVALID');
    expect(e.message).toContain('x[7]');
  });
});

describe('files are only read', () => {
  it("every committed vector's sha256 is unchanged after all of the above", () => {
    const after = hashAllFixtureFiles();
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [path, hash] of before) expect(after.get(path), path).toBe(hash);
    for (const [path, hash] of copies) expect(sha256File(path), path).toBe(hash);
    expect(copies.size).toBeGreaterThanOrEqual(6);
    // And each file's recorded hash (meta.json, written by the generator) still holds.
    for (const f of [TINY, BITS, BLS_TINY, MANYPUBLIC]) {
      for (const [name, hash] of Object.entries(f.meta.files)) expect(sha256File(join(f.dir, name)), `${f.id}/${name}`).toBe(hash);
    }
  });
});
