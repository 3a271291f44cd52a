/**
 * The runtime's GPUs: opening them (one device per selected adapter, adapters.ts), and per device
 * (GpuOwner) the device queue its chunks run through, loss and re-acquisition. A lost device is
 * reported once ('device-lost', naming its backend id); when the runtime found the adapter itself
 * (or was given a `GPU`), it asks for a new device on the same adapter and says how that went
 * ('device-reacquired'). A GPUDevice handed in by the caller is theirs: after its loss the runtime
 * goes on without it. GpuFleet holds the owners in backend-id order.
 */
import { ZkgpuError } from '../core/errors.js';
import { acquireGpu, type GpuAdapterInfo, type GpuContext, type GpuErrorEvent } from '../gpu/context.js';
import { gpuBackendId } from '../scheduler/backends.js';
import { isSoftwareAdapter } from '../scheduler/policy.js';
import { planAdapters, type GpuSelection } from './adapters.js';
import type { PoolStats } from '../gpu/pool.js';
import { DeviceQueue } from '../scheduler/execute/device-queue.js';
import { deviceLostEvent, deviceReacquiredEvent } from './events.js';
import type { RuntimeOptions } from './requests.js';

/** Where a lost device's replacement comes from: how to open it again, or nowhere (null). */
export type GpuSource = { reopen: () => Promise<GpuContext | null> } | null;

/** The GPU adapter with the device's limits and features. */
export type GpuDetails = GpuAdapterInfo & { limits: Record<string, number>; features: string[] };

export interface GpuOwnerHooks {
  /** Dispatches the device events on the runtime. */
  dispatch(event: Event): void;
  /** A device was installed (the first, or a replacement): the stats count it under its backend id. */
  installed(id: string, ctx: GpuContext): void;
}

/** The devices a runtime starts with: each with its backend id's position and its source. */
export interface OpenedGpus {
  /** `name`: the adapter's name as Dawn lists it (what telemetry is matched by), when known. */
  devices: { ctx: GpuContext; source: GpuSource; name: string | null }[];
  /** What the adapter selection left out or could not tell apart. */
  notes: string[];
}

/**
 * The devices a new runtime opens. `gpu` (a GPU or GPUDevice) is the one device; `gpu: false`
 * none; otherwise the `gpus` selection (option, else ZKGPU_GPUS, else every hardware adapter:
 * adapters.ts). A caller-given GPU and an explicit selection must work (GPU_UNAVAILABLE
 * otherwise); the default search may find none, and an adapter of it that fails to open is left
 * out with a note.
 */
export async function openGpus(gpu: RuntimeOptions['gpu'], gpus: GpuSelection | undefined): Promise<OpenedGpus> {
  if (gpu === false) return { devices: [], notes: [] };
  if (gpu !== undefined && gpu !== true) {
    if (gpus !== undefined)
      throw new ZkgpuError('INVALID_ARGUMENT', 'createRuntime: give either gpu (one GPU or GPUDevice) or gpus (adapters to open), not both', { details: { field: 'gpus' } });
    return { devices: [await openGiven(gpu)], notes: [] };
  }
  const explicit = gpus !== undefined;
  let plan;
  try {
    plan = await planAdapters(gpus ?? 'all', explicit);
  } catch (e) {
    if (explicit) throw e;
    return { devices: [], notes: [`no GPU: ${(e as Error)?.message ?? String(e)}`] };
  }
  const devices: OpenedGpus['devices'] = [];
  const notes = [...plan.notes];
  try {
    for (const opening of plan.openings) {
      let ctx: GpuContext | null = null;
      let error = 'no adapter found';
      try {
        ctx = await opening.open();
      } catch (e) {
        error = (e as Error)?.message ?? String(e);
      }
      if (ctx) devices.push({ ctx, source: { reopen: opening.open }, name: opening.name });
      else if (explicit) throw new ZkgpuError('GPU_UNAVAILABLE', `the GPU adapter '${opening.label}' could not be opened: ${error}`);
      else notes.push(`adapter '${opening.label}' could not be opened: ${error}`);
    }
  } catch (e) {
    for (const d of devices) d.ctx.dispose();
    throw e;
  }
  return { devices, notes };
}

