/** What groth16.prove takes and returns: its options, progress events, timings and result. */
import type { Backend, JobReport, Runtime } from '../../runtime/runtime.js';
import type { Groth16Proof } from '../formats/proof-format.js';
import type { VerifyOption } from './verify.js';

export interface Groth16Progress {
  /** The proof stage that just finished (a key of Groth16Timings). */
  stage: string;
  /** Stages finished so far, including this one. */
  done: number;
  total: number;
}

export interface ProveOptions {
  /**
   * Runtime to use (left open). Without one, the process's default runtime (created on the first
   * such call, with `threads` and a GPU unless backend is 'wasm'; kept warm for the next proofs,
   * its idle workers unref'd so Node still exits; groth16.disposeDefaultRuntime() ends it).
   */
  runtime?: Runtime;
  /** Worker threads of the default runtime used when no runtime is given (one default per thread count). */
  threads?: number;
  /** Engine for every MSM and NTT; default 'auto'. */
  backend?: Backend;
  signal?: AbortSignal;
  onProgress?: (event: Groth16Progress) => void;
  /**
   * The runtime's report of every MSM and NTT of the proof, with the proof stage it belongs to
   * ('msmA', 'ifftB', 'finalize', ...): where each chunk ran and for how long (zkgpu profile uses it).
   */
  onJobReport?: (stage: string, report: JobReport) => void;
  /**
   * How the H MSM's scalars are made. 'one-task': A, B, C, the six transforms and the quotient as
   * one wasm task on one worker, nothing copied between them (timings: `qap`). 'stages': A, B, C,
   * then each transform through the runtime (spread over workers, or on the GPU), then the
   * quotient (timings: `buildABC`, `ifftA`... `quotient`). 'auto' (default): 'one-task' when the
   * transforms would run whole on one worker anyway (fewer than 6 threads) and no GPU could take
   * them (none, or a software adapter 'auto' leaves out), else 'stages'.
   */
  qap?: 'auto' | 'one-task' | 'stages';
  /**
   * Check the proof against the key's verification data before returning it (verify.ts); a proof
   * that fails is PROOF_INVALID naming the likely cause and the device of each part. 'auto'
   * (default): where the check costs under ~2% of the proof (AUTO_VERIFY_MIN_DOMAIN).
   */
  verify?: VerifyOption;
  /**
   * Working memory this proof may use, in bytes (default: the runtime's maxHostBytes, else the
   * detected budget, cgroup-aware, less the runtime's own footprint). A proof whose fastest way
   * does not fit is streamed in pieces that do; below its minimum it fails before any work with
   * PLAN_INFEASIBLE stating both figures (groth16.plan states them up front).
   */
  maxHostBytes?: number;
}

/**
 * Milliseconds per proof stage. MSMs and transforms overlap in time (they share the runtime), so
 * the stages do not add up to `total`; each is its own wall time from start to result.
 */
export interface Groth16Timings {
  /** fullProve only: computing the witness from the input. */
  witness?: number;
  /** Header parse plus reading the coefficient and point sections. */
  readKey: number;
  readWitness: number;
  /** qap 'one-task' only: A, B, C, the six transforms and the quotient, one worker task. */
  qap?: number;
  /** qap 'stages' only, as the seven below: A, B, C at the domain points. */
  buildABC?: number;
  ifftA?: number;
  fftA?: number;
  ifftB?: number;
  fftB?: number;
  ifftC?: number;
  fftC?: number;
  /** All six transforms, first start to last result. */
  ntt?: number;
  /** A B - C at the coset points. */
  quotient?: number;
  msmA: number;
  msmB1: number;
  msmB2: number;
  msmC: number;
  msmH: number;
  /** Blinding with r and s, and the proof's final point additions. */
  finalize: number;
  /** The check against the key's verification data (ProveOptions.verify), when it ran. */
  verify?: number;
  total: number;
}

export interface Groth16ProveResult {
  proof: Groth16Proof;
  publicSignals: string[];
  /** Non-enumerable, so JSON.stringify(result) matches snarkjs's output exactly. */
  readonly timings: Groth16Timings;
  /**
   * Set (non-enumerable) when a first proof failed its check after these GPUs computed part of it:
   * they were distrusted (runtime 'device-distrusted') and this proof was made again without them.
   */
  readonly redoneAfter?: { devices: string[] };
}
