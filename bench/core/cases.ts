/**
 * What one benchmark case is (an op at a size, with its input), and the interface every
 * implementation offers the runner: zkgpu's engines and the peers alike.
 */
import type { BenchBackend, BenchCurve, BenchGroup, BenchImpl, BenchOp, BenchPeer } from './schema.js';

export interface CaseSpec {
  op: BenchOp;
  curve: BenchCurve;
  /** MSM only; null for NTT. */
  group: BenchGroup | null;
  logN: number;
}

export interface MsmCase {
  curve: BenchCurve;
  group: BenchGroup;
  n: number;
  /** n affine points in zkgpu's encoding (LE Montgomery, x || y). */
  points: Uint8Array;
  /** n scalars, 32-byte little-endian standard form, below r. */
  scalars: Uint8Array;
}

export interface NttCase {
  curve: BenchCurve;
  n: number;
  /** n Fr elements, 32-byte little-endian standard form, natural order. */
  values: Uint8Array;
}

/**
 * One prepared computation. Input conversion into the implementation's own format happens in
 * prepare (not timed: a prover using that library keeps its data in that format); run() is what
 * is timed; output() turns a run's raw result into zkgpu's encoding for the byte-for-byte check.
 */
export interface Prepared<R = unknown> {
  run(): Promise<R>;
  output(raw: R): Promise<Uint8Array>;
}

/** A peer library behind one interface (bench/node/peers/ for Node). */
export interface PeerAdapter {
  readonly name: BenchPeer;
  /** The package a user installs to get this peer (for the "not installed" note). */
  readonly packageName: string;
  /** Loads the library; rejects (ERR_MODULE_NOT_FOUND in Node) when it is not installed. */
  load(): Promise<void>;
  /** Threads the peer computes on (for the report). */
  threads(curve: BenchCurve): Promise<number>;
  /** Why this peer skips a case, or null when it runs it. */
  skipMsm(curve: BenchCurve, group: BenchGroup, logN: number): string | null;
  skipNtt(curve: BenchCurve, logN: number): string | null;
  prepareMsm(c: MsmCase): Promise<Prepared>;
  prepareNtt(c: NttCase): Promise<Prepared>;
  /** Frees worker threads; the process must be able to exit afterwards. */
  close(): Promise<void>;
}

/** One implementation at one size, as the case runner sees it. */
export interface Contender {
  impl: BenchImpl;
  backend: BenchBackend | null;
  threads: number;
  /** Timed after the check; false for a peer used only as the correctness reference. */
  timed: boolean;
  prepare(): Promise<Prepared>;
  /** GPU time of each run so far, from the runtime's reports (WebGPU with timestamp queries). */
  gpuMsLog?: number[];
}

/** "zkgpu-wasm", "ffjavascript": how a contender is named in tables and messages. */
export function contenderName(c: { impl: BenchImpl; backend: BenchBackend | null }): string {
  return c.backend === null ? c.impl : `${c.impl}-${c.backend}`;
}

export function caseLabel(c: CaseSpec): string {
  return `${c.op} ${c.curve}${c.group ? ` ${c.group}` : ''} 2^${c.logN}`;
}

/** An error as one line, with its ZkgpuError-style code when it has one. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}
