/**
 * The page's two suites, and the URL parameters that shape them. Quick: about a minute on a
 * laptop (BN254 G1 MSM and NTT at 2^12 and 2^14, one small Groth16 circuit beside snarkjs). Full:
 * both curves, G1 MSM and NTT across sizes, G2 MSM (wasm; WebGPU where the runtime offers it).
 */
import { type CaseSpec, caseLabel } from '../core/cases.js';
import type { BenchBackend, BenchCurve, BenchGroup, BenchOp } from '../core/schema.js';

export type SuiteName = 'quick' | 'full';

export interface KernelSuite {
  ops: BenchOp[];
  curve: BenchCurve;
  group: BenchGroup;
  sizes: number[];
}

export interface CircuitSpec {
  /** The folder under circuits/ on the page (vite.config.ts SHIPPED_FILES). */
  id: string;
  /** As the CLI names it (bench groth16 --circuit). */
  name: string;
  curve: string;
}

export interface SuitePlan {
  name: SuiteName;
  kernels: KernelSuite[];
  runs: number;
  circuits: CircuitSpec[];
  /** zkgpu engines to time; null: wasm, plus webgpu when there is an adapter. */
  backends: BenchBackend[] | null;
  seed: number | null;
}

const MULCHAIN: CircuitSpec = { id: 'bn128-mulchain', name: 'bn128/mulchain', curve: 'bn128' };

export function suitePlan(name: SuiteName): SuitePlan {
  if (name === 'quick') {
    return { name, kernels: [{ ops: ['msm', 'ntt'], curve: 'bn254', group: 'g1', sizes: [12, 14] }], runs: 3, circuits: [MULCHAIN], backends: null, seed: null };
  }
  return {
    name,
    kernels: [
      { ops: ['msm', 'ntt'], curve: 'bn254', group: 'g1', sizes: [12, 14, 16] },
      { ops: ['msm', 'ntt'], curve: 'bls12-381', group: 'g1', sizes: [12, 14, 16] },
      { ops: ['msm'], curve: 'bn254', group: 'g2', sizes: [10, 12, 14] },
      { ops: ['msm'], curve: 'bls12-381', group: 'g2', sizes: [10, 12] },
    ],
    runs: 5,
    circuits: [MULCHAIN],
    backends: null,
    seed: null,
  };
}

/** A bad URL parameter: shown as the page's error, never silently ignored. */
export class ParamError extends Error {
  override readonly name = 'ParamError';
}

function intList(name: string, value: string, min: number, max: number): number[] {
  const out = value.split(',').map((s, i) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < min || n > max) throw new ParamError(`?${name}=${value}: item ${i} (${JSON.stringify(s)}) must be an integer from ${min} to ${max}`);
    return n;
  });
  if (out.length === 0) throw new ParamError(`?${name}= is empty`);
  return out;
}

/** The plan with ?sizes=10,12 (log2 n), ?runs=N, ?backends=wasm,webgpu, ?seed=N, ?groth16=0 applied. */
export function planFromParams(name: SuiteName, params: URLSearchParams): SuitePlan {
  const plan = suitePlan(name);
  const sizes = params.get('sizes');
  if (sizes !== null) {
    const list = intList('sizes', sizes, 1, 26);
    for (const k of plan.kernels) k.sizes = [...list];
  }
  const runs = params.get('runs');
  if (runs !== null) plan.runs = intList('runs', runs, 1, 100)[0];
  const backends = params.get('backends');
  if (backends !== null) {
    plan.backends = backends.split(',').map((b) => {
      if (b !== 'wasm' && b !== 'webgpu') throw new ParamError(`?backends=${backends}: ${JSON.stringify(b)} is not wasm or webgpu`);
      return b;
    });
  }
  const seed = params.get('seed');
  if (seed !== null) plan.seed = intList('seed', seed, 0, 2 ** 32 - 1)[0];
  if (params.get('groth16') === '0') plan.circuits = [];
  return plan;
}

export interface PlannedCase {
  id: string;
  label: string;
}

/** Every case the plan will run, in order (the page draws a progress bar for each up front). */
export function plannedCases(plan: SuitePlan): PlannedCase[] {
  const out: PlannedCase[] = [];
  for (const k of plan.kernels) {
    for (const op of k.ops) {
      for (const logN of k.sizes) {
        const spec: CaseSpec = { op, curve: k.curve, group: op === 'msm' ? k.group : null, logN };
        out.push({ id: caseLabel(spec), label: caseLabel(spec) });
      }
    }
  }
  for (const c of plan.circuits) out.push({ id: `groth16 ${c.name}`, label: `groth16 ${c.name} (zkgpu beside snarkjs)` });
  return out;
}
