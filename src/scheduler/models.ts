/**
 * Default cost models and memory counts, used until a calibration measures the real machine.
 * Every plan built on them says `calibrated: false`.
 *
 * Cost model: a chunk of m elements takes fixedMs + m * perElementNs / 1e6 ms. Pippenger's cost per
 * point falls slowly as n grows (n / log n), so the per-element figures are taken at the largest
 * size the README measured: they are optimistic for small jobs, which only keeps those on the CPU.
 */
import { ZkgpuError } from '../core/errors.js';
import type { CurveName, GroupName } from '../math/index.js';

export type PlanOp = 'msm' | 'ntt';

export interface CostModel {
  /** Per chunk: dispatch, upload/readback round trip, partial-sum merge. */
  fixedMs: number;
  perElementNs: number;
  /** True only when measured on this machine. */
  calibrated: boolean;
  /** Where the numbers come from. */
  source: string;
}

/** Host and device bytes one element costs while its chunk runs, beyond the caller's input. */
export interface BytesPerElement {
  host: number;
  device: number;
}

export interface ModelKey {
  op: PlanOp;
  curve: CurveName;
  /** MSM only. */
  group?: GroupName;
}

/** The README's table was measured with 2 worker threads (AMD EPYC, Node 20). */
export const WASM_MEASURED_THREADS = 2;

/** ns per element on 2 workers: README median time / n at the largest measured size. */
const WASM_NS_AT_2_THREADS: Record<string, { ns: number; from: string }> = {
  'msm:bn254:g1': { ns: 5100, from: 'README: BN254 G1 MSM 2^20 in 5348 ms on 2 workers' },
  'msm:bn254:g2': { ns: 29541, from: 'README: BN254 G2 MSM 2^14 in 484 ms on 2 workers' },
  'msm:bls12-381:g1': { ns: 13733, from: 'README: BLS12-381 G1 MSM 2^16 in 900 ms on 2 workers' },
  'msm:bls12-381:g2': { ns: 65552, from: 'README: BLS12-381 G2 MSM 2^14 in 1074 ms on 2 workers' },
  'ntt:bn254': { ns: 625, from: 'README: BN254 Fr NTT 2^20 in 655 ms on 2 workers' },
  // Not measured: both Fr are 4 x 64-bit limbs with the same kernel, so the BN254 figure stands in.
  'ntt:bls12-381': { ns: 625, from: 'BN254 Fr NTT figure (BLS12-381 Fr has the same 4 limbs; not measured)' },
};

/** Worker message round trip plus the partial-sum additions: about a millisecond each, so 2 ms. */
export const WASM_FIXED_MS = 2;

export function modelKey(k: ModelKey): string {
  return k.op === 'msm' ? `msm:${k.curve}:${k.group ?? 'g1'}` : `ntt:${k.curve}`;
}

function wasmBase(k: ModelKey): { ns: number; from: string } {
  const base = WASM_NS_AT_2_THREADS[modelKey(k)];
  if (!base) throw new ZkgpuError('INVALID_ARGUMENT', `no default cost model for ${modelKey(k)} (curves 'bn254', 'bls12-381'; groups 'g1', 'g2')`);
  return base;
}

/** Assumes the work scales linearly with workers (the MSM is split into one chunk per worker). */
export function defaultWasmModel(k: ModelKey, threads: number): CostModel {
  const base = wasmBase(k);
  return {
    fixedMs: WASM_FIXED_MS,
    perElementNs: (base.ns * WASM_MEASURED_THREADS) / Math.max(1, threads),
    calibrated: false,
    source: `${base.from}, scaled to ${threads} thread(s)`,
  };
}

/**
 * PLACEHOLDER (no hardware GPU has been measured yet): a hardware adapter is taken as 10x two
 * workers per element, with 5 ms per chunk for submission and readback (scheduler/policy.ts: "a few
 * ms"). Software adapters: lavapipe ran the BN254 NTT 2^20 in 1.4 s against 0.655 s on 2 workers
 * (scheduler/policy.ts), so 2.14x slower than 2 workers per element, and 20 ms per chunk (placeholder).
 */
export const GPU_HARDWARE_SPEEDUP_PLACEHOLDER = 10;
export const GPU_HARDWARE_FIXED_MS_PLACEHOLDER = 5;
export const GPU_SOFTWARE_SLOWDOWN = 1.4 / 0.655;
export const GPU_SOFTWARE_FIXED_MS_PLACEHOLDER = 20;

