/**
 * The QAP stages of the Groth16 prover on a worker's wasm (zk_build_abc, zk_quotient, zk_h_scalars): about ten
 * times fewer CPU cycles than the BigInt versions in qap.ts, which stay as their reference (the
 * tests compare the two), and off the main thread, whose core the workers share.
 */
import { transfer } from 'comlink';
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
export async function buildAbcOnWorker(runtime: Runtime, curve: CurveName, coefficients: Uint8Array, witness: Uint8Array, ctx: CoefficientContext, signal?: AbortSignal, priority?: number): Promise<AbcBytes> {
  const { coefs, w } = workerCopies(coefficients, witness);
  const rInv2 = rInverseSquared(ctx.r);
  type Result = AbcBytes | BadCoefficient;
  const r = await runtime.runOnWorker<Result>(async (api) => (await api.buildAbc(curve, transfer(coefs, [coefs.buffer]), transfer(w, [w.buffer]), ctx.domainSize, rInv2)) as Result, signal, priority);
  if ('a' in r) return r;
  throw coefficientError(coefficients, ctx, r);
}

/**
 * The H MSM's scalars in one worker task: buildAbcOnWorker, the three inverse + coset transforms
 * (coset `shift` <w>) and the quotient, with no copies between them (WasmEngine.hScalars). The
 * whole chain on one worker: for a few workers, where the transforms would not spread anyway.
 * Bad coefficients as buildAbcOnWorker.
 */
export async function hScalarsOnWorker(runtime: Runtime, curve: CurveName, coefficients: Uint8Array, witness: Uint8Array, ctx: CoefficientContext, shift: bigint, signal?: AbortSignal, priority?: number): Promise<Uint8Array> {
  const { coefs, w } = workerCopies(coefficients, witness);
  const rInv2 = rInverseSquared(ctx.r);
  const g = encodeScalar(shift);
  type Result = { h: Uint8Array } | BadCoefficient;
  const r = await runtime.runOnWorker<Result>(async (api) => (await api.hScalars(curve, transfer(coefs, [coefs.buffer]), transfer(w, [w.buffer]), ctx.domainSize, rInv2, g)) as Result, signal, priority);
  if ('h' in r) return r.h;
  throw coefficientError(coefficients, ctx, r);
}

type BadCoefficient = { badCoefficient: { index: number; field: number } };

/** Copies the worker gets to keep (transferred); the caller's arrays are left as they were. */
function workerCopies(coefficients: Uint8Array, witness: Uint8Array): { coefs: Uint8Array; w: Uint8Array } {
  const count = viewOf(coefficients).getUint32(0, true);
  // Uint8Array's slice, not Buffer's (a Buffer's slice is a view: transferring it would detach the file's bytes).
  const coefs = Uint8Array.prototype.slice.call(coefficients, 4, 4 + count * COEFFICIENT_BYTES);
  const w = Uint8Array.prototype.slice.call(witness);
  return { coefs, w };
}

/** The wasm's field number (0 matrix, 1 constraint, 2 signal, 3 value) as qap.ts's error for it. */
function coefficientError(coefficients: Uint8Array, ctx: CoefficientContext, r: BadCoefficient): ZkgpuError {
  const { index, field: fieldNumber } = r.badCoefficient;
  const field = (['matrix', 'constraint', 'signal', 'value'] as const)[fieldNumber];
  const at = 4 + index * COEFFICIENT_BYTES;
  const value = field === 'value' ? null : viewOf(coefficients).getUint32(at + COEFFICIENT_FIELDS[field], true);
  const message =
    field === 'matrix' ? `matrix ${value} is neither 0 (A) nor 1 (B)`
    : field === 'constraint' ? `constraint ${value} is outside the domain of ${ctx.domainSize}`
    : field === 'signal' ? `signal ${value} is not below nVars = ${ctx.nVars}`
    : 'value is not below r';
  return coefficientFormatError(ctx, index, field, message);
}

/** (A_k B_k - C_k) mod r for three transforms' outputs: the H MSM's scalars. */
export async function quotientOnWorker(runtime: Runtime, curve: CurveName, a: Uint8Array, b: Uint8Array, c: Uint8Array, signal?: AbortSignal, priority?: number): Promise<Uint8Array> {
  // The transforms' outputs are the prover's own: moved to the worker, not copied (unless one is a
  // view into a larger buffer, which is copied so nothing else is detached).
  const [ma, mb, mc] = [a, b, c].map(movable);
  return runtime.runOnWorker((api) => api.quotient(curve, transfer(ma, [ma.buffer]), transfer(mb, [mb.buffer]), transfer(mc, [mc.buffer])), signal, priority);
}

function movable(x: Uint8Array): Uint8Array {
  return x.byteOffset === 0 && x.byteLength === x.buffer.byteLength && !(x.buffer instanceof SharedArrayBuffer) ? x : Uint8Array.prototype.slice.call(x);
}
