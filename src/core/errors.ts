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
  | 'CHUNK_FAILED';

export class ZkgpuError extends Error {
  readonly code: ZkgpuErrorCode;
  constructor(code: ZkgpuErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = code === 'ABORTED' ? 'AbortError' : 'ZkgpuError';
    this.code = code;
  }
}

export function isZkgpuError(e: unknown, code?: ZkgpuErrorCode): e is ZkgpuError {
  return e instanceof ZkgpuError && (code === undefined || e.code === code);
}
