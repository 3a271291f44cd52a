import { describe, expect, it } from 'vitest';
import { SCHEMA_NAME, SCHEMA_VERSION, buildReport, compare, validateReport, type BenchResult } from '../../../bench/schema.js';
import type { BenchConfig, HardwareInfo } from '../../../bench/schema.js';
import { collectHardware } from '../../../bench/hardware.js';

function result(impl: BenchResult['impl'], median: number, logN = 12, extra: Partial<BenchResult> = {}): BenchResult {
  return {
    op: 'msm',
    curve: 'bn254',
    group: 'g1',
    logN,
    n: 2 ** logN,
    impl,
    backend: impl === 'zkgpu' ? 'wasm' : null,
    threads: 2,
    runs: 3,
    ms: { median, min: median - 1, max: median + 1, all: [median - 1, median, median + 1] },
    firstRunMs: median * 2,
    peakRssBytes: 100 << 20,
    checked: true,
    ...extra,
  };
}

const config: BenchConfig = {
  ops: ['msm'],
  curve: 'bn254',
  group: 'g1',
  sizes: [12],
  runs: 3,
  threads: null,
  peers: ['ffjavascript', 'noble'],
  json: null,
  quick: false,
  seed: '7',
};

const hardware: HardwareInfo = {
  cpuModel: 'Test CPU',
  logicalCores: 2,
  availableParallelism: 2,
  totalMemoryBytes: 1,
  freeMemoryBytes: 1,
  platform: 'linux',
  arch: 'x64',
  nodeVersion: 'v20.0.0',
  gpu: null,
};

describe('bench report schema', () => {
  it('comparisons are peer median / zkgpu median, per size and peer', () => {
    const rs = [result('zkgpu', 10), result('ffjavascript', 25), result('noble', 100), result('zkgpu', 40, 14), result('ffjavascript', 20, 14)];
    expect(compare(rs)).toEqual([
      { op: 'msm', curve: 'bn254', group: 'g1', logN: 12, peer: 'ffjavascript', speedup: 2.5 },
      { op: 'msm', curve: 'bn254', group: 'g1', logN: 12, peer: 'noble', speedup: 10 },
      { op: 'msm', curve: 'bn254', group: 'g1', logN: 14, peer: 'ffjavascript', speedup: 0.5 },
    ]);
  });

  it('a peer without a zkgpu result at its size gets no comparison; NTT group is null', () => {
    const ntt = (impl: BenchResult['impl'], m: number) => {
      const { group: _g, ...r } = result(impl, m);
      return { ...r, op: 'ntt' as const };
    };
    expect(compare([result('noble', 5, 10)])).toEqual([]);
    expect(compare([ntt('zkgpu', 4), ntt('ffjavascript', 2)])).toEqual([
      { op: 'ntt', curve: 'bn254', group: null, logN: 12, peer: 'ffjavascript', speedup: 0.5 },
    ]);
  });

  it('with several zkgpu backends at one size, compares against the fastest', () => {
    const rs = [result('zkgpu', 10), result('zkgpu', 5, 12, { backend: 'webgpu' }), result('ffjavascript', 20)];
    expect(compare(rs)[0].speedup).toBe(4);
  });

  it('buildReport has the version-1 shape and survives a JSON round trip', () => {
    const report = buildReport({
      createdAt: new Date('2026-01-02T03:04:05Z'),
      version: '0.1.0',
      hardware,
      config,
      results: [result('zkgpu', 10), result('ffjavascript', 20)],
    });
    expect(report.schema).toBe(SCHEMA_NAME);
    expect(report.schemaVersion).toBe(SCHEMA_VERSION);
    expect(report.createdAt).toBe('2026-01-02T03:04:05.000Z');
    expect(report.zkgpu).toEqual({ version: '0.1.0' });
    expect(report.failures).toEqual([]);
    expect(report.memory).toBeNull();
    expect(report.comparisons).toHaveLength(1);
    expect(Object.keys(report).sort()).toEqual(
      ['comparisons', 'config', 'createdAt', 'failures', 'hardware', 'memory', 'results', 'schema', 'schemaVersion', 'zkgpu'].sort(),
    );
    const parsed: unknown = JSON.parse(JSON.stringify(report));
    expect(validateReport(parsed)).toEqual([]);
  });

  it('validateReport names what is wrong', () => {
    expect(validateReport(null)).toEqual(['report is not an object']);
    const report = buildReport({ version: '0', hardware, config, results: [result('zkgpu', 1)] });
    const broken = JSON.parse(JSON.stringify(report));
    broken.schemaVersion = 2;
    broken.results[0].n = 5;
    broken.results[0].ms.all.pop();
    delete broken.hardware.gpu;
    const problems = validateReport(broken);
    expect(problems).toContain('schemaVersion must be 1');
    expect(problems).toContain('results[0].n must be 2^logN');
    expect(problems).toContain('results[0].ms.all has 2 entries, runs is 3');
    expect(problems).toContain('hardware.gpu missing (use null)');
  });

  it('collectHardware reports this machine with gpu null', () => {
    const h = collectHardware();
    expect(h.gpu).toBeNull();
    expect(h.logicalCores).toBeGreaterThan(0);
    expect(h.nodeVersion).toBe(process.version);
    expect(typeof h.cpuModel).toBe('string');
  });
});
