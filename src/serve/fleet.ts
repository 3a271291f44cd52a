/**
 * Who is in the fleet: each worker writes a heartbeat to Redis (`zkgpu:fleet:worker:<id>`, a JSON
 * value with a TTL, listed in the sorted set `zkgpu:fleet:workers` by last beat); a worker that
 * dies simply stops beating and drops out once its TTL passes. The API reads the beats for
 * GET /v1/fleet, for the reason a queued job is not taken (no live worker takes its circuit), and
 * for the fleet metrics (live workers per class, unschedulable jobs per circuit, cost per proof).
 * Workers read each other's beats too: a worker leaves a circuit to the GPU workers whose beat
 * lists it in gpuPreferred (gpu-preference.ts).
 */
import { hostname } from 'node:os';
import { Gauge, type Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import type { JobError } from './errors.js';

const WORKER_SET = 'zkgpu:fleet:workers';
const beatKey = (id: string) => `zkgpu:fleet:worker:${id}`;

/** A beat every 5 s, kept 15 s: a worker is gone after missing two (a proof's event-loop pauses are far shorter). */
export const BEAT_MS = 5000;
export const BEAT_TTL_MS = 15_000;

export interface WorkerBeat {
  id: string;
  class: string;
  host: string;
  pid: number;
  startedAt: number;
  lastSeen: number;
  ready: boolean;
  notReady: string | null;
  hardware: {
    threads: number;
    hostBudgetBytes: number;
    hostBudgetSource: string;
    /** Its own memory at start; proofs and cached keys share hostBudgetBytes - fixedBytes. */
    fixedBytes: number;
    backend: string;
    gpu: { description: string; budgetBytes: number; lost: boolean } | null;
  };
  /** Circuits it takes jobs of. */
  circuits: string[];
  /** Circuits it registered but does not take, and why (too large for its budget). */
  refused: { circuit: string; code: string; message: string }[];
  concurrency: number;
  current: { id: string; circuit: string; stage: string }[];
  proofsDone: number;
  proofsFailed: number;
  /** Share of its life with at least one job in progress (0-1). */
  utilisation: number;
  costPerHour: number;
  /** costPerHour x busy time / proofs done (null before the first proof). */
  costPerProofUsd: number | null;
  /** Per circuit: proofs done, their mean job time, and that time's cost (costPerHour x seconds / concurrency). */
  perCircuit: Record<string, { done: number; meanSeconds: number; costPerProofUsd: number }>;
  /**
   * Circuits its GPU wins (gpu-preference.ts): the other workers leave their jobs to it. Absent in
   * beats of workers from before the rule (they prefer nothing).
   */
  gpuPreferred?: string[];
  /** Per preferred circuit, why: the planner's G1 MSM estimates with its GPU and on its workers alone. */
  gpuEstimates?: Record<string, { gpuMs: number; wasmMs: number }>;
  /** Circuits it leaves to GPU workers now, each with those workers' ids. */
  deferring?: Record<string, string[]>;
}

export function defaultWorkerId(): string {
  return `${hostname()}-${process.pid}`;
}

/** Writes `beat()` every BEAT_MS until stop(); stop() removes it (a drained worker leaves at once). */
export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly redis: Redis,
    private readonly beat: () => WorkerBeat,
  ) {}

  async start(): Promise<void> {
    await this.send();
    this.timer = setInterval(() => void this.send().catch(() => {}), BEAT_MS);
    this.timer.unref();
  }

  private async send(): Promise<void> {
    const b = this.beat();
    await this.redis.multi().set(beatKey(b.id), JSON.stringify(b), 'PX', BEAT_TTL_MS).zadd(WORKER_SET, b.lastSeen, b.id).exec();
  }

  async stop(id: string): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.redis.multi().del(beatKey(id)).zrem(WORKER_SET, id).exec();
  }
}

/** Live workers (a beat within its TTL); members whose beat expired are dropped from the set. */
export async function readWorkers(redis: Redis): Promise<WorkerBeat[]> {
  const ids = await redis.zrange(WORKER_SET, 0, -1);
  if (ids.length === 0) return [];
  const values = await redis.mget(ids.map(beatKey));
  const live: WorkerBeat[] = [];
  const gone: string[] = [];
  values.forEach((v, i) => (v ? live.push(JSON.parse(v) as WorkerBeat) : gone.push(ids[i])));
  if (gone.length > 0) await redis.zrem(WORKER_SET, ...gone);
  return live;
}

export interface CircuitFleetState {
  name: string;
  queued: number;
  running: number;
  /** Live, ready workers that take it. */
  workers: string[];
  /** Those of them whose GPU wins it: the others leave its jobs to them (up to --gpu-wait). */
  preferredBy: string[];
  /** Set when queued jobs of it wait for a worker that does not exist. */
  waiting: JobError | null;
}

