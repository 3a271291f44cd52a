import os from 'node:os';
import type { GpuInfo, HardwareInfo } from '../core/schema.js';

/** What the Node process can see of the machine. `gpu` stays null until the WebGPU engine fills it. */
export function collectHardware(gpu: GpuInfo | null = null): HardwareInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? null,
    logicalCores: cpus.length,
    // availableParallelism() exists from Node 18.14; it honours affinity masks, cpus() does not.
    availableParallelism: typeof os.availableParallelism === 'function' ? os.availableParallelism() : null,
    totalMemoryBytes: os.totalmem(),
    freeMemoryBytes: os.freemem(),
    platform: process.platform,
    arch: process.arch,
    nodeVersion: process.version,
    loadAverage: process.platform === 'win32' ? null : (os.loadavg().map((x) => Math.round(x * 100) / 100) as [number, number, number]),
    gpu,
  };
}
