/**
 * GPU workers preferred where the calibration says the GPU wins (issue 18). Two pure rules and the
 * planner call between them:
 *
 * - The win, decided once by each worker at start: its runtime's planner plans a proof's G1 MSMs
 *   (sizes from the key header) the way its proofs will run them (`--backend auto` or `webgpu`) and
 *   on the workers alone ('wasm'). The GPU wins the circuit when that plan puts work on a GPU, every
 *   plan is calibrated (measured models: the built-in defaults never claim a win), and the GPU's
 *   estimate is under GPU_WIN_RATIO of the workers'. A worker without a GPU never wins.
 * - The deferral, re-decided by the other workers every few seconds from the heartbeats: a worker
 *   that takes circuit C but does not win it leaves C's jobs to the live, ready workers that do,
 *   until none is left or C's oldest waiting job has waited longer than `--gpu-wait` (the GPU
 *   workers are saturated: a job must never wait for ever behind a busy GPU).
 *
 * The G2 MSM is left out of the comparison: `zkgpu calibrate` measures G2 on the workers only
 * (scheduler/calibration/calibrate.ts KERNELS), so a plan putting G2 on the GPU is never
 * calibrated and would keep every GPU from ever claiming a win. The scalars are taken as dense
 * (the key says nothing of the witness): a circuit whose witness is mostly 0/1 costs less on both
 * sides, and the GPU's fixed costs then weigh more than this estimate shows.
 */
import type { Plan, PlanJob, Runtime, ZkeyHeader } from '../index.js';
import type { WorkerBeat } from './fleet.js';

/**
 * The GPU must be clearly faster, not just a tie: the G1 MSMs are about half a proof (snarkjs at
 * 2^16 on this 2-core machine: four G1 MSMs 47% of the proof, the G2 MSM 42%, FFTs 7%), so 0.8 on
 * them is about a 10% faster proof, and below that a calibration's residuals and every job of the
 * circuit queueing on fewer machines eat the gain.
 */
export const GPU_WIN_RATIO = 0.8;

export type ProofBackend = 'auto' | 'wasm' | 'webgpu';

/** The proof's G1 MSMs as the prover runs them (stage names as in its timings): points per MSM from the key header. */
export function proofG1Msms(header: Pick<ZkeyHeader, 'curve' | 'nVars' | 'nPublic' | 'domainSize'>): { stage: string; job: PlanJob }[] {
  const msm = (n: number): PlanJob => ({ op: 'msm', curve: header.curve, group: 'g1', n });
  return [
    { stage: 'msmA', job: msm(header.nVars) },
    { stage: 'msmB1', job: msm(header.nVars) },
    // Section pointsC covers the private signals only: nVars less the public ones and the constant 1.
    { stage: 'msmC', job: msm(header.nVars - header.nPublic - 1) },
    { stage: 'msmH', job: msm(header.domainSize) },
  ];
}

export interface GpuVerdict {
  wins: boolean;
  /** Sum of the proof's G1 MSM estimates planned the worker's way (null: not planned). */
  gpuMs: number | null;
  /** The same on the workers alone. */
  wasmMs: number | null;
  reason: string;
}

const ms = (v: number) => (v >= 10 ? v.toFixed(0) : v.toPrecision(2));
const sum = (plans: readonly Plan[]) => plans.reduce((s, p) => s + p.estimateMs, 0);

