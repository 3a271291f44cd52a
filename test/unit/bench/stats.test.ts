import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { median, round3, summarize } from '../../../bench/core/stats.js';

describe('bench stats', () => {
  it('median of odd and even counts, unsorted input', () => {
    expect(median([5])).toBe(5);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([10, 10, 1, 1000])).toBe(10);
  });

  it('does not reorder its input', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });

  it('rejects an empty list', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => summarize([])).toThrow(RangeError);
  });

  it('summarize keeps run order in `all` and rounds to microseconds', () => {
    const s = summarize([12.34567, 10.0001, 11.5]);
    expect(s).toEqual({ median: 11.5, min: 10, max: 12.346, all: [12.346, 10, 11.5] });
  });

  it('summarize rejects negative and non-finite times, naming the index', () => {
    expect(() => summarize([1, -1])).toThrow(/sample 1/);
    expect(() => summarize([Number.NaN])).toThrow(/sample 0/);
  });

  it('min <= median <= max for any sample set', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }), (xs) => {
        const s = summarize(xs);
        expect(s.min).toBeLessThanOrEqual(s.median);
        expect(s.median).toBeLessThanOrEqual(s.max);
        expect(s.all).toHaveLength(xs.length);
      }),
    );
  });

  it('round3', () => {
    expect(round3(1.23456)).toBe(1.235);
    expect(round3(0)).toBe(0);
  });
});
