import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AnyPoint,
  CURVES,
  CURVE_NAMES,
  type Fp2,
  GROUP_NAMES,
  type Group,
  bigIntToBytesLE,
  bytesToBigIntLE,
  decodeFpMont,
  decodePoint,
  decodePoints,
  decodeScalar,
  decodeScalars,
  encodeFpMont,
  encodePoint,
  encodePoints,
  encodeScalar,
  encodeScalars,
  g1,
  g2,
  pointBytes,
} from '../../../src/math/index.js';
import { boundaryValues, rngFor } from '../../support/seed.js';

describe('little-endian integers', () => {
  it('bytesToBigIntLE / bigIntToBytesLE round trip and layout', () => {
    expect(bigIntToBytesLE(0x0102n, 4)).toEqual(new Uint8Array([2, 1, 0, 0]));
    expect(bytesToBigIntLE(new Uint8Array([2, 1, 0, 0]))).toBe(0x0102n);
    expect(bytesToBigIntLE(new Uint8Array([9, 2, 1, 9]), 1, 2)).toBe(0x0102n);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 384n) - 1n }), (x) => {
        expect(bytesToBigIntLE(bigIntToBytesLE(x, 48))).toBe(x);
      }),
    );
    // Odd lengths and offsets, and views into a larger buffer (byteOffset != 0).
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 7 }), (len, pad, off) => {
        const backing = new Uint8Array(pad + off + len + 3).map((_, i) => (i * 37 + 11) & 0xff);
        const view = backing.subarray(pad);
        let expected = 0n;
        for (let i = off + len - 1; i >= off; i--) expected = (expected << 8n) | BigInt(view[i]);
        expect(bytesToBigIntLE(view, off, len)).toBe(expected);
        expect(bigIntToBytesLE(expected, len)).toEqual(view.slice(off, off + len));
      }),
    );
    expect(() => bigIntToBytesLE(1n << 64n, 8)).toThrow(RangeError);
    expect(bigIntToBytesLE((1n << 64n) - 1n, 9)).toEqual(new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255, 0]));
    expect(() => bigIntToBytesLE(256n, 1)).toThrow(RangeError);
    expect(() => bigIntToBytesLE(-1n, 1)).toThrow(RangeError);
    expect(() => bytesToBigIntLE(new Uint8Array(4), 2, 4)).toThrow(RangeError);
  });
});

describe('scalars (32-byte LE standard form)', () => {
  it('round trips, single and batched, with limb boundaries', () => {
    const xs = [...boundaryValues(CURVES.bn254.r), (1n << 256n) - 1n];
    for (const x of xs) {
      const b = encodeScalar(x);
      expect(b.length).toBe(32);
      expect(decodeScalar(b)).toBe(x);
    }
    const all = encodeScalars(xs);
    expect(all.length).toBe(32 * xs.length);
    expect(decodeScalars(all)).toEqual(xs);
    expect(decodeScalar(all, 32)).toBe(xs[1]);
    expect(encodeScalar(1n)[0]).toBe(1);
  });

  it('rejects out-of-range scalars naming the index, and ragged buffers', () => {
    expect(() => encodeScalar(1n << 256n)).toThrow(RangeError);
    expect(() => encodeScalar(5 as unknown as bigint)).toThrow(TypeError);
    expect(() => encodeScalars([1n, -1n])).toThrow(/index 1/);
    expect(() => decodeScalars(new Uint8Array(33))).toThrow(RangeError);
  });
});

