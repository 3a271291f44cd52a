/**
 * .zkey / .wtns readers: the header against snarkjs's exported verification key, every source kind,
 * and every corruption we can name (truncation at many offsets, magic, protocol id, section sizes,
 * missing and duplicated sections, header values out of range, trailing bytes, bad coefficients):
 * each must be a ZkgpuError with the expected code whose message names the file, the section and
 * the byte offset; none may hang, crash or yield a proof.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groth16 } from '../../../../src/groth16/index.js';
import { createRuntime, type Runtime } from '../../../../src/runtime/runtime.js';
import { isZkgpuError, type ZkgpuErrorCode } from '../../../../src/core/errors.js';
import { fixture } from '../../../support/groth16/toolchain-fixtures.js';
import { section, sectionTable } from '../../../support/groth16/binfile.js';

const mul = fixture('bn128', 'mul');
const blsMul = fixture('bls12381', 'mul');
const ZKEY = new Uint8Array(readFileSync(mul.zkey));
const WTNS = new Uint8Array(readFileSync(mul.wtns));
const scratch = mkdtempSync(join(tmpdir(), 'zkgpu-g16-readers-'));
let runtime: Runtime;

beforeAll(async () => {
  runtime = await createRuntime({ threads: 1, gpu: false });
});

afterAll(async () => {
  await runtime?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

function edit(bytes: Uint8Array, change: (b: Uint8Array, v: DataView) => void): Uint8Array {
  const out = bytes.slice();
  change(out, new DataView(out.buffer));
  return out;
}

/** Writes bytes to a scratch file so messages can be checked for the path. */
let fileCount = 0;
function asFile(bytes: Uint8Array, ext: string): string {
  const path = join(scratch, `case-${fileCount++}.${ext}`);
  writeFileSync(path, bytes);
  return path;
}

async function expectError(p: Promise<unknown>, code: ZkgpuErrorCode, ...mustContain: (string | RegExp)[]): Promise<string> {
  const e = await p.then(
    () => null,
    (x) => x,
  );
  expect(e, 'expected a rejection').not.toBeNull();
  expect(isZkgpuError(e, code), `expected ${code}, got ${e?.code}: ${e?.message}`).toBe(true);
  for (const m of mustContain) {
    if (typeof m === 'string') expect(e.message).toContain(m);
    else expect(e.message).toMatch(m);
  }
  return e.message as string;
}

const G2_OFFSET_IN_HEADER = (n8q: number) => 4 + n8q + 4 + 32 + 12; // alpha1 starts here

