/**
 * Estimates from a report's cost models (zkgpu's calibration: time(n) = fixedMs + n · perElementNs,
 * per kernel and engine, the models the scheduler plans with): an MSM or NTT at a size per engine,
 * and a Groth16 proof at a number of constraints, anchored to the proof the report measured.
 * Pure: no DOM, so the numbers can be checked on their own.
 */
import type { BenchCurve, BenchReport, CostModel, Groth16Section } from '../core/schema.js';
import { circuitCurve } from './suites.js';

/** The model's time for n elements, in ms (scheduler/models.ts: fixedMs + n · perElementNs / 1e6). */
export function modelMs(m: Pick<CostModel, 'fixedMs' | 'perElementNs'>, n: number): number {
  return m.fixedMs + (n * m.perElementNs) / 1e6;
}

/** 'msm bn254 g1' -> 'msm:bn254:g1'; 'ntt bls12-381' -> 'ntt:bls12-381' (the calibration's kernel key). */
export function kernelOfFamily(family: string): string {
  return family.split(' ').join(':');
}

export interface FittedRange {
  minN: number;
  maxN: number;
  /** The size asked for lies outside the sizes the model was fitted on. */
  extrapolated: boolean;
}

function rangeOf(sizes: readonly number[], ...ns: number[]): FittedRange {
  const minN = Math.min(...sizes);
  const maxN = Math.max(...sizes);
  return { minN, maxN, extrapolated: ns.some((n) => n < minN || n > maxN) };
}

export interface EngineEstimate {
  engine: string;
  ms: number;
  range: FittedRange;
  quick: boolean;
}

/** One row per engine that has a model of this operation in the report. */
export function engineEstimates(report: BenchReport, family: string, logN: number): EngineEstimate[] {
  const kernel = kernelOfFamily(family);
  const n = 2 ** logN;
  return (report.costModels ?? []).filter((m) => m.kernel === kernel).map((m) => ({ engine: `zkgpu-${m.backend}`, ms: modelMs(m, n), range: rangeOf(m.sizes, n), quick: m.quick }));
}

/** The sizes of a proof's work: what a circuit of this shape makes the prover compute. */
export interface ProofShape {
  constraints: number;
  nVars: number;
  nPublic: number;
  domainSize: number;
}

/**
 * A circuit of `constraints` shaped like the measured one: as many variables per constraint, the
 * same public inputs, and the domain snarkjs picks (the power of two above constraints + public
 * inputs + 1).
 */
export function shapeAt(constraints: number, measured: Groth16Section['config']): ProofShape {
  const nPublic = measured.nPublic ?? 1;
  const perConstraint = measured.nVars && measured.constraints ? measured.nVars / measured.constraints : 1;
  return {
    constraints,
    nVars: Math.max(nPublic + 1, Math.round(constraints * perConstraint)),
    nPublic,
    domainSize: 2 ** Math.ceil(Math.log2(constraints + nPublic + 1)),
  };
}

export interface WorkItem {
  label: string;
  kernel: string;
  n: number;
  count: number;
}

/**
 * A Groth16 proof's MSMs and transforms (src/groth16/prover: msmA, msmB1, msmC over the variables,
 * msmH over the domain, msmB2 in G2, and an inverse and a coset transform of A, B and C).
 */
export function proofWork(curve: BenchCurve, shape: ProofShape): WorkItem[] {
  const g1 = `msm:${curve}:g1`;
  return [
    { label: 'G1 MSMs A, B1 (variables)', kernel: g1, n: shape.nVars, count: 2 },
    { label: 'G1 MSM C (private variables)', kernel: g1, n: Math.max(1, shape.nVars - shape.nPublic - 1), count: 1 },
    { label: 'G1 MSM H (domain)', kernel: g1, n: shape.domainSize, count: 1 },
    { label: 'G2 MSM B2 (variables)', kernel: `msm:${curve}:g2`, n: shape.nVars, count: 1 },
    { label: 'NTTs (3 inverse, 3 on the coset)', kernel: `ntt:${curve}`, n: shape.domainSize, count: 6 },
  ];
}

export interface Groth16Estimate {
  circuit: string;
  engine: string;
  shape: ProofShape;
  ms: number;
  /** The models' sum for the measured circuit, and the proof measured there: their ratio anchors the estimate. */
  measuredMs: number;
  measuredModelMs: number;
  /** measuredMs / measuredModelMs: the prover's overlap of stages (below 1) and its work outside the kernels (above 1). */
  anchor: number;
  items: (WorkItem & { ms: number; range: FittedRange })[];
  /** Any kernel asked for outside the sizes its model was fitted on. */
  extrapolated: boolean;
}

/**
 * zkgpu's proof time at `constraints`: the models' time for the proof's work at that size, times
 * the ratio of the measured proof to the models' time for the measured circuit. Null (with why)
 * when the report has no measured zkgpu proof or no model for one of the kernels.
 */
export function estimateGroth16(report: BenchReport, section: Groth16Section, constraints: number): Groth16Estimate | string {
  const zk = section.results.find((r) => r.impl === 'zkgpu');
  if (!zk) return 'no checked zkgpu proof of this circuit';
  const curve = circuitCurve(section.config.curve);
  if (!curve) return `curve ${section.config.curve} has no models`;
  const backend = zk.backend === 'webgpu' ? 'webgpu' : 'wasm';
  const models = (report.costModels ?? []).filter((m) => m.backend === backend);
  const measured: ProofShape = {
    constraints: section.config.constraints ?? 0,
    nVars: section.config.nVars ?? 0,
    nPublic: section.config.nPublic ?? 1,
    domainSize: section.config.domainSize ?? 0,
  };
  if (measured.nVars === 0 || measured.domainSize === 0) return "the report does not give the measured circuit's sizes";
  const sum = (shape: ProofShape) => {
    const items = proofWork(curve, shape).map((w) => {
      const m = models.find((x) => x.kernel === w.kernel);
      return m ? { ...w, ms: w.count * modelMs(m, w.n), range: rangeOf(m.sizes, w.n) } : null;
    });
    return items.every((i) => i !== null) ? items : null;
  };
  const there = sum(measured);
  const here = sum(shapeAt(constraints, section.config));
  if (there === null || here === null) {
    const have = models.map((m) => m.kernel).join(', ') || 'none';
    return `no ${backend} cost model for every kernel of a ${curve} proof in this report (it has: ${have})`;
  }
  const measuredModelMs = there.reduce((s, i) => s + i.ms, 0);
  const anchor = zk.ms.median / measuredModelMs;
  const modelTotal = here.reduce((s, i) => s + i.ms, 0);
  return {
    circuit: section.config.circuit,
    engine: `zkgpu-${backend}`,
    shape: shapeAt(constraints, section.config),
    ms: modelTotal * anchor,
    measuredMs: zk.ms.median,
    measuredModelMs,
    anchor,
    items: here,
    extrapolated: here.some((i) => i.range.extrapolated),
  };
}
