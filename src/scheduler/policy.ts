/**
 * The one 'auto' rule: whether the GPU may take part in a call (the planner then decides how much).
 * Every place that needs it calls these pure functions: the runtime (its plans, BabyBear NTTs,
 * `autoMayUseGpu`), the planner (plan.ts leaves software adapters out), describeBackends (the
 * software flag the planner sees) and the Groth16 prover (one QAP task unless a GPU may help).
 *
 * - 'wasm' and 'webgpu' are obeyed ('webgpu' without a device is an error, not a silent fallback);
 * - 'auto' lets the GPU in only when it is a hardware adapter and the job is large enough to repay
 *   its fixed costs (upload, pipeline dispatch, readback). Software adapters (lavapipe, SwiftShader)
 *   run our kernels 10-100x slower than the WASM workers on the same cores (README figures: NTT
 *   2^20 1.4 s on lavapipe vs 0.65 s on 2 workers), so 'auto' never picks them;
 * - the runtime's `backends` option changes 'auto' only: a list without 'webgpu' keeps it on the
 *   workers; a list naming 'webgpu' lifts the software and size rules, leaving them to the
 *   planner's cost models (where a job has none, BabyBear, the rules stay: nothing would weigh them);
 *   a list without 'wasm' keeps a GPU job off the workers.
 */
import { ZkgpuError } from '../core/errors.js';
import type { GpuAdapterInfo } from '../gpu/context.js';

export type Backend = 'webgpu' | 'wasm' | 'auto';
export type Engine = 'webgpu' | 'wasm';

/** Below 2^14 elements a GPU round trip (a few ms of submission and readback) beats no CPU run. */
export const AUTO_GPU_MIN_ELEMENTS = 1 << 14;

export interface BackendChoice {
  engine: Engine;
  /** One line saying why, for the job report. */
  reason: string;
}

/** What the policy reads of a GPU device (a GpuContext is one). */
export interface GpuView {
  info: GpuAdapterInfo;
  lost: { message: string } | null;
  disposed: boolean;
}

/** The runtime's `backends` option: what 'auto' may use (null or undefined: not given). */
export type BackendsList = readonly Engine[] | null | undefined;

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|software|basic render|warp/i;

export function isSoftwareAdapter(info: GpuAdapterInfo): boolean {
  return SOFTWARE_ADAPTER.test(`${info.vendor} ${info.architecture} ${info.description} ${info.device}`);
}

export function checkBackend(backend: unknown): Backend {
  if (backend === undefined) return 'auto';
  if (backend === 'webgpu' || backend === 'wasm' || backend === 'auto') return backend;
  throw new ZkgpuError('INVALID_ARGUMENT', `backend must be 'webgpu', 'wasm' or 'auto', got ${JSON.stringify(backend)}`);
}

/** The list names 'webgpu': 'auto' weighs any adapter by its cost model (no software or size rule). */
export function listNamesGpu(backends: BackendsList): boolean {
  return backends?.includes('webgpu') ?? false;
}

/** The list is given and leaves `engine` out: 'auto' never uses it. */
function listLeavesOut(backends: BackendsList, engine: Engine): boolean {
  return backends !== null && backends !== undefined && !backends.includes(engine);
}

export interface ChoiceInput {
  requested: Backend;
  gpu: GpuView | null;
  /** Elements in the job (points or field elements). */
  n: number;
  /** Why the GPU cannot take this job at all (no kernel, too large for a binding), or null. */
  gpuCannot: string | null;
  /** The runtime's `backends` option. */
  backends?: BackendsList;
  /**
   * Default true: a list naming 'webgpu' lifts the software and size rules. false for jobs the
   * planner has no cost model for (BabyBear NTT): there nothing would weigh the adapter instead.
   */
  listLiftsRules?: boolean;
}

/**
 * The engine for one call, and why. A pinned 'webgpu' that cannot run throws GPU_UNAVAILABLE,
 * GPU_DEVICE_LOST or INVALID_ARGUMENT; 'auto' never throws.
 */
