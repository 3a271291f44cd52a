import { describe, expect, it } from 'vitest';
import {
  ReportFormatError,
  SCHEMA_NAME,
  SCHEMA_VERSION,
  buildReport,
  compare,
  parseBenchReport,
  parseReport,
  validateReport,
  type BenchResult,
} from '../../../bench/core/schema.js';
import type { BenchConfig, Groth16BenchReport, HardwareInfo } from '../../../bench/core/schema.js';
import { collectHardware } from '../../../bench/node/hardware.js';

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
    expect(compare([ntt('zkgpu', 4), ntt('ffjavascript', 2)])).toEqual([{ op: 'ntt', curve: 'bn254', group: null, logN: 12, peer: 'ffjavascript', speedup: 0.5 }]);
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
    expect(Object.keys(report).sort()).toEqual(['comparisons', 'config', 'createdAt', 'failures', 'hardware', 'memory', 'results', 'schema', 'schemaVersion', 'zkgpu'].sort());
    const parsed: unknown = JSON.parse(JSON.stringify(report));
    expect(validateReport(parsed)).toEqual([]);
  });

  it('validateReport names each problem with its path', () => {
    const report = buildReport({ version: '0', hardware, config, results: [result('zkgpu', 1), result('ffjavascript', 2)] });
    const broken = JSON.parse(JSON.stringify(report));
    broken.results[0].n = 5;
    broken.results[0].ms.all.pop();
    broken.results[1].checked = false;
    delete broken.hardware.gpu;
    broken.config.seed = 7;
    const problems = validateReport(broken);
    expect(problems).toContain('results[0].n: n must be 2^logN (4096), got 5');
    expect(problems).toContain('results[0].ms.all: has 2 entries, runs is 3');
    expect(problems.some((p) => p.startsWith('results[1].checked:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('hardware.gpu:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('config.seed:'))).toBe(true);
  });

  it('another format or version gets one clear sentence, not a list of fields', () => {
    const report = JSON.parse(JSON.stringify(buildReport({ version: '0', hardware, config, results: [] })));
    expect(validateReport(null)).toEqual(['report: not a JSON object']);
    expect(validateReport([1, 2])).toEqual(['report: not a JSON object']);
    expect(validateReport({ ...report, schema: 'other' })).toEqual(['schema: expected "zkgpu-bench", got "other"']);
    expect(validateReport({ ...report, schemaVersion: 2 })).toEqual(['schemaVersion: this reader knows version 1, the report is version 2']);
    let err: unknown;
    try {
      parseReport({ ...report, schemaVersion: 2 }, 'h100.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReportFormatError);
    expect((err as ReportFormatError).code).toBe('REPORT_FORMAT');
    expect((err as Error).message).toBe('h100.json is not a valid zkgpu-bench v1 report: schemaVersion: this reader knows version 1, the report is version 2');
  });

  it('readers accept fields they do not know (a newer writer of version 1) and the optional ones', () => {
    const report = JSON.parse(
      JSON.stringify(buildReport({ version: '0', hardware, config, results: [result('zkgpu', 1, 12, { checkedAgainst: ['zkgpu/math'] })], missingPeers: ['noble'] })),
    );
    report.futureField = { x: 1 };
    report.results[0].futureField = 2;
    expect(validateReport(report)).toEqual([]);
    const parsed = parseBenchReport(report);
    expect(parsed.results[0].checkedAgainst).toEqual(['zkgpu/math']);
    expect(parsed.missingPeers).toEqual(['noble']);
  });

  it('a Groth16 report validates against its own shape, and is not an MSM/NTT report', () => {
    const g: Groth16BenchReport = {
      schema: SCHEMA_NAME,
      schemaVersion: SCHEMA_VERSION,
      kind: 'groth16',
      createdAt: '2026-01-02T03:04:05.000Z',
      zkgpu: { version: '0.1.0' },
      hardware,
      config: { circuit: 'bn128/tiny', curve: 'bn128', constraints: 3, nVars: 5, nPublic: 1, domainSize: 8, runs: 1, threads: null, backend: 'wasm' },
      results: [
        {
          impl: 'zkgpu',
          backend: 'wasm',
          engines: ['wasm'],
          threads: 2,
          runs: 1,
          ms: { median: 5, min: 5, max: 5, all: [5] },
          firstRunMs: 9,
          stageMedians: { msmA: 1 },
          peakRssBytes: 1 << 20,
          checked: true,
        },
      ],
      speedup: null,
      failures: [],
      memory: { note: 'n' },
    };
    expect(validateReport(JSON.parse(JSON.stringify(g)))).toEqual([]);
    expect(parseReport(g).kind).toBe('groth16');
    expect(() => parseBenchReport(g)).toThrow(/a Groth16 report, expected an MSM\/NTT report/);
    expect(validateReport({ ...g, results: [{ ...g.results[0], impl: 'bellman' }] })[0]).toMatch(/^results\[0\]\.impl:/);
  });

  it('collectHardware reports this machine with gpu null', () => {
    const h = collectHardware();
    expect(h.gpu).toBeNull();
    expect(h.logicalCores).toBeGreaterThan(0);
    expect(h.nodeVersion).toBe(process.version);
    expect(typeof h.cpuModel).toBe('string');
  });
});
