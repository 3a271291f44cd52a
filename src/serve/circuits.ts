/**
 * The circuits an operator registered: each key's header read once at start, its verification key
 * exported once (every proof is checked with it before it is returned), its .wasm checked against
 * the key (same field, same witness size) and its input table loaded, and the memory one proof
 * needs. A circuit whose proof can never fit the host budget is refused here, with the figures.
 */
import { readFile, stat } from 'node:fs/promises';
import { groth16, type ZkeyHeader } from '../index.js';
import type { CircuitSpec } from './config.js';
import { ServeError } from './errors.js';
import { loadCalculatorFacts, type SignalTable } from './input.js';
import { proofBytesEstimate } from './memory.js';

export interface Circuit {
  name: string;
  zkeyPath: string;
  wasmPath: string | null;
  header: ZkeyHeader;
  /** Size of the .zkey file: what the key cache holds for it. */
  keyBytes: number;
  /** Bytes one proof holds beyond its key (memory.ts). */
  proofBytes: number;
  vkey: Record<string, unknown>;
  /** The circuit's .wasm, handed to the helper thread. */
  wasm: Uint8Array | null;
  table: SignalTable | null;
}

/** What GET /v1/circuits shows for one circuit. */
export interface CircuitInfo {
  name: string;
  curve: string;
  /**
   * The most constraints the key can hold: domainSize - publicSignals - 1 (snarkjs's key records
   * the domain, not the circuit's constraint count; the domain is the smallest power of two above
   * constraints + public inputs + 1).
   */
  maxConstraints: number;
  domainSize: number;
  nVars: number;
  publicSignals: number;
  takesInput: boolean;
  memory: { proofBytes: number; keyBytes: number; totalBytes: number };
}

interface SnarkjsZkey {
  zKey: { exportVerificationKey(zkey: string): Promise<Record<string, unknown>> };
  curves: { getCurveFromName(name: string): Promise<{ terminate(): Promise<void> }> };
}
const SNARKJS = 'snarkjs';

const MiB = 2 ** 20;
const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;

/**
 * Loads and checks one circuit. `availableBytes` is the host budget less the process's own memory:
 * a proof (its key included) larger than that is refused.
 */
export async function registerCircuit(spec: CircuitSpec, availableBytes: number, budgetSource: string): Promise<Circuit> {
  const where = `circuit "${spec.name}"`;
  let header: ZkeyHeader;
  let keyBytes: number;
  try {
    header = await groth16.readZkeyHeader(spec.zkey);
    keyBytes = (await stat(spec.zkey)).size;
  } catch (e) {
    throw new ServeError('CIRCUIT_INVALID', `${where}: ${spec.zkey}: ${(e as Error).message}`, { cause: e });
  }
  const proofBytes = proofBytesEstimate(header);
  const tooLarge = circuitTooLarge({ name: spec.name, header, keyBytes, proofBytes }, availableBytes, budgetSource);
  if (tooLarge) throw tooLarge;
  let vkey: Record<string, unknown>;
  try {
    const snarkjs = (await import(SNARKJS)) as SnarkjsZkey;
    vkey = await snarkjs.zKey.exportVerificationKey(spec.zkey);
  } catch (e) {
    throw new ServeError('CIRCUIT_INVALID', `${where}: cannot export the verification key from ${spec.zkey}: ${(e as Error).message}`, { cause: e });
  }
  let wasm: Uint8Array | null = null;
  let table: SignalTable | null = null;
  if (spec.wasm !== undefined) {
    try {
      wasm = new Uint8Array(await readFile(spec.wasm));
    } catch (e) {
      throw new ServeError('CIRCUIT_INVALID', `${where}: cannot read ${spec.wasm}: ${(e as Error).message}`, { cause: e });
    }
    let facts;
    try {
      facts = await loadCalculatorFacts(wasm);
    } catch (e) {
      throw new ServeError('CIRCUIT_INVALID', `${where}: ${spec.wasm} is not a circom 2 witness calculator: ${(e as Error).message}`, { cause: e });
    }
    if (facts.prime !== header.r || facts.witnessSize !== header.nVars) {
      throw new ServeError(
        'CIRCUIT_INVALID',
        `${where}: ${spec.wasm} does not belong to ${spec.zkey}: it computes ${facts.witnessSize} witness values in the field ${facts.prime === header.r ? 'of the key' : `r = ${facts.prime}`}, the key has ${header.nVars} variables over r = ${header.r}`,
      );
    }
    table = facts.table;
  }
  return { name: spec.name, zkeyPath: spec.zkey, wasmPath: spec.wasm ?? null, header, keyBytes, proofBytes, vkey, wasm, table };
}

/**
 * exportVerificationKey builds snarkjs's curve with its own worker threads on this thread; they
 * would sit idle for the server's life and keep the process from exiting after a drain. Proof
 * checks run on the helper thread, so the curves are ended once every circuit is registered.
 */
export async function releaseSnarkjsCurves(circuits: Iterable<Circuit>): Promise<void> {
  const snarkjs = (await import(SNARKJS)) as SnarkjsZkey;
  const names = new Set([...circuits].map((c) => c.header.snarkjsCurve));
  for (const name of names) await (await snarkjs.curves.getCurveFromName(name)).terminate();
}

/**
 * CIRCUIT_TOO_LARGE with the figures when one proof (its key included) does not fit in
 * `availableBytes`, else null. A single server refuses such a circuit at start; a fleet worker
 * does not take its jobs.
 */
export function circuitTooLarge(c: Pick<Circuit, 'name' | 'header' | 'keyBytes' | 'proofBytes'>, availableBytes: number, budgetSource: string): ServeError | null {
  if (c.proofBytes + c.keyBytes <= availableBytes) return null;
  return new ServeError(
    'CIRCUIT_TOO_LARGE',
    `circuit "${c.name}": one proof needs ~${mib(c.proofBytes + c.keyBytes)} (key ${mib(c.keyBytes)} + working memory ${mib(c.proofBytes)}; ` +
      `${c.header.nVars} variables, domain 2^${c.header.power}) but the host budget leaves ${mib(availableBytes)} for proofs ` +
      `(${budgetSource}); raise --max-host-bytes or give the server more memory`,
  );
}

export function circuitInfo(c: Circuit): CircuitInfo {
  return {
    name: c.name,
    curve: c.header.snarkjsCurve,
    maxConstraints: c.header.domainSize - c.header.nPublic - 1,
    domainSize: c.header.domainSize,
    nVars: c.header.nVars,
    publicSignals: c.header.nPublic,
    takesInput: c.wasm !== null,
    memory: { proofBytes: c.proofBytes, keyBytes: c.keyBytes, totalBytes: c.proofBytes + c.keyBytes },
  };
}
