/**
 * detectHardware(): what this process may use: CPU threads (platform count capped by a cgroup
 * quota), a host memory budget, and for each GPU context given its limits and a memory budget.
 * It opens no device itself: callers pass the contexts they hold (the runtime its own, `zkgpu info`
 * the one it acquired), so detection never leaves a device alive.
 */
import type { GpuContext } from '../../gpu/context.js';
import { readCgroupLimits, type CgroupLimits } from './cgroup.js';
import { checkByteCap, cpuReport, memoryReport, platformFigures, platformInfo } from './detect-host.js';
import { gpuReport } from './detect-gpu.js';
import type { HardwareReport } from './types.js';

export interface DetectOptions {
  /** GPU contexts to describe; none (or null) gives `gpus: []`. */
  gpus?: GpuContext[] | null;
  /** Host memory budget in bytes; always wins over the detected figures. */
  maxHostBytes?: number;
  /** GPU memory budget in bytes (each GPU); always wins over the limits and the probe. */
  maxGpuBytes?: number;
  /** Allocate growing buffers on each GPU until out-of-memory or probeCapBytes (then free them). */
  probeGpu?: boolean;
  /** Where the probe stops; default 2 GiB (gpu-budget.ts DEFAULT_PROBE_CAP_BYTES). */
  probeCapBytes?: number;
  /** Testing aid: cgroup limits to use instead of reading /proc. */
  cgroup?: CgroupLimits;
}

export async function detectHardware(opts: DetectOptions = {}): Promise<HardwareReport> {
  const maxHostBytes = checkByteCap('maxHostBytes', opts.maxHostBytes);
  const maxGpuBytes = checkByteCap('maxGpuBytes', opts.maxGpuBytes);
  const probeCapBytes = checkByteCap('probeCapBytes', opts.probeCapBytes);
  const cgroup = opts.cgroup ?? (await readCgroupLimits());
  const platform = await platformFigures();
  const notes = [...cgroup.notes];
  const gpus = [];
  for (const ctx of opts.gpus ?? []) gpus.push(await gpuReport(ctx, { probe: opts.probeGpu, probeCapBytes, maxGpuBytes }));
  if (gpus.length === 0) notes.push('no GPU context given');
  return {
    platform: platformInfo(),
    cpu: cpuReport(platform.threads, cgroup),
    memory: memoryReport({ platformThreads: platform.threads, cgroup, memory: platform.memory, maxHostBytes }),
    gpus,
    notes,
  };
}

/**
 * The host memory figures alone (no GPU, no CPU figures): what a proof's memory plan needs before
 * each proof. With maxHostBytes given, no file is read.
 */
export async function detectHostMemory(maxHostBytes?: number): Promise<HardwareReport['memory']> {
  const cap = checkByteCap('maxHostBytes', maxHostBytes);
  const cgroup: CgroupLimits = cap === undefined ? await readCgroupLimits() : { cpu: null, memory: null, notes: [] };
  const platform = cap === undefined ? await platformFigures() : { threads: null, memory: [] };
  return memoryReport({ platformThreads: platform.threads, cgroup, memory: platform.memory, maxHostBytes: cap });
}