export function chooseBackend(input: ChoiceInput): BackendChoice {
  const { requested, gpu, n, gpuCannot } = input;
  if (requested === 'wasm') return { engine: 'wasm', reason: 'backend: wasm requested' };
  if (requested === 'webgpu') {
    if (!gpu) throw new ZkgpuError('GPU_UNAVAILABLE', "backend 'webgpu' requested but this runtime has no GPU device (no adapter found, or created with gpu: false)");
    if (gpu.lost || gpu.disposed) throw new ZkgpuError('GPU_DEVICE_LOST', `backend 'webgpu' requested but the GPU device is gone: ${gpu.lost?.message ?? 'disposed'}`);
    if (gpuCannot) throw new ZkgpuError('INVALID_ARGUMENT', `backend 'webgpu' cannot run this job: ${gpuCannot}`);
    return { engine: 'webgpu', reason: 'backend: webgpu requested' };
  }
  if (listLeavesOut(input.backends, 'webgpu')) return { engine: 'wasm', reason: "auto: the runtime's backends list leaves the GPU out" };
  if (!gpu) return { engine: 'wasm', reason: 'auto: no GPU device' };
  if (gpu.lost || gpu.disposed) return { engine: 'wasm', reason: 'auto: the GPU device is lost' };
  if (gpuCannot) return { engine: 'wasm', reason: `auto: ${gpuCannot}` };
  if ((input.listLiftsRules ?? true) && listNamesGpu(input.backends)) return { engine: 'webgpu', reason: "auto: 'webgpu' is in the runtime's backends list" };
  if (isSoftwareAdapter(gpu.info)) return { engine: 'wasm', reason: `auto: ${gpu.info.description || 'the adapter'} is a software adapter` };
  if (n < AUTO_GPU_MIN_ELEMENTS) return { engine: 'wasm', reason: `auto: ${n} elements is below the GPU threshold ${AUTO_GPU_MIN_ELEMENTS}` };
  return { engine: 'webgpu', reason: `auto: hardware adapter and ${n} >= ${AUTO_GPU_MIN_ELEMENTS} elements` };
}

/** What a runtime's 'auto' depends on besides the job: its device and its `backends` option. */
export interface AutoState {
  gpu: GpuView | null;
  backends: BackendsList;
}

/**
 * Whether a call with `requested` may give any work to a GPU: 'webgpu' always, 'wasm' never,
 * 'auto' when it would for a job of any size the GPU can run (the Groth16 prover makes its H
 * scalars in one worker task when it may not).
 */
export function mayUseGpu(requested: Backend, state: AutoState): boolean {
  if (requested !== 'auto') return requested === 'webgpu';
  return chooseBackend({ requested, gpu: state.gpu, n: Number.MAX_SAFE_INTEGER, gpuCannot: null, backends: state.backends }).engine === 'webgpu';
}

/**
 * The backend kinds the planner may weigh for an 'auto' job after `choice`, and the note for the
 * report when the GPU was left out.
 */
export function autoPlanKinds(choice: BackendChoice, backends: BackendsList): { kinds: Engine[]; note: string | null } {
  if (choice.engine === 'wasm') return { kinds: ['wasm'], note: choice.reason };
  return { kinds: listLeavesOut(backends, 'wasm') ? ['webgpu'] : ['wasm', 'webgpu'], note: null };
}

/** Whether the planner treats an adapter as software (left out under 'auto'): not when the list names 'webgpu'. */
export function autoTreatsAsSoftware(software: boolean, backends: BackendsList): boolean {
  return software && !listNamesGpu(backends);
}

/** Why the planner leaves a backend out of an 'auto' job, or null when it may weigh it. */
export function autoLeavesOut(backend: { kind: Engine; software?: boolean }): string | null {
  return backend.kind === 'webgpu' && backend.software === true ? "software adapter: 'auto' leaves it out (slower than the CPU workers)" : null;
}
