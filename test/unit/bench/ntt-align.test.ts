import { describe, expect, it } from 'vitest';
import { modPow, readLE, writeLE } from '../../../bench/codec.js';
import { discreteLogPow2, reindex } from '../../../bench/ntt-align.js';

const R_BLS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

function dft(xs: bigint[], w: bigint, r: bigint): Uint8Array {
  const n = xs.length;
  const out = new Uint8Array(n * 32);
  for (let j = 0; j < n; j++) {
    let acc = 0n;
    for (let i = 0; i < n; i++) acc = (acc + xs[i] * modPow(w, BigInt(i * j), r)) % r;
    writeLE(acc, out, j * 32, 32);
  }
  return out;
}

describe('NTT root alignment', () => {
  it('BLS12-381: a DFT with root from 5 re-indexed equals the DFT with root from 7', () => {
    for (const logN of [1, 3, 5]) {
      const n = 2 ** logN;
      const w5 = modPow(5n, (R_BLS - 1n) / BigInt(n), R_BLS);
      const w7 = modPow(7n, (R_BLS - 1n) / BigInt(n), R_BLS);
      const xs = Array.from({ length: n }, (_, i) => (BigInt(i) * 0x9e3779b97f4a7c15n + 11n) % R_BLS);
      const k = discreteLogPow2(w5, w7, logN, R_BLS);
      expect(k).not.toBeNull();
      expect(modPow(w5, k!, R_BLS)).toBe(w7);
      expect(Buffer.from(reindex(dft(xs, w5, R_BLS), k!, n)).equals(Buffer.from(dft(xs, w7, R_BLS)))).toBe(true);
    }
  });

  it('equal roots give k = 1; a non-root target or a base of the wrong order gives null', () => {
    const w = modPow(7n, (R_BLS - 1n) / 16n, R_BLS);
    expect(discreteLogPow2(w, w, 4, R_BLS)).toBe(1n);
    expect(discreteLogPow2(w, 3n, 4, R_BLS)).toBeNull();
    expect(discreteLogPow2((w * w) % R_BLS, w, 4, R_BLS)).toBeNull();
  });

  it('reindex permutes elements and checks the length', () => {
    const v = new Uint8Array(4 * 32);
    for (let i = 0; i < 4; i++) writeLE(BigInt(i), v, i * 32, 32);
    const out = reindex(v, 3n, 4);
    expect([0, 1, 2, 3].map((j) => readLE(out, j * 32, 32))).toEqual([0n, 3n, 2n, 1n]);
    expect(() => reindex(v, 1n, 5)).toThrow(RangeError);
  });
});
