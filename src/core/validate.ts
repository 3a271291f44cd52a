/**
 * Input checks at the public boundary. Each runs once per call, before any work is queued, and
 * names the offending index; the kernels behind it assume valid input and check nothing.
 */
import { ZkgpuError } from './errors.js';
import { CURVE_NAMES, isCurveName, SCALAR_BYTES, type CurveName, type GroupName } from './sizes.js';

export function checkCurve(curve: unknown): CurveName {
  if (!isCurveName(curve)) {
    throw new ZkgpuError('UNKNOWN_CURVE', `unknown curve ${JSON.stringify(curve)}: expected one of ${CURVE_NAMES.map((c) => `'${c}'`).join(', ')}`);
  }
  return curve as CurveName;
}

export function checkGroup(group: unknown): GroupName {
  if (group !== 'g1' && group !== 'g2') {
    throw new ZkgpuError('UNKNOWN_GROUP', `unknown group ${JSON.stringify(group)}: expected 'g1' or 'g2'`);
  }
  return group;
}

export function checkBytes(name: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new ZkgpuError('INVALID_ARGUMENT', `${name} must be a Uint8Array, got ${describe(value)}`);
  }
  // A Node Buffer's slice() is a view, not a copy: transferring it to a worker would detach the
  // caller's memory (and hang the call). A plain Uint8Array view over the same bytes slices by copy.
  if (value.constructor !== Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return value;
}

/**
 * Rejects the first 32-byte little-endian value that is not below `bound`. Compares word by
 * word from the top, so a typical value is settled by its highest 32-bit word alone.
 */
export function checkBelow(bytes: Uint8Array, bound: bigint, what: string, code: 'SCALAR_OUT_OF_RANGE' | 'FIELD_ELEMENT_OUT_OF_RANGE'): void {
  const index = firstNotBelow(bytes, bound);
  if (index >= 0) {
    throw new ZkgpuError(code, `invalid ${what} at index ${index} (byte offset ${index * SCALAR_BYTES}): not below the ${what === 'scalar' ? 'group order' : 'field modulus'} r`, {
      details: { index, offset: index * SCALAR_BYTES },
    });
  }
}

/** The index of the first 32-byte little-endian value not below `bound` (< 2^256), or -1. */
export function firstNotBelow(bytes: Uint8Array, bound: bigint): number {
  const boundWords = new Uint32Array(8);
  for (let i = 0; i < 8; i++) boundWords[i] = Number((bound >> BigInt(32 * i)) & 0xffffffffn);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes.length / SCALAR_BYTES;
  for (let index = 0; index < count; index++) {
    const base = index * SCALAR_BYTES;
    for (let w = 7; w >= 0; w--) {
      const word = view.getUint32(base + 4 * w, true);
      if (word < boundWords[w]) break;
      if (word > boundWords[w] || w === 0) return index;
    }
  }
  return -1;
}

export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (typeof AbortSignal !== 'undefined' && signal instanceof AbortSignal) return signal;
  throw new ZkgpuError('INVALID_ARGUMENT', `signal must be an AbortSignal, got ${describe(signal)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/** POINT_NOT_ON_CURVE for the point at `index` of the caller's array (details.index: groth16 maps it to a file offset). */
export function invalidPointError(index: number, size: number, curve: CurveName, group: GroupName): ZkgpuError {
  return new ZkgpuError(
    'POINT_NOT_ON_CURVE',
    `invalid point at index ${index} (byte offset ${index * size}): a coordinate is not below p or the point is not on the ${curve} ${group} curve`,
    { details: { index, offset: index * size } },
  );
}
