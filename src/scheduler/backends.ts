/**
 * From a HardwareReport to the planner's backend descriptions for one job: the CPU workers
 * ('wasm') and each usable GPU ('webgpu', 'webgpu:1', ...), with default or calibrated models.
 */
import type { BackendDescription, PlanJob } from './plan.js';
import {
  defaultBytesPerElement,
  defaultGpuModel,
  defaultWasmModel,
  largestBufferBytesPerElement,
  wasmInstanceBytesPerElement,
  WASM_NTT_MAX_ELEMENTS,
  type CostModel,
  type ModelKey,
} from './models.js';
import type { HardwareReport } from './hardware/types.js';
import { autoTreatsAsSoftware, type BackendsList } from './policy.js';

/**
 * With a GPU, host memory is divided once so the two can run side by side: a quarter for the GPU's
 * staging copies (an NTT stages 64 B per element against 352 B on the CPU, an MSM 2 against 5 x
 * input), three quarters for the CPU workers.
 */
export const GPU_HOST_STAGING_SHARE = 0.25;

/**
 * A GPU's device queue uploads the next chunk while the current one computes (device-queue.ts),
 * so two chunks' buffers are alive at once and the planner sizes GPU chunks so two fit the budget.
 */
export const GPU_CHUNKS_IN_FLIGHT = 2;

export interface DescribeOptions {
  /** Worker threads the runtime runs (default: the report's cpu.threads). */
  threads?: number;
  /** Measured models by backend id; the defaults (calibrated: false) otherwise. */
  models?: Record<string, CostModel | undefined>;
  /** The runtime's `backends` option: a list naming 'webgpu' lets 'auto' weigh a software adapter. */
  backends?: BackendsList;
}

/** The backend id of a runtime's i-th GPU device: 'webgpu', 'webgpu:1', ... (stable while the device is lost). */
export function gpuBackendId(i: number): string {
  return i === 0 ? 'webgpu' : `webgpu:${i}`;
}

export function describeBackends(report: HardwareReport, job: Pick<PlanJob, 'op' | 'curve' | 'group'>, options: DescribeOptions = {}): BackendDescription[] {
  const key: ModelKey = { op: job.op, curve: job.curve, group: job.group };
  const threads = options.threads ?? report.cpu.threads;
  // Ids come from each report's place (or its own id), not from the usable ones' order: a lost
  // 'webgpu' must not hand its id to 'webgpu:1'.
  const gpus = report.gpus.map((g, i) => ({ g, id: g.id ?? gpuBackendId(i) })).filter(({ g }) => !g.unusable);
  const hostBudget = report.memory.budgetBytes;
  const cpuHost = gpus.length > 0 ? Math.floor(hostBudget * (1 - GPU_HOST_STAGING_SHARE)) : hostBudget;
  const gpuHost = Math.floor((hostBudget * GPU_HOST_STAGING_SHARE) / Math.max(1, gpus.length));
  // An MSM chunk is split again over the workers, each holding its part in its own wasm instance.
  const perInstance = Math.floor(report.memory.wasmInstanceBytes.bytes / wasmInstanceBytesPerElement(key));
  const out: BackendDescription[] = [
    {
      id: 'wasm',
      kind: 'wasm',
      model: options.models?.wasm ?? defaultWasmModel(key, threads),
      maxChunkElements: job.op === 'ntt' ? Math.min(WASM_NTT_MAX_ELEMENTS, perInstance) : perInstance * threads,
      budgetBytes: cpuHost,
      bytesPerElement: defaultBytesPerElement(key, 'wasm'),
    },
  ];
  for (const { g, id } of gpus) {
    const binding = Math.min(g.limits.maxStorageBufferBindingSize ?? 0, g.limits.maxBufferSize ?? 0);
    out.push({
      id,
      kind: 'webgpu',
      model: options.models?.[id] ?? defaultGpuModel(key, g.software),
      maxChunkElements: Math.floor(binding / largestBufferBytesPerElement(key)),
      budgetBytes: g.budgetBytes,
      hostBudgetBytes: gpuHost,
      bytesPerElement: defaultBytesPerElement(key, 'webgpu'),
      software: autoTreatsAsSoftware(g.software, options.backends),
      inFlightChunks: GPU_CHUNKS_IN_FLIGHT,
    });
  }
  return out;
}
