/**
 * `zkgpu bench groth16 --circuit-class` (bench/node/groth16.ts, groth16-classes.ts, rapidsnark.ts):
 * a small class built by the fixtures script (a Poseidon Merkle path of depth 2 instead of 20, so
 * the build and the run stay well under a minute), run end to end with every proof verified by
 * snarkjs, the JSON report validated, and the `--rapidsnark` column exercised with an external
 * prover process that has rapidsnark's command line (snarkjs's own CLI: `groth16 prove zkey wtns
 * proof public`), since rapidsnark itself is not installed here. `--cli` runs the same class as
 * whole command lines (`zkgpu prove`, `snarkjs groth16 prove`, the external prover), one process
 * per proof.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_NAME, validateReport } from '../../../bench/core/schema.js';
import { CIRCUIT_CLASSES, resolveClasses } from '../../../bench/node/groth16-classes.js';
import { parseGroth16BenchArgs, runGroth16Bench, runProverLoop, type Groth16BenchReport } from '../../../bench/node/groth16.js';
import { terminateSnarkjsCurves } from '../../support/groth16/committed-vectors.js';

const ROOT = resolve(import.meta.dirname, '../../..');
/** Depth 2: ~1k constraints (two Poseidon(2) hashes), the smallest path that still swaps left and right. */
const SMALL_CLASS = 'merkle-2';
const SNARKJS_CLI = join(ROOT, 'node_modules/snarkjs/build/cli.cjs');

let dir: string;

/**
 * An executable that proves as rapidsnark's `prover` is called; `tamper` swaps pi_a and pi_c
 * afterwards: every time (true), or only from its second call on ('after-first': the warm-up
 * passes, the timed proof does not).
 */
