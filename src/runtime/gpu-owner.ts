/**
 * The runtime's GPU: opening it, the device queue its chunks run through, loss and re-acquisition.
 * A lost device is reported once ('device-lost'); when the runtime found the adapter itself (or
 * was given a `GPU`), it asks for a new device and says how that went ('device-reacquired').
 * A GPUDevice handed in by the caller is theirs: after its loss the runtime stays on the workers.
 */
import { ZkgpuError } from '../core/errors.js';
import { acquireGpu, type GpuAdapterInfo, type GpuContext, type GpuErrorEvent } from '../gpu/context.js';
import type { PoolStats } from '../gpu/pool.js';
import { DeviceQueue } from '../scheduler/execute/device-queue.js';
import { deviceLostEvent, deviceReacquiredEvent } from './events.js';
import type { RuntimeOptions } from './requests.js';

/** Where a lost device's replacement comes from: the default search, the caller's GPU, or nowhere. */
export type GpuSource = { gpu?: GPU } | null;

/** The GPU adapter with the device's limits and features. */
export type GpuDetails = GpuAdapterInfo & { limits: Record<string, number>; features: string[] };

export interface GpuOwnerHooks {
  /** Dispatches the device events on the runtime. */
  dispatch(event: Event): void;
  /** A device was installed (the first, or a replacement): the stats count it as 'webgpu'. */
  installed(ctx: GpuContext): void;
}

/** A caller-given GPU must work (GPU_UNAVAILABLE otherwise); the default search may find none. */
export async function openGpu(gpu: RuntimeOptions['gpu']): Promise<{ ctx: GpuContext | null; source: GpuSource }> {
  if (gpu === false) return { ctx: null, source: null };
  if (gpu === undefined || gpu === true) {
    try {
      const ctx = await acquireGpu();
      return { ctx, source: ctx ? {} : null };
    } catch {
      return { ctx: null, source: null };
    }
  }
  let ctx: GpuContext | null;
  try {
    ctx = await acquireGpu({ gpu });
  } catch (e) {
    throw new ZkgpuError('GPU_UNAVAILABLE', `the GPU given to createRuntime could not be opened: ${(e as Error).message}`, { cause: e });
  }
  if (!ctx) throw new ZkgpuError('GPU_UNAVAILABLE', 'the GPU given to createRuntime has no adapter');
  // A GPUDevice given by the caller is theirs: after its loss the runtime stays on the workers.
  const givenDevice = typeof gpu === 'object' && gpu !== null && 'createBuffer' in gpu;
  return { ctx, source: givenDevice ? null : { gpu: gpu as GPU } };
}

export class GpuOwner {
  #ctx: GpuContext | null = null;
  /** The device's queue: GPU chunks run one at a time (cached tables and timers assume it). */
  #queue = new DeviceQueue();
  #reacquiring: Promise<void> | null = null;
  #disposed = false;
  readonly #lostReported = new WeakSet<GpuContext>();

  constructor(
    ctx: GpuContext | null,
    private readonly source: GpuSource,
    private readonly hooks: GpuOwnerHooks,
  ) {
    if (ctx) this.install(ctx);
  }

  /** The current device, or null (none, or lost and not replaced). */
  get context(): GpuContext | null {
    return this.#ctx;
  }

  /** The executor's view of the GPU backend 'webgpu': its device and queue. */
  lane(id: string): { ctx: GpuContext; queue: DeviceQueue } | null {
    return id === 'webgpu' && this.#ctx ? { ctx: this.#ctx, queue: this.#queue } : null;
  }

  get info(): GpuAdapterInfo | null {
    return this.#ctx?.info ?? null;
  }

  /** The adapter with the device's limits and features (for reports), or null without a GPU. */
  details(): GpuDetails | null {
    const ctx = this.#ctx;
    if (!ctx) return null;
    const limits: Record<string, number> = {};
    // GPUSupportedLimits exposes its values as prototype getters: for-in walks them.
    for (const key in ctx.limits) {
      const v = (ctx.limits as unknown as Record<string, unknown>)[key];
      if (typeof v === 'number') limits[key] = v;
    }
    return { ...ctx.info, limits, features: [...ctx.device.features].sort() };
  }

  memory(): PoolStats | null {
    return this.#ctx?.pool.stats() ?? null;
  }

  /** Why the GPU cannot hold `bytes` in one storage binding, or null. */
  bindingCannot(bytes: number): string | null {
    const binding = this.#ctx?.limits.maxStorageBufferBindingSize ?? Infinity;
    return bytes > binding ? `${bytes} bytes exceed the GPU's storage binding limit (${binding} bytes)` : null;
  }

  /** Waits for a device being re-acquired after a loss, so a job plans on the new one. */
  async settled(): Promise<void> {
    if (this.#reacquiring) await this.#reacquiring;
  }

  /** Reports a lost device once ('device-lost') and, when the runtime found the adapter itself, acquires a new one. */
  lost(ctx: GpuContext, message: string): void {
    if (this.#disposed || this.#lostReported.has(ctx)) return;
    this.#lostReported.add(ctx);
    const reacquire = this.source !== null && ctx === this.#ctx;
    this.hooks.dispatch(deviceLostEvent({ device: 'webgpu', adapter: ctx.info, message, reacquire }));
    if (reacquire) {
      this.#reacquiring = this.reacquire(ctx).finally(() => {
        this.#reacquiring = null;
      });
    }
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    await this.#reacquiring?.catch(() => {});
    this.#ctx?.dispose();
  }

  private install(ctx: GpuContext): void {
    this.#ctx = ctx;
    this.#queue = new DeviceQueue();
    this.hooks.installed(ctx);
    ctx.addEventListener('gpuerror', (e) => {
      const detail = (e as GpuErrorEvent).detail;
      if (detail.kind === 'lost') this.lost(ctx, detail.message);
    });
  }

  private async reacquire(old: GpuContext): Promise<void> {
    let next: GpuContext | null = null;
    let error: string | undefined;
    try {
      next = await acquireGpu(this.source?.gpu ? { gpu: this.source.gpu } : {});
      if (!next) error = 'no adapter found';
    } catch (e) {
      error = (e as Error)?.message ?? String(e);
    }
    if (this.#disposed) {
      next?.dispose();
      return;
    }
    if (next) {
      next.timestamps = old.timestamps;
      old.dispose();
      this.install(next);
    }
    this.hooks.dispatch(deviceReacquiredEvent({ device: 'webgpu', ok: next !== null, adapter: next?.info ?? null, ...(error ? { error } : {}) }));
  }
}