describe.each(CURVE_NAMES)('%s Fp Montgomery encoding', (curve) => {
  const { p, fpBytes } = CURVES[curve];
  const R = 1n << BigInt(8 * fpBytes);

  it('is x R mod p little-endian with R = 2^(8 fpBytes), and round trips', () => {
    for (const x of boundaryValues(p)) {
      const b = encodeFpMont(x, curve);
      expect(b.length).toBe(fpBytes);
      expect(bytesToBigIntLE(b)).toBe((x * R) % p);
      expect(decodeFpMont(b, curve)).toBe(x);
    }
    // 1 encodes as R mod p (the Montgomery one).
    expect(bytesToBigIntLE(encodeFpMont(1n, curve))).toBe(R % p);
  });

  it('rejects a stored value >= p with the offset in the message', () => {
    const buf = new Uint8Array(fpBytes * 2);
    buf.set(bigIntToBytesLE(p, fpBytes), fpBytes);
    expect(() => decodeFpMont(buf, curve, fpBytes)).toThrow(RangeError);
    expect(() => decodeFpMont(buf, curve, fpBytes)).toThrow(new RegExp(`offset ${fpBytes}\\b`));
    buf.set(bigIntToBytesLE(p - 1n, fpBytes), fpBytes);
    expect(() => decodeFpMont(buf, curve, fpBytes)).not.toThrow();
    expect(() => encodeFpMont(p, curve)).toThrow(RangeError);
  });
});

describe.each(CURVE_NAMES.flatMap((c) => GROUP_NAMES.map((g) => [c, g] as const)))('%s %s points', (curve, group) => {
  const G: Group<bigint> | Group<Fp2> = group === 'g1' ? g1(curve) : g2(curve);
  const { p, fpBytes } = CURVES[curve];
  const size = pointBytes(curve, group);

  it('pointBytes: 2 or 4 coordinates of fpBytes', () => {
    expect(size).toBe(fpBytes * (group === 'g1' ? 2 : 4));
  });

  it('round trips single points and arrays, including infinity', () => {
    const rng = rngFor(`enc-${curve}-${group}`);
    const points = [G.generator, G.infinity, ...Array.from({ length: 4 }, () => G.random(rng))];
    for (const P of points) {
      const b = encodePoint(curve, group, P);
      expect(b.length).toBe(size);
      expect(decodePoint(curve, group, b)).toEqual(P);
    }
    const all = encodePoints(curve, group, points);
    expect(all.length).toBe(size * points.length);
    expect(decodePoints(curve, group, all)).toEqual(points);
    expect(decodePoint(curve, group, all, 2 * size)).toEqual(points[2]);
    expect(encodePoint(curve, group, G.infinity).every((v) => v === 0)).toBe(true);
  });

  it('coordinate order: x (c0, c1) then y (c0, c1), each in Montgomery form', () => {
    const b = encodePoint(curve, group, G.generator);
    const coords =
      group === 'g1'
        ? [CURVES[curve].g1.generator.x, CURVES[curve].g1.generator.y]
        : [CURVES[curve].g2.generator.x.c0, CURVES[curve].g2.generator.x.c1, CURVES[curve].g2.generator.y.c0, CURVES[curve].g2.generator.y.c1];
    coords.forEach((v, i) => expect(b.subarray(i * fpBytes, (i + 1) * fpBytes)).toEqual(encodeFpMont(v, curve)));
  });

  it('rejects any coordinate >= p, naming its byte offset; rejects short and ragged buffers', () => {
    const good = encodePoints(curve, group, [G.generator, G.generator]);
    const coords = group === 'g1' ? 2 : 4;
    for (let i = 0; i < coords; i++) {
      const bad = good.slice();
      const offset = size + i * fpBytes;
      bad.set(bigIntToBytesLE(p, fpBytes), offset);
      expect(() => decodePoints(curve, group, bad)).toThrow(/index 1: .*offset/);
      expect(() => decodePoint(curve, group, bad, size)).toThrow(new RegExp(`offset ${offset}\\b`));
      bad.set(bigIntToBytesLE((1n << BigInt(8 * fpBytes)) - 1n, fpBytes), offset);
      expect(() => decodePoint(curve, group, bad, size)).toThrow(RangeError);
    }
    expect(() => decodePoint(curve, group, good, size + 1)).toThrow(RangeError);
    expect(() => decodePoints(curve, group, good.subarray(1))).toThrow(RangeError);
  });

  it('encodePoints names the index of an invalid point', () => {
    const bad = (group === 'g1' ? { x: p, y: 1n, infinity: false } : { x: { c0: 1n, c1: p }, y: { c0: 1n, c1: 1n }, infinity: false }) as AnyPoint;
    expect(() => encodePoints(curve, group, [G.generator, bad])).toThrow(/index 1/);
  });
});
