/**
 * Sizes of one GPU MSM chunk: window width c, window count, bucket segments, reduction groups,
 * and how many points fit in one chunk. Pure arithmetic, shared by gpu.ts and the tests.
 */
import { CURVES, type CurveName, type GroupName } from '../math/index.js';

/**
 * Widest window: the bucket array holds W 2^(c-1) XYZZ points, at c = 16 that is 2^19 points,
 * 64 MiB (BN254) / 96 MiB (BLS12-381), under the 128 MiB default storage binding; c = 17 would
 * need 180 MiB for BLS12-381.
 */
export const MAX_WINDOW_BITS = 16;
/**
 * Accumulation threads aimed for: an H100 keeps about 132 x 2048 = 270k threads resident; 2^17
 * segments keep it busy while the head/tail array (2 per thread) stays at 32 / 48 MiB.
 */
export const TARGET_SEGMENTS = 1 << 17;
/** Fewest csr entries per accumulation thread: below ~16 the head/tail stores and the combine pass cost more than they balance. */
export const MIN_SEGMENT = 16;
/** Default cap on points per chunk (inputs above it run as several chunks, partial sums added). */
export const DEFAULT_MAX_CHUNK_POINTS = 1 << 22;
/** Sorted-scan block of shaders/msm_scan.wgsl. */
export const SCAN_BLOCK = 512;

/**
 * Windows needed for c-bit signed digits of scalars below 2^bits, including the final carry: the
 * top window holds below 2^(bits mod c) <= 2^(c-1) plus a carry of one, never more than the
 * largest digit 2^(c-1), so no carry leaves it (true for any bits, 0 included).
 */
export function windowCount(bits: number, c: number): number {
  return Math.floor(bits / c) + 1;
}

/**
 * The c minimising W(c) (n + 2^c): n mixed additions per window for accumulation plus about two
 * additions per bucket (2^(c-1) buckets) for the running-sum reduction. n = 4096 gives 9,
 * n = 2^16 gives 13, n = 2^20 gives 16 (capped).
 */
export function chooseWindowBits(n: number, bits: number, maxBits = MAX_WINDOW_BITS): number {
  let best = 1;
  let bestCost = Infinity;
  for (let c = 2; c <= maxBits; c++) {
    const cost = windowCount(bits, c) * (n + 2 ** c);
    if (cost < bestCost) {
      best = c;
      bestCost = cost;
    }
  }
  return best;
}

export interface MsmChunkPlan {
  n: number;
  /** Window width c. */
  c: number;
  windows: number;
  /** Buckets per window, B = 2^(c-1). */
  buckets: number;
  /** K = W B. */
  bucketCount: number;
  /** csr entries per accumulation thread. */
  seg: number;
  /** Accumulation threads: ceil(W n / seg). */
  threads: number;
  /** Reduction groups per window and buckets per group. */
  groups: number;
  groupLen: number;
}

export interface PlanLimits {
  /** Largest storage binding (and buffer) in bytes. */
  maxBinding: number;
  maxChunkPoints: number;
}

/** Bytes of one affine input point and of one XYZZ point in GPU buffers (G2: coordinates in Fp2). */
export function gpuPointBytes(curve: CurveName, group: GroupName = 'g1'): { affine: number; xyzz: number } {
  const coord = (group === 'g2' ? 2 : 1) * CURVES[curve].fpBytes;
  return { affine: 2 * coord, xyzz: 4 * coord };
}

/**
 * Largest c whose bucket array (W 2^(c-1) XYZZ points) fits one binding: 16 with a 128 MiB
 * binding, except BLS12-381 G2 (384-byte XYZZ points): 15.
 */
export function maxWindowBitsFor(curve: CurveName, maxBinding: number, group: GroupName = 'g1'): number {
  const { frBits } = CURVES[curve];
  const { xyzz } = gpuPointBytes(curve, group);
  let c = MAX_WINDOW_BITS;
  while (c > 1 && windowCount(frBits, c) * 2 ** (c - 1) * xyzz > maxBinding) c--;
  return c;
}

/**
 * The plan for one chunk of n points whose scalars are all below 2^scalarBits (default the
 * curve's frBits; the chunk's largest bit length, compact.ts scalarBitLength, gives fewer windows:
 * scalars below 2^8 run in one window of c = 9 instead of 20 windows of c = 13 at n = 2^16).
 * `windowBits` (if given) is clamped to what fits.
 */
export function planChunk(curve: CurveName, n: number, limits: PlanLimits, windowBits?: number, group: GroupName = 'g1', scalarBits: number = CURVES[curve].frBits): MsmChunkPlan {
  const bits = Math.max(0, Math.min(CURVES[curve].frBits, Math.floor(scalarBits)));
  // The bucket array is sized for full scalars: a bound that holds for every chunk of a request.
  const cMax = maxWindowBitsFor(curve, limits.maxBinding, group);
  let c = windowBits === undefined ? chooseWindowBits(n, bits, cMax) : Math.max(1, Math.min(cMax, Math.floor(windowBits)));
  // Fewer bits can tip the cost to a narrower c with more windows than full-width scalars get
  // (BLS12-381, n = 2^18, 240 bits: c = 15, 17 windows; 255 bits: c = 16, 16 windows), and
  // chunkPoints sized the digit arrays for the full-width count: then the full-width c it is.
  const cFull = windowBits === undefined ? chooseWindowBits(n, CURVES[curve].frBits, cMax) : c;
  if (windowCount(bits, c) > windowCount(CURVES[curve].frBits, cFull)) c = cFull;
  const windows = windowCount(bits, c);
  const buckets = 2 ** (c - 1);
  const entries = windows * n;
  const xyzzBytes = gpuPointBytes(curve, group).xyzz;
  // head + tail per thread must fit one binding too
  const segForBinding = Math.ceil(entries / Math.floor(limits.maxBinding / (2 * xyzzBytes)));
  // Scalars of one bit put every entry in one bucket, which msm_combine sums serially over its
  // entries / seg segments after n / seg threads added seg points each: seg = sqrt(n) balances the
  // two (2 sqrt(n) additions deep: 2,048 at n = 2^20 instead of 65,552 with seg = 16).
  const segForOneBucket = bits <= 1 ? Math.ceil(Math.sqrt(entries)) : 0;
  const seg = Math.max(MIN_SEGMENT, Math.ceil(entries / TARGET_SEGMENTS), segForBinding, segForOneBucket);
  const groups = 2 ** Math.floor((c - 1) / 2);
  return {
    n,
    c,
    windows,
    buckets,
    bucketCount: windows * buckets,
    seg,
    threads: Math.max(1, Math.ceil(entries / seg)),
    groups,
    groupLen: buckets / groups,
  };
}

/**
 * Points per chunk: at most maxChunkPoints, and few enough that the points (pointBytes each) and
 * the digit / csr arrays (4 W bytes per point) each fit one binding. Sized for full-width
 * scalars: planChunk never gives a chunk of narrower scalars more windows.
 */
export function chunkPoints(curve: CurveName, n: number, limits: PlanLimits, windowBits?: number, group: GroupName = 'g1'): number {
  const { affine } = gpuPointBytes(curve, group);
  let chunk = Math.max(1, Math.min(n, limits.maxChunkPoints));
  // c depends on the chunk size; two rounds settle it (c only grows with n, W only shrinks)
  for (let round = 0; round < 2; round++) {
    const { windows } = planChunk(curve, chunk, limits, windowBits, group);
    const perPoint = Math.max(affine, 4 * windows, 32);
    chunk = Math.max(1, Math.min(chunk, Math.floor(limits.maxBinding / perPoint)));
  }
  return chunk;
}
