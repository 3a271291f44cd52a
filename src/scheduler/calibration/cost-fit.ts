/**
 * Fitting a cost model to measured timings: time(n) = fixedMs + n * perElementNs / 1e6, by least
 * squares over the sizes measured, then clamped so the planner gets sane, non-negative figures.
 * Pure: no clock, no I/O (calibrate.ts measures; this only fits).
 */
import { ZkgpuError } from '../../core/errors.js';

export interface TimingSample {
  /** Elements (points or field elements). */
  n: number;
  /** The median wall time of the timed runs at this size. */
  ms: number;
}

export interface FittedModel {
  fixedMs: number;
  perElementNs: number;
  /** Root-mean-square distance of the samples from the fitted line, in ms. */
  rmsResidualMs: number;
  /** What was clamped and why, when the plain least-squares line was not sane. */
  clamped?: string;
}

/**
 * The planner requires perElementNs > 0 (plan.ts checkBackends). When the timings do not grow with
 * n at all, the slope is floored here: 0.001 ns per element is 1 ms per 10^9 elements, far below
 * anything real, so it only keeps the model valid while the fixed cost does the talking.
 */
export const MIN_PER_ELEMENT_NS = 0.001;

function bad(what: string): never {
  throw new ZkgpuError('INVALID_ARGUMENT', `fitCostModel: ${what}`);
}

export function fitCostModel(samples: readonly TimingSample[]): FittedModel {
  if (!Array.isArray(samples) || samples.length < 2) bad(`needs at least 2 samples, got ${Array.isArray(samples) ? samples.length : String(samples)}`);
  samples.forEach((s, i) => {
    if (!(Number.isFinite(s?.n) && s.n > 0)) bad(`samples[${i}].n must be a finite number > 0, got ${String(s?.n)}`);
    if (!(Number.isFinite(s.ms) && s.ms >= 0)) bad(`samples[${i}].ms must be a finite number >= 0, got ${String(s.ms)}`);
  });
  if (new Set(samples.map((s) => s.n)).size < 2) bad('needs at least 2 distinct sizes to separate the fixed cost from the per-element cost');

  // Centred sums: the sizes span 2^8..2^24, so raw sums of n^2 would lose the intercept's digits.
  const k = samples.length;
  const meanN = samples.reduce((a, s) => a + s.n, 0) / k;
  const meanT = samples.reduce((a, s) => a + s.ms, 0) / k;
  let sxx = 0;
  let sxy = 0;
  for (const s of samples) {
    sxx += (s.n - meanN) ** 2;
    sxy += (s.n - meanN) * (s.ms - meanT);
  }
  let slopeMs = sxy / sxx;
  let fixedMs = meanT - slopeMs * meanN;
  let clamped: string | undefined;

  if (slopeMs <= 0) {
    // Time did not grow with n over these sizes: the fixed cost explains them all. The slope left
    // is the spread over the largest size, an upper bound on a per-element cost hidden in noise.
    const minT = Math.min(...samples.map((s) => s.ms));
    const maxT = Math.max(...samples.map((s) => s.ms));
    const maxN = Math.max(...samples.map((s) => s.n));
    fixedMs = minT;
    slopeMs = (maxT - minT) / maxN;
    clamped = `time did not grow with n (least-squares slope ${((sxy / sxx) * 1e6).toPrecision(3)} ns/element): fixed cost = fastest median, slope = spread / largest n`;
  } else if (fixedMs < 0) {
    // A negative intercept (per-element cost growing with n, as an NTT's n log n does; every NTT
    // calibrated here showed one): refit through the origin, the per-element figure carries it all.
    const snn = samples.reduce((a, s) => a + s.n * s.n, 0);
    const snt = samples.reduce((a, s) => a + s.n * s.ms, 0);
    clamped = `negative fixed cost (${fixedMs.toPrecision(3)} ms) refitted through the origin`;
    fixedMs = 0;
    slopeMs = snt / snn;
  }

  let perElementNs = slopeMs * 1e6;
  if (!(perElementNs >= MIN_PER_ELEMENT_NS)) {
    perElementNs = MIN_PER_ELEMENT_NS;
    clamped = `${clamped ? `${clamped}; ` : ''}slope floored at ${MIN_PER_ELEMENT_NS} ns/element`;
  }
  const rmsResidualMs = Math.sqrt(samples.reduce((a, s) => a + (s.ms - fixedMs - (s.n * perElementNs) / 1e6) ** 2, 0) / k);
  return { fixedMs, perElementNs, rmsResidualMs, ...(clamped ? { clamped } : {}) };
}
