/**
 * The service's Prometheus metrics. Their names and labels are a public contract (dashboards and
 * alerts depend on them): see docs/serve.md. One registry per server, so two servers in one
 * process (tests, embedding) never share counters.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { GpuSample, RuntimeStats, TelemetryState } from '../index.js';

export interface MetricSources {
  queueCounts(): { queued: number; running: number };
  runtimeStats(): RuntimeStats;
  memory(): { hostBudget: number; gpuBudget: number; gpuInUse: number; keyCache: number; admitted: number };
  /** Seconds during which at least one job was being worked on (witness, proof or check). */
  busySeconds(): number;
  costPerHour: number;
  telemetry(): TelemetryState;
}

/** Seconds, from a 2^6 proof (~5 ms of witness) to the default job timeout (600 s). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** Device utilisation is busy time over this trailing window (a since-start average hides a stall). */
const UTILISATION_WINDOW_MS = 60_000;
const UTILISATION_SAMPLE_MS = 5_000;

export class ServeMetrics {
  readonly registry = new Registry();
  readonly proofs: Counter<'circuit' | 'status'>;
  readonly duration: Histogram<'circuit' | 'stage'>;
  /** Fleet workers only: 1 while this worker leaves a circuit to GPU workers whose GPU wins it. */
  readonly deferredCircuits: Gauge<'circuit'>;
  private readonly samples: { at: number; busy: Map<string, number> }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.proofs = new Counter({
      name: 'zkgpu_proofs_total',
      help: 'Jobs that ended, by circuit and final status (done, failed, cancelled)',
      labelNames: ['circuit', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'zkgpu_proof_duration_seconds',
      help: "Seconds per job stage: queue, witness, prove, verify, total, and the prover's own stages (readKey, qap, msmA, ...)",
      labelNames: ['circuit', 'stage'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.deferredCircuits = new Gauge({
      name: 'zkgpu_fleet_deferred_circuits',
      help: 'Fleet worker: 1 while it leaves the circuit to GPU workers whose GPU wins it (up to --gpu-wait), else 0',
      labelNames: ['circuit'],
      registers,
    });
    new Gauge({
      name: 'zkgpu_queue_jobs',
      help: 'Jobs in the queue by state (queued, running)',
      labelNames: ['state'],
      registers,
      collect() {
        const c = sources.queueCounts();
        this.set({ state: 'queued' }, c.queued);
        this.set({ state: 'running' }, c.running);
      },
    });
    const lastBusy = new Map<string, number>();
    new Counter({
      name: 'zkgpu_device_busy_seconds_total',
      help: 'Seconds each device of the runtime was busy (union of its chunks)',
      labelNames: ['device'],
      registers,
      collect() {
        for (const d of sources.runtimeStats().devices) {
          const busy = d.busyMs / 1000;
          const delta = busy - (lastBusy.get(d.id) ?? 0);
          if (delta > 0) this.inc({ device: d.id }, delta);
          else this.inc({ device: d.id }, 0);
          lastBusy.set(d.id, busy);
        }
      },
    });
    const util = (device: string) => this.utilisation(device);
    new Gauge({
      name: 'zkgpu_device_utilisation',
      help: `Share of the last ${UTILISATION_WINDOW_MS / 1000} s each device was busy (0-1)`,
      labelNames: ['device'],
      registers,
      collect() {
        for (const d of sources.runtimeStats().devices) this.set({ device: d.id }, util(d.id));
      },
    });
    new Gauge({
      name: 'zkgpu_memory_bytes',
      help: 'Memory: rss (this process), host_budget, gpu_budget, gpu_in_use (zkgpu buffers), key_cache, admitted (proofs admitted now)',
      labelNames: ['kind'],
      registers,
      collect() {
        const m = sources.memory();
        this.set({ kind: 'rss' }, process.memoryUsage.rss());
        this.set({ kind: 'host_budget' }, m.hostBudget);
        this.set({ kind: 'gpu_budget' }, m.gpuBudget);
        this.set({ kind: 'gpu_in_use' }, m.gpuInUse);
        this.set({ kind: 'key_cache' }, m.keyCache);
        this.set({ kind: 'admitted' }, m.admitted);
      },
    });
    let costCounted = 0;
    new Counter({
      name: 'zkgpu_proof_cost_usd_total',
      help: 'Cost of the time spent proving: --cost-per-hour x the seconds at least one job was being worked on / 3600',
      registers,
      collect() {
        const cost = (sources.costPerHour * sources.busySeconds()) / 3600;
        this.inc(Math.max(0, cost - costCounted));
        costCounted = Math.max(costCounted, cost);
      },
    });
    const gpuGauge = (name: string, help: string, pick: (s: GpuSample) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['gpu', 'name'],
        registers,
        collect() {
          this.reset();
          const t = sources.telemetry();
          if (!t.available) return;
          for (const g of t.gpus) {
            const v = pick(g);
            if (v !== null) this.set({ gpu: g.index, name: g.name }, v);
          }
        },
      });
    gpuGauge('zkgpu_gpu_temperature_celsius', 'GPU temperature (nvidia-smi)', (g) => g.temperatureC);
    gpuGauge('zkgpu_gpu_utilisation_ratio', 'GPU utilisation 0-1 (nvidia-smi)', (g) => g.utilisation);
    gpuGauge('zkgpu_gpu_memory_used_bytes', 'GPU memory used, all processes (nvidia-smi)', (g) => g.memoryUsedBytes);
    gpuGauge('zkgpu_gpu_power_watts', 'GPU power draw (nvidia-smi)', (g) => g.powerWatts);
    gpuGauge('zkgpu_gpu_throttled', '1 while a clock-throttle reason other than idle is active (nvidia-smi)', (g) => (g.throttled === null ? null : g.throttled ? 1 : 0));
    new Gauge({
      name: 'zkgpu_gpu_telemetry_available',
      help: '1 when nvidia-smi answered at the last sample, else 0 (then the zkgpu_gpu_* gauges are absent)',
      registers,
      collect() {
        this.set(sources.telemetry().available ? 1 : 0);
      },
    });
    this.sampleBusy();
    this.timer = setInterval(() => this.sampleBusy(), UTILISATION_SAMPLE_MS);
    this.timer.unref();
  }

  private sampleBusy(): void {
    const now = performance.now();
    this.samples.push({ at: now, busy: new Map(this.sources.runtimeStats().devices.map((d) => [d.id, d.busyMs])) });
    while (this.samples.length > 2 && now - this.samples[1].at >= UTILISATION_WINDOW_MS) this.samples.shift();
  }

  private utilisation(device: string): number {
    const first = this.samples[0];
    const now = performance.now();
    const busyNow = this.sources.runtimeStats().devices.find((d) => d.id === device)?.busyMs ?? 0;
    if (!first || now - first.at < 1) return 0;
    return Math.min(1, Math.max(0, (busyNow - (first.busy.get(device) ?? 0)) / (now - first.at)));
  }

  /** Records one job stage's duration. */
  observe(circuit: string, stage: string, ms: number): void {
    this.duration.observe({ circuit, stage }, ms / 1000);
  }

  close(): void {
    clearInterval(this.timer);
  }
}
