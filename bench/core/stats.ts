import type { MsStats } from './schema.js';

/** Median of a non-empty list; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Timings rounded to 0.001 ms: performance.now() resolution in Node is finer, the noise is not. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function summarize(samples: readonly number[]): MsStats {
  if (samples.length === 0) throw new RangeError('no samples to summarize');
  for (const [i, v] of samples.entries()) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`sample ${i} is not a non-negative time: ${v}`);
  }
  return {
    median: round3(median(samples)),
    min: round3(Math.min(...samples)),
    max: round3(Math.max(...samples)),
    all: samples.map(round3),
  };
}
