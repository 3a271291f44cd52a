/**
 * What the page can see of the visitor's machine: the report's `hardware` block (the browser's
 * share of it: no CPU model, no load average) and the panel's details (adapter limits and
 * features, crossOriginIsolated, deviceMemory, what the scheduler detected and planned).
 */
import type { HardwareReport, Plan, Runtime } from '../../src/index.js';
import type { GpuInfo, HardwareInfo } from '../core/schema.js';

interface NavigatorExtras {
  deviceMemory?: number;
  userAgentData?: { platform?: string; mobile?: boolean };
}

export interface PanelInfo {
  userAgent: string;
  hardwareConcurrency: number | null;
  /** GiB, rounded by the browser to a power of two and capped at 8 (Chromium only). */
  deviceMemoryGiB: number | null;
  crossOriginIsolated: boolean;
  /** navigator.gpu exists (the browser offers WebGPU at all). */
  webgpuApi: boolean;
  gpu: GpuInfo | null;
  detected: HardwareReport | null;
  plans: { job: string; plan: Plan }[];
  notes: string[];
}

export function browserHardware(gpu: GpuInfo | null): HardwareInfo {
  const nav = navigator as Navigator & NavigatorExtras;
  const memory = nav.deviceMemory;
  return {
    cpuModel: null,
    logicalCores: nav.hardwareConcurrency ?? null,
    availableParallelism: null,
    totalMemoryBytes: typeof memory === 'number' ? Math.round(memory * 2 ** 30) : null,
    freeMemoryBytes: null,
    platform: nav.userAgentData?.platform || nav.platform || 'browser',
    arch: null,
    nodeVersion: null,
    loadAverage: null,
    userAgent: nav.userAgent,
    gpu,
  };
}

export function gpuInfoOf(rt: Runtime): GpuInfo | null {
  const d = rt.gpuDetails();
  return d ? { vendor: d.vendor, architecture: d.architecture, device: d.device, description: d.description, limits: d.limits, features: d.features } : null;
}

/** The scheduler's view: its hardware report and its plan for one MSM and one NTT at 2^16. */
export async function panelInfo(rt: Runtime | null, notes: string[]): Promise<PanelInfo> {
  const nav = navigator as Navigator & NavigatorExtras;
  const info: PanelInfo = {
    userAgent: nav.userAgent,
    hardwareConcurrency: nav.hardwareConcurrency ?? null,
    deviceMemoryGiB: nav.deviceMemory ?? null,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    webgpuApi: 'gpu' in navigator,
    gpu: rt ? gpuInfoOf(rt) : null,
    detected: null,
    plans: [],
    notes: [...notes],
  };
  if (rt === null) return info;
  try {
    info.detected = await rt.hardware();
  } catch (e) {
    info.notes.push(`runtime.hardware() failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  for (const job of [
    { op: 'msm', curve: 'bn254', group: 'g1', n: 2 ** 16 },
    { op: 'ntt', curve: 'bn254', n: 2 ** 16 },
  ] as const) {
    try {
      info.plans.push({ job: `${job.op} bn254${'group' in job ? ` ${job.group}` : ''} 2^16`, plan: await rt.plan(job) });
    } catch (e) {
      info.notes.push(`runtime.plan(${job.op}) failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return info;
}