/**
 * NOT MEASURED: a G2 point on the GPU is taken as 3x a G1 point (for calibration and plans of a
 * WebGPU G2 kernel, msm/gpu.ts with point-program.ts's step tables). The G2 kernel is the G1 one with every coordinate in Fp2, whose product is 3 Fp products (Karatsuba) and
 * whose square is 2, against 1 for G1, so each point addition costs about 3x; the sort and scan
 * passes do not change. Derived from G1 rather than from the wasm G2 figure (5.8x G1 per point,
 * but measured at 2^14 against G1's 2^20). A calibration replaces it.
 */
export const GPU_G2_OVER_G1 = 3;

export function defaultGpuModel(k: ModelKey, software: boolean): CostModel {
  if (k.op === 'msm' && k.group === 'g2') {
    const g1 = defaultGpuModel({ ...k, group: 'g1' }, software);
    return { ...g1, perElementNs: g1.perElementNs * GPU_G2_OVER_G1, source: `${g1.source}; G2 = G1 x ${GPU_G2_OVER_G1} (Fp2 product = 3 Fp products; not measured)` };
  }
  const base = wasmBase(k);
  if (software) {
    return {
      fixedMs: GPU_SOFTWARE_FIXED_MS_PLACEHOLDER,
      perElementNs: base.ns * GPU_SOFTWARE_SLOWDOWN,
      calibrated: false,
      source: 'software adapter: lavapipe NTT 2^20 1.4 s vs 0.655 s on 2 workers; fixed cost a placeholder',
    };
  }
  return {
    fixedMs: GPU_HARDWARE_FIXED_MS_PLACEHOLDER,
    perElementNs: base.ns / GPU_HARDWARE_SPEEDUP_PLACEHOLDER,
    calibrated: false,
    source: `PLACEHOLDER: 2 workers' figure / ${GPU_HARDWARE_SPEEDUP_PLACEHOLDER}, ${GPU_HARDWARE_FIXED_MS_PLACEHOLDER} ms per chunk (no hardware GPU measured)`,
  };
}

/** Bytes of one MSM input element: the affine point plus its 32-byte scalar. */
export function msmInputBytes(curve: CurveName, group: GroupName): number {
  const fp = curve === 'bn254' ? 32 : 48;
  return (group === 'g1' ? 2 : 4) * fp + 32;
}

/** The largest single buffer per element: the points buffer for an MSM, the values for an NTT. */
export function largestBufferBytesPerElement(k: ModelKey): number {
  if (k.op === 'ntt') return 32;
  return msmInputBytes(k.curve, k.group ?? 'g1') - 32;
}

/**
 * How the bytes are counted (what a chunk holds beyond the caller's own input arrays), from peak
 * RSS minus RSS before the call, measured here (Node 20, 2 workers, one run each):
 * - wasm MSM, host 5 x input: BN254 G1 2^18 took 420 B per point beyond its 96 B of input (4.4 x):
 *   the chunk's copy transferred to a worker, its copy in the instance's memory, Pippenger's scratch.
 * - wasm NTT, host 11 x 32 B: BN254 2^20 took 328 B per element: the four-step split's transposed
 *   copy, the rows sent to workers and their copies in linear memory, twiddles, the output.
 * - webgpu NTT, device 5 x 32 B: values, ping-pong copy, twiddles, coset factors, inverse scale
 *   (ntt/gpu.ts); host 2 x 32 B: upload staging and readback copy.
 * - webgpu MSM, PLACEHOLDER (no GPU MSM yet): device 3 x input (inputs, bucket indices and sums),
 *   host 2 x input (staging).
 */
export function defaultBytesPerElement(k: ModelKey, kind: 'wasm' | 'webgpu'): BytesPerElement {
  if (k.op === 'ntt') return kind === 'wasm' ? { host: 11 * 32, device: 0 } : { host: 2 * 32, device: 5 * 32 };
  const input = msmInputBytes(k.curve, k.group ?? 'g1');
  return kind === 'wasm' ? { host: 5 * input, device: 0 } : { host: 2 * input, device: 3 * input };
}

/**
 * Bytes per element inside one wasm instance (the 4 GiB cap): an MSM worker holds its points and
 * scalars plus about as much scratch, so 2 x input (an estimate: instance memory was not measured
 * apart from the process's).
 */