/** Why a circuit's jobs are not taken up now, or null when some live worker takes them. */
export function whyUnschedulable(circuit: string, workers: readonly WorkerBeat[]): JobError | null {
  const takers = workers.filter((w) => w.circuits.includes(circuit));
  if (takers.some((w) => w.ready)) return null;
  if (takers.length > 0) {
    return {
      code: 'NO_READY_WORKER',
      message: `the live workers that take circuit "${circuit}" are not ready (${takers.map((w) => `${w.id}: ${w.notReady}`).join('; ')}); it stays queued until one is`,
    };
  }
  const refusals = workers.flatMap((w) => w.refused.filter((r) => r.circuit === circuit).map((r) => `${w.id}: ${r.message}`));
  const detail =
    workers.length === 0
      ? 'no worker is live'
      : refusals.length > 0
        ? `too large for every live worker (${refusals.join('; ')})`
        : `no live worker registers it (${workers.length} live)`;
  return { code: 'NO_WORKER', message: `no live worker takes circuit "${circuit}": ${detail}; it stays queued until one does` };
}

export interface FleetView {
  workers: WorkerBeat[];
  classes: { class: string; workers: number; proofsDone: number; costPerProofUsd: number | null; perCircuit: Record<string, { done: number; costPerProofUsd: number }> }[];
  circuits: CircuitFleetState[];
}

export function fleetView(workers: WorkerBeat[], counts: Map<string, { queued: number; running: number }>): FleetView {
  const byClass = new Map<string, WorkerBeat[]>();
  for (const w of workers) byClass.set(w.class, [...(byClass.get(w.class) ?? []), w]);
  const classes = [...byClass].map(([cls, ws]) => {
    const done = ws.reduce((s, w) => s + w.proofsDone, 0);
    const cost = ws.reduce((s, w) => s + (w.costPerProofUsd ?? 0) * w.proofsDone, 0);
    const perCircuit: Record<string, { done: number; costPerProofUsd: number }> = {};
    for (const w of ws) {
      for (const [c, p] of Object.entries(w.perCircuit)) {
        const e = (perCircuit[c] ??= { done: 0, costPerProofUsd: 0 });
        e.costPerProofUsd = (e.costPerProofUsd * e.done + p.costPerProofUsd * p.done) / Math.max(1, e.done + p.done);
        e.done += p.done;
      }
    }
    return { class: cls, workers: ws.length, proofsDone: done, costPerProofUsd: done > 0 ? cost / done : null, perCircuit };
  });
  const circuits = [...counts].map(([name, c]) => ({
    name,
    queued: c.queued,
    running: c.running,
    workers: workers.filter((w) => w.ready && w.circuits.includes(name)).map((w) => w.id),
    preferredBy: workers.filter((w) => w.ready && w.circuits.includes(name) && (w.gpuPreferred ?? []).includes(name)).map((w) => w.id),
    // Workers deferring a circuit still list it (and are ready): its jobs wait for a GPU worker, not for no one.
    waiting: c.queued > 0 ? whyUnschedulable(name, workers) : null,
  }));
  return { workers, classes, circuits };
}

/**
 * The API's view, refreshed every 2 s in the background (metrics are collected synchronously, and a
 * GET should not read every beat), with the fleet gauges on `registry`.
 */
export class FleetWatch {
  private view: FleetView = { workers: [], classes: [], circuits: [] };
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly counts: () => Promise<Map<string, { queued: number; running: number }>>,
    registry: Registry,
  ) {
    const view = () => this.view;
    const registers = [registry];
    new Gauge({
      name: 'zkgpu_fleet_workers',
      help: 'Live fleet workers (heartbeat in Redis within its TTL) by class and readiness',
      labelNames: ['class', 'ready'],
      registers,
      collect() {
        this.reset();
        for (const w of view().workers) this.inc({ class: w.class, ready: String(w.ready) });
      },
    });
    new Gauge({
      name: 'zkgpu_fleet_unschedulable_jobs',
      help: 'Queued jobs of circuits that no live, ready worker takes (they wait for one)',
      labelNames: ['circuit'],
      registers,
      collect() {
        this.reset();
        for (const c of view().circuits) this.set({ circuit: c.name }, c.waiting ? c.queued : 0);
      },
    });
    new Gauge({
      name: 'zkgpu_fleet_cost_per_proof_usd',
      help: 'Cost of one proof by worker class and circuit: --cost-per-hour x mean job seconds / concurrency',
      labelNames: ['class', 'circuit'],
      registers,
      collect() {
        this.reset();
        for (const cls of view().classes) for (const [c, p] of Object.entries(cls.perCircuit)) this.set({ class: cls.class, circuit: c }, p.costPerProofUsd);
      },
    });
  }

  async start(): Promise<void> {
    await this.refresh().catch(() => {});
    this.timer = setInterval(() => void this.refresh().catch(() => {}), 2000);
    this.timer.unref();
  }

  async refresh(): Promise<FleetView> {
    this.view = fleetView(await readWorkers(this.redis), await this.counts());
    return this.view;
  }

  /** The live workers read now: a job's GET must not answer from a view up to 2 s old (a worker that just joined would be missing). */
  async liveWorkers(): Promise<WorkerBeat[]> {
    return readWorkers(this.redis);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
