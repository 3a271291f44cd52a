/**
 * The QAP side of the Groth16 prover in BigInt: the reference the prover's wasm tasks
 * (qap-wasm.ts) are tested against, not on the proving path. Also the section 4 error both share.
 *  - buildAbc: the constraint evaluations A_i = sum_j a_ij w_j and B_i = sum_j b_ij w_j over the
 *    domain, from section 4's sparse coefficients (C_i = A_i B_i holds for a satisfied circuit, so
 *    snarkjs derives C from A and B and does not store the C matrix; so do we);
 *  - quotientScalars: A*B - C at the coset points, as the H MSM's scalars.
 */
import { ZkgpuError } from '../../core/errors.js';
import { invMod } from '../../math/index.js';
import { COEFFICIENT_BYTES, ZKEY_SECTION } from '../formats/zkey.js';
import { readFr, viewOf, writeFr } from '../formats/fr.js';

export interface AbcEvaluations {
  a: bigint[];
  b: bigint[];
  c: bigint[];
}

export interface CoefficientContext {
  fileName: string;
  /** File offset of section 4's payload, for error messages. */
  sectionOffset: number;
  r: bigint;
  domainSize: number;
  nVars: number;
}

/**
 * Evaluations of A, B and C = A B at the domain points. Section values are c R^2 mod r (see
 * zkey.ts); the R^-2 is applied once per row rather than once per coefficient, and sums stay
 * unreduced until then (each product is < 2^510; BigInt addition of those is cheap, a reduction is not).
 */
export function buildAbc(coefficients: Uint8Array, witness: readonly bigint[], ctx: CoefficientContext): AbcEvaluations {
  const { r, domainSize, nVars } = ctx;
  const view = viewOf(coefficients);
  const count = view.getUint32(0, true);
  const rows: [bigint[], bigint[]] = [new Array<bigint>(domainSize).fill(0n), new Array<bigint>(domainSize).fill(0n)];
  const fail = (i: number, field: CoefficientField, message: string): never => {
    throw coefficientFormatError(ctx, i, field, message);
  };
  for (let i = 0; i < count; i++) {
    const at = 4 + i * COEFFICIENT_BYTES;
    const matrix = view.getUint32(at, true);
    const constraint = view.getUint32(at + 4, true);
    const signal = view.getUint32(at + 8, true);
    if (matrix > 1) fail(i, 'matrix', `matrix ${matrix} is neither 0 (A) nor 1 (B)`);
    if (constraint >= domainSize) fail(i, 'constraint', `constraint ${constraint} is outside the domain of ${domainSize}`);
    if (signal >= nVars) fail(i, 'signal', `signal ${signal} is not below nVars = ${nVars}`);
    const value = readFr(view, at + 12);
    if (value >= r) fail(i, 'value', 'value is not below r');
    const w = witness[signal];
    if (w !== 0n) rows[matrix][constraint] += value * w;
  }
  const rInv = invMod((1n << 256n) % r, r);
  const rInv2 = (rInv * rInv) % r;
  const a = rows[0];
  const b = rows[1];
  const c = new Array<bigint>(domainSize);
  for (let i = 0; i < domainSize; i++) {
    const ai = a[i] === 0n ? 0n : ((a[i] % r) * rInv2) % r;
    const bi = b[i] === 0n ? 0n : ((b[i] % r) * rInv2) % r;
    a[i] = ai;
    b[i] = bi;
    c[i] = (ai * bi) % r;
  }
  return { a, b, c };
}

/** The fields of one section 4 record, in file order, with their byte offsets in it. */
export const COEFFICIENT_FIELDS = { matrix: 0, constraint: 4, signal: 8, value: 12 } as const;
export type CoefficientField = keyof typeof COEFFICIENT_FIELDS;

/** FILE_FORMAT for field `field` of coefficient `index`: the message qap.ts and qap-wasm.ts share, with details. */
export function coefficientFormatError(ctx: CoefficientContext, index: number, field: CoefficientField, message: string): ZkgpuError {
  const offset = ctx.sectionOffset + 4 + index * COEFFICIENT_BYTES + COEFFICIENT_FIELDS[field];
  return new ZkgpuError('FILE_FORMAT', `${ctx.fileName}: section 4 (coefficients): coefficient ${index}: ${message} (byte offset ${offset})`, {
    details: { file: ctx.fileName, section: ZKEY_SECTION.coefficients, index, offset, field },
  });
}

/** (A_k B_k - C_k) mod r for every k, from three transforms' 32-byte outputs, as 32-byte scalars. */
export function quotientScalars(a: Uint8Array, b: Uint8Array, c: Uint8Array, r: bigint): Uint8Array {
  const n = a.length >>> 5;
  const va = viewOf(a);
  const vb = viewOf(b);
  const vc = viewOf(c);
  const out = new Uint8Array(n * 32);
  const vo = viewOf(out);
  for (let k = 0; k < n; k++) {
    const at = k * 32;
    let v = (readFr(va, at) * readFr(vb, at) - readFr(vc, at)) % r;
    if (v < 0n) v += r;
    writeFr(vo, at, v);
  }
  return out;
}
