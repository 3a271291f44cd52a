/// <reference types="@webgpu/types" />
/**
 * zkgpu WebGPU runtime (algorithm-agnostic; the same code runs in Node via Dawn and in browsers).
 *
 * - acquireGpu(): adapter + device with the adapter's own limits (the 128 MiB default
 *   maxStorageBufferBindingSize would cap an NTT at 2^22 Fr elements).
 * - In Node the object from `create([])` is held by the context for as long as the device lives:
 *   dropping it while the device is in use aborts the process (RECIPES.md).
 * - device.lost and uncaptured errors become one 'gpuerror' event on the context (an EventTarget).
 * - dispose() destroys the device so Node can exit.
 */
import { GpuError, errorKind, type GpuErrorKind } from './errors.js';
import { withDawnLogFiltered } from './dawn-log.js';
import { BufferPool } from './pool.js';
import { ProgramCache } from './program.js';

// GpuError and errorKind live with the classification (errors.ts); re-exported for existing importers.
export { GpuError, errorKind };

export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  device: string;
}

export interface AcquireGpuOptions {
  /** A GPU (navigator.gpu or Dawn's create()) or a ready GPUDevice; default: navigator.gpu or Dawn. */
  gpu?: GPU | GPUDevice;
  powerPreference?: GPUPowerPreference;
  /** Directory to dump composed WGSL into (Node only); default: env ZKGPU_DUMP_WGSL. */
  dumpWgslDir?: string;
}

/** Detail of the 'gpuerror' event: `kind` says whether the device is gone ('lost') or not. */
export interface GpuErrorDetail {
  kind: GpuErrorKind;
  message: string;
}

const LIMIT_NAMES = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

export class GpuContext extends EventTarget {
  readonly device: GPUDevice;
  readonly info: GpuAdapterInfo;
  readonly limits: GPUSupportedLimits;
  readonly pool: BufferPool;
  readonly programs: ProgramCache;
  readonly dumpWgslDir: string | undefined;
  /** Keeps Dawn's GPU object alive while the device lives (see the file comment). */
  readonly #gpuRef: unknown;
  readonly #ownsDevice: boolean;
  #lost: GpuErrorDetail | null = null;
  #disposed = false;
  /** Counts every dispatch this context submitted: tests use it to prove the GPU path ran. */
  dispatchCount = 0;
  /**
   * When true (and the device has 'timestamp-query'), every submission records its GPU time into
   * gpuTimeNs. Off by default: it costs one extra small readback per submission.
   */
  timestamps = false;
  /** Sum of the GPU time of timed submissions, in ns (see `timestamps`). */
  gpuTimeNs = 0;

  constructor(device: GPUDevice, info: GpuAdapterInfo, gpuRef: unknown, ownsDevice: boolean, dumpWgslDir?: string) {
    super();
    this.device = device;
    this.info = info;
    this.limits = device.limits;
    this.#gpuRef = gpuRef;
    this.#ownsDevice = ownsDevice;
    this.dumpWgslDir = dumpWgslDir;
    this.pool = new BufferPool(device);
    this.programs = new ProgramCache(this);
    device.lost.then((l) => {
      if (this.#disposed && l.reason === 'destroyed') return;
      this.#lost = { kind: 'lost', message: `GPU device lost (${l.reason}): ${l.message}` };
      this.dispatchEvent(new GpuErrorEvent(this.#lost));
    });
    device.addEventListener('uncapturederror', (ev) => {
      const e = (ev as GPUUncapturedErrorEvent).error;
      this.dispatchEvent(new GpuErrorEvent({ kind: errorKind(e), message: e.message }));
    });
  }

  /** Whether submissions can be timed on the GPU (the device was created with 'timestamp-query'). */
  get canTimestamp(): boolean {
    return this.device.features.has('timestamp-query');
  }

  get lost(): GpuErrorDetail | null {
    return this.#lost;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Throws if the device is gone; called before every submission. */
  assertUsable(): void {
    if (this.#disposed) throw new GpuError('lost', 'GpuContext was disposed');
    if (this.#lost) throw new GpuError('lost', this.#lost.message);
  }

  /** Frees pooled buffers and destroys the device (only if we created it) so Node can exit. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.pool.destroyAll();
    this.programs.clear();
    if (this.#ownsDevice) this.device.destroy();
    void this.#gpuRef;
  }
}

export class GpuErrorEvent extends Event {
  readonly detail: GpuErrorDetail;
  constructor(detail: GpuErrorDetail) {
    super('gpuerror');
    this.detail = detail;
  }
}

function isDevice(x: unknown): x is GPUDevice {
  return typeof x === 'object' && x !== null && 'createBuffer' in x && 'queue' in x;
}

/**
 * Dawn's `create(flags)` in Node (null elsewhere, or when the module cannot load), with Dawn's
 * constants installed as globals. Each object it returns must stay referenced while a device made
 * from it lives (the file comment): a GpuContext holds it when passed as `gpu`.
 */
export async function dawnCreate(): Promise<((flags: string[]) => GPU) | null> {
  const g = globalThis as { process?: { versions?: { node?: string } } };
  if (!g.process?.versions?.node) return null;
  try {
    // The Dawn module is loaded lazily so browser bundles never import it.
    const spec = 'webgpu';
    const mod = (await import(/* @vite-ignore */ spec)) as { create(o: string[]): GPU; globals: object };
    // Dawn's constants (GPUBufferUsage, GPUMapMode, ...) are needed as globals by our code.
    for (const [k, v] of Object.entries(mod.globals)) {
      if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
    }
    return (flags) => mod.create(flags);
  } catch {
    return null;
  }
}

async function nodeGpu(): Promise<GPU | null> {
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (g.navigator?.gpu) return g.navigator.gpu;
  return (await dawnCreate())?.([]) ?? null;
}

/**
 * Finds an adapter and creates a device with the adapter's own limits. Resolves to null when no
 * WebGPU implementation or adapter exists (callers fall back to the CPU engine).
 */
export async function acquireGpu(options: AcquireGpuOptions = {}): Promise<GpuContext | null> {
  const dumpWgslDir = options.dumpWgslDir ?? (typeof process !== 'undefined' ? process.env?.ZKGPU_DUMP_WGSL || undefined : undefined);
  if (isDevice(options.gpu)) {
    const d = options.gpu;
    const ai = (d as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    return new GpuContext(d, adapterInfo(ai), options.gpu, false, dumpWgslDir);
  }
  const gpu = options.gpu ?? (await nodeGpu());
  if (!gpu) return null;
  // Dawn's discovery prints two limit warnings (and without Vulkan a stack path) on stderr: dawn-log.ts.
  const adapter = await withDawnLogFiltered(() => gpu.requestAdapter({ powerPreference: options.powerPreference }));
  if (!adapter) return null;
  const requiredLimits: Record<string, number> = {};
  for (const name of LIMIT_NAMES) {
    const v = adapter.limits[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  // timestamp-query lets benchmarks read GPU time apart from submission and readback overhead.
  const requiredFeatures = adapter.features.has('timestamp-query') ? (['timestamp-query'] as GPUFeatureName[]) : [];
  const device = await adapter.requestDevice({ label: 'zkgpu', requiredLimits, requiredFeatures });
  return new GpuContext(device, adapterInfo(adapter.info), gpu, true, dumpWgslDir);
}

function adapterInfo(i: GPUAdapterInfo | undefined): GpuAdapterInfo {
  return {
    vendor: i?.vendor ?? '',
    architecture: i?.architecture ?? '',
    description: i?.description ?? '',
    device: i?.device ?? '',
  };
}
