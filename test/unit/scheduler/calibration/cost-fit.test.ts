/**
 * fitCostModel on synthetic timings: lines it must recover exactly, noisy lines it must stay close
 * to (checked against an independent solve of the normal equations), and the clamps.
 * Seeded by test/support/seed.ts (replay with ZKGPU_SEED).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rngFor } from '../../../support/seed.js';
import { isZkgpuError } from '../../../../src/core/errors.js';
import { fitCostModel, MIN_PER_ELEMENT_NS, type TimingSample } from '../../../../src/scheduler/calibration/cost-fit.js';

const line = (fixedMs: number, ns: number, ns_: number[]): TimingSample[] => ns_.map((n) => ({ n, ms: fixedMs + (n * ns) / 1e6 }));

/** Distinct powers of two from 2^6 to 2^24, as calibrate's ladders produce. */
const sizesArb = fc.uniqueArray(fc.integer({ min: 6, max: 24 }), { minLength: 2, maxLength: 6 }).map((logs) => logs.map((l) => 2 ** l));

/** Least squares by Cramer's rule on the raw normal equations: a different route to the same line. */
function normalEquations(s: TimingSample[]): { a: number; b: number } {
  const k = s.length;
  const sn = s.reduce((x, p) => x + p.n, 0);
  const st = s.reduce((x, p) => x + p.ms, 0);
  const snn = s.reduce((x, p) => x + p.n * p.n, 0);
  const snt = s.reduce((x, p) => x + p.n * p.ms, 0);
  const det = k * snn - sn * sn;
  return { a: (st * snn - sn * snt) / det, b: (k * snt - sn * st) / det };
}

