import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { firstDifference, modPow, montgomery, readLE, scalarsToBigInts, writeLE } from '../../../bench/core/codec.js';
import { RssSampler } from '../../../bench/node/rss.js';

const P_BN254 = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

describe('bench codec', () => {
  it('LE round trip at byte boundaries', () => {
    for (const v of [0n, 1n, 255n, 256n, 2n ** 64n - 1n, 2n ** 64n, 2n ** 256n - 1n]) {
      const b = new Uint8Array(32);
      writeLE(v, b, 0, 32);
      expect(readLE(b, 0, 32)).toBe(v);
    }
    expect(() => writeLE(2n ** 256n, new Uint8Array(32), 0, 32)).toThrow(/does not fit/);
  });

  it('Montgomery form with R = 2^256 for BN254 Fp', () => {
    const m = montgomery(P_BN254, 32);
    expect(m.toMont(1n)).toBe(2n ** 256n % P_BN254);
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: P_BN254 - 1n }), (x) => m.fromMont(m.toMont(x)) === x));
    expect(modPow(3n, P_BN254 - 1n, P_BN254)).toBe(1n);
  });

  it('scalarsToBigInts and firstDifference', () => {
    const b = new Uint8Array(64);
    b[0] = 7;
    b[32 + 31] = 1;
    expect(scalarsToBigInts(b)).toEqual([7n, 2n ** 248n]);
    expect(() => scalarsToBigInts(new Uint8Array(33))).toThrow(/multiple of 32/);
    expect(firstDifference(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(-1);
    expect(firstDifference(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(1);
    expect(firstDifference(new Uint8Array([1]), new Uint8Array([1, 3]))).toBe(-2);
  });
});

describe('RssSampler', () => {
  it('keeps the peak between start and stop, including the start and stop samples', () => {
    const readings = [10, 50, 20, 30];
    let i = 0;
    const s = new RssSampler(1000, () => readings[Math.min(i++, readings.length - 1)]);
    s.start(); // reads 10
    s.sample(); // 50
    s.sample(); // 20
    expect(s.stop()).toBe(50); // stop reads 30
    s.start(); // a new window: peak resets
    expect(s.stop()).toBe(30);
  });
});
