/**
 * Element moves for NTTs, on raw bytes (elements are opaque here). Elements are copied as 32-bit
 * words: a Float64Array copy could canonicalise NaN bit patterns, and BigInt64 copies allocate.
 */

/** Transposes a rows × cols matrix of `elementBytes`-sized elements (row-major). */
export function transposeBytes(data: Uint8Array, rows: number, cols: number, elementBytes: number): Uint8Array {
  const words = elementBytes >> 2;
  const src = asWords(data);
  const dst = new Uint32Array(src.length);
  // 16×16 element tiles keep both the reads and the writes within a few cache lines.
  const tile = 16;
  for (let r0 = 0; r0 < rows; r0 += tile) {
    const r1 = Math.min(r0 + tile, rows);
    for (let c0 = 0; c0 < cols; c0 += tile) {
      const c1 = Math.min(c0 + tile, cols);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) {
          const s = (r * cols + c) * words;
          const d = (c * rows + r) * words;
          for (let w = 0; w < words; w++) dst[d + w] = src[s + w];
        }
      }
    }
  }
  return new Uint8Array(dst.buffer);
}

export function bitReverse(i: number, logN: number): number {
  let r = 0;
  for (let b = 0; b < logN; b++) {
    r = (r << 1) | ((i >>> b) & 1);
  }
  return r >>> 0;
}

/** Returns a copy with element i moved to position bitReverse(i). */
export function bitReversePermuteBytes(data: Uint8Array, logN: number, elementBytes: number): Uint8Array {
  const words = elementBytes >> 2;
  const src = asWords(data);
  const dst = new Uint32Array(src.length);
  const n = 1 << logN;
  for (let i = 0; i < n; i++) {
    const j = bitReverse(i, logN);
    const s = i * words;
    const d = j * words;
    for (let w = 0; w < words; w++) dst[d + w] = src[s + w];
  }
  return new Uint8Array(dst.buffer);
}

function asWords(data: Uint8Array): Uint32Array {
  if (data.byteOffset % 4 === 0) return new Uint32Array(data.buffer, data.byteOffset, data.length >> 2);
  return new Uint32Array(data.slice().buffer);
}
