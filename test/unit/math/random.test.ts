import { describe, expect, it } from 'vitest';
import { createRng, randomSeed } from '../../../src/math/index.js';

describe('createRng', () => {
  it('is reproducible from its seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 16 }, () => a.nextU32());
    const sb = Array.from({ length: 16 }, () => b.nextU32());
    const sc = Array.from({ length: 16 }, () => c.nextU32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    for (const x of sa) expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
  });

  it('accepts number, bigint and string seeds', () => {
    expect(createRng(7n).nextU32()).toBe(createRng(7).nextU32());
    expect(createRng('7').nextU32()).toBe(createRng(7).nextU32());
    expect(createRng('msm-g2').nextU32()).toBe(createRng('msm-g2').nextU32());
    expect(() => createRng(-1)).toThrow(RangeError);
    expect(() => createRng(1.5)).toThrow(RangeError);
  });

  it('nextBigInt stays below its bound and covers small ranges evenly', () => {
    const rng = createRng(1);
    const counts = new Array<number>(5).fill(0);
    for (let i = 0; i < 5000; i++) counts[Number(rng.nextBigInt(5n))]++;
    for (const c of counts) expect(c).toBeGreaterThan(850); // expected 1000 each
    const big = (1n << 255n) + 12345n;
    for (let i = 0; i < 200; i++) {
      const x = rng.nextBigInt(big);
      expect(x >= 0n && x < big).toBe(true);
    }
    expect(rng.nextBigInt(1n)).toBe(0n);
    expect(() => rng.nextBigInt(0n)).toThrow(RangeError);
  });

  it('bits look unbiased (each of the 32 output bits set about half the time)', () => {
    const rng = createRng(99);
    const ones = new Array<number>(32).fill(0);
    const N = 4000;
    for (let i = 0; i < N; i++) {
      const x = rng.nextU32();
      for (let b = 0; b < 32; b++) ones[b] += (x >>> b) & 1;
    }
    for (const c of ones) expect(Math.abs(c - N / 2)).toBeLessThan(200); // > 6 sigma
  });

  it('randomSeed gives a u32', () => {
    const s = randomSeed();
    expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });
});
