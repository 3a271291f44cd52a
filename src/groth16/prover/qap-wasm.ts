/**
 * The QAP stages of the Groth16 prover on a worker's wasm (zk_build_abc, zk_quotient, zk_h_scalars): about ten
 * times fewer CPU cycles than the BigInt versions in qap.ts, which stay as their reference (the
 * tests compare the two), and off the main thread, whose core the workers share.
 */
import type { ZkgpuError } from '../../core/errors.js';
import { encodeScalar, invMod, type CurveName } from '../../math/index.js';
import type { Runtime } from '../../runtime/runtime.js';
import { COEFFICIENT_BYTES } from '../formats/zkey.js';
import { viewOf } from '../formats/fr.js';
import { COEFFICIENT_FIELDS, coefficientFormatError, type CoefficientContext } from './qap.js';

export interface AbcBytes {
  a: Uint8Array;
  b: Uint8Array;
  c: Uint8Array;
}

/** R^-2 mod r (R = 2^256): undoes the c R^2 encoding of section 4's values. */
function rInverseSquared(r: bigint): Uint8Array {
  const rInv = invMod((1n << 256n) % r, r);
  return encodeScalar((rInv * rInv) % r);
}

/**
 * A, B and C = A B at the domain points (32-byte standard form each), from section 4 (its count
 * word included) and the witness bytes. A bad coefficient is FILE_FORMAT naming the file, the
 * coefficient, the field and its byte offset (coefficientFormatError, shared with qap.ts's buildAbc).
 */
export async function buildAbcOnWorker(
  runtime: Runtime,
  curve: CurveName,
  coefficients: Uint8Array,
  witness: Uint8Array,
  ctx: CoefficientContext,
  signal?: AbortSignal,
  priority?: number,
): Promise<AbcBytes> {
  const coefs = coefficientRecords(coefficients);
  const rInv2 = rInverseSquared(ctx.r);
  type Result = AbcBytes | BadCoefficient;
  const r = await runtime.runOnWorker<Result>(
    async (api, _worker, post) => {
      const [c, w] = post([coefs, witness]);
      return (await api.buildAbc(curve, c, w, ctx.domainSize, rInv2)) as Result;
    },
    signal,
    priority,
    { stage: 'buildABC' },
  );
  if ('a' in r) return r;
  throw coefficientError(coefficients, ctx, r);
}

/**
 * The H MSM's scalars in one worker task: buildAbcOnWorker, the three inverse + coset transforms
 * (coset `shift` <w>) and the quotient, with no copies between them (WasmEngine.hScalars). The
 * whole chain on one worker: for a few workers, where the transforms would not spread anyway.
 * Bad coefficients as buildAbcOnWorker.
 */
export async function hScalarsOnWorker(
  runtime: Runtime,
  curve: CurveName,
  coefficients: Uint8Array,
  witness: Uint8Array,
  ctx: CoefficientContext,
  shift: bigint,
  signal?: AbortSignal,
  priority?: number,
): Promise<Uint8Array> {
  const coefs = coefficientRecords(coefficients);
  const rInv2 = rInverseSquared(ctx.r);
  const g = encodeScalar(shift);
  type Result = { h: Uint8Array } | BadCoefficient;
  const r = await runtime.runOnWorker<Result>(
    async (api, _worker, post) => {
      const [c, w] = post([coefs, witness]);
      return (await api.hScalars(curve, c, w, ctx.domainSize, rInv2, g)) as Result;
    },
    signal,
    priority,
    { stage: 'qap' },
  );
  if ('h' in r) return r.h;
  throw coefficientError(coefficients, ctx, r);
}

type BadCoefficient = { badCoefficient: { index: number; field: number } };

/**
 * Section 4's records without their count word: a view, not a copy. Each try posts it afresh
 * (runOnWorker's `post`: the worker's staging buffer, or a copy it may keep), so the caller's
 * bytes stay whole for a retry after a worker dies.
 */
function coefficientRecords(coefficients: Uint8Array): Uint8Array {
  const count = viewOf(coefficients).getUint32(0, true);
  return coefficients.subarray(4, 4 + count * COEFFICIENT_BYTES);
}

/** The wasm's field number (0 matrix, 1 constraint, 2 signal, 3 value) as qap.ts's error for it. */
function coefficientError(coefficients: Uint8Array, ctx: CoefficientContext, r: BadCoefficient): ZkgpuError {
  const { index, field: fieldNumber } = r.badCoefficient;
  const field = (['matrix', 'constraint', 'signal', 'value'] as const)[fieldNumber];
  const at = 4 + index * COEFFICIENT_BYTES;
  const value = field === 'value' ? null : viewOf(coefficients).getUint32(at + COEFFICIENT_FIELDS[field], true);
  const message =
    field === 'matrix'
      ? `matrix ${value} is neither 0 (A) nor 1 (B)`
      : field === 'constraint'
        ? `constraint ${value} is outside the domain of ${ctx.domainSize}`
        : field === 'signal'
          ? `signal ${value} is not below nVars = ${ctx.nVars}`
          : 'value is not below r';
  return coefficientFormatError(ctx, index, field, message);
}

/** (A_k B_k - C_k) mod r for three transforms' outputs: the H MSM's scalars. */
export async function quotientOnWorker(
  runtime: Runtime,
  curve: CurveName,
  a: Uint8Array,
  b: Uint8Array,
  c: Uint8Array,
  signal?: AbortSignal,
  priority?: number,
): Promise<Uint8Array> {
  // Posted, not moved: the transforms' outputs must outlive a try whose worker dies. Up to the
  // pool's staging size (32 MiB: 2^18 points per array) that is a copy into warm shared memory;
  // above it, fresh copies that are transferred.
  return runtime.runOnWorker(
    (api, _worker, post) => {
      const [pa, pb, pc] = post([a, b, c]);
      return api.quotient(curve, pa, pb, pc);
    },
    signal,
    priority,
    { stage: 'quotient' },
  );
}
