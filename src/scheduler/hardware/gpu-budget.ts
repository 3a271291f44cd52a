/// <reference types="@webgpu/types" />
/**
 * How much memory a job may use on one GPU. WebGPU has no "total device memory" query, so the
 * budget comes from the limits (a lower bound on what one job needs to bind), optionally refined by
 * an allocation probe, and a user cap always wins.
 */

export interface Figure {
  bytes: number;
  source: string;
}

/**
 * A job binds several storage buffers at once (an NTT: values, ping-pong copy, twiddle and coset
 * tables = 4 bindings of the value size), so 4 full bindings is what a job of the largest bindable
 * size needs. Capped by maxBufferSize, which bounds what one allocation may be.
 */
export const BINDINGS_PER_JOB = 4;

export function budgetFromLimits(limits: { maxBufferSize: number; maxStorageBufferBindingSize: number }): Figure {
  const bindings = BINDINGS_PER_JOB * limits.maxStorageBufferBindingSize;
  if (limits.maxBufferSize <= bindings) return { bytes: limits.maxBufferSize, source: 'limits: maxBufferSize' };
  return { bytes: bindings, source: `limits: ${BINDINGS_PER_JOB} x maxStorageBufferBindingSize` };
}

/** Kept in reserve from what the probe could allocate: other users of the device, driver overhead. */
export const GPU_PROBE_SAFETY = 0.75;
/** The probe stops here by default: enough for a 2^24-element MSM's buffers, and quick to allocate. */
export const DEFAULT_PROBE_CAP_BYTES = 2 * 1024 ** 3;
/** Each probe allocation: 256 MiB, under every real adapter's maxBufferSize (>= 256 MiB by spec). */
export const PROBE_STEP_BYTES = 256 * 1024 ** 2;

/** GPUBufferUsage.STORAGE by value: the global exists only once Dawn's globals are installed. */
const STORAGE_USAGE = 0x80;

export interface ProbeResult {
  /** Bytes allocated before the first failure (or the cap). */
  allocatedBytes: number;
  /** True when an allocation failed with out-of-memory, false when the cap was reached first. */
  hitLimit: boolean;
  buffers: number;
}

/**
 * Allocates buffers of PROBE_STEP_BYTES (or maxBufferSize if smaller) until one fails with
 * out-of-memory or `capBytes` are held, then destroys them all. Each allocation has its own error
 * scope so the failing one is known. Fragile: drivers may over-commit (lavapipe only reserves host
 * address space), so a probe that reaches the cap proves allocation, not residency.
 */
export async function probeGpuAllocation(device: GPUDevice, maxBufferSize: number, capBytes = DEFAULT_PROBE_CAP_BYTES): Promise<ProbeResult> {
  const step = Math.max(4, Math.floor(Math.min(PROBE_STEP_BYTES, maxBufferSize) / 4) * 4);
  const held: GPUBuffer[] = [];
  let allocated = 0;
  let hitLimit = false;
  try {
    while (allocated < capBytes) {
      const size = Math.min(step, Math.ceil((capBytes - allocated) / 4) * 4);
      device.pushErrorScope('out-of-memory');
      device.pushErrorScope('validation');
      const buffer = device.createBuffer({ size, usage: STORAGE_USAGE, label: 'zkgpu-memory-probe' });
      const invalid = await device.popErrorScope();
      const oom = await device.popErrorScope();
      if (oom || invalid) {
        buffer.destroy();
        hitLimit = oom !== null;
        break;
      }
      held.push(buffer);
      allocated += size;
    }
  } finally {
    for (const b of held) b.destroy();
  }
  return { allocatedBytes: allocated, hitLimit, buffers: held.length };
}
