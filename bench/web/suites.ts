/**
 * The page's two suites, and the URL parameters that shape them. Quick: about a minute on a laptop
 * (one BN254 G1 MSM, one NTT, one small Groth16 proof beside snarkjs). Full: both curves, G1 MSM
 * and NTT across sizes, G2 MSM (on the workers; on WebGPU once the runtime plans it there), and a
 * Groth16 circuit on each curve.
 */
import { type CaseSpec, caseLabel } from '../core/cases.js';
import type { BenchBackend, BenchCurve, BenchGroup, BenchOp } from '../core/schema.js';

export type SuiteName = 'quick' | 'full';

export interface KernelSuite {
  ops: BenchOp[];
  curve: BenchCurve;
  group: BenchGroup;
  sizes: number[];
  /**
   * The sizes WebGPU runs instead when the adapter is software (SwiftShader, lavapipe): it runs
   * the GPU code on the CPU, and a BN254 MSM at 2^12 took 5.6 s a run in Chromium's SwiftShader
   * here, after 31 s of pipeline compilation. Absent: the same sizes as the workers.
   */
  softwareGpuSizes?: number[];
}

export interface CircuitSpec {
  /** The folder under circuits/ on the page (vite.config.ts SHIPPED_FILES). */
  id: string;
  /** As the CLI names it (bench groth16 --circuit). */
  name: string;
  /** snarkjs's curve name, as in the key. */
  curve: 'bn128' | 'bls12381';
}

/**
 * How the page measures this machine's cost models for the estimates (zkgpu's calibrate over
 * the kernels a proof runs): 'full' is its default ladder (about 4 s for one curve's three
 * kernels on two workers here; the G1 MSM fitted up to 2^12), 'quick' its two-size ladder (about
 * 1 s, but fitted at 2^8-2^10 only: its G1 MSM model put 41 us on a point, 2^20 then comes out
 * about 8x the measured time), 'off' none. Both suites use 'full': the estimates are the point.
 */
export type CalibrationMode = 'quick' | 'full' | 'off';

export interface SuitePlan {
  name: SuiteName;
  kernels: KernelSuite[];
  runs: number;
  circuits: CircuitSpec[];
  /** zkgpu engines to time; null: wasm, plus webgpu when there is an adapter. */
  backends: BenchBackend[] | null;
  seed: number | null;
  calibrate: CalibrationMode;
}

/** zkgpu's name of a snarkjs curve ('bn128' -> 'bn254'), or null for one zkgpu has no models of. */
export function circuitCurve(snarkjsCurve: string): BenchCurve | null {
  return snarkjsCurve === 'bn128' ? 'bn254' : snarkjsCurve === 'bls12381' ? 'bls12-381' : null;
}

export const CIRCUITS = {
  bn128: { id: 'bn128-mulchain', name: 'bn128/mulchain', curve: 'bn128' },
  bls12381: { id: 'bls12381-mulchain', name: 'bls12381/mulchain', curve: 'bls12381' },
} as const satisfies Record<string, CircuitSpec>;

export function suitePlan(name: SuiteName): SuitePlan {
  if (name === 'quick') {
    return {
      name,
      // MSM 2^14 on the workers: about 0.2 s a run on two idle cores (ffjavascript 0.2 s too); at
      // 2^16 the case alone took 38 s here under a load of 11, most of the minute. WebGPU at the
      // same sizes on a hardware adapter.
      kernels: [
        { ops: ['msm'], curve: 'bn254', group: 'g1', sizes: [14], softwareGpuSizes: [10] },
        { ops: ['ntt'], curve: 'bn254', group: 'g1', sizes: [16], softwareGpuSizes: [12] },
      ],
      runs: 3,
      circuits: [CIRCUITS.bn128],
      backends: null,
      seed: null,
      calibrate: 'full',
    };
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
    circuits: [CIRCUITS.bn128, CIRCUITS.bls12381],
    backends: null,
    seed: null,
    calibrate: 'full',
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

/**
 * The plan with ?sizes=10,12 (log2 n, every engine), ?runs=N, ?backends=wasm,webgpu, ?seed=N,
 * ?groth16=0, ?calibrate=off|quick|full applied.
 */
export function planFromParams(name: SuiteName, params: URLSearchParams): SuitePlan {
  const plan = suitePlan(name);
  const sizes = params.get('sizes');
  if (sizes !== null) {
    const list = intList('sizes', sizes, 1, 26);
    for (const k of plan.kernels) {
      k.sizes = [...list];
      delete k.softwareGpuSizes;
    }
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
  const calibrate = params.get('calibrate');
  if (calibrate !== null) {
    if (calibrate !== 'off' && calibrate !== 'quick' && calibrate !== 'full') throw new ParamError(`?calibrate=${calibrate}: expected off, quick or full`);
    plan.calibrate = calibrate;
  }
  return plan;
}

export interface PlannedCase {
  id: string;
  label: string;
}

/**
 * One suite run of bench/core (its sizes and engines), as the runner resolves the plan once the
 * runtime is open: WebGPU on its own sizes when they differ (a software adapter), checked against
 * the reference peer there but the peer not timed twice.
 */
export interface KernelRun {
  suite: KernelSuite;
  sizes: number[];
  backends: BenchBackend[];
  timePeers: boolean;
}

export function kernelRuns(plan: SuitePlan, backends: readonly BenchBackend[], softwareGpu: boolean): KernelRun[] {
  const out: KernelRun[] = [];
  for (const suite of plan.kernels) {
    const gpuSizes = softwareGpu && suite.softwareGpuSizes ? suite.softwareGpuSizes : suite.sizes;
    const same = gpuSizes.length === suite.sizes.length && gpuSizes.every((s, i) => s === suite.sizes[i]);
    if (same || !backends.includes('webgpu')) {
      out.push({ suite, sizes: suite.sizes, backends: [...backends], timePeers: true });
      continue;
    }
    const others = backends.filter((b) => b !== 'webgpu');
    if (others.length > 0) out.push({ suite, sizes: suite.sizes, backends: others, timePeers: true });
    out.push({ suite, sizes: gpuSizes, backends: ['webgpu'], timePeers: others.length === 0 });
  }
  return out;
}

/** Every case the runs will make, in order (the page draws a progress bar for each up front). */
export function plannedCases(runs: readonly KernelRun[], circuits: readonly CircuitSpec[]): PlannedCase[] {
  const out: PlannedCase[] = [];
  const seen = new Set<string>();
  for (const run of runs) {
    for (const op of run.suite.ops) {
      for (const logN of run.sizes) {
        const spec: CaseSpec = { op, curve: run.suite.curve, group: op === 'msm' ? run.suite.group : null, logN };
        const id = caseLabel(spec);
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({ id, label: `${id} (${run.backends.map((b) => `zkgpu-${b}`).join(', ')})` });
      }
    }
  }
  for (const c of circuits) out.push({ id: `groth16 ${c.name}`, label: `groth16 ${c.name} (zkgpu beside snarkjs)` });
  return out;
}
