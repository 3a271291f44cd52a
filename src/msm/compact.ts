/**
 * Drops the terms of an MSM whose scalar is zero before any engine sees them. Groth16 witnesses
 * are often mostly 0/1 (bit decompositions, selectors): every zero scalar removed is a point that
 * is neither copied to a worker or the GPU nor visited by each Pippenger window.
 */
export interface CompactedMsm {
  points: Uint8Array;
  scalars: Uint8Array;
  /** Terms kept (non-zero scalars). */
  n: number;
  /** Terms dropped. */
  dropped: number;
}

/** Only compacts when at least this share of the terms is zero: below it the copy costs more than it saves. */
const MIN_ZERO_SHARE = 1 / 16;

export function dropZeroScalars(points: Uint8Array, scalars: Uint8Array, pointBytes: number): CompactedMsm {
  const n = scalars.length / 32;
  // Word view when aligned (the common case); byte loop otherwise.
  const words = scalars.byteOffset % 4 === 0 ? new Uint32Array(scalars.buffer, scalars.byteOffset, n * 8) : null;
  const zero = new Uint8Array(n);
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    let any = 0;
    if (words) for (let w = i * 8; w < i * 8 + 8; w++) any |= words[w];
    else for (let b = i * 32; b < i * 32 + 32; b++) any |= scalars[b];
    if (any === 0) {
      zero[i] = 1;
      zeros++;
    }
  }
  if (zeros === 0 || zeros < n * MIN_ZERO_SHARE) return { points, scalars, n, dropped: 0 };
  const kept = n - zeros;
  const outPoints = new Uint8Array(kept * pointBytes);
  const outScalars = new Uint8Array(kept * 32);
  // Word copies when the layout allows (the common case: whole 32-bit words, aligned views): one
  // subarray pair per kept term made this the main thread's largest cost in a proof of a 0/1
  // witness (bits class, 33,282 terms: ~45% of the main thread's time in runtime.msm).
  const pointWords = pointBytes % 4 === 0 && points.byteOffset % 4 === 0 && words ? new Uint32Array(points.buffer, points.byteOffset, (n * pointBytes) >>> 2) : null;
  if (words && pointWords) {
    const q = pointBytes >>> 2;
    const outP = new Uint32Array(outPoints.buffer);
    const outS = new Uint32Array(outScalars.buffer);
    let j = 0;
    for (let i = 0; i < n; i++) {
      if (zero[i]) continue;
      for (let w = 0, from = i * q, to = j * q; w < q; w++) outP[to + w] = pointWords[from + w];
      for (let w = 0, from = i * 8, to = j * 8; w < 8; w++) outS[to + w] = words[from + w];
      j++;
    }
    return { points: outPoints, scalars: outScalars, n: kept, dropped: zeros };
  }
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (zero[i]) continue;
    outPoints.set(points.subarray(i * pointBytes, (i + 1) * pointBytes), j * pointBytes);
    outScalars.set(scalars.subarray(i * 32, (i + 1) * 32), j * 32);
    j++;
  }
  return { points: outPoints, scalars: outScalars, n: kept, dropped: zeros };
}

/**
 * Fewest ones worth a GPU run of their own. Left with the other terms they cost one csr entry
 * each, ones / seg serial additions in msm_combine's one hot bucket, and a window width chosen
 * for n instead of the dense count; on their own, one more submission and readback. Lavapipe,
 * BN254 G1, medians of 9 (2 shared cores, noisy): 18,000 ones + 2,000 dense 101 ms split vs 276
 * unsplit, 10,000 + 10,000: 442 vs 627; 256 ones in 4,096 (the 1/16 floor): 195 vs 220, 512 in
 * 4,096: 170 vs 174: no loss at the floor.
 */
export const MIN_ONES = 256;

/** 32-bit words of one 32-byte scalar. */
const SCALAR_WORDS = 8;

/** A word view of 32-byte scalars when aligned (the common case), else null. */
function scalarWords(scalars: Uint8Array): Uint32Array | null {
  return scalars.byteOffset % 4 === 0 ? new Uint32Array(scalars.buffer, scalars.byteOffset, scalars.length >>> 2) : null;
}

/**
 * Bit length of the largest of these 32-byte little-endian scalars (0 when all are zero): the
 * bit length of their bitwise OR, one pass. A GPU chunk runs floor(bits / c) + 1 windows.
 */
