/**
 * The committed Groth16 vectors (scripts/make-groth16-fixtures.mjs): one directory per curve and
 * circuit, each with snarkjs's key, witness, verification key, and snarkjs's own proof + public
 * signals of that witness (the oracle: made by snarkjs, not by the code under test).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VECTORS_DIR = fileURLToPath(new URL('../../vectors/groth16/', import.meta.url));

export interface FixtureMeta {
  circuit: string;
  curve: 'bn128' | 'bls12381';
  constraints: number;
  nVars: number;
  nPublic: number;
  domainSize: number;
  files: Record<string, string>;
}

export interface Fixture {
  /** "bn128/poseidon" */
  id: string;
  dir: string;
  meta: FixtureMeta;
  zkey: string;
  wtns: string;
  wasm: string;
  input: string;
  vkey: string;
  /** snarkjs's proof and public signals of the witness, written when the vectors were made. */
  snarkjsProof: string;
  snarkjsPublic: string;
}

export function listFixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const curve of readdirSync(VECTORS_DIR).sort()) {
    for (const circuit of readdirSync(join(VECTORS_DIR, curve)).sort()) {
      const dir = join(VECTORS_DIR, curve, circuit);
      const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as FixtureMeta;
      out.push({
        id: `${curve}/${circuit}`,
        dir,
        meta,
        zkey: join(dir, 'circuit.zkey'),
        wtns: join(dir, 'witness.wtns'),
        wasm: join(dir, 'circuit.wasm'),
        input: join(dir, 'input.json'),
        vkey: join(dir, 'vkey.json'),
        snarkjsProof: join(dir, 'proof.json'),
        snarkjsPublic: join(dir, 'public.json'),
      });
    }
  }
  return out;
}

export function fixture(id: string): Fixture {
  const f = listFixtures().find((x) => x.id === id);
  if (!f) throw new Error(`no Groth16 fixture ${id} under ${VECTORS_DIR} (run node scripts/make-groth16-fixtures.mjs)`);
  return f;
}

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** sha256 of every file of every fixture, to check afterwards that nothing wrote to them. */
export function hashAllFixtureFiles(): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const f of listFixtures()) {
    for (const name of readdirSync(f.dir)) hashes.set(join(f.dir, name), sha256File(join(f.dir, name)));
  }
  return hashes;
}

/*
 * snarkjs ships no type declarations: typed here with the members the tests use
 * (node_modules/snarkjs/src/groth16_verify.js, groth16_prove.js).
 */
export interface SnarkjsProof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}
export interface SnarkjsApi {
  groth16: {
    verify(vk: unknown, publicSignals: unknown, proof: unknown, logger?: unknown): Promise<boolean>;
    prove(zkey: string, wtns: string): Promise<{ proof: SnarkjsProof; publicSignals: string[] }>;
  };
}
const SNARKJS = 'snarkjs';

export async function loadSnarkjs(): Promise<SnarkjsApi> {
  return (await import(SNARKJS)) as SnarkjsApi;
}

/**
 * Ends the worker threads of the curves snarkjs built (call in afterAll). ffjavascript caches each
 * curve in globalThis.curve_bn128 / curve_bls12381 and clears the slot in terminate().
 */
export async function terminateSnarkjsCurves(): Promise<void> {
  const g = globalThis as unknown as Record<string, { terminate(): Promise<void> } | null | undefined>;
  for (const key of ['curve_bn128', 'curve_bls12381']) await g[key]?.terminate();
}
