/// <reference types="@webgpu/types" />
/**
 * The one GPU-error classification: what a failure of GPU work is (`GpuErrorKind`), read from a
 * WebGPU error-scope error, a thrown GpuError or ZkgpuError, or anything else a GPU path threw;
 * and the ZkgpuError code each kind surfaces as. Pure: whether a device is really gone after an
 * ambiguous error is the caller's question (the executor waits briefly on `device.lost`).
 */
import { ZkgpuError, type ZkgpuErrorCode } from '../core/errors.js';

/**
 * - 'lost': the device is gone (destroyed, driver reset, context disposed); nothing more runs on it.
 * - 'out-of-memory': an allocation failed; a smaller piece of work may fit.
 * - 'validation': our commands were invalid (a bug, or a limit the adapter lacks).
 * - 'internal': anything else the GPU path threw.
 */
export type GpuErrorKind = 'lost' | 'validation' | 'out-of-memory' | 'internal';

/** Thrown by the runner when an error scope reports a failure, or after device loss. */
export class GpuError extends Error {
  readonly kind: GpuErrorKind;
  constructor(kind: GpuErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GpuError';
    this.kind = kind;
  }
}

/**
 * The kind of an error popped from an error scope or raised as 'uncapturederror'. By constructor
 * name, not `instanceof`: Dawn's Node classes are not the globals a browser has.
 */
export function errorKind(e: GPUError): GpuErrorKind {
  const name = e.constructor?.name ?? '';
  if (name.includes('OutOfMemory')) return 'out-of-memory';
  if (name.includes('Validation')) return 'validation';
  return 'internal';
}

const CODE_OF_KIND: Readonly<Record<GpuErrorKind, ZkgpuErrorCode>> = {
  lost: 'GPU_DEVICE_LOST',
  'out-of-memory': 'GPU_OUT_OF_MEMORY',
  validation: 'GPU_ERROR',
  internal: 'GPU_ERROR',
};

/** The ZkgpuError code a GPU failure of this kind surfaces as. */
export function gpuErrorCode(kind: GpuErrorKind): ZkgpuErrorCode {
  return CODE_OF_KIND[kind];
}

/**
 * What a value thrown by GPU work says about the GPU, or null when it is not a GPU failure at all
 * (a ZkgpuError with a non-GPU code: ABORTED, INVALID_ARGUMENT, ... which no retry elsewhere
 * changes). A GpuError keeps its kind; a ZkgpuError's GPU code maps back to a kind
 * (GPU_UNAVAILABLE and GPU_ERROR are 'internal'); anything else (a plain Error, a thrown string)
 * is 'internal'.
 */
export function classifyGpuError(e: unknown): GpuErrorKind | null {
  if (e instanceof GpuError) return e.kind;
  if (e instanceof ZkgpuError) {
    if (e.code === 'GPU_DEVICE_LOST') return 'lost';
    if (e.code === 'GPU_OUT_OF_MEMORY') return 'out-of-memory';
    return e.code.startsWith('GPU_') ? 'internal' : null;
  }
  return 'internal';
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The ZkgpuError to reject with when GPU work failed: a ZkgpuError as it is, anything else with the
 * code of its kind and a message naming `what` ("MSM bn254 g1 on the GPU failed: ...").
 */
export function toGpuZkgpuError(e: unknown, what: string): ZkgpuError {
  if (e instanceof ZkgpuError) return e;
  return new ZkgpuError(gpuErrorCode(classifyGpuError(e) ?? 'internal'), `${what} on the GPU failed: ${messageOf(e)}`, { cause: e });
}