export function scalarBitLength(scalars: Uint8Array): number {
  const words = scalarWords(scalars);
  const or = new Uint32Array(SCALAR_WORDS);
  if (words) {
    for (let i = 0; i < words.length; i += SCALAR_WORDS) for (let w = 0; w < SCALAR_WORDS; w++) or[w] |= words[i + w];
  } else {
    for (let b = 0; b < scalars.length; b++) or[(b % 32) >>> 2] |= scalars[b] << (8 * (b % 4));
  }
  for (let w = SCALAR_WORDS - 1; w >= 0; w--) if (or[w] !== 0) return 32 * w + 32 - Math.clz32(or[w]);
  return 0;
}

/** An MSM's terms split by scalar: the points whose scalar is exactly 1, and every other non-zero term. */
export interface OnesSplit {
  /** Points whose scalar is 1, packed (n x pointBytes): their sum is their MSM. */
  ones: Uint8Array;
  onesCount: number;
  /** The terms with a scalar above 1. */
  rest: CompactedMsm;
}

/**
 * Splits off the points whose scalar is exactly 1 when they are many (at least 1/16 of the terms
 * and MIN_ONES of them), dropping zero terms in the same copy; otherwise null (the terms stay as
 * they are). 0/1 witnesses (bit decompositions, SHA-256) are mostly such terms: summed on their own
 * they skip the decomposition into the other terms' windows and share no hot bucket with them.
 */
export function splitOnes(points: Uint8Array, scalars: Uint8Array, pointBytes: number, minOnes = MIN_ONES): OnesSplit | null {
  const n = scalars.length / 32;
  const words = scalarWords(scalars);
  // 0 zero, 1 one, 2 other
  const kind = new Uint8Array(n);
  let ones = 0;
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    let high = 0;
    let low: number;
    if (words) {
      low = words[i * SCALAR_WORDS];
      for (let w = i * SCALAR_WORDS + 1; w < (i + 1) * SCALAR_WORDS; w++) high |= words[w];
    } else {
      low = scalars[i * 32];
      for (let b = i * 32 + 1; b < (i + 1) * 32; b++) high |= scalars[b];
    }
    if (high !== 0 || low > 1) kind[i] = 2;
    else if (low === 1) (kind[i] = 1), ones++;
    else zeros++;
  }
  if (ones < minOnes || ones < n * MIN_ZERO_SHARE) return null;
  const kept = n - ones - zeros;
  const onePoints = new Uint8Array(ones * pointBytes);
  const restPoints = new Uint8Array(kept * pointBytes);
  const restScalars = new Uint8Array(kept * 32);
  // Word copies when the layout allows, as in dropZeroScalars (per-term subarrays cost more than the MSM saved there).
  const pointWords = pointBytes % 4 === 0 && points.byteOffset % 4 === 0 && words ? new Uint32Array(points.buffer, points.byteOffset, (n * pointBytes) >>> 2) : null;
  if (words && pointWords) {
    const q = pointBytes >>> 2;
    const oneP = new Uint32Array(onePoints.buffer);
    const restP = new Uint32Array(restPoints.buffer);
    const restS = new Uint32Array(restScalars.buffer);
    for (let i = 0, o = 0, r = 0; i < n; i++) {
      if (kind[i] === 0) continue;
      if (kind[i] === 1) {
        for (let w = 0, from = i * q, to = o * q; w < q; w++) oneP[to + w] = pointWords[from + w];
        o++;
        continue;
      }
      for (let w = 0, from = i * q, to = r * q; w < q; w++) restP[to + w] = pointWords[from + w];
      for (let w = 0, from = i * SCALAR_WORDS, to = r * SCALAR_WORDS; w < SCALAR_WORDS; w++) restS[to + w] = words[from + w];
      r++;
    }
  } else {
    for (let i = 0, o = 0, r = 0; i < n; i++) {
      if (kind[i] === 0) continue;
      const point = points.subarray(i * pointBytes, (i + 1) * pointBytes);
      if (kind[i] === 1) onePoints.set(point, pointBytes * o++);
      else {
        restPoints.set(point, pointBytes * r);
        restScalars.set(scalars.subarray(i * 32, (i + 1) * 32), 32 * r++);
      }
    }
  }
  return { ones: onePoints, onesCount: ones, rest: { points: restPoints, scalars: restScalars, n: kept, dropped: zeros } };
}