function externalProver(name: string, tamper: boolean | 'after-first'): string {
  const path = join(dir, name);
  const swap = `const f=process.argv[1];const p=JSON.parse(require('fs').readFileSync(f,'utf8'));[p.pi_a,p.pi_c]=[p.pi_c,p.pi_a];require('fs').writeFileSync(f,JSON.stringify(p));`;
  const calls = join(dir, `${name}.calls`);
  writeFileSync(
    path,
    // exec: the prover is then the process the bench started, so its /proc peak RSS is the prover's, not the shell's.
    tamper === false
      ? `#!/bin/sh\nexec "${process.execPath}" "${SNARKJS_CLI}" groth16 prove "$1" "$2" "$3" "$4"\n`
      : `#!/bin/sh\nset -e\n"${process.execPath}" "${SNARKJS_CLI}" groth16 prove "$1" "$2" "$3" "$4"\n` +
          (tamper === true ? '' : `echo x >> "${calls}"\n[ "$(wc -l < "${calls}")" -gt 1 ] || exit 0\n`) +
          `"${process.execPath}" -e "${swap}" "$3"\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zkgpu-bench-classes-'));
  // Built once into .cache/groth16/classes/merkle-2/ and reused while its sources are unchanged.
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/make-groth16-fixtures.mjs'), '--classes', SMALL_CLASS], { cwd: ROOT, maxBuffer: 16 << 20 });
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await terminateSnarkjsCurves();
});

describe('bench groth16 --circuit-class arguments', () => {
  it('"all" names every class in order; a built class resolves to its cache directory', () => {
    const root = join(dir, 'root');
    for (const c of CIRCUIT_CLASSES) {
      mkdirSync(join(root, '.cache/groth16/classes', c), { recursive: true });
      for (const f of ['circuit.zkey', 'witness.wtns']) writeFileSync(join(root, '.cache/groth16/classes', c, f), '');
    }
    expect(resolveClasses('all', root)).toEqual(CIRCUIT_CLASSES.map((c) => ({ spec: c, dir: join(root, '.cache/groth16/classes', c) })));
    const a = parseGroth16BenchArgs(['--classes', `${SMALL_CLASS}`]);
    expect(a.circuits).toEqual([{ name: `class/${SMALL_CLASS}`, dir: join(ROOT, '.cache/groth16/classes', SMALL_CLASS), class: SMALL_CLASS }]);
    expect(a).toMatchObject({ circuit: `class/${SMALL_CLASS}`, rapidsnark: null });
  });

  it('bad usage names the problem (and, for a class not built, the command that builds it)', () => {
    const bad: [string[], RegExp][] = [
      [['--circuit-class', 'sha512'], /unknown circuit class "sha512"; known: sha256, merkle, bits, manypublic/],
      [['--circuit-class', 'manypublic-9973'], /not built .*make-groth16-fixtures\.mjs --classes manypublic-9973/],
      [['--circuit-class', `${SMALL_CLASS},${SMALL_CLASS}`], /names a class twice/],
      [['--circuit-class', SMALL_CLASS, '--circuit', 'tiny'], /--circuit and --circuit-class: give only one of --circuit, --bench-size and --circuit-class, not both/],
      [['--circuit-class', SMALL_CLASS, '--classes', SMALL_CLASS], /not both/],
      [['--circuit-class', SMALL_CLASS, '--curve', 'bls12381'], /BN254 circuits/],
      [['--circuit', 'tiny', '--rapidsnark', join(dir, 'no-such-prover')], /--rapidsnark .*no such file/],
      [['--circuit', 'tiny', '--rapidsnark', dir], /--rapidsnark .*not a file/],
    ];
    for (const [argv, message] of bad) {
      let err: unknown;
      try {
        parseGroth16BenchArgs(argv);
      } catch (e) {
        err = e;
      }
      expect(err, argv.join(' ')).toBeInstanceOf(Error);
      expect((err as { code?: string }).code, argv.join(' ')).toBe('USAGE');
      expect((err as Error).message, argv.join(' ')).toMatch(message);
    }
  });
});

describe('bench groth16 --circuit-class run', () => {
  it('a class beside snarkjs and an external prover: every proof verified, a per-class table, a valid report', async () => {
    const json = join(dir, 'classes.json');
    const c = capture();
    const prover = externalProver('prover', false);
    const code = await runGroth16Bench(['--circuit-class', SMALL_CLASS, '--runs', '1', '--threads', '1', '--rapidsnark', prover, '--json', json], c.io);
    expect(c.err.filter((l) => !l.startsWith('warning: load average'))).toEqual([]);
    expect(code).toBe(0);

    const raw = JSON.parse(readFileSync(json, 'utf8')) as unknown;
    expect(validateReport(raw)).toEqual([]);
    const report = raw as Groth16BenchReport;
    const meta = JSON.parse(readFileSync(join(ROOT, '.cache/groth16/classes', SMALL_CLASS, 'meta.json'), 'utf8')) as { constraints: number; class: string; size: number };
    expect(meta).toMatchObject({ class: 'merkle', size: 2 });
    expect(report.schema).toBe(SCHEMA_NAME);
    expect(report.classes).toHaveLength(1);
    const cls = report.classes?.[0];
    expect(cls?.class).toBe(SMALL_CLASS);
    expect(cls?.config).toMatchObject({ circuit: `class/${SMALL_CLASS}`, curve: 'bn128', constraints: meta.constraints, nPublic: 2, runs: 1 });
    expect(cls?.failures).toEqual([]);
    // Written only once snarkjs verified each prover's warm-up and timed proof.
    expect(cls?.results.map((r) => [r.impl, r.checked])).toEqual([
      ['zkgpu', true],
      ['snarkjs', true],
      ['rapidsnark', true],
    ]);
    const [z, s, r] = cls?.results ?? [];
    expect(cls?.speedup).toBeCloseTo(s.ms.median / z.ms.median, 6);
    expect(cls?.rapidsnarkGap).toBeCloseTo(z.ms.median / r.ms.median, 6);
    // The external prover's RSS is sampled from /proc: a Node process running snarkjs takes well over 30 MiB.
    expect(r.peakRssBytes).toBeGreaterThan(30 * 2 ** 20);
    expect(r).toMatchObject({ backend: null, engines: null, stageMedians: null, threads: 1, runs: 1 });
    // The top level is the first class, so a reader of single-circuit reports still sees one circuit.
    expect(report.config).toEqual(cls?.config);
    expect(report.rapidsnarkGap).toBe(cls?.rapidsnarkGap);

    const text = c.out.join('\n');
    expect(text).toMatch(/class +constraints +zkgpu ms +snarkjs ms +ratio +rapidsnark ms +gap +RSS zkgpu +RSS snarkjs +RSS rapidsnark/);
    expect(text).toMatch(new RegExp(`\\n${SMALL_CLASS} +${meta.constraints} +\\d+ +\\d+ +\\d+\\.\\d+x +\\d+ +\\d+\\.\\d+x +\\d+ MiB +\\d+ MiB +\\d+ MiB`));
    expect(text).toMatch(/gap to rapidsnark \(zkgpu median \/ rapidsnark median\): \d+\.\d+x/);
    expect(text).not.toMatch(/rapidsnark: not timed/);
  });

  it('an external proof snarkjs rejects is a failure for that prover alone; without --rapidsnark the output says how to get it', async () => {
    const c = capture();
    const json = join(dir, 'bad.json');
    const code = await runGroth16Bench(
      ['--circuit-class', SMALL_CLASS, '--runs', '1', '--threads', '1', '--rapidsnark', externalProver('bad-prover', true), '--json', json],
      c.io,
      {
        runProver: runProverLoop,
      },
    );
    expect(code).toBe(1);
    expect(c.err.join('\n')).toMatch(/CHECK FAILED in rapidsnark: snarkjs rejects rapidsnark's warm-up proof/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Groth16BenchReport;
    expect(validateReport(report)).toEqual([]);
    expect(report.classes?.[0].results.map((r) => r.impl)).toEqual(['zkgpu', 'snarkjs']);
    expect(report.classes?.[0].failures).toEqual([{ impl: 'rapidsnark', kind: 'mismatch', message: expect.stringContaining('rejects') }]);
    expect(report.classes?.[0].rapidsnarkGap).toBeNull();
    expect(c.out.join('\n')).toMatch(new RegExp(`\\n${SMALL_CLASS} +\\d+ +\\d+ +\\d+ +\\d+\\.\\d+x +failed +- `));

    const plain = capture();
    expect(await runGroth16Bench(['--circuit-class', SMALL_CLASS, '--runs', '1', '--threads', '1'], plain.io, { runProver: runProverLoop })).toBe(0);
    expect(plain.out.join('\n')).toMatch(/rapidsnark: not timed .*iden3\/rapidsnark.*cmake.*libgmp-dev.*nasm/);
    expect(plain.out.join('\n')).not.toMatch(/gap/);
  });
});

describe('bench groth16 --cli', () => {
  it('a class as whole command lines (zkgpu prove, snarkjs groth16 prove, an external prover): every proof verified, a per-class table, a valid report', async () => {
    const json = join(dir, 'cli.json');
    const c = capture();
    const code = await runGroth16Bench(['--cli', '--circuit-class', SMALL_CLASS, '--runs', '1', '--rapidsnark', externalProver('cli-prover', false), '--json', json], c.io);
    // Warnings only: a loaded machine, a dist/ older than src/ or none (the CLI then runs through tsx).
    expect(c.err.filter((l) => !/^warning: (load average|.* is newer than the built CLI|no built CLI)/.test(l))).toEqual([]);
    expect(code).toBe(0);

    const raw = JSON.parse(readFileSync(json, 'utf8')) as unknown;
    expect(validateReport(raw)).toEqual([]);
    const report = raw as Groth16BenchReport;
    expect(report.mode).toBe('cli');
    expect(report.memory.note).toMatch(/^mode cli: each proof is one process/);
    const cls = report.classes?.[0];
    expect(report.classes).toHaveLength(1);
    expect(cls?.class).toBe(SMALL_CLASS);
    expect(cls?.config).toMatchObject({ circuit: `class/${SMALL_CLASS}`, curve: 'bn128', nPublic: 2, runs: 1, threads: null, backend: 'wasm' });
    expect(cls?.failures).toEqual([]);
    // checked: true is written only once snarkjs verified every proof of that command line (warm-up and timed).
    expect(cls?.results.map((r) => [r.impl, r.checked, r.runs])).toEqual([
      ['zkgpu', true, 1],
      ['snarkjs', true, 1],
      ['rapidsnark', true, 1],
    ]);
    const [z, s, r] = cls?.results ?? [];
    expect(z).toMatchObject({ backend: 'wasm', engines: null, stageMedians: null });
    expect(s).toMatchObject({ backend: null, engines: null, stageMedians: null });
    expect(cls?.speedup).toBeCloseTo(s.ms.median / z.ms.median, 6);
    expect(cls?.rapidsnarkGap).toBeCloseTo(z.ms.median / r.ms.median, 6);
    // Each peak is sampled from /proc of the command's own process: a Node process that proves takes well over 30 MiB.
    for (const result of [z, s, r]) expect(result.peakRssBytes, result.impl).toBeGreaterThan(30 * 2 ** 20);

    const text = c.out.join('\n');
    expect(text).toMatch(/\n {2}zkgpu: +node (bin\/zkgpu\.js|--import tsx src\/cli\/main\.ts) prove circuit\.zkey witness\.wtns proof\.json public\.json --backend wasm\n/);
    expect(text).toMatch(/\n {2}snarkjs: +node \S*snarkjs\/build\/cli\.cjs groth16 prove circuit\.zkey witness\.wtns proof\.json public\.json\n/);
    expect(text).toMatch(/\nzkgpu prove +\d+ .*\nsnarkjs cli +\d+ .*\nrapidsnark +\d+ /);
    expect(text).toMatch(/zkgpu prove speed-up \(snarkjs CLI median \/ zkgpu prove median\): \d+\.\d+x/);
    expect(text).toMatch(/per class, whole command lines/);
    expect(text).toMatch(new RegExp(`\\n${SMALL_CLASS} +${cls?.config.constraints} +\\d+ +\\d+ +\\d+\\.\\d+x +\\d+ +\\d+\\.\\d+x +\\d+ MiB +\\d+ MiB +\\d+ MiB`));
  });

  it('a timed proof that snarkjs rejects fails its prover although the warm-up verified', async () => {
    const c = capture();
    const code = await runGroth16Bench(['--cli', '--circuit-class', SMALL_CLASS, '--runs', '1', '--rapidsnark', externalProver('cli-late-tamper', 'after-first')], c.io);
    expect(code).toBe(1);
    expect(c.err.join('\n')).toMatch(/CHECK FAILED in rapidsnark: snarkjs rejects rapidsnark's timed #1 proof/);
    expect(c.out.join('\n')).toMatch(new RegExp(`\\n${SMALL_CLASS} +\\d+ +\\d+ +\\d+ +\\d+\\.\\d+x +failed +- `));
  });
});
