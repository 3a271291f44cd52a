/**
 * The benchmark page's estimates (bench/web/estimates.ts): a proof's work from its shape, the cost
 * models' time, and the Groth16 estimate anchored to the measured proof, on a report made here
 * with models whose answers can be worked out by hand.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type BenchReport, type CostModel, type Groth16Section, validateReport } from '../../../bench/core/schema.js';
import { engineEstimates, estimateGroth16, modelMs, proofWork, shapeAt } from '../../../bench/web/estimates.js';

const CLI_REPORT = JSON.parse(readFileSync(new URL('../../support/bench/cli-quick-lavapipe.json', import.meta.url), 'utf8')) as BenchReport;

/** mulchain as the page ships it (test/vectors/groth16/bn128/mulchain/meta.json). */
const MULCHAIN: Groth16Section['config'] = {
  circuit: 'bn128/mulchain',
  curve: 'bn128',
  constraints: 2000,
  nVars: 2003,
  nPublic: 2,
  domainSize: 2048,
  runs: 3,
  threads: 2,
  backend: 'wasm',
};

function model(kernel: string, fixedMs: number, perElementNs: number, backend: CostModel['backend'] = 'wasm'): CostModel {
  return { kernel, backend, fixedMs, perElementNs, threads: 2, sizes: [256, 1024, 4096], quick: false };
}

function section(zkgpuMs: number): Groth16Section {
  const stats = { median: zkgpuMs, min: zkgpuMs, max: zkgpuMs, all: [zkgpuMs, zkgpuMs, zkgpuMs] };
  return {
    config: MULCHAIN,
    results: [{ impl: 'zkgpu', backend: 'wasm', engines: ['wasm'], threads: 2, runs: 3, ms: stats, firstRunMs: zkgpuMs, stageMedians: null, peakRssBytes: null, checked: true }],
    speedup: null,
    failures: [],
  };
}

function reportWith(models: CostModel[], zkgpuMs: number): BenchReport {
  return { ...CLI_REPORT, costModels: models, groth16: [section(zkgpuMs)], runner: 'browser' };
}

const MODELS = [model('msm:bn254:g1', 10, 5000), model('msm:bn254:g2', 10, 20000), model('ntt:bn254', 0, 500)];

describe('page estimates', () => {
  it('a report with cost models and a proof is a valid v1 report', () => {
    expect(validateReport(reportWith(MODELS, 600))).toEqual([]);
    expect(validateReport({ ...reportWith(MODELS, 600), costModels: [model('msm:bn254:g3', 1, 1)] })[0]).toMatch(/^costModels\[0\]\.kernel: must be/);
  });

  it('time = fixedMs + n * perElementNs / 1e6', () => {
    expect(modelMs({ fixedMs: 10, perElementNs: 5000 }, 2 ** 20)).toBeCloseTo(10 + 2 ** 20 * 0.005, 9);
  });

  it('a circuit of a million constraints shaped like mulchain: domain 2^20, variables per constraint kept', () => {
    expect(shapeAt(1_000_000, MULCHAIN)).toEqual({ constraints: 1_000_000, nVars: 1_001_500, nPublic: 2, domainSize: 2 ** 20 });
    // constraints + public + 1 just over a power of two moves the domain up.
    expect(shapeAt(2 ** 20 - 2, MULCHAIN).domainSize).toBe(2 ** 21);
    const work = proofWork('bn254', shapeAt(2000, MULCHAIN));
    expect(work.map((w) => [w.kernel, w.n, w.count])).toEqual([
      ['msm:bn254:g1', 2003, 2],
      ['msm:bn254:g1', 2000, 1],
      ['msm:bn254:g1', 2048, 1],
      ['msm:bn254:g2', 2003, 1],
      ['ntt:bn254', 2048, 6],
    ]);
  });

  it('at the measured size the estimate is the measured proof; elsewhere the models scale it', () => {
    const measured = 600;
    const report = reportWith(MODELS, measured);
    const g = report.groth16![0];
    const same = estimateGroth16(report, g, 2000);
    if (typeof same === 'string') throw new Error(same);
    // The measured circuit has 2003 variables over 2000 constraints: shapeAt(2000) gives 2003 back.
    expect(same.ms).toBeCloseTo(measured, 6);
    const work = (vars: number, domain: number) =>
      2 * modelMs(MODELS[0], vars) + modelMs(MODELS[0], vars - 3) + modelMs(MODELS[0], domain) + modelMs(MODELS[1], vars) + 6 * modelMs(MODELS[2], domain);
    expect(same.measuredModelMs).toBeCloseTo(work(2003, 2048), 6);
    const big = estimateGroth16(report, g, 1_000_000);
    if (typeof big === 'string') throw new Error(big);
    expect(big.ms).toBeCloseTo(measured * (work(1_001_500, 2 ** 20) / work(2003, 2048)), 3);
    expect(big.extrapolated).toBe(true);
    expect(big.engine).toBe('zkgpu-wasm');
  });

  it('says why when a kernel has no model or no proof was measured', () => {
    const noG2 = reportWith([MODELS[0], MODELS[2]], 600);
    expect(estimateGroth16(noG2, noG2.groth16![0], 10_000)).toMatch(/no wasm cost model for every kernel of a bn254 proof in this report \(it has: msm:bn254:g1, ntt:bn254\)/);
    const noProof = { ...section(600), results: [] };
    expect(estimateGroth16(reportWith(MODELS, 600), noProof, 10_000)).toBe('no checked zkgpu proof of this circuit');
  });

  it('per engine: one row per model of the operation, flagged outside its fitted sizes', () => {
    const report = reportWith([...MODELS, model('msm:bn254:g1', 20, 100, 'webgpu')], 600);
    const rows = engineEstimates(report, 'msm bn254 g1', 12);
    expect(rows.map((r) => [r.engine, r.ms, r.range.extrapolated])).toEqual([
      ['zkgpu-wasm', modelMs(MODELS[0], 4096), false],
      ['zkgpu-webgpu', 20 + 4096 * 1e-4, false],
    ]);
    expect(engineEstimates(report, 'msm bn254 g1', 20).every((r) => r.range.extrapolated)).toBe(true);
    expect(engineEstimates(CLI_REPORT, 'msm bn254 g1', 12)).toEqual([]);
  });
});