describe('zkey header', () => {
  it.each([
    ['bn128', mul],
    ['bls12381', blsMul],
  ] as const)('%s: matches the verification key snarkjs exported', async (curve, f) => {
    const h = await groth16.readZkeyHeader(f.zkey);
    const vkey = f.vkey as Record<string, unknown>;
    expect(h.snarkjsCurve).toBe(curve);
    expect(vkey.curve).toBe(curve);
    expect(h.nPublic).toBe(vkey.nPublic);
    const g1 = (p: { x: bigint; y: bigint }) => [p.x.toString(), p.y.toString(), '1'];
    const g2 = (p: { x: { c0: bigint; c1: bigint }; y: { c0: bigint; c1: bigint } }) => [
      [p.x.c0.toString(), p.x.c1.toString()],
      [p.y.c0.toString(), p.y.c1.toString()],
      ['1', '0'],
    ];
    expect(g1(h.alpha1)).toEqual(vkey.vk_alpha_1);
    expect(g2(h.beta2)).toEqual(vkey.vk_beta_2);
    expect(g2(h.gamma2)).toEqual(vkey.vk_gamma_2);
    expect(g2(h.delta2)).toEqual(vkey.vk_delta_2);
    expect(h.domainSize & (h.domainSize - 1)).toBe(0);
    expect(h.nVars).toBeGreaterThan(h.nPublic);
  });

  it('reads the same header from a path, bytes, ArrayBuffer, { type: "mem" } and an http URL', async () => {
    const server: Server = createServer((req, res) => {
      if (req.url === '/circuit.zkey') res.end(Buffer.from(ZKEY));
      else res.writeHead(404).end();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const port = (server.address() as { port: number }).port;
      const url = `http://127.0.0.1:${port}/circuit.zkey`;
      const ref = await groth16.readZkeyHeader(mul.zkey);
      for (const src of [ZKEY, ZKEY.slice().buffer, { type: 'mem' as const, data: ZKEY }, url, new URL(url)]) {
        expect(await groth16.readZkeyHeader(src)).toEqual(ref);
      }
      const res = await groth16.prove(url, mul.wtns, { runtime });
      expect(res.publicSignals.length).toBe(ref.nPublic);
      await expectError(groth16.readZkeyHeader(`http://127.0.0.1:${port}/missing.zkey`), 'FILE_READ_ERROR', 'missing.zkey', '404');
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });
});

describe('zkey corruption', () => {
  const s2 = section(ZKEY, 2);
  const s5 = section(ZKEY, 5);
  const table = sectionTable(ZKEY);

  it('truncated at any of many offsets: FILE_FORMAT naming the file and the offset', async () => {
    const cuts = [0, 3, 4, 8, 11, 12, 13, 20, 23, s2.at + 10, s2.at + s2.size - 1, s5.headerAt + 5, s5.at + 7, ZKEY.length - 1];
    for (const cut of cuts) {
      const bytes = ZKEY.subarray(0, cut);
      await expectError(groth16.readZkeyHeader(bytes), 'FILE_FORMAT', 'bytes:', /byte offset \d+/);
      // Bytes with a name (what `zkgpu prove` passes for a key it read whole): errors name it.
      await expectError(groth16.readZkeyHeader({ type: 'mem', data: bytes, name: 'read-whole.zkey' }), 'FILE_FORMAT', 'read-whole.zkey:', /byte offset \d+/);
      const path = asFile(bytes, 'zkey');
      await expectError(groth16.prove(path, mul.wtns, { runtime }), 'FILE_FORMAT', path, /byte offset \d+/);
    }
    // A cut inside a section names it.
    await expectError(groth16.readZkeyHeader(ZKEY.subarray(0, s5.at + 7)), 'FILE_FORMAT', /section \d+/, 'truncated');
  });

  it('a wrong magic, version or section count', async () => {
    await expectError(groth16.readZkeyHeader(edit(ZKEY, (b) => (b[0] ^= 0x20))), 'FILE_FORMAT', 'magic', 'byte offset 0');
    await expectError(groth16.readZkeyHeader(WTNS), 'FILE_FORMAT', '"wtns"', 'expected "zkey"');
    await expectError(groth16.readZkeyHeader(edit(ZKEY, (_b, v) => v.setUint32(4, 9, true))), 'FILE_FORMAT', 'version 9', 'byte offset 4');
    await expectError(groth16.readZkeyHeader(edit(ZKEY, (_b, v) => v.setUint32(8, 0xffff, true))), 'FILE_FORMAT', '65535 sections', 'byte offset 8');
  });

  it('PLONK, FFLONK and unknown protocol ids: PROTOCOL_MISMATCH naming the file and the protocol', async () => {
    const s1 = section(ZKEY, 1);
    for (const [id, name] of [
      [2, 'PLONK'],
      [10, 'FFLONK'],
      [7, 'unknown protocol (id 7)'],
    ] as const) {
      const path = asFile(
        edit(ZKEY, (_b, v) => v.setUint32(s1.at, id, true)),
        'zkey',
      );
      await expectError(groth16.prove(path, mul.wtns, { runtime }), 'PROTOCOL_MISMATCH', path, name, `byte offset ${s1.at}`);
    }
  });

  it('a section size that disagrees with the header', async () => {
    // nVars + 1: the A section (and B1, B2, C) no longer hold nVars points.
    const nVarsAt = s2.at + 4 + 32 + 4 + 32;
    await expectError(
      groth16.readZkeyHeader(edit(ZKEY, (_b, v) => v.setUint32(nVarsAt, v.getUint32(nVarsAt, true) + 1, true))),
      'FILE_FORMAT',
      'section 5 (A points)',
      `byte offset ${s5.headerAt}`,
    );
    // The coefficient count disagrees with the section's length.
    const s4 = section(ZKEY, 4);
    await expectError(
      groth16.readZkeyHeader(edit(ZKEY, (_b, v) => v.setUint32(s4.at, v.getUint32(s4.at, true) + 1, true))),
      'FILE_FORMAT',
      'section 4 (coefficients)',
      /byte offset \d+/,
    );
    // A section length pointing past the end of the file.
    await expectError(
      groth16.readZkeyHeader(edit(ZKEY, (_b, v) => v.setUint32(s5.headerAt + 4, 0x7fffffff, true))),
      'FILE_FORMAT',
      'section 5 (A points) declares 2147483647 bytes',
      `byte offset ${s5.headerAt}`,
    );
    // Trailing garbage after the last section.
    const longer = new Uint8Array(ZKEY.length + 3);
    longer.set(ZKEY);
    await expectError(groth16.readZkeyHeader(longer), 'FILE_FORMAT', '3 unexpected bytes', `byte offset ${ZKEY.length}`);
  });

  it('a missing or duplicated section', async () => {
    const s9 = section(ZKEY, 9);
    await expectError(groth16.readZkeyHeader(edit(ZKEY, (_b, v) => v.setUint32(s9.headerAt, 99, true))), 'FILE_FORMAT', 'missing section 9 (H points)', /byte offset/);
    // Section 10 (contributions) relabelled 9: two H sections.
    const s10 = section(ZKEY, 10);
    await expectError(
      groth16.readZkeyHeader(edit(ZKEY, (_b, v) => v.setUint32(s10.headerAt, 9, true))),
      'FILE_FORMAT',
      'section 9 (H points) appears 2 times',
      `byte offset ${s10.headerAt}`,
    );
    // Section 8 relabelled 9: C is missing (and H doubled); the first problem in id order is reported.
    const s8 = section(ZKEY, 8);
    await expectError(groth16.readZkeyHeader(edit(ZKEY, (_b, v) => v.setUint32(s8.headerAt, 9, true))), 'FILE_FORMAT', 'missing section 8 (C points)');
    await expectError(groth16.readZkeyHeader(edit(ZKEY, (_b, v) => v.setUint32(section(ZKEY, 2).headerAt, 98, true))), 'FILE_FORMAT', 'missing section 2 (Groth16 header)');
    expect(table.map((s) => s.id)).toEqual(expect.arrayContaining([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  });

  it('header values out of range: coordinates >= q, points off the curve, wrong r, unknown q, bad domain', async () => {
    const alpha = s2.at + G2_OFFSET_IN_HEADER(32);
    await expectError(groth16.readZkeyHeader(edit(ZKEY, (b) => b.fill(0xff, alpha, alpha + 32))), 'FILE_FORMAT', 'section 2 (Groth16 header)', 'alpha1', `byte offset ${alpha}`);
    await expectError(groth16.readZkeyHeader(edit(ZKEY, (b) => (b[alpha] ^= 1))), 'FILE_FORMAT', 'alpha1 is not a point', `byte offset ${alpha}`);
    const delta2 = alpha + 64 + 64 + 128 + 128 + 64;
    await expectError(groth16.readZkeyHeader(edit(ZKEY, (b) => (b[delta2 + 70] ^= 4))), 'FILE_FORMAT', 'delta2', `byte offset ${delta2}`);
    const rAt = s2.at + 4 + 32 + 4;
    await expectError(groth16.readZkeyHeader(edit(ZKEY, (b) => (b[rAt] ^= 2))), 'FILE_FORMAT', 'is not the group order', `byte offset ${rAt}`);
    await expectError(groth16.readZkeyHeader(edit(ZKEY, (b) => (b[s2.at + 4] ^= 2))), 'UNKNOWN_CURVE', 'bytes', `byte offset ${s2.at + 4}`);
    await expectError(groth16.readZkeyHeader(edit(ZKEY, (_b, v) => v.setUint32(s2.at, 40, true))), 'FILE_FORMAT', 'n8q is 40', `byte offset ${s2.at}`);
    const domainAt = s2.at + 4 + 32 + 4 + 32 + 8;
    await expectError(
      groth16.readZkeyHeader(edit(ZKEY, (_b, v) => v.setUint32(domainAt, 6, true))),
      'FILE_FORMAT',
      'domainSize 6 is not a power of two',
      `byte offset ${domainAt}`,
    );
    const nPubAt = s2.at + 4 + 32 + 4 + 32 + 4;
    await expectError(groth16.readZkeyHeader(edit(ZKEY, (_b, v) => v.setUint32(nPubAt, 1000, true))), 'FILE_FORMAT', 'nPublic (1000)', `byte offset ${nPubAt}`);
  });

  it('a coefficient naming a signal, constraint or matrix out of range: FILE_FORMAT at prove time', async () => {
    const s4 = section(ZKEY, 4);
    const first = s4.at + 4;
    const cases: [number, number, string][] = [
      [first, 5, 'matrix 5'],
      [first + 4, 1 << 20, 'constraint 1048576'],
      [first + 8, 999, 'signal 999'],
    ];
    for (const [at, value, text] of cases) {
      const path = asFile(
        edit(ZKEY, (_b, v) => v.setUint32(at, value, true)),
        'zkey',
      );
      await expectError(groth16.prove(path, mul.wtns, { runtime }), 'FILE_FORMAT', path, 'section 4 (coefficients): coefficient 0', text, `byte offset ${at}`);
    }
    const valueAt = first + 12;
    const path = asFile(
      edit(ZKEY, (b) => b.fill(0xff, valueAt, valueAt + 32)),
      'zkey',
    );
    await expectError(groth16.prove(path, mul.wtns, { runtime }), 'FILE_FORMAT', path, 'value is not below r', `byte offset ${valueAt}`);
  });
});

describe('zkey point sections', () => {
  it.each([
    [5, 'A points', 64, 1],
    [6, 'B1 points', 64, 2],
    [7, 'B2 points', 128, 1],
    [8, 'C points', 64, 0],
    [9, 'H points', 64, 3],
  ] as const)('a corrupted point in section %i (%s): FILE_FORMAT at its byte offset, no proof', async (id, name, size, index) => {
    const s = section(ZKEY, id);
    const at = s.at + index * size;
    const path = asFile(
      edit(ZKEY, (b) => (b[at + 5] ^= 0x10)),
      'zkey',
    );
    await expectError(groth16.prove(path, mul.wtns, { runtime }), 'FILE_FORMAT', path, `section ${id} (${name}): point ${index}`, `byte offset ${at}`);
  });
});

describe('wtns', () => {
  it('reads the values snarkjs wrote', async () => {
    const w = await groth16.readWtns(mul.wtns);
    expect(w.curve).toBe('bn254');
    expect(w.values[0]).toBe(1n);
    // input a = 3, b = 11, k = 7: c = a b k + a = 234; the public signals are [c, k].
    expect(w.values.slice(1, 3)).toEqual([234n, 7n]);
    expect(w.bytes.length).toBe(w.nWitness * 32);
    expect((await groth16.readWtns(blsMul.wtns)).curve).toBe('bls12-381');
  });

  it('corruptions: FILE_FORMAT / UNKNOWN_CURVE naming the file, section and offset', async () => {
    const s1 = section(WTNS, 1);
    const s2 = section(WTNS, 2);
    for (const cut of [0, 7, 12, 20, s1.at + 10, s2.headerAt + 4, s2.at + 31, WTNS.length - 1]) {
      const path = asFile(WTNS.subarray(0, cut), 'wtns');
      await expectError(groth16.readWtns(path), 'FILE_FORMAT', path, /byte offset \d+/);
    }
    await expectError(groth16.readWtns(edit(WTNS, (b) => (b[1] = 0))), 'FILE_FORMAT', 'magic', 'byte offset 0');
    await expectError(groth16.readWtns(edit(WTNS, (_b, v) => v.setUint32(s1.at, 48, true))), 'FILE_FORMAT', 'n8 is 48', `byte offset ${s1.at}`);
    await expectError(groth16.readWtns(edit(WTNS, (b) => (b[s1.at + 4] ^= 1))), 'UNKNOWN_CURVE', 'section 1 (header)', `byte offset ${s1.at + 4}`);
    await expectError(
      groth16.readWtns(edit(WTNS, (_b, v) => v.setUint32(s1.at + 36, v.getUint32(s1.at + 36, true) + 1, true))),
      'FILE_FORMAT',
      'section 2 (witness values)',
      `byte offset ${s2.headerAt}`,
    );
    await expectError(groth16.readWtns(edit(WTNS, (b) => b.fill(0xff, s2.at + 64, s2.at + 96))), 'FILE_FORMAT', 'value 2 is not below q', `byte offset ${s2.at + 64}`);
  });
});
