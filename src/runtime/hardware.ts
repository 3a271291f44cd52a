/**
 * describeHardware(): what zkgpu would run on here, without a runtime: CPU threads, the host memory
 * budget, every GPU adapter a runtime would open (the same `gpus` selection, adapters.ts) and, in
 * Node, nvidia-smi's telemetry paired with them; each figure with its source (`zkgpu info` prints
 * it). The GPU devices it opens are destroyed before it resolves, so the process can exit.
 */
import { gpuBackendId } from '../scheduler/backends.js';
import { detectHardware } from '../scheduler/hardware/detect.js';
import { matchTelemetry, readNvidiaSmi } from '../scheduler/hardware/nvidia-smi.js';
import type { HardwareReport } from '../scheduler/hardware/types.js';
import { checkGpuSelection, gpusFromEnv, listDawnAdapters, type GpuSelection, type ListedAdapter } from './adapters.js';
import { openGpus } from './gpu-owner.js';

export interface DescribeHardwareOptions {
  /** Default true: look for GPUs (navigator.gpu in browsers, Dawn in Node); false: CPU figures only. */
  gpu?: boolean;
  /** The adapters to describe, as createRuntime's `gpus` (default: ZKGPU_GPUS, else every hardware adapter). */
  gpus?: GpuSelection;
  /** Measure the GPU's memory by allocating growing buffers (up to 2 GiB), then free them. */
  probeGpu?: boolean;
  /** Host memory budget to report instead of the detected one. */
  maxHostBytes?: number;
  /** GPU memory budget to report instead of the detected one. */
  maxGpuBytes?: number;
  /** Default true: ask nvidia-smi (Node; about 50 ms, 1 ms when absent). */
  telemetry?: boolean;
}

export async function describeHardware(options: DescribeHardwareOptions = {}): Promise<HardwareReport & { adapters?: ListedAdapter[] }> {
  const lookForGpu = options.gpu !== false;
  const selection =
    options.gpus !== undefined ? checkGpuSelection(options.gpus) : gpusFromEnv((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.ZKGPU_GPUS);
  const opened = lookForGpu ? await openGpus(undefined, selection) : { devices: [], notes: [] };
  try {
    const report = await detectHardware({
      gpus: opened.devices.map((d) => d.ctx),
      maxHostBytes: options.maxHostBytes,
      maxGpuBytes: options.maxGpuBytes,
      probeGpu: options.probeGpu === true,
    });
    // detectHardware's note is for callers that pass their own contexts; here the search is ours.
    report.notes = report.notes.filter((n) => n !== 'no GPU context given');
    report.notes.push(...opened.notes);
    if (lookForGpu && opened.devices.length === 0) report.notes.push('no WebGPU adapter found');
    report.gpus.forEach((g, i) => {
      g.id = gpuBackendId(i);
      const name = opened.devices[i].name;
      if (name) g.name = name;
    });
    if (options.telemetry !== false) {
      const state = await readNvidiaSmi();
      report.telemetry = state;
      if (state.available) {
        const matches = matchTelemetry(
          report.gpus.map((g) => g.name || g.device || g.description),
          state.gpus,
        );
        report.gpus.forEach((g, i) => {
          if (matches[i].sample) g.telemetry = matches[i].sample;
          if (matches[i].note) g.telemetryNote = matches[i].note;
        });
      }
    }
    const adapters = lookForGpu ? await listDawnAdapters() : null;
    return adapters ? { ...report, adapters } : report;
  } finally {
    for (const d of opened.devices) d.ctx.dispose();
  }
}
