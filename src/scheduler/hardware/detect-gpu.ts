/**
 * One GpuContext -> GpuReport: adapter info, limits, software or not, and the memory budget
 * (limits, optional allocation probe, user cap; the cap always wins).
 */
import { isSoftwareAdapter } from '../policy.js';
import type { GpuContext } from '../../gpu/context.js';
import { budgetFromLimits, DEFAULT_PROBE_CAP_BYTES, GPU_PROBE_SAFETY, probeGpuAllocation } from './gpu-budget.js';
import type { ByteFigure, GpuReport } from './types.js';

export interface GpuDetectOptions {
  probe?: boolean;
  probeCapBytes?: number;
  maxGpuBytes?: number;
}

/** GPUSupportedLimits exposes its values as prototype getters: for-in walks them. */
export function limitsRecord(limits: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key in limits) {
    const v = (limits as unknown as Record<string, unknown>)[key];
    if (typeof v === 'number') out[key] = v;
  }
  return out;
}

export async function gpuReport(ctx: GpuContext, options: GpuDetectOptions = {}): Promise<GpuReport> {
  const limits = limitsRecord(ctx.limits);
  const base = {
    ...ctx.info,
    software: isSoftwareAdapter(ctx.info),
    limits,
    features: [...ctx.device.features].map(String).sort(),
  };
  const fromLimits = budgetFromLimits({
    maxBufferSize: limits.maxBufferSize ?? 0,
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize ?? 0,
  });
  const figures: ByteFigure[] = [fromLimits];
  const gone = ctx.disposed ? 'the GPU context was disposed' : ctx.lost ? ctx.lost.message : null;
  if (gone) return { ...base, budgetBytes: 0, source: gone, figures, unusable: gone };

  let chosen: ByteFigure = fromLimits;
  let probe: GpuReport['probe'];
  if (options.probe) {
    const capBytes = options.probeCapBytes ?? DEFAULT_PROBE_CAP_BYTES;
    const r = await probeGpuAllocation(ctx.device, limits.maxBufferSize ?? 0, capBytes);
    probe = { ...r, capBytes };
    const why = r.hitLimit ? 'out of memory after' : r.allocatedBytes >= capBytes ? 'stopped at the cap after' : 'an allocation was refused after';
    chosen = {
      bytes: Math.floor(r.allocatedBytes * GPU_PROBE_SAFETY),
      source: `probe: ${why} ${r.allocatedBytes} bytes in ${r.buffers} buffers, x ${GPU_PROBE_SAFETY}`,
    };
    figures.push(chosen);
  }
  if (options.maxGpuBytes !== undefined) {
    chosen = { bytes: options.maxGpuBytes, source: 'maxGpuBytes option' };
    figures.push(chosen);
  }
  return { ...base, budgetBytes: chosen.bytes, source: chosen.source, figures, ...(probe ? { probe } : {}) };
}
