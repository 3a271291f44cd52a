/**
 * Groth16 test fixtures: circuit.wasm, circuit.zkey, witness.wtns, input.json, vkey.json for one
 * circuit on one curve. Taken from test/vectors/groth16/<curve>/<circuit>/ when the cached set
 * exists there (scripts/make-groth16-fixtures.mjs); otherwise made here with the real toolchain
 * (circom2, then snarkjs's CLI: powers of tau 2^8, phase 2, setup, one contribution, export, wtns)
 * into a cache under the OS temp dir, so only the first run pays (~10 s per curve on 2 cores).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type FixtureCurve = 'bn128' | 'bls12381';
export type FixtureCircuit = 'mul' | 'private';

export interface Fixture {
  dir: string;
  wasm: string;
  zkey: string;
  wtns: string;
  input: Record<string, unknown>;
  vkey: unknown;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../../..');
const SNARKJS = join(ROOT, 'node_modules/snarkjs/build/cli.cjs');
const CIRCOM = join(ROOT, 'node_modules/circom2/cli.js');
const CACHE = join(tmpdir(), 'zkgpu-groth16-fixtures-v1');

const INPUTS: Record<FixtureCircuit, Record<string, unknown>> = {
  mul: { a: '3', b: '11', k: '7' },
  private: { x: ['5', '6', '7'] },
};

const FILES = ['circuit.wasm', 'circuit.zkey', 'witness.wtns', 'input.json', 'vkey.json'];

export function fixture(curve: FixtureCurve, circuit: FixtureCircuit): Fixture {
  const vectors = join(ROOT, 'test/vectors/groth16', curve, circuit);
  const dir = FILES.every((f) => existsSync(join(vectors, f))) ? vectors : makeFixture(curve, circuit);
  return {
    dir,
    wasm: join(dir, 'circuit.wasm'),
    zkey: join(dir, 'circuit.zkey'),
    wtns: join(dir, 'witness.wtns'),
    input: JSON.parse(readFileSync(join(dir, 'input.json'), 'utf8')),
    vkey: JSON.parse(readFileSync(join(dir, 'vkey.json'), 'utf8')),
  };
}

function run(cmd: string, args: string[], cwd: string): void {
  execFileSync(process.execPath, [cmd, ...args], { cwd, stdio: 'pipe' });
}

function ptau(curve: FixtureCurve): string {
  const dir = join(CACHE, curve);
  const final = join(dir, 'pot8_final.ptau');
  if (existsSync(final)) return final;
  // Per-process scratch directory: test files run in parallel forks and may both get here.
  const work = join(dir, `ptau.tmp-${process.pid}`);
  mkdirSync(work, { recursive: true });
  run(SNARKJS, ['powersoftau', 'new', curve, '8', 'pot8_0.ptau'], work);
  run(SNARKJS, ['powersoftau', 'contribute', 'pot8_0.ptau', 'pot8_1.ptau', '--name=zkgpu-test', '-e=zkgpu test entropy 1'], work);
  run(SNARKJS, ['powersoftau', 'prepare', 'phase2', 'pot8_1.ptau', 'pot8_final.ptau'], work);
  if (!existsSync(final)) renameSync(join(work, 'pot8_final.ptau'), final);
  rmSync(work, { recursive: true, force: true });
  return final;
}

function makeFixture(curve: FixtureCurve, circuit: FixtureCircuit): string {
  const dir = join(CACHE, curve, circuit);
  if (FILES.every((f) => existsSync(join(dir, f)))) return dir;
  const pot = ptau(curve);
  // Built in a scratch directory and moved in whole, so an interrupted run never leaves half a fixture.
  const work = `${dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  run(CIRCOM, [join(HERE, 'circuits', `${circuit}.circom`), '--r1cs', '--wasm', '--prime', curve, '-o', work], work);
  cpSync(join(work, `${circuit}_js`, `${circuit}.wasm`), join(work, 'circuit.wasm'));
  writeFileSync(join(work, 'input.json'), JSON.stringify(INPUTS[circuit]));
  run(SNARKJS, ['groth16', 'setup', `${circuit}.r1cs`, pot, 'c0.zkey'], work);
  run(SNARKJS, ['zkey', 'contribute', 'c0.zkey', 'circuit.zkey', '--name=zkgpu-test', '-e=zkgpu test entropy 2'], work);
  run(SNARKJS, ['zkey', 'export', 'verificationkey', 'circuit.zkey', 'vkey.json'], work);
  run(SNARKJS, ['wtns', 'calculate', 'circuit.wasm', 'input.json', 'witness.wtns'], work);
  if (FILES.every((f) => existsSync(join(dir, f)))) {
    rmSync(work, { recursive: true, force: true }); // another test process finished first
  } else {
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
  }
  return dir;
}
