/** Zero-scalar terms are dropped before the engines: same sums, fewer terms. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type JobReport, type Runtime } from '../../../src/index.js';
import { dropZeroScalars } from '../../../src/msm/compact.js';
import { CURVES, decodePoint, encodePoints, encodeScalars, g1, g2, msmNaive, type AnyPoint } from '../../../src/math/index.js';
import { rngFor } from '../../support/seed.js';

let runtime: Runtime;
beforeAll(async () => {
  runtime = await createRuntime({ threads: 2, gpu: false });
});
afterAll(() => runtime?.dispose());

describe('dropZeroScalars', () => {
  it('keeps the non-zero terms in order and counts the rest', () => {
    const points = Uint8Array.from({ length: 5 * 4 }, (_, i) => i);
    const ks = [0n, 5n, 0n, 0n, 1n << 255n];
    const out = dropZeroScalars(points, encodeScalars(ks), 4);
    expect(out.n).toBe(2);
    expect(out.dropped).toBe(3);
    expect(Array.from(out.points)).toEqual([4, 5, 6, 7, 16, 17, 18, 19]);
    expect(Array.from(out.scalars.subarray(0, 32))).toEqual(Array.from(encodeScalars([5n])));
    expect(out.scalars[63]).toBe(0x80);
  });

  it('leaves inputs untouched when few or no scalars are zero, and handles unaligned views', () => {
    const scalars = encodeScalars(Array.from({ length: 20 }, (_, i) => BigInt(i + 1)));
    const points = new Uint8Array(20 * 8);
    expect(dropZeroScalars(points, scalars, 8).scalars).toBe(scalars);
    const backing = new Uint8Array(1 + 3 * 32);
    backing.set(encodeScalars([0n, 7n, 0n]), 1);
    const out = dropZeroScalars(new Uint8Array(3 * 2), backing.subarray(1), 2);
    expect(out.n).toBe(1);
  });
});

describe('runtime.msm with mostly zero scalars (a 0/1 witness)', () => {
  for (const [curve, group] of [
    ['bn254', 'g1'],
    ['bls12-381', 'g2'],
  ] as const) {
    it(`${curve} ${group}: equals the oracle; zeros, ones and r-1 mixed`, async () => {
      const rng = rngFor(`compact-${curve}-${group}`);
      const G = (group === 'g1' ? g1(curve) : g2(curve)) as unknown as { random(r: typeof rng): AnyPoint };
      const n = 700;
      const pts = Array.from({ length: n }, () => G.random(rng));
      const r = CURVES[curve].r;
      const ks = Array.from({ length: n }, (_, i) => (i % 10 === 3 ? rng.nextBigInt(r) : i % 10 === 5 ? 1n : i === 7 ? r - 1n : 0n));
      let report: JobReport | undefined;
      const got = await runtime.msm({ curve, group, points: encodePoints(curve, group, pts), scalars: encodeScalars(ks), onReport: (x) => (report = x) });
      expect(decodePoint(curve, group, got)).toEqual(msmNaive(curve, group, pts, ks));
      expect(report?.n).toBe(n);
    });
  }

  it('all scalars zero gives the point at infinity', async () => {
    const pts = Array.from({ length: 40 }, (_, i) => g1('bn254').mul(g1('bn254').generator, BigInt(i + 1)));
    const got = await runtime.msm({ curve: 'bn254', group: 'g1', points: encodePoints('bn254', 'g1', pts), scalars: new Uint8Array(40 * 32) });
    expect(got.every((b) => b === 0)).toBe(true);
  });
});

describe('runtime.msm spreads over workers by its work, not its term count', () => {
  it('2048 terms of 0/1 scalars run whole on one worker; the same points with dense scalars split over both; both sums equal the oracle', async () => {
    const curve = 'bn254';
    const n = 2048;
    const rng = rngFor('compact-workers');
    const pts = Array.from({ length: n }, () => g1(curve).random(rng) as AnyPoint);
    const points = encodePoints(curve, 'g1', pts);
    const bits = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0n : 1n));
    const dense = Array.from({ length: n }, () => rng.nextBigInt(CURVES[curve].r));
    const tasks: number[] = [];
    const counting = await createRuntime({ threads: 2, gpu: false, faultInjection: { workerTask: () => void tasks.push(1) } } as Parameters<typeof createRuntime>[0]);
    try {
      // ~1365 ones cost like ~70 uniform-scalar points (scheduler/models.ts): below the 512 per worker a split needs.
      const fromBits = await counting.msm({ curve, group: 'g1', points, scalars: encodeScalars(bits) });
      expect(decodePoint(curve, 'g1', fromBits)).toEqual(msmNaive(curve, 'g1', pts, bits));
      expect(tasks.length).toBe(1);
      tasks.length = 0;
      const fromDense = await counting.msm({ curve, group: 'g1', points, scalars: encodeScalars(dense) });
      expect(decodePoint(curve, 'g1', fromDense)).toEqual(msmNaive(curve, 'g1', pts, dense));
      expect(tasks.length).toBe(2);
    } finally {
      await counting.dispose();
    }
  });
});
