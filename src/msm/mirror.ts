/**
 * TypeScript mirrors of the GPU MSM stages, in the GPU's own encodings, for the stage tests
 * (gpuMsm's debugStopAfter) and as a readable statement of what each pass computes.
 *   digits:  digits[w n + i] = |d| | sign << 31 (shaders/msm_sort.wgsl msm_decompose)
 *   sort:    offsets (W B + 1 entries, exclusive scan of the histogram) and csr, each bucket's
 *            entries in ascending point order (the GPU's order inside a bucket is unspecified)
 *   buckets: bucket sums, window sums Σ v bucket[v], and the Horner combination
 */
import { bytesToBigIntLE, g1, jacobianAdd, fromJacobian, toJacobian, pointNeg, type CurveName, type G1Point, type JacobianPoint } from '../math/index.js';

export const SIGN_BIT = 0x80000000;

/** Signed c-bit digits d_w in (-2^(c-1), 2^(c-1)] with s = Σ d_w 2^(c w); `windows` digits. */
export function signedDigits(s: bigint, c: number, windows: number): number[] {
  const mask = (1n << BigInt(c)) - 1n;
  const half = 2 ** (c - 1);
  const out: number[] = [];
  let carry = 0;
  for (let w = 0; w < windows; w++) {
    const v = Number((s >> BigInt(w * c)) & mask) + carry;
    if (v > half) {
      out.push(v - 2 ** c);
      carry = 1;
    } else {
      out.push(v);
      carry = 0;
    }
  }
  if (carry !== 0 || s >> BigInt(windows * c) !== 0n) throw new RangeError(`signedDigits: ${s} needs more than ${windows} windows of ${c} bits`);
  return out;
}

/** The digits buffer msm_decompose writes for n 32-byte LE scalars. */
export function mirrorDigits(scalars: Uint8Array, c: number, windows: number): Uint32Array {
  const n = scalars.length / 32;
  const out = new Uint32Array(windows * n);
  for (let i = 0; i < n; i++) {
    const ds = signedDigits(bytesToBigIntLE(scalars, 32 * i, 32), c, windows);
    ds.forEach((d, w) => {
      out[w * n + i] = d < 0 ? (-d | SIGN_BIT) >>> 0 : d;
    });
  }
  return out;
}

export interface CsrMirror {
  /** W B + 1 entries; bucket k (window w, magnitude v: k = w B + v - 1) is csr[offsets[k] .. offsets[k + 1]). */
  offsets: Uint32Array;
  /** Point index | sign << 31, ascending point index inside each bucket. */
  csr: Uint32Array;
}

/** Counting sort of the digits into buckets (what msm_clear/decompose/scan/scatter build). */
export function mirrorCsr(digits: Uint32Array, n: number, c: number, windows: number): CsrMirror {
  const buckets = 2 ** (c - 1);
  const K = windows * buckets;
  const counts = new Uint32Array(K + 1);
  for (let w = 0; w < windows; w++) {
    for (let i = 0; i < n; i++) {
      const mag = digits[w * n + i] & ~SIGN_BIT;
      if (mag !== 0) counts[w * buckets + mag - 1]++;
    }
  }
  const offsets = new Uint32Array(K + 1);
  for (let k = 0, run = 0; k <= K; k++) {
    offsets[k] = run;
    run += counts[k];
  }
  const fill = offsets.slice();
  const csr = new Uint32Array(offsets[K]);
  for (let w = 0; w < windows; w++) {
    for (let i = 0; i < n; i++) {
      const d = digits[w * n + i];
      const mag = d & ~SIGN_BIT;
      if (mag !== 0) csr[fill[w * buckets + mag - 1]++] = (i | (d & SIGN_BIT)) >>> 0;
    }
  }
  return { offsets, csr };
}

/** Entries of each bucket sorted, so a GPU csr (unspecified order inside buckets) can be compared. */
export function canonicalCsr(offsets: Uint32Array, csr: Uint32Array): Uint32Array {
  const out = csr.slice(0, offsets[offsets.length - 1]);
  for (let k = 0; k + 1 < offsets.length; k++) out.subarray(offsets[k], offsets[k + 1]).sort();
  return out;
}

const jInf = (): JacobianPoint<bigint> => ({ X: 1n, Y: 1n, Z: 0n });

/** Bucket sums (affine) from a csr over decoded points; K = offsets.length - 1 buckets. */
export function mirrorBuckets(curve: CurveName, points: readonly G1Point[], offsets: Uint32Array, csr: Uint32Array): G1Point[] {
  const G = g1(curve);
  const out: G1Point[] = [];
  for (let k = 0; k + 1 < offsets.length; k++) {
    let acc = jInf();
    for (let e = offsets[k]; e < offsets[k + 1]; e++) {
      const p = points[csr[e] & ~SIGN_BIT];
      acc = jacobianAdd(G, acc, toJacobian(G, (csr[e] & SIGN_BIT) !== 0 ? pointNeg(G, p) : p));
    }
    out.push(fromJacobian(G, acc));
  }
  return out;
}

/** Window sums T_w = Σ_v v · bucket[w B + v - 1] (affine). */
export function mirrorWindowSums(curve: CurveName, buckets: readonly G1Point[], windows: number): G1Point[] {
  const G = g1(curve);
  const B = buckets.length / windows;
  const out: G1Point[] = [];
  for (let w = 0; w < windows; w++) {
    // running-sum trick, the same identity the GPU uses
    let running = jInf();
    let sum = jInf();
    for (let v = B; v >= 1; v--) {
      running = jacobianAdd(G, running, toJacobian(G, buckets[w * B + v - 1]));
      sum = jacobianAdd(G, sum, running);
    }
    out.push(fromJacobian(G, sum));
  }
  return out;
}

/** Σ_w 2^(c w) T_w. */
export function mirrorCombine(curve: CurveName, windowSums: readonly G1Point[], c: number): G1Point {
  const G = g1(curve);
  let acc = G.infinity;
  for (let w = windowSums.length - 1; w >= 0; w--) {
    acc = G.mul(acc, 1n << BigInt(c));
    acc = G.add(acc, windowSums[w]);
  }
  return acc;
}

/** The whole pipeline in BigInt (digits -> csr -> buckets -> windows -> combination). */
export function mirrorMsm(curve: CurveName, points: readonly G1Point[], scalars: Uint8Array, c: number, windows: number): G1Point {
  const digits = mirrorDigits(scalars, c, windows);
  const { offsets, csr } = mirrorCsr(digits, points.length, c, windows);
  return mirrorCombine(curve, mirrorWindowSums(curve, mirrorBuckets(curve, points, offsets, csr), windows), c);
}
