/**
 * The contract between the worker pool and a CPU worker: every method runs on one worker's own
 * WebAssembly instance. Byte arrays arrive as views of SharedArrayBuffers, read in place (the
 * caller's own shared inputs, or the worker's reused staging buffer: WorkerPool.stage), or, where
 * memory cannot be shared, as transferred copies (cpu/pool.ts postable); results come back
 * transferred. Encodings: wasm/README.md.
 */
import type { CurveName, GroupName } from '../core/sizes.js';
import type { BabyBearNttCallOptions } from './wasm-engine.js';

export interface NttCallOptions {
  inverse?: boolean;
  /** Coset shift as a 32-byte little-endian Fr element in standard form; null for none. */
  shift?: Uint8Array | null;
  inputOrder?: 'natural' | 'bit-reversed';
  outputOrder?: 'natural' | 'bit-reversed';
}

export interface NttRowsOptions {
  inverse?: boolean;
  twiddleLogN?: number;
  rowOffset?: number;
}

export interface CpuWorkerApi {
  init(module: WebAssembly.Module): Promise<void>;
  msm(curve: CurveName, group: GroupName, points: Uint8Array, scalars: Uint8Array, windowBits?: number): Uint8Array;
  pointAdd(curve: CurveName, group: GroupName, a: Uint8Array, b: Uint8Array): Uint8Array;
  validatePoints(curve: CurveName, group: GroupName, points: Uint8Array): number;
  /** validatePoints then msm on one copy of the points; see WasmEngine.msmValidated. */
  msmValidated(curve: CurveName, group: GroupName, points: Uint8Array, scalars: Uint8Array, windowBits?: number): { point: Uint8Array } | { invalidIndex: number };
  /** [k_i] base for each 32-byte scalar; see WasmEngine.fixedBaseMul. */
  fixedBaseMul(curve: CurveName, group: GroupName, base: Uint8Array, scalars: Uint8Array): Uint8Array;
  generatePoints(curve: CurveName, group: GroupName, n: number, seed: number): Uint8Array;
  ntt(curve: CurveName, values: Uint8Array, opts: NttCallOptions): Uint8Array;
  nttRows(curve: CurveName, values: Uint8Array, logM: number, opts: NttRowsOptions): Uint8Array;
  mulPowers(curve: CurveName, values: Uint8Array, base: Uint8Array, startExp: number): Uint8Array;
  scale(curve: CurveName, values: Uint8Array, factor: Uint8Array): Uint8Array;
  /** BabyBear NTT of 2^logN u32 values (< p, standard form); see WasmEngine.babybearNtt. */
  babybearNtt(values: Uint32Array, opts: BabyBearNttCallOptions): Uint32Array;
  /** Groth16's A, B, C = A B; see WasmEngine.buildAbc. */
  buildAbc(
    curve: CurveName,
    coefficients: Uint8Array,
    witness: Uint8Array,
    domain: number,
    rInv2: Uint8Array,
  ): { a: Uint8Array; b: Uint8Array; c: Uint8Array } | { badCoefficient: { index: number; field: number } };
  /** Groth16's H scalars from the coefficients and witness; see WasmEngine.hScalars. */
  hScalars(
    curve: CurveName,
    coefficients: Uint8Array,
    witness: Uint8Array,
    domain: number,
    rInv2: Uint8Array,
    shift: Uint8Array,
  ): { h: Uint8Array } | { badCoefficient: { index: number; field: number } };
  /** a b - c for Fr arrays; see WasmEngine.quotient. */
  quotient(curve: CurveName, a: Uint8Array, b: Uint8Array, c: Uint8Array): Uint8Array;
  memoryBytes(): number;
  /** Diagnostics: ends this worker abruptly, as a crash would (used by the fault tests). */
  crash(): void;
}