export function wasmInstanceBytesPerElement(k: ModelKey): number {
  return k.op === 'ntt' ? 2 * 32 : 2 * msmInputBytes(k.curve, k.group ?? 'g1');
}

/** core/sizes.ts MAX_NTT_LOG_N: the CPU engine takes NTTs up to 2^24 values. */
export const WASM_NTT_MAX_ELEMENTS = 2 ** 24;

/**
 * How an MSM's scalars split, as the wasm MSM (wasm/src/msm.rs msm_by_profile) treats them: zeros
 * are dropped, scalars equal to 1 summed by a batch-affine tree, the rest ("dense") by Pippenger
 * with a window fitted to their count and bit length. Groth16 witnesses of hash and bit circuits
 * are mostly 0 and 1 (issue 20: SHA-256's four witness MSMs ~130 ms each against a dense model).
 */
export interface MsmScalarProfile {
  terms: number;
  zeros: number;
  ones: number;
  /** Terms neither 0 nor 1. */
  dense: number;
  /** Bit length of the largest dense scalar (0 without any). */
  maxBits: number;
}

/** Profile of 32-byte little-endian scalars (standard form, as MSM requests take them). One pass, ~1 ms per 2^16 scalars. */
export function msmScalarProfile(scalars: Uint8Array): MsmScalarProfile {
  const terms = scalars.length >>> 5;
  const aligned = scalars.byteOffset % 4 === 0;
  const words = aligned ? new Uint32Array(scalars.buffer, scalars.byteOffset, terms * 8) : null;
  const word = (i: number, w: number) => (words ? words[i * 8 + w] : new DataView(scalars.buffer, scalars.byteOffset).getUint32(i * 32 + w * 4, true));
  let zeros = 0;
  let ones = 0;
  let maxBits = 0;
  for (let i = 0; i < terms; i++) {
    let top = -1;
    for (let w = 7; w >= 0; w--) {
      if (word(i, w) !== 0) {
        top = w;
        break;
      }
    }
    if (top < 0) zeros++;
    else if (top === 0 && word(i, 0) === 1) ones++;
    else maxBits = Math.max(maxBits, top * 32 + 32 - Math.clz32(word(i, top)));
  }
  return { terms, zeros, ones, dense: terms - zeros - ones, maxBits };
}

/** wasm/src/msm.rs default_window: the Pippenger window the wasm MSM picks for n dense terms, G1 and G2 alike (keep the two in step). */
export function pippengerWindow(n: number): number {
  if (n < 32) return 3;
  const lg = Math.floor(Math.log2(n));
  return Math.min(16, Math.max(4, lg <= 10 ? lg - 2 : lg - 3));
}

/**
 * Point additions per term of a Pippenger MSM of n terms below 2^bits with window c: one bucket
 * addition per signed window, plus each window's running-sum reduction over its 2^(c-1) buckets
 * (2 additions per bucket) shared by the n terms.
 */
function pippengerAdditionsPerTerm(n: number, bits: number, c: number): number {
  const windows = Math.ceil((bits + 1) / c);
  return windows * (1 + 2 ** c / Math.max(1, n));
}

/** Bits of the scalar field's elements: a dense scalar's length. */
const SCALAR_BITS: Record<CurveName, number> = { bn254: 254, 'bls12-381': 255 };

/**
 * How many dense terms a profiled MSM costs as much as: the n to give a cost model (whose
 * perElementNs was measured on uniform scalars). Zeros cost nothing (dropped before dispatch);
 * each 1 about one batch-affine addition (the tree: ones - 1 additions); the dense terms
 * Pippenger's additions at their own count, bit length and window. A uniform MSM of n terms
 * comes out at n. An estimate of additions only: the per-term copy and decode cost, the same for
 * every term kept, is inside perElementNs, so for mostly-1 MSMs this is a floor.
 */
export function msmEffectiveElements(profile: MsmScalarProfile, curve: CurveName): number {
  const kept = profile.ones + profile.dense;
  if (kept === 0) return 0;
  const fullBits = SCALAR_BITS[curve];
  const perDenseTerm = pippengerAdditionsPerTerm(kept, fullBits, pippengerWindow(kept));
  let additions = Math.max(0, profile.ones - 1);
  if (profile.dense > 0) {
    const c = Math.min(pippengerWindow(profile.dense), profile.maxBits + 1);
    additions += profile.dense * pippengerAdditionsPerTerm(profile.dense, profile.maxBits, c);
  }
  return additions / perDenseTerm;
}
