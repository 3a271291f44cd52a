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
