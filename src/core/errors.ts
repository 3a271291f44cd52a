/**
 * Every error zkgpu throws on purpose is a ZkgpuError with a stable `code`, so callers (and the
 * worker boundary, which loses subclasses) can branch on the code rather than on message text.
 */
export type ZkgpuErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNKNOWN_CURVE'
  | 'UNKNOWN_GROUP'
  | 'LENGTH_MISMATCH'
  | 'SCALAR_OUT_OF_RANGE'
  | 'POINT_NOT_ON_CURVE'
  | 'FIELD_ELEMENT_OUT_OF_RANGE'
  | 'NTT_SIZE_NOT_POWER_OF_TWO'
  | 'NTT_SIZE_TOO_LARGE'
  | 'ABORTED'
  | 'WORKER_CRASHED'
  | 'DISPOSED'
  | 'WASM_ERROR'
  // WebGPU
  | 'GPU_UNAVAILABLE'
  | 'GPU_DEVICE_LOST'
  | 'GPU_OUT_OF_MEMORY'
  | 'GPU_ERROR'
  // proving-key / witness / input files
  | 'FILE_READ_ERROR'
  | 'FILE_FORMAT'
  | 'PROTOCOL_MISMATCH'
  | 'WITNESS_MISMATCH'
  | 'INPUT_INVALID'
  // scheduler
  | 'PLAN_INFEASIBLE'
  | 'CHUNK_FAILED'
  // Groth16: a proof that fails its check against the key's verification data (ProveOptions.verify)
  | 'PROOF_INVALID';

/**
 * Where an error points, as fields set where it is created, so that callers (groth16 mapping a
 * point index to a file offset, a CLI, a service) read them instead of parsing the message. Each
 * is present only when the error knows it; the message says the same in words.
 */
export interface ZkgpuErrorDetails {
  /** Position of the offending element in its array: a point, scalar, field element, witness value or coefficient. */
  index?: number;
  /** Byte offset of the fault: in `file` when there is one, else in the caller's array. */
  offset?: number;
  /** The file the error is about, as messages name it (path, URL, or 'bytes' for in-memory sources). */
  file?: string;
  /** The id of the file's section at fault (groth16/formats: ZKEY_SECTION, WTNS_SECTION, R1CS_SECTION). */
  section?: number;
  /** The step of the work that failed: a Groth16 proof stage ('msmA', a key of Groth16Timings) or a dev-setup stage. */
  stage?: string;
  /** The named header field or record field at fault ('nVars', 'domainSize', 'alpha1', 'signal', ...). */
  field?: string;
  /** PROOF_INVALID: the devices (backend ids) that computed each proof stage ('msmA': ['webgpu'], 'qap': ['wasm']). */
  devices?: Readonly<Record<string, readonly string[]>>;
  /** PLAN_INFEASIBLE of a proof's memory plan: its figures in bytes (groth16/prover/memory-plan.ts). */
  memory?: Readonly<{ minimalBytes: number; comfortableBytes: number; budgetBytes: number; runtimeBytes: number }>;
}

export interface ZkgpuErrorOptions {
  cause?: unknown;
  details?: ZkgpuErrorDetails;
}

export class ZkgpuError extends Error {
  readonly code: ZkgpuErrorCode;
  /** Structured position of the fault; absent when the error has none (a bad option, a crashed worker). */
  declare readonly details?: Readonly<ZkgpuErrorDetails>;
  constructor(code: ZkgpuErrorCode, message: string, options?: ZkgpuErrorOptions) {
    // Error sees only `cause`, and only when the caller gave the key (as before details existed).
    super(message, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.name = code === 'ABORTED' ? 'AbortError' : 'ZkgpuError';
    this.code = code;
    if (options?.details) this.details = Object.freeze({ ...options.details });
  }
}

export function isZkgpuError(e: unknown, code?: ZkgpuErrorCode): e is ZkgpuError {
  return e instanceof ZkgpuError && (code === undefined || e.code === code);
}