/** The win from the two sets of plans (the same MSMs, in the same order): pure, the one rule. */
export function gpuWins(gpuPlans: readonly Plan[], wasmPlans: readonly Plan[]): GpuVerdict {
  const gpuMs = sum(gpuPlans);
  const wasmMs = sum(wasmPlans);
  const onGpu = gpuPlans.some((p) => p.chunks.some((c) => c.backend !== 'wasm'));
  if (!onGpu) return { wins: false, gpuMs, wasmMs, reason: 'the planner puts none of its MSMs on the GPU' };
  const uncalibrated = [
    ...gpuPlans.filter((p) => !p.calibrated).map((p) => `n=${p.n} planned with the GPU`),
    ...wasmPlans.filter((p) => !p.calibrated).map((p) => `n=${p.n} on the workers`),
  ];
  if (uncalibrated.length > 0) {
    return { wins: false, gpuMs, wasmMs, reason: `not calibrated on this machine (${uncalibrated.join(', ')}: default models); run zkgpu calibrate` };
  }
  if (gpuMs < GPU_WIN_RATIO * wasmMs) return { wins: true, gpuMs, wasmMs, reason: `G1 MSMs ${ms(gpuMs)} ms with the GPU vs ${ms(wasmMs)} ms on the workers` };
  return { wins: false, gpuMs, wasmMs, reason: `G1 MSMs ${ms(gpuMs)} ms with the GPU vs ${ms(wasmMs)} ms on the workers: not under ${GPU_WIN_RATIO}x` };
}

/** Whether this worker's GPU wins a circuit: the planner asked for the proof's G1 MSMs both ways. */
export async function decideGpuPreference(runtime: Runtime, header: ZkeyHeader, backend: ProofBackend): Promise<GpuVerdict> {
  if (backend === 'wasm') return { wins: false, gpuMs: null, wasmMs: null, reason: '--backend wasm: its proofs never use a GPU' };
  if (!runtime.gpu) return { wins: false, gpuMs: null, wasmMs: null, reason: 'no GPU' };
  const msms = proofG1Msms(header);
  try {
    const gpuPlans = await Promise.all(msms.map((m) => runtime.plan({ ...m.job, backend })));
    const wasmPlans = await Promise.all(msms.map((m) => runtime.plan({ ...m.job, backend: 'wasm' })));
    return gpuWins(gpuPlans, wasmPlans);
  } catch (e) {
    return { wins: false, gpuMs: null, wasmMs: null, reason: `could not plan its MSMs: ${(e as Error).message}` };
  }
}

export interface DeferralInput {
  circuit: string;
  /** This worker's id (its own beat is never a reason to defer). */
  self: string;
  /** This worker's GPU wins the circuit. */
  selfPrefers: boolean;
  /** Live workers (their heartbeats). */
  workers: readonly WorkerBeat[];
  /** How long the circuit's oldest waiting job has waited, ms; null when none waits (or not read yet). */
  oldestWaitMs: number | null;
  /** --gpu-wait; 0 turns deferral off. */
  gpuWaitS: number;
}

export interface Deferral {
  defer: boolean;
  /** The live, ready workers whose GPU wins the circuit. */
  to: string[];
  reason: string;
}

/** Whether a worker leaves a circuit's jobs to GPU workers now: pure, from the beats and the oldest wait. */
export function deferral(i: DeferralInput): Deferral {
  if (i.gpuWaitS === 0) return { defer: false, to: [], reason: 'deferral is off (--gpu-wait 0)' };
  if (i.selfPrefers) return { defer: false, to: [], reason: "this worker's GPU wins it" };
  // Beats of workers older than this rule have no gpuPreferred: they prefer nothing.
  const to = i.workers.filter((w) => w.id !== i.self && w.ready && w.circuits.includes(i.circuit) && (w.gpuPreferred ?? []).includes(i.circuit)).map((w) => w.id);
  if (to.length === 0) return { defer: false, to, reason: 'no live, ready GPU worker prefers it' };
  const limitMs = i.gpuWaitS * 1000;
  if (i.oldestWaitMs !== null && i.oldestWaitMs > limitMs) {
    return { defer: false, to, reason: `its oldest waiting job has waited ${(i.oldestWaitMs / 1000).toFixed(1)} s, over --gpu-wait ${i.gpuWaitS} s (the GPU workers are busy)` };
  }
  return { defer: true, to, reason: `the GPU of ${to.join(', ')} wins it` };
}
