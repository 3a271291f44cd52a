/**
 * The runtime's view of nvidia-smi (scheduler/hardware/nvidia-smi.ts): the last sample, paired
 * with its devices by adapter name, for stats() (synchronous, so it shows the last sample and asks
 * for a new one in the background when that is older than STALE_MS) and gpuTelemetry() (samples
 * now). Where the tool is absent the status says so; no figure is invented.
 */
import type { GpuContext } from '../gpu/context.js';
import type { DeviceStats, RuntimeStats as SchedulerRuntimeStats } from '../scheduler/execute/stats.js';
import { matchTelemetry, readNvidiaSmi, type GpuSample, type TelemetryMatch, type TelemetryState } from '../scheduler/hardware/nvidia-smi.js';

/** A sample older than this is refreshed (in the background) by the next stats() call. */
const STALE_MS = 5000;

export interface TelemetryStatus {
  /** nvidia-smi's state at the last sample: its GPUs, or why there are none. */
  state: TelemetryState;
  /** Each GPU device of the runtime by backend id, and the nvidia-smi GPU paired with it. */
  devices: ({ id: string } & TelemetryMatch)[];
}

/** A stats row: the scheduler's counters, and for a GPU its adapter, whether it is gone, and its telemetry. */
export type RuntimeDeviceStats = DeviceStats & {
  /** GPU rows: the adapter's description (Dawn's), when the device is there. */
  adapter?: string;
  /** GPU rows: the device was lost and not (yet) replaced. */
  lost?: boolean;
  /** GPU rows: its last nvidia-smi sample, when one is paired with it (see RuntimeStats.telemetry). */
  gpuTelemetry?: GpuSample;
};

export type RuntimeStats = Omit<SchedulerRuntimeStats, 'devices'> & {
  devices: RuntimeDeviceStats[];
  /** nvidia-smi's last answer and its pairing with the GPU devices (always set by runtime.stats()). */
  telemetry?: TelemetryStatus;
};

/** `name`: the adapter's name as Dawn listed it (nvidia-smi prints the same marketing name). */
type DeviceList = () => { id: string; ctx: GpuContext | null; name: string | null }[];

export class GpuTelemetryCache {
  #state: TelemetryState = { available: false, reason: 'no GPU device: nvidia-smi not asked' };
  #at = -Infinity;
  #pending: Promise<void> | null = null;
  #disposed = false;

  constructor(private readonly devices: DeviceList) {}

  /** Samples now (one run at a time). */
  refresh(): Promise<void> {
    if (this.#pending) return this.#pending;
    this.#pending = readNvidiaSmi()
      .then(
        (s) => void (this.#state = s),
        (e) => void (this.#state = { available: false, reason: `nvidia-smi could not be run: ${(e as Error)?.message ?? String(e)}` }),
      )
      .finally(() => {
        this.#at = performance.now();
        this.#pending = null;
      });
    return this.#pending;
  }

  /** A background refresh when the last sample is stale and the tool answered last time. */
  refreshIfStale(): void {
    if (this.#disposed || !this.#state.available || performance.now() - this.#at < STALE_MS) return;
    void this.refresh();
  }

  status(): TelemetryStatus {
    const list = this.devices();
    // Without Dawn's listed name: info.device ('nvidia-h100-80gb-hbm3', the name in slug form);
    // info.description is the driver's ('NVIDIA: 550.54'), which names no model.
    const names = list.map((d) => d.name || d.ctx?.info.device || d.ctx?.info.description || '');
    const matches = this.#state.available ? matchTelemetry(names, this.#state.gpus) : list.map(() => ({ sample: null, by: 'none' as const }));
    return { state: this.#state, devices: list.map((d, i) => ({ id: d.id, ...matches[i] })) };
  }

  /** The extra fields of a stats row (GPU rows only). */
  row(id: string): Partial<RuntimeDeviceStats> {
    const list = this.devices();
    const at = list.findIndex((d) => d.id === id);
    if (at < 0) return {};
    const ctx = list[at].ctx;
    const sample = this.#state.available ? this.status().devices[at].sample : null;
    return {
      ...(ctx ? { adapter: ctx.info.description || ctx.info.device } : {}),
      lost: ctx === null || ctx.lost !== null || ctx.disposed,
      ...(sample ? { gpuTelemetry: sample } : {}),
    };
  }

  dispose(): void {
    this.#disposed = true;
  }
}
