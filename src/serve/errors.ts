/**
 * The service's error codes: each maps to one HTTP status, and a job that fails stores its code, so
 * clients branch on `error.code`, never on message text. Codes of the library (ZkgpuError:
 * INPUT_INVALID, FILE_FORMAT, WITNESS_MISMATCH...) pass through unchanged where they name the cause.
 */
import { isZkgpuError } from '../index.js';

export type ServeErrorCode =
  // requests (400s)
  | 'BAD_JSON'
  | 'BAD_REQUEST'
  | 'UNKNOWN_CIRCUIT'
  | 'INPUT_INVALID'
  | 'WITNESS_INVALID'
  | 'WITNESS_MISMATCH'
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'JOB_FINISHED'
  // capacity (503)
  | 'QUEUE_FULL'
  | 'QUEUE_UNAVAILABLE'
  | 'DRAINING'
  // jobs
  | 'PROOF_TIMEOUT'
  | 'PROOF_INVALID'
  | 'CANCELLED'
  | 'INTERRUPTED'
  | 'PROVER_ERROR'
  // start-up
  | 'CONFIG_INVALID'
  | 'INSECURE_BIND'
  | 'CIRCUIT_INVALID'
  | 'CIRCUIT_TOO_LARGE'
  | 'DATA_DIR_LOCKED';

const STATUS: Partial<Record<ServeErrorCode, number>> = {
  BAD_JSON: 400,
  BAD_REQUEST: 400,
  UNKNOWN_CIRCUIT: 400,
  INPUT_INVALID: 400,
  WITNESS_INVALID: 400,
  WITNESS_MISMATCH: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  JOB_FINISHED: 409,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  QUEUE_FULL: 503,
  QUEUE_UNAVAILABLE: 503,
  DRAINING: 503,
};

export class ServeError extends Error {
  readonly code: ServeErrorCode;
  /** Seconds a client should wait before retrying (503s). */
  readonly retryAfterS?: number;
  constructor(code: ServeErrorCode, message: string, options?: { cause?: unknown; retryAfterS?: number }) {
    super(message, options);
    this.name = 'ServeError';
    this.code = code;
    this.retryAfterS = options?.retryAfterS;
  }

  get status(): number {
    return STATUS[this.code] ?? 500;
  }
}

/** What a failed job stores: a stable code and a message (never a stack). */
export interface JobError {
  code: string;
  message: string;
}

/**
 * A failure while proving, as the job's error: the library's own codes are kept (they name the
 * input or the file at fault); anything else is PROVER_ERROR with the message.
 */
export function jobErrorOf(e: unknown): JobError {
  if (e instanceof ServeError) return { code: e.code, message: e.message };
  if (isZkgpuError(e)) return { code: e.code, message: e.message };
  return { code: 'PROVER_ERROR', message: e instanceof Error ? e.message : String(e) };
}
