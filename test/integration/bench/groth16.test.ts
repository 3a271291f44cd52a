/**
 * `zkgpu bench groth16` (bench/node/groth16.ts): argument handling, the real two-process run on the
 * smallest fixture, and that a proof snarkjs rejects produces a failure and no time.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROTH16_BENCH_USAGE, parseGroth16BenchArgs, runGroth16Bench, runProverLoop, type ChildRequest, type Groth16BenchReport } from '../../../bench/node/groth16.js';
import { SCHEMA_NAME } from '../../../bench/core/schema.js';
import { fixture, terminateSnarkjsCurves } from '../../support/groth16/committed-vectors.js';

const TINY = fixture('bn128/tiny');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'zkgpu-bench-groth16-'));
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await terminateSnarkjsCurves();
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
}

describe('bench groth16 arguments', () => {
  it('resolves fixture names, curve-qualified names and directories', () => {
    const a = parseGroth16BenchArgs(['--circuit', 'tiny']);
    expect(a.circuit).toBe('bn128/tiny');
    expect(a.circuitDir).toBe(TINY.dir.replace(/\/$/, ''));
    expect(a).toMatchObject({ runs: 5, threads: null, backend: 'wasm', json: null, help: false });
    expect(parseGroth16BenchArgs(['--circuit', 'bls12381/bits']).circuit).toBe('bls12381/bits');
    expect(parseGroth16BenchArgs(['--circuit', 'bits', '--curve', 'bls12381']).circuit).toBe('bls12381/bits');
    expect(parseGroth16BenchArgs(['--circuit', TINY.dir]).circuitDir).toBe(TINY.dir.replace(/\/$/, ''));
    expect(parseGroth16BenchArgs(['--runs', '3', '--threads', '2', '--backend', 'auto', '--json', 'x.json'])).toMatchObject({
      circuit: 'bn128/mulchain',
      runs: 3,
      threads: 2,
      backend: 'auto',
      json: 'x.json',
    });
  });

  it('bad usage throws a USAGE error with the reason', () => {
    const bad: [string[], RegExp][] = [
      [['--circuit', 'nope'], /neither a fixture/],
      [['--circuit', 'poseidon', '--curve', 'bls12381'], /neither a fixture/],
      [['--curve', 'bn254'], /--curve must be bn128 or bls12381/],
      [['--runs', '0'], /--runs must be an integer from 1/],
      [['--backend', 'cuda'], /--backend must be wasm, webgpu or auto/],
      [['--bench-size', '9'], /--bench-size must be an integer from 10 to 22/],
      [['--bench-size', '21'], /no bench circuit for 2\^21/],
      [['--circuit', 'tiny', '--bench-size', '16'], /not both/],
      [['--frobnicate'], /Unknown option/],
    ];
    for (const [argv, message] of bad) {
      let err: unknown;
      try {
        parseGroth16BenchArgs(argv);
      } catch (e) {
        err = e;
      }
      expect(err, argv.join(' ')).toBeInstanceOf(Error);
      expect((err as { code?: string }).code).toBe('USAGE');
      expect((err as Error).message).toMatch(message);
    }
  });

  it('--help prints the usage', async () => {
    const c = capture();
    expect(await runGroth16Bench(['--help'], c.io)).toBe(0);
    expect(c.out).toEqual([GROTH16_BENCH_USAGE]);
  });
});

describe('bench groth16 run', () => {
  it('each prover in its own process: both proofs checked by snarkjs, medians, RSS and a JSON report', async () => {
    const json = join(dir, 'report.json');
    const c = capture();
    const code = await runGroth16Bench(['--circuit', 'tiny', '--runs', '2', '--threads', '2', '--json', json], c.io);
    expect(c.err.filter((l) => !l.startsWith('warning: load average'))).toEqual([]);
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Groth16BenchReport;
    expect(report.schema).toBe(SCHEMA_NAME);
    expect(report.kind).toBe('groth16');
    expect(report.config).toMatchObject({ circuit: 'bn128/tiny', curve: 'bn128', constraints: TINY.meta.constraints, nVars: TINY.meta.nVars, runs: 2 });
    expect(report.results.map((r) => r.impl)).toEqual(['zkgpu', 'snarkjs']);
    for (const r of report.results) {
      expect(r.checked).toBe(true);
      expect(r.ms.all).toHaveLength(2);
      expect(r.ms.median).toBeGreaterThan(0);
      // maxRSS of a separate process: at least the ~40 MiB a bare Node process takes.
      expect(r.peakRssBytes).toBeGreaterThan(30 * 2 ** 20);
    }
    const z = report.results[0];
    expect(z.engines).toEqual(['wasm']);
    expect(z.threads).toBe(2);
    expect(z.stageMedians?.msmH).toBeGreaterThanOrEqual(0);
    expect(report.speedup).toBeCloseTo(report.results[1].ms.median / z.ms.median, 6);
    expect(c.out.join('\n')).toMatch(/zkgpu speed-up \(snarkjs median \/ zkgpu median\): \d+\.\d+x/);
  });

  it('a proof snarkjs rejects is a failure: exit 1 and no time for that prover', async () => {
    const tampering = async (req: ChildRequest) => {
      const r = await runProverLoop(req);
      if (req.impl !== 'zkgpu') return r;
      const p = r.last.proof as { pi_a: unknown; pi_c: unknown };
      return { ...r, last: { ...r.last, proof: { ...p, pi_a: p.pi_c, pi_c: p.pi_a } } };
    };
    const c = capture();
    const code = await runGroth16Bench(['--circuit', 'tiny', '--runs', '1', '--threads', '1', '--json', join(dir, 'bad.json')], c.io, { runProver: tampering });
    expect(code).toBe(1);
    expect(c.err.join('\n')).toMatch(/CHECK FAILED in zkgpu: snarkjs rejects zkgpu's last timed proof/);
    const report = JSON.parse(readFileSync(join(dir, 'bad.json'), 'utf8')) as Groth16BenchReport;
    expect(report.results.map((r) => r.impl)).toEqual(['snarkjs']);
    expect(report.failures).toEqual([{ impl: 'zkgpu', kind: 'mismatch', message: expect.stringContaining('rejects') }]);
    expect(report.speedup).toBeNull();
  });
});
