/**
 * describeHardware(): what zkgpu would run on here, without a runtime: CPU threads, the host memory
 * budget and the GPU it finds, each figure with its source (`zkgpu info` prints it). The GPU device
 * it opens is destroyed before it resolves, so the process can exit.
 */
import { acquireGpu, type GpuContext } from '../gpu/context.js';
import { detectHardware } from '../scheduler/hardware/detect.js';
import type { HardwareReport } from '../scheduler/hardware/types.js';

export interface DescribeHardwareOptions {
  /** Default true: look for a GPU (navigator.gpu in browsers, Dawn in Node); false: CPU figures only. */
  gpu?: boolean;
  /** Measure the GPU's memory by allocating growing buffers (up to 2 GiB), then free them. */
  probeGpu?: boolean;
  /** Host memory budget to report instead of the detected one. */
  maxHostBytes?: number;
  /** GPU memory budget to report instead of the detected one. */
  maxGpuBytes?: number;
}

export async function describeHardware(options: DescribeHardwareOptions = {}): Promise<HardwareReport> {
  const lookForGpu = options.gpu !== false;
  let gpu: GpuContext | null = null;
  try {
    if (lookForGpu) gpu = await acquireGpu();
    const report = await detectHardware({ gpus: gpu ? [gpu] : [], maxHostBytes: options.maxHostBytes, maxGpuBytes: options.maxGpuBytes, probeGpu: options.probeGpu === true });
    // detectHardware's note is for callers that pass their own contexts; here the search is ours.
    report.notes = report.notes.filter((n) => n !== 'no GPU context given');
    if (lookForGpu && !gpu) report.notes.push('no WebGPU adapter found');
    return report;
  } finally {
    gpu?.dispose();
  }
}
