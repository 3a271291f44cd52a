import type { BenchCurve, BenchGroup } from '../schema.js';
import type { PeerName } from '../args.js';

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
 * One prepared computation. Input conversion into the peer's own format happens in prepare (not
 * timed: a prover using that library keeps its data in that format); run() is what is timed;
 * output() turns a run's raw result into zkgpu's encoding for the byte-for-byte check.
 */
export interface Prepared<R = unknown> {
  run(): Promise<R>;
  output(raw: R): Promise<Uint8Array>;
}

export interface PeerAdapter {
  readonly name: PeerName;
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
