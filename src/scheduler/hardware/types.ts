import type { GpuSample, TelemetryState } from './nvidia-smi.js';

/**
 * The hardware report: what detectHardware() found, every figure with where it came from.
 * Plain data only (numbers, strings, arrays), so JSON.stringify round-trips it.
 */

/** A byte count and where it came from ("cgroup v2 memory.max", "os.totalmem()", "maxHostBytes option"). */
export interface ByteFigure {
  bytes: number;
  source: string;
}

/** A count (threads, CPUs) and where it came from. */
export interface CountFigure {
  count: number;
  source: string;
}

export interface CpuReport {
  /** Worker threads worth starting: the platform's count, capped by a cgroup CPU quota. */
  threads: number;
  /** What decided `threads`. */
  source: string;
  /** Every figure considered (platform count, cgroup quota in CPUs, possibly fractional). */
  figures: CountFigure[];
}

export interface MemoryReport {
  /** Bytes zkgpu may use in host memory: the user's cap, else the smallest figure times safetyFactor. */
  budgetBytes: number;
  /** What decided `budgetBytes`. */
  source: string;
  /** Applied to the smallest figure (1 when the user's cap decided). */
  safetyFactor: number;
  /** Every host-wide figure considered (total, available, cgroup limit, deviceMemory). */
  figures: ByteFigure[];
  /** One wasm32 instance addresses at most 4 GiB: a cap per CPU worker, not on the whole host. */
  wasmInstanceBytes: ByteFigure;
}

export interface GpuReport {
  /** The runtime's backend id for this device ('webgpu', 'webgpu:1', ...), when a runtime describes its own. */
  id?: string;
  /** The adapter's name as Dawn lists it ('NVIDIA H100 80GB HBM3'), when it was selected by name. */
  name?: string;
  /** nvidia-smi's sample paired with this adapter (nvidia-smi.ts matchTelemetry), when one is. */
  telemetry?: GpuSample;
  /** How the pairing was made when it is a guess, or why there is none. */
  telemetryNote?: string;
  vendor: string;
  architecture: string;
  description: string;
  device: string;
  /** lavapipe / llvmpipe / SwiftShader / WARP: runs on the CPU, so 'auto' leaves it out. */
  software: boolean;
  /** The device's limits (numbers only). */
  limits: Record<string, number>;
  features: string[];
  /** Bytes a job may allocate on this device. */
  budgetBytes: number;
  /** What decided `budgetBytes`. */
  source: string;
  /** Every figure considered: the limits, the probe (when run), the user's cap. */
  figures: ByteFigure[];
  /** The allocation probe's result, when `probeGpu` was set. */
  probe?: { allocatedBytes: number; hitLimit: boolean; buffers: number; capBytes: number };
  /** Set when the device was lost or disposed before detection; the budget is then 0. */
  unusable?: string;
}

export interface HardwareReport {
  platform: { runtime: 'node' | 'browser' | 'other'; os: string | null; arch: string | null; version: string | null };
  cpu: CpuReport;
  memory: MemoryReport;
  gpus: GpuReport[];
  /** Things looked for and not found (no cgroup quota, no GPU given), for `zkgpu info`. */
  notes: string[];
  /** nvidia-smi's answer, when asked (describeHardware asks): its GPUs, or why there are none. */
  telemetry?: TelemetryState;
}
