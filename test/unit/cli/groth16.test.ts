/**
 * `zkgpu prove | fullprove | verify` through the CLI's own entry (main), on the committed vectors.
 * Proofs the CLI writes are judged by snarkjs.groth16.verify; exit codes 0 / 1 / 2 as documented.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { Groth16CliIO } from '../../../src/cli/groth16.js';
import { progressLine, stageProgress, type ProgressSink } from '../../../src/cli/progress.js';
import { fixture, hashAllFixtureFiles, loadSnarkjs, readJson, terminateSnarkjsCurves } from '../../support/groth16/committed-vectors.js';

const BN = fixture('bn128/manypublic');
const BLS = fixture('bls12381/tiny');
const OTHER = fixture('bn128/tiny');

let dir: string;
let before: Map<string, string>;

beforeAll(() => {
  before = hashAllFixtureFiles();
  dir = mkdtempSync(join(tmpdir(), 'zkgpu-cli-groth16-'));
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await terminateSnarkjsCurves();
});

function capture(): Groth16CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  // progress: null, so no bar even when the test runner's stderr is a terminal.
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s), progress: null };
}

const out = (name: string) => join(dir, name);
const FAST = ['--backend', 'wasm', '--threads', '2'];

describe('zkgpu prove', () => {
  it('writes snarkjs-format proof and public signals that snarkjs verifies; zkgpu verify says OK!', async () => {
    const io = capture();
    const code = await main(['prove', BN.zkey, BN.wtns, out('proof.json'), out('public.json'), ...FAST], io);
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/wrote .*proof\.json and .*public\.json/);

    const proofText = readFileSync(out('proof.json'), 'utf8');
    const proof = JSON.parse(proofText);
    const publicSignals = JSON.parse(readFileSync(out('public.json'), 'utf8'));
    // snarkjs's CLI layout: JSON.stringify(x, null, 1).
    expect(proofText).toBe(JSON.stringify(proof, null, 1));
    expect(publicSignals).toEqual(readJson(BN.snarkjsPublic));
    const snarkjs = await loadSnarkjs();
    expect(await snarkjs.groth16.verify(readJson(BN.vkey), publicSignals, proof)).toBe(true);

    const vio = capture();
    expect(await main(['verify', BN.vkey, out('public.json'), out('proof.json')], vio)).toBe(0);
    expect(vio.stdout).toEqual(['OK!']);
  });

  it('--json prints the stage timings as one JSON object on stdout', async () => {
    const io = capture();
    const code = await main(['prove', BLS.zkey, BLS.wtns, out('bls-proof.json'), out('bls-public.json'), '--json', ...FAST], io);
    expect(code).toBe(0);
    expect(io.stdout).toHaveLength(1);
    const report = JSON.parse(io.stdout[0]) as { command: string; timings: Record<string, number> };
    expect(report.command).toBe('prove');
    // 2 threads, no GPU: the H scalars are one worker task (qap), not the staged buildABC/ntt.
    for (const stage of ['readKey', 'readWitness', 'qap', 'msmA', 'msmB2', 'msmH', 'total']) {
      expect(report.timings[stage], stage).toBeGreaterThanOrEqual(0);
    }
    expect(report.timings.buildABC).toBeUndefined();
    const vio = capture();
    expect(await main(['verify', BLS.vkey, out('bls-public.json'), out('bls-proof.json')], vio)).toBe(0);
  });

  it('--qap stages times A, B, C, the transforms and the quotient as their own stages', async () => {
    const io = capture();
    const code = await main(['prove', BLS.zkey, BLS.wtns, out('bls-staged-proof.json'), out('bls-staged-public.json'), '--json', '--qap', 'stages', ...FAST], io);
    expect(code).toBe(0);
    const report = JSON.parse(io.stdout[0]) as { timings: Record<string, number> };
    for (const stage of ['buildABC', 'ifftA', 'fftC', 'ntt', 'quotient', 'msmH']) {
      expect(report.timings[stage], stage).toBeGreaterThanOrEqual(0);
    }
    expect(report.timings.qap).toBeUndefined();
    const vio = capture();
    expect(await main(['verify', BLS.vkey, out('bls-staged-public.json'), out('bls-staged-proof.json')], vio)).toBe(0);
  });

  it('a witness of another circuit: exit 1, the error message, and no output files', async () => {
    const io = capture();
    const code = await main(['prove', BN.zkey, OTHER.wtns, out('no-proof.json'), out('no-public.json'), ...FAST], io);
    expect(code).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/^zkgpu prove: the witness .*tiny.*witness\.wtns has \d+ values but the proving key .* expects \d+ .*\[WITNESS_MISMATCH\]$/);
    expect(existsSync(out('no-proof.json'))).toBe(false);
    expect(existsSync(out('no-public.json'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a PLONK key: exit 1 naming the protocol', async () => {
    const io = capture();
    expect(await main(['prove', join(OTHER.dir, 'plonk.zkey'), OTHER.wtns, out('x.json'), out('y.json'), ...FAST], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/PLONK.*\[PROTOCOL_MISMATCH\]/);
  });

  it('bad usage exits 2 with the usage text, before touching any file', async () => {
    const cases: string[][] = [
      ['prove', BN.zkey, BN.wtns, out('p.json')],
      ['prove', BN.zkey, BN.wtns, out('p.json'), out('q.json'), 'extra'],
      ['prove', BN.zkey, BN.wtns, out('p.json'), out('q.json'), '--backend', 'cuda'],
      ['prove', BN.zkey, BN.wtns, out('p.json'), out('q.json'), '--threads', '0'],
      ['prove', BN.zkey, BN.wtns, out('p.json'), out('q.json'), '--frobnicate'],
      // an output that is an input: refused, the key stays as it was
      ['prove', BN.zkey, BN.wtns, BN.zkey, out('q.json')],
      ['prove', BN.zkey, BN.wtns, out('same.json'), out('same.json')],
      ['fullprove', BN.input, BN.wasm, BN.zkey, out('p.json')],
      ['verify', BN.vkey, out('public.json')],
    ];
    for (const argv of cases) {
      const io = capture();
      expect(await main(argv, io), argv.join(' ')).toBe(2);
      expect(io.stderr.join('\n')).toMatch(/Usage: zkgpu (prove|fullprove|verify)/);
    }
    expect(existsSync(out('p.json'))).toBe(false);
    expect(existsSync(out('q.json'))).toBe(false);
  });

  it('--help prints the usage and exits 0', async () => {
    for (const cmd of ['prove', 'fullprove', 'verify']) {
      const io = capture();
      expect(await main([cmd, '--help'], io)).toBe(0);
      expect(io.stdout.join('\n')).toContain(`Usage: zkgpu ${cmd}`);
    }
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    for (const cmd of ['prove', 'fullprove', 'verify']) expect(io.stdout.join('\n')).toMatch(new RegExp(`^  ${cmd} `, 'm'));
  });
});

describe('zkgpu fullprove', () => {
  it('input.json + circuit.wasm + circuit.zkey: a proof snarkjs verifies', async () => {
    const io = capture();
    const code = await main(['fullprove', BN.input, BN.wasm, BN.zkey, out('full-proof.json'), out('full-public.json'), ...FAST], io);
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    expect(readJson(out('full-public.json'))).toEqual(readJson(BN.snarkjsPublic));
    const vio = capture();
    expect(await main(['verify', BN.vkey, out('full-public.json'), out('full-proof.json')], vio)).toBe(0);
  });

  it('an input missing a signal: exit 1 with INPUT_INVALID', async () => {
    const input = readJson<Record<string, unknown>>(BN.input);
    delete input.k;
    writeFileSync(out('partial-input.json'), JSON.stringify(input));
    const io = capture();
    expect(await main(['fullprove', out('partial-input.json'), BN.wasm, BN.zkey, out('fp.json'), out('fq.json'), ...FAST], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/missing.*\[INPUT_INVALID\]/);
    expect(existsSync(out('fp.json'))).toBe(false);
  });

  it('an input file that is not JSON: exit 1 naming it', async () => {
    writeFileSync(out('broken-input.json'), '{ "x": [1, 2');
    const io = capture();
    expect(await main(['fullprove', out('broken-input.json'), BN.wasm, BN.zkey, out('fp.json'), out('fq.json'), ...FAST], io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('broken-input.json');
  });
});

describe('zkgpu verify', () => {
  it('a tampered proof: INVALID proof, exit 1', async () => {
    const proof = readJson<{ pi_a: string[]; pi_c: string[] }>(BN.snarkjsProof);
    writeFileSync(out('swapped.json'), JSON.stringify({ ...proof, pi_a: proof.pi_c, pi_c: proof.pi_a }));
    const io = capture();
    expect(await main(['verify', BN.vkey, BN.snarkjsPublic, out('swapped.json')], io)).toBe(1);
    expect(io.stdout).toEqual(['INVALID proof']);
    // The untouched proof is fine (the tampering is what fails, not the command).
    const ok = capture();
    expect(await main(['verify', BN.vkey, BN.snarkjsPublic, BN.snarkjsProof], ok)).toBe(0);
  });

  it('unreadable or non-Groth16 files: exit 1 with a message naming the file', async () => {
    const io = capture();
    expect(await main(['verify', out('nope.json'), BN.snarkjsPublic, BN.snarkjsProof], io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('nope.json');
    writeFileSync(out('plonk-vkey.json'), JSON.stringify({ protocol: 'plonk', curve: 'bn128' }));
    const io2 = capture();
    expect(await main(['verify', out('plonk-vkey.json'), BN.snarkjsPublic, BN.snarkjsProof], io2)).toBe(1);
    expect(io2.stderr.join('\n')).toMatch(/plonk-vkey\.json is not a Groth16 verification key/);
  });
});

describe('progress bar', () => {
  it('draws stage lines after the delay and clears at the end', async () => {
    const drawn: string[] = [];
    let cleared = 0;
    const sink: ProgressSink = { draw: (l) => drawn.push(l), clear: () => cleared++ };
    const p = stageProgress(sink, { delayMs: 0, tickMs: 10_000 });
    p.onProgress?.({ stage: 'readKey', done: 1, total: 4 });
    p.onProgress?.({ stage: 'msmA', done: 4, total: 4 });
    p.finish();
    expect(drawn).toHaveLength(2);
    expect(drawn[0]).toMatch(/^\[#{6}\.{18}\] 1\/4 readKey {2}\d+\.\d s$/);
    expect(drawn[1]).toMatch(/^\[#{24}\] 4\/4 msmA/);
    expect(cleared).toBe(1);
  });

  it('stays silent for a proof shorter than the delay, and with no terminal', () => {
    const drawn: string[] = [];
    const p = stageProgress({ draw: (l) => drawn.push(l), clear: () => drawn.push('clear') }, { delayMs: 60_000 });
    p.onProgress?.({ stage: 'readKey', done: 1, total: 4 });
    p.finish();
    expect(drawn).toEqual([]);
    expect(stageProgress(null).onProgress).toBeUndefined();
    expect(progressLine('ntt', 0, 12, 0)).toBe(`[${'.'.repeat(24)}]  0/12 ntt  0.0 s`);
  });
});

describe('inputs', () => {
  it('no committed vector changed', () => {
    const after = hashAllFixtureFiles();
    for (const [path, hash] of before) expect(after.get(path), path).toBe(hash);
  });
});
