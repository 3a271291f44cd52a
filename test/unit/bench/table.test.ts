import { describe, expect, it } from 'vitest';
import { formatBytes, formatFailure, formatMs, formatSpeedup, formatTable } from '../../../bench/core/table.js';
import { compare, type BenchResult } from '../../../bench/core/schema.js';

const r = (impl: BenchResult['impl'], median: number): BenchResult => ({
  op: 'msm',
  curve: 'bn254',
  group: 'g1',
  logN: 14,
  n: 16384,
  impl,
  backend: impl === 'zkgpu' ? 'wasm' : null,
  threads: 2,
  runs: 1,
  ms: { median, min: median, max: median, all: [median] },
  firstRunMs: median,
  peakRssBytes: 300 * 2 ** 20,
  checked: true,
});

describe('bench table', () => {
  it('formats numbers', () => {
    expect(formatMs(0.1234)).toBe('0.123');
    expect(formatMs(12.345)).toBe('12.3');
    expect(formatMs(1234.5)).toBe('1235');
    expect(formatBytes(300 * 2 ** 20)).toBe('300 MiB');
    expect(formatBytes(1.5 * 2 ** 30)).toBe('1.50 GiB');
    expect(formatSpeedup(2.5)).toBe('2.50x');
    expect(formatSpeedup(Infinity)).toBe('inf');
  });

  it('one aligned row per result, speed-up on peer rows only', () => {
    const rs = [r('zkgpu', 100), r('ffjavascript', 250)];
    const lines = formatTable(rs, compare(rs)).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^op\s+curve\s+grp\s+logN\s+impl/);
    expect(lines[1]).toMatch(/^-+$/);
    expect(lines[2]).toContain('zkgpu-wasm');
    expect(lines[2]).not.toMatch(/x$/);
    expect(lines[3]).toMatch(/ffjavascript .* 2\.50x$/);
    // the median column lines up under its header
    const col = lines[0].indexOf('median ms') + 'median ms'.length;
    expect(lines[2].slice(col - 3, col)).toBe('100');
    expect(lines[3].slice(col - 3, col)).toBe('250');
  });

  it('the last column names what each row was checked against', () => {
    const rs = [
      { ...r('zkgpu', 100), checkedAgainst: ['zkgpu/math'] },
      { ...r('ffjavascript', 250), checkedAgainst: ['zkgpu-wasm'] },
    ];
    const lines = formatTable(rs, compare(rs)).split('\n');
    expect(lines[0]).toMatch(/zkgpu x {2}checked against$/);
    expect(lines[2]).toMatch(/zkgpu-wasm .* zkgpu\/math$/);
    expect(lines[3]).toMatch(/ffjavascript .* 2\.50x {2}zkgpu-wasm$/);
  });

  it('failures are loud and name the case', () => {
    expect(formatFailure({ op: 'ntt', curve: 'bn254', group: null, logN: 12, impl: 'ffjavascript', kind: 'mismatch', message: 'x' })).toBe(
      '!!! MISMATCH zkgpu vs ffjavascript: ntt bn254 2^12: x',
    );
  });
});
