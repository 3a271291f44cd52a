/**
 * Per-device counters for runtime.stats(): busy time (the union of the intervals in which the
 * device ran at least one chunk, so two overlapping chunks on the worker pool count once), bytes
 * sent and read back, chunks finished and failed attempts.
 */

export interface DeviceStats {
  /** The planner's backend id: 'wasm' (the worker pool) or 'webgpu', 'webgpu:1', ... */
  id: string;
  kind: 'wasm' | 'webgpu';
  /** Milliseconds with at least one chunk running. */
  busyMs: number;
  /** busyMs over the wall time since the runtime was created (0..1). */
  utilisation: number;
  /** Input bytes handed to the device (points + scalars, or field elements). */
  bytesIn: number;
  /** Result bytes read back from it. */
  bytesOut: number;
  /** Chunks finished. */
  chunks: number;
  /** Chunk attempts that failed (crash, device loss, out of memory, error). */
  failures: number;
  /**
   * Estimated ms of work planned on the device and not finished yet (the planner's cost models):
   * what the next job plans around. Set by runtime.stats().
   */
  queuedMs?: number;
}

export interface RuntimeStats {
  /** Jobs finished (resolved or rejected) since creation. */
  jobs: number;
  /** Wall time since the runtime was created. */
  uptimeMs: number;
  devices: DeviceStats[];
}

interface Counter {
  kind: 'wasm' | 'webgpu';
  busyMs: number;
  active: number;
  since: number;
  bytesIn: number;
  bytesOut: number;
  chunks: number;
  failures: number;
}

export class SchedulerStats {
  private readonly created = performance.now();
  private readonly devices = new Map<string, Counter>();
  jobs = 0;

  /** Makes a device appear in stats() before it has run anything. */
  register(id: string, kind: 'wasm' | 'webgpu'): void {
    if (!this.devices.has(id)) this.devices.set(id, { kind, busyMs: 0, active: 0, since: 0, bytesIn: 0, bytesOut: 0, chunks: 0, failures: 0 });
  }

  /** A chunk attempt starts on `id`; call the returned function once when it ends. */
  begin(id: string, kind: 'wasm' | 'webgpu', bytesIn: number): (outcome: { ok: boolean; bytesOut: number }) => void {
    this.register(id, kind);
    const c = this.devices.get(id)!;
    if (c.active++ === 0) c.since = performance.now();
    c.bytesIn += bytesIn;
    let ended = false;
    return ({ ok, bytesOut }) => {
      if (ended) return;
      ended = true;
      if (--c.active === 0) c.busyMs += performance.now() - c.since;
      if (ok) {
        c.chunks++;
        c.bytesOut += bytesOut;
      } else {
        c.failures++;
      }
    };
  }

  snapshot(): RuntimeStats {
    const now = performance.now();
    const uptimeMs = now - this.created;
    const devices = [...this.devices].map(([id, c]) => {
      const busyMs = c.busyMs + (c.active > 0 ? now - c.since : 0);
      return {
        id,
        kind: c.kind,
        busyMs,
        utilisation: uptimeMs > 0 ? Math.min(1, busyMs / uptimeMs) : 0,
        bytesIn: c.bytesIn,
        bytesOut: c.bytesOut,
        chunks: c.chunks,
        failures: c.failures,
      };
    });
    return { jobs: this.jobs, uptimeMs, devices };
  }
}