describe('fitCostModel', () => {
  it('recovers fixed cost and slope exactly from noiseless lines', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 500, noNaN: true }), fc.double({ min: 0.01, max: 1e6, noNaN: true }), sizesArb, (fixedMs, ns, sizes) => {
        const fit = fitCostModel(line(fixedMs, ns, sizes));
        const maxN = Math.max(...sizes);
        // Exact up to rounding: relative to the largest time measured.
        const scale = fixedMs + (maxN * ns) / 1e6;
        expect(Math.abs(fit.fixedMs - fixedMs)).toBeLessThanOrEqual(1e-9 * scale + 1e-12);
        expect((Math.abs(fit.perElementNs - ns) * maxN) / 1e6).toBeLessThanOrEqual(1e-9 * scale + 1e-12);
        expect(fit.rmsResidualMs).toBeLessThanOrEqual(1e-9 * scale + 1e-12);
        if (fixedMs > 1e-6 * scale) expect(fit.clamped).toBeUndefined();
      }),
    );
  });

  it('recovers the README-sized figures (BN254 G1 MSM: 2 ms + 5100 ns/point) at 2^12, 2^14, 2^16', () => {
    const fit = fitCostModel(line(2, 5100, [2 ** 12, 2 ** 14, 2 ** 16]));
    expect(fit.fixedMs).toBeCloseTo(2, 9);
    expect(fit.perElementNs).toBeCloseTo(5100, 6);
  });

  it('with noise: the least-squares line (same as the normal equations), close to the truth', () => {
    const rng = rngFor('fit noise');
    for (let trial = 0; trial < 200; trial++) {
      const fixedMs = 5 + (rng.nextU32() % 50);
      const ns = 100 + (rng.nextU32() % 20000);
      const sizes = [2 ** 12, 2 ** 14, 2 ** 16];
      // +-2% multiplicative noise, as medians on a quiet machine vary.
      const samples = line(fixedMs, ns, sizes).map((s) => ({ n: s.n, ms: s.ms * (1 + ((rng.nextU32() / 2 ** 32) * 0.04 - 0.02)) }));
      const fit = fitCostModel(samples);
      const ref = normalEquations(samples);
      if (ref.a >= 0) {
        expect(fit.fixedMs).toBeCloseTo(ref.a, 6);
        expect(fit.perElementNs).toBeCloseTo(ref.b * 1e6, 3);
        // The residual reported is the one of the line returned.
        const rms = Math.sqrt(samples.reduce((x, s) => x + (s.ms - ref.a - ref.b * s.n) ** 2, 0) / samples.length);
        expect(fit.rmsResidualMs).toBeCloseTo(rms, 6);
      } else {
        expect(fit.fixedMs).toBe(0);
      }
      // How far 2% noise can move the slope, worst case (a fixed percentage was flaky: with a
      // 55 ms fixed cost and 100 ns per element the noise dwarfs the slope). Least squares: the
      // slope error is sum w_i e_i with w_i = (n_i - mean) / Sxx and |e_i| <= 2% of sample i.
      // Through the origin (negative intercept): sum n_i (fixed + e_i) / sum n_i^2.
      const noise = sizes.map((n) => 0.02 * (fixedMs + (ns * n) / 1e6));
      const mean = sizes.reduce((x, n) => x + n, 0) / sizes.length;
      const sxx = sizes.reduce((x, n) => x + (n - mean) ** 2, 0);
      const boundMsPerElement =
        ref.a >= 0
          ? sizes.reduce((x, n, i) => x + (Math.abs(n - mean) / sxx) * noise[i], 0)
          : sizes.reduce((x, n, i) => x + n * (fixedMs + noise[i]), 0) / sizes.reduce((x, n) => x + n * n, 0);
      expect(Math.abs(fit.perElementNs - ns)).toBeLessThanOrEqual(boundMsPerElement * 1e6 * (1 + 1e-9) + 1e-6);
    }
  });

  it("a negative intercept (per-element cost growing with n, as an NTT's n log n) is refitted through the origin", () => {
    // 30 ns per butterfly level: t = 30 n log2(n) ns at 2^12, 2^14, 2^16.
    const samples = [12, 14, 16].map((l) => ({ n: 2 ** l, ms: (30 * 2 ** l * l) / 1e6 }));
    expect(normalEquations(samples).a).toBeLessThan(0);
    const fit = fitCostModel(samples);
    expect(fit.fixedMs).toBe(0);
    const through = samples.reduce((x, s) => x + s.n * s.ms, 0) / samples.reduce((x, s) => x + s.n * s.n, 0);
    expect(fit.perElementNs).toBeCloseTo(through * 1e6, 6);
    expect(fit.clamped).toMatch(/negative fixed cost/);
  });

  it('flat or falling timings: the fastest median as fixed cost, a non-negative slope, never below the floor', () => {
    const falling = fitCostModel([
      { n: 1024, ms: 12 },
      { n: 4096, ms: 10 },
      { n: 16384, ms: 11 },
    ]);
    expect(falling.fixedMs).toBe(10);
    expect(falling.perElementNs).toBeCloseTo(((12 - 10) / 16384) * 1e6, 9);
    expect(falling.clamped).toMatch(/did not grow/);

    const flat = fitCostModel([
      { n: 1024, ms: 3 },
      { n: 4096, ms: 3 },
    ]);
    expect(flat.fixedMs).toBe(3);
    expect(flat.perElementNs).toBe(MIN_PER_ELEMENT_NS);
    expect(flat.clamped).toMatch(/floored/);

    const zero = fitCostModel([
      { n: 8, ms: 0 },
      { n: 16, ms: 0 },
    ]);
    expect(zero).toMatchObject({ fixedMs: 0, perElementNs: MIN_PER_ELEMENT_NS });
  });

  it('every fit is non-negative and valid for the planner', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ n: fc.integer({ min: 1, max: 2 ** 24 }), ms: fc.double({ min: 0, max: 1e4, noNaN: true }) }), { minLength: 2, maxLength: 6 }), (samples) => {
        fc.pre(new Set(samples.map((s) => s.n)).size >= 2);
        const fit = fitCostModel(samples);
        expect(fit.fixedMs).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(fit.fixedMs)).toBe(true);
        expect(fit.perElementNs).toBeGreaterThanOrEqual(MIN_PER_ELEMENT_NS);
        expect(Number.isFinite(fit.perElementNs)).toBe(true);
      }),
    );
  });

  it('rejects what cannot be fitted, naming the sample', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isZkgpuError(e) ? `${e.code}: ${e.message}` : String(e);
      }
      return 'no error';
    };
    expect(code(() => fitCostModel([{ n: 4, ms: 1 }]))).toMatch(/INVALID_ARGUMENT: .*at least 2 samples/);
    expect(
      code(() =>
        fitCostModel([
          { n: 4, ms: 1 },
          { n: 4, ms: 2 },
        ]),
      ),
    ).toMatch(/2 distinct sizes/);
    expect(
      code(() =>
        fitCostModel([
          { n: 4, ms: 1 },
          { n: 8, ms: NaN },
        ]),
      ),
    ).toMatch(/samples\[1\]\.ms/);
    expect(
      code(() =>
        fitCostModel([
          { n: 0, ms: 1 },
          { n: 8, ms: 1 },
        ]),
      ),
    ).toMatch(/samples\[0\]\.n/);
    expect(
      code(() =>
        fitCostModel([
          { n: 4, ms: -1 },
          { n: 8, ms: 1 },
        ]),
      ),
    ).toMatch(/samples\[0\]\.ms/);
  });
});
