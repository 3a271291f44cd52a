/**
 * CPU threads and host memory budget. The decisions are pure (hostReport) over figures gathered
 * by the readers below (Node's os module, cgroups, navigator in browsers).
 */
import { ZkgpuError } from '../../core/errors.js';
import type { CgroupLimits } from './cgroup.js';
import type { ByteFigure, CountFigure, CpuReport, MemoryReport } from './types.js';

/**
 * Share of the smallest memory figure zkgpu plans to use: the rest is for the JS heap, the OS page
 * cache and other processes (a 2^20 BN254 MSM already peaks at 627 MiB RSS, README, so running
 * right up to a cgroup limit would invite the OOM killer).
 */
export const HOST_SAFETY_FACTOR = 0.75;

/** wasm32 addresses 2^32 bytes: no single CPU worker can hold more. */
export const WASM32_INSTANCE_BYTES = 2 ** 32;

/** When no memory figure exists at all (an unknown runtime): assume a small machine, 1 GiB. */
export const FALLBACK_MEMORY_BYTES = 2 ** 30;

export interface HostFigures {
  /** The platform's thread count (availableParallelism, hardwareConcurrency), if known. */
  platformThreads: CountFigure | null;
  cgroup: CgroupLimits;
  /** Host-wide memory figures other than the cgroup's (total, available, deviceMemory). */
  memory: ByteFigure[];
  maxHostBytes?: number;
}

export function checkByteCap(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new ZkgpuError('INVALID_ARGUMENT', `${name} must be a positive finite number of bytes, got ${String(v)}`);
  }
  return Math.floor(v);
}

export function cpuReport(platform: CountFigure | null, cgroup: CgroupLimits): CpuReport {
  const figures: CountFigure[] = [];
  let threads = 1;
  let source = 'no thread count available: assumed 1';
  if (platform) {
    figures.push(platform);
    threads = Math.max(1, Math.floor(platform.count));
    source = platform.source;
  }
  if (cgroup.cpu) {
    figures.push({ count: cgroup.cpu.cpus, source: `${cgroup.cpu.source} (${cgroup.cpu.dir})` });
    // A quota of 1.5 CPUs can keep 2 threads busy part of the time; rounding up is what the JVM and
    // Go runtimes do, and a fractional remainder still speeds up a worker-split MSM.
    const quotaThreads = Math.max(1, Math.ceil(cgroup.cpu.cpus));
    if (quotaThreads < threads || !platform) {
      threads = quotaThreads;
      source = `${cgroup.cpu.source}: ${cgroup.cpu.cpus} CPU${cgroup.cpu.cpus === 1 ? '' : 's'}`;
    }
  }
  return { threads, source, figures };
}

export function memoryReport(figures: HostFigures): MemoryReport {
  const all: ByteFigure[] = [...figures.memory];
  if (figures.cgroup.memory) all.push({ bytes: figures.cgroup.memory.bytes, source: `${figures.cgroup.memory.source} (${figures.cgroup.memory.dir})` });
  const wasmInstanceBytes = { bytes: WASM32_INSTANCE_BYTES, source: 'wasm32: 2^32 bytes per instance (per CPU worker)' };
  const cap = checkByteCap('maxHostBytes', figures.maxHostBytes);
  if (cap !== undefined) return { budgetBytes: cap, source: 'maxHostBytes option', safetyFactor: 1, figures: all, wasmInstanceBytes };
  const usable = all.filter((f) => Number.isFinite(f.bytes) && f.bytes > 0);
  if (usable.length === 0) {
    return {
      budgetBytes: Math.floor(FALLBACK_MEMORY_BYTES * HOST_SAFETY_FACTOR),
      source: `no memory figure: assumed ${FALLBACK_MEMORY_BYTES} bytes x ${HOST_SAFETY_FACTOR}`,
      safetyFactor: HOST_SAFETY_FACTOR,
      figures: all,
      wasmInstanceBytes,
    };
  }
  const smallest = usable.reduce((a, b) => (b.bytes < a.bytes ? b : a));
  return {
    budgetBytes: Math.floor(smallest.bytes * HOST_SAFETY_FACTOR),
    source: `${smallest.source} x ${HOST_SAFETY_FACTOR}`,
    safetyFactor: HOST_SAFETY_FACTOR,
    figures: all,
    wasmInstanceBytes,
  };
}

type NodeOs = typeof import('node:os');

/** node:os in Node, null in browsers (imported lazily so bundles never see it). */
export async function nodeOs(): Promise<NodeOs | null> {
  const g = globalThis as { process?: { versions?: { node?: string } } };
  if (!g.process?.versions?.node) return null;
  const spec = 'node:os';
  return (await import(/* @vite-ignore */ spec)) as NodeOs;
}

interface BrowserNavigator {
  hardwareConcurrency?: number;
  /** GiB, rounded down to a power of two and capped at 8 (Chromium only). */
  deviceMemory?: number;
}

/** The platform's thread count and host-wide memory figures (no cgroup). */
export async function platformFigures(): Promise<{ threads: CountFigure | null; memory: ByteFigure[] }> {
  const os = await nodeOs();
  if (os) {
    return {
      threads: { count: os.availableParallelism(), source: 'os.availableParallelism()' },
      memory: [
        { bytes: os.totalmem(), source: 'os.totalmem()' },
        // libuv reads MemAvailable on Linux (free + reclaimable cache), not MemFree.
        { bytes: os.freemem(), source: 'os.freemem()' },
      ],
    };
  }
  const nav = (globalThis as { navigator?: BrowserNavigator }).navigator;
  const threads = typeof nav?.hardwareConcurrency === 'number' && nav.hardwareConcurrency > 0 ? { count: nav.hardwareConcurrency, source: 'navigator.hardwareConcurrency' } : null;
  const memory: ByteFigure[] = [];
  if (typeof nav?.deviceMemory === 'number' && nav.deviceMemory > 0) {
    memory.push({ bytes: nav.deviceMemory * 2 ** 30, source: 'navigator.deviceMemory' });
  }
  return { threads, memory };
}

export function platformInfo(): { runtime: 'node' | 'browser' | 'other'; os: string | null; arch: string | null; version: string | null } {
  const g = globalThis as { process?: { versions?: { node?: string }; platform?: string; arch?: string }; navigator?: { userAgent?: string }; document?: unknown };
  if (g.process?.versions?.node) return { runtime: 'node', os: g.process.platform ?? null, arch: g.process.arch ?? null, version: g.process.versions.node };
  if (g.navigator) return { runtime: 'browser', os: null, arch: null, version: g.navigator.userAgent ?? null };
  return { runtime: 'other', os: null, arch: null, version: null };
}