/** A caller-given GPU must work (GPU_UNAVAILABLE otherwise). */
async function openGiven(gpu: GPU | GPUDevice): Promise<OpenedGpus['devices'][number]> {
  let ctx: GpuContext | null;
  try {
    ctx = await acquireGpu({ gpu });
  } catch (e) {
    throw new ZkgpuError('GPU_UNAVAILABLE', `the GPU given to createRuntime could not be opened: ${(e as Error).message}`, { cause: e });
  }
  if (!ctx) throw new ZkgpuError('GPU_UNAVAILABLE', 'the GPU given to createRuntime has no adapter');
  // A GPUDevice given by the caller is theirs: after its loss the runtime stays on the workers.
  const givenDevice = typeof gpu === 'object' && gpu !== null && 'createBuffer' in gpu;
  return { ctx, source: givenDevice ? null : { reopen: () => acquireGpu({ gpu: gpu as GPU }) }, name: null };
}

export class GpuOwner {
  #ctx: GpuContext | null = null;
  /** The device's queue: GPU chunks run one at a time (cached tables and timers assume it). */
  #queue = new DeviceQueue();
  #reacquiring: Promise<void> | null = null;
  #disposed = false;
  readonly #lostReported = new WeakSet<GpuContext>();

  constructor(
    /** Its backend id: 'webgpu', 'webgpu:1', ... */
    readonly id: string,
    ctx: GpuContext | null,
    private readonly source: GpuSource,
    private readonly hooks: GpuOwnerHooks,
    /** The adapter's name as Dawn lists it, when the runtime selected it by name. */
    readonly adapterName: string | null = null,
  ) {
    if (ctx) this.install(ctx);
  }

  /** The current device, or null (none, or lost and not replaced). */
  get context(): GpuContext | null {
    return this.#ctx;
  }

  /** The executor's view of this GPU backend: its device and queue. */
  lane(): { ctx: GpuContext; queue: DeviceQueue } | null {
    return this.#ctx ? { ctx: this.#ctx, queue: this.#queue } : null;
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
    this.hooks.dispatch(deviceLostEvent({ device: this.id, adapter: ctx.info, message, reacquire }));
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
    this.hooks.installed(this.id, ctx);
    ctx.addEventListener('gpuerror', (e) => {
      const detail = (e as GpuErrorEvent).detail;
      if (detail.kind === 'lost') this.lost(ctx, detail.message);
    });
  }

  private async reacquire(old: GpuContext): Promise<void> {
    let next: GpuContext | null = null;
    let error: string | undefined;
    try {
      next = (await this.source?.reopen()) ?? null;
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
    this.hooks.dispatch(deviceReacquiredEvent({ device: this.id, ok: next !== null, adapter: next?.info ?? null, ...(error ? { error } : {}) }));
  }
}

/**
 * Every GPU device of a runtime, in backend-id order ('webgpu', 'webgpu:1', ...). Ids are stable:
 * a lost device keeps its id (and its row in stats) while it is replaced or gone.
 */
export class GpuFleet {
  readonly owners: GpuOwner[];

  constructor(opened: OpenedGpus['devices'], hooks: GpuOwnerHooks) {
    this.owners = opened.map((d, i) => new GpuOwner(gpuBackendId(i), d.ctx, d.source, hooks, d.name));
  }

  /** Each owner's current device, in id order (null where lost and not replaced). */
  get contexts(): (GpuContext | null)[] {
    return this.owners.map((o) => o.context);
  }

  /**
   * The device 'auto' asks about (policy.ts takes one): the first usable hardware one, else the
   * first usable one, else the first there is (lost: the policy then says so), else null.
   */
  get primary(): GpuContext | null {
    const live = this.owners.map((o) => o.context).filter((c): c is GpuContext => c !== null);
    const usable = live.filter((c) => !c.lost && !c.disposed);
    return usable.find((c) => !isSoftwareAdapter(c.info)) ?? usable[0] ?? live[0] ?? null;
  }

  owner(id: string): GpuOwner | undefined {
    return this.owners.find((o) => o.id === id);
  }

  lane(id: string): { ctx: GpuContext; queue: DeviceQueue } | null {
    return this.owner(id)?.lane() ?? null;
  }

  lost(id: string, ctx: GpuContext, message: string): void {
    this.owner(id)?.lost(ctx, message);
  }

  /** Why no device can hold `bytes` in one storage binding (the largest decides), or null. */
  bindingCannot(bytes: number): string | null {
    const live = this.owners.filter((o) => o.context);
    if (live.length === 0) return null;
    const reasons = live.map((o) => o.bindingCannot(bytes));
    return reasons.some((r) => r === null) ? null : reasons[0];
  }

  async settled(): Promise<void> {
    await Promise.all(this.owners.map((o) => o.settled()));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.owners.map((o) => o.dispose()));
  }
}
