/**
 * What a calibration is valid for. Two parts, because they go stale for different reasons:
 * - the host (CPU model and thread count, Node or browser version, zkgpu version): every model
 *   depends on it (a software GPU adapter runs on the CPU; the wasm engine changes with zkgpu);
 * - the GPU adapter (vendor, architecture, description, which names the driver): only the webgpu
 *   models depend on it, so a runtime opened without its GPU still finds its wasm models.
 */
import { version } from '../../core/version.js';
import { nodeOs } from './detect-host.js';

export interface AdapterFingerprint {
  vendor: string;
  architecture: string;
  description: string;
}

export interface HostFingerprint {
  /** os.cpus()[0].model in Node; 'unknown' in browsers (not exposed). */
  cpuModel: string;
  /** Hardware threads (os.availableParallelism, navigator.hardwareConcurrency), not the worker count. */
  cpuThreads: number;
  /** 'node 20.19.0 linux x64', or the browser's user agent. */
  runtime: string;
  /** The zkgpu package version (src/core/version.ts). */
  version: string;
}

export interface FingerprintInput {
  host: HostFingerprint;
  /** The runtime's GPU adapter, or null when it has none. */
  gpu: AdapterFingerprint | null;
}

/** This process's host fingerprint, and the given adapter's (a runtime passes `runtime.gpu`). */
export async function hardwareFingerprint(options: { gpu?: AdapterFingerprint | null } = {}): Promise<FingerprintInput> {
  const os = await nodeOs();
  let host: HostFingerprint;
  if (os) {
    const g = globalThis as unknown as { process: { versions: { node: string }; platform: string; arch: string } };
    host = {
      cpuModel: os.cpus()[0]?.model.trim() || 'unknown',
      cpuThreads: os.availableParallelism(),
      runtime: `node ${g.process.versions.node} ${g.process.platform} ${g.process.arch}`,
      version,
    };
  } else {
    const nav = (globalThis as { navigator?: { hardwareConcurrency?: number; userAgent?: string } }).navigator;
    host = { cpuModel: 'unknown', cpuThreads: nav?.hardwareConcurrency ?? 0, runtime: nav?.userAgent ?? 'unknown', version };
  }
  const gpu = options.gpu ? { vendor: options.gpu.vendor, architecture: options.gpu.architecture, description: options.gpu.description } : null;
  return { host, gpu };
}

/** The host part as one string: the cache's key (with a version, so a new release recalibrates). */
export function hostKey(h: HostFingerprint): string {
  return `${h.cpuModel} x${h.cpuThreads} | ${h.runtime} | zkgpu ${h.version}`;
}

export function adapterKey(a: AdapterFingerprint): string {
  return [a.vendor, a.architecture, a.description].map((s) => s || '?').join(' / ');
}

/** FNV-1a, 32 bits, as 8 hex digits: a short file name for a host key (the key itself is checked on load). */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
