/**
 * bench/node/memory.ts's pure parts: budgets from the command line and the table. The runs
 * themselves need root and a cgroup (the benchmark is run by hand, not in CI).
 */
import { describe, expect, it } from 'vitest';
import { budgetLabel, formatMemoryTable, parseBudget, type RowRecord } from '../../../bench/node/memory.js';

const MiB = 2 ** 20;

describe('parseBudget', () => {
  it('reads the named budgets and sizes in B, KiB, MiB, GiB (any case)', () => {
    expect(parseBudget('unbounded')).toEqual({ kind: 'unbounded' });
    expect(parseBudget('min')).toEqual({ kind: 'min' });
    expect(parseBudget('512MiB')).toEqual({ kind: 'bytes', bytes: 512 * MiB });
    expect(parseBudget(' 1GiB ')).toEqual({ kind: 'bytes', bytes: 1024 * MiB });
    expect(parseBudget('1.5gib')).toEqual({ kind: 'bytes', bytes: 1536 * MiB });
    expect(parseBudget('65536KiB')).toEqual({ kind: 'bytes', bytes: 64 * MiB });
    expect(parseBudget('300000000')).toEqual({ kind: 'bytes', bytes: 300_000_000 });
  });
  it('refuses what is not a budget, and sizes too small for Node to start', () => {
    expect(() => parseBudget('1GB')).toThrow(/expected unbounded, min, or a size/);
    expect(() => parseBudget('-1MiB')).toThrow(/expected unbounded, min, or a size/);
    expect(() => parseBudget('')).toThrow(/expected unbounded, min, or a size/);
    expect(() => parseBudget('16MiB')).toThrow(/at least 32MiB/);
  });
  it('labels round-trip', () => {
    for (const t of ['unbounded', 'min', '512MiB', '1GiB', '300000000B']) expect(budgetLabel(parseBudget(t))).toBe(t);
  });
});

describe('formatMemoryTable', () => {
  const row = (over: Partial<RowRecord>): RowRecord => ({
    size: 18,
    prover: 'zkgpu',
    budget: 'unbounded',
    limitBytes: null,
    maxHostBytes: null,
    status: 'ok',
    medianMs: 30_000,
    minMs: 29_000,
    maxMs: 32_000,
    peakBytes: 600 * MiB,
    vmHwmBytes: 650 * MiB,
    runs: [],
    ...over,
  });
  it('prints a time only for rows that proved and verified, and lists why the others did not', () => {
    const text = formatMemoryTable([
      row({ runs: [{} as never, {} as never, {} as never], plan: { mode: 'whole', minimalBytes: 1, comfortableBytes: 2, runtimeBytes: 3, budgetBytes: 4 } }),
      row({
        budget: '512MiB',
        limitBytes: 512 * MiB,
        maxHostBytes: 352 * MiB,
        plan: { mode: 'streamed', minimalBytes: 1, comfortableBytes: 2, runtimeBytes: 3, budgetBytes: 4 },
        status: 'oom',
        medianMs: null,
        minMs: null,
        maxMs: null,
        peakBytes: 512 * MiB,
        reason: 'SIGKILL (OOM-killed): ',
      }),
    ]);
    const [header, ok, oom] = text.split('\n');
    expect(header).toMatch(/^size\s+prover\s+budget\s+limit\s+--max-host-bytes\s+mode\s+status\s+time \(median\)\s+spread\s+group peak\s+VmHWM\s+runs$/);
    expect(ok).toMatch(/^2\^18\s+zkgpu\s+unbounded\s+none\s+-\s+whole\s+ok\s+30\.0 s\s+29\.0-32\.0 s\s+600 MiB\s+650 MiB\s+3$/);
    expect(oom).toMatch(/^2\^18\s+zkgpu\s+512MiB\s+512 MiB\s+352 MiB\s+streamed\s+oom\s+-\s+-\s+512 MiB/);
    expect(text).toContain('notes:\n  2^18 zkgpu 512MiB: SIGKILL (OOM-killed)');
  });
});
