/**
 * `zkgpu serve --queue redis://...`: one role of a fleet. `api` checks and enqueues requests and
 * answers for every job from Redis; `worker` proves the circuits that fit it and beats its
 * heartbeat; `all` does both in one process. Every role serves /healthz, /readyz and /metrics;
 * /readyz of a worker is 503 while Redis is away, the runtime is gone or its GPU was lost and not
 * re-acquired, or it drains. A worker decides at start which circuits its GPU wins
 * (gpu-preference.ts) and says so in its heartbeat; the others leave those circuits to it.
 */
import type { Logger } from 'pino';
import { GpuTelemetry, type Runtime } from '../index.js';
import type { TokenAuth } from './auth.js';
import { registerCircuit, releaseSnarkjsCurves, type Circuit } from './circuits.js';
import type { ServeConfig } from './config.js';
import { ServeError } from './errors.js';
import { defaultWorkerId, FleetWatch, Heartbeat, whyUnschedulable, type WorkerBeat } from './fleet.js';
import { FleetWorker } from './fleet-worker.js';
import { decideGpuPreference, type GpuVerdict } from './gpu-preference.js';
import { buildApp } from './http.js';
import { JobRunner } from './job-runner.js';
import { ServeMetrics } from './metrics.js';
import { listen, startProver, type Cleanup, type ProverParts, type ProverServer } from './parts.js';
import { RedisQueueStore } from './queue/redis.js';

/** What /readyz of a fleet process reads; the GPU events and the drain move it. */
interface FleetState {
  gpuLost: string | null;
  notReady: string | null;
  worker: FleetWorker | null;
}

export async function startFleetServer(config: ServeConfig, log: Logger, auth: TokenAuth | null): Promise<ProverServer> {
  const cleanup: Cleanup = [];
  const undo = async () => {
    for (const f of cleanup.reverse()) await Promise.resolve(f()).catch(() => {});
  };
  const proves = config.role !== 'api';
  const api = config.role !== 'worker';
  const workerId = defaultWorkerId();
  const flog = log.child({ role: config.role, queue: config.queue });
  try {
    const { prover, circuits } = await loadCircuits(config, flog, cleanup, proves, api);
    const board = await openBoard(config, api, cleanup);
    const telemetry = await startTelemetry(flog, cleanup);
    const queueCounts = await pollQueueCounts(board, cleanup);

    let runner: JobRunner | null = null;
    const started = Date.now();
    const metrics = fleetMetrics(config, prover, started, queueCounts, () => runner?.busySeconds() ?? 0, telemetry);
    cleanup.push(() => metrics.close());

    const state: FleetState = { gpuLost: null, notReady: null, worker: null };
    const readiness = () => fleetReadiness(board, state);
    if (prover) runner = await startWorkerRole({ p: prover, config, board, metrics, flog, state, readiness, workerId, started, cleanup });
    const fleetWatch = api ? await startFleetWatch(board, metrics, cleanup) : null;

    const app = buildFleetApp(config, { board, metrics, circuits, auth, flog, api, fleetWatch, readiness });
    cleanup.push(() => app.close());
    const url = await listen(app, config);
    logListening(flog, config, url, proves ? workerId : null, circuits, prover);
    return { url, shutdown: fleetShutdown(config, board, state, flog, undo) };
  } catch (e) {
    await undo();
    throw e;
  }
}

/** The circuits this process knows: a worker proves those that fit it; the API side knows every one. */
async function loadCircuits(
  config: ServeConfig,
  flog: Logger,
  cleanup: Cleanup,
  proves: boolean,
  api: boolean,
): Promise<{ prover: ProverParts | null; circuits: Map<string, Circuit> }> {
  let prover: ProverParts | null = null;
  const circuits = new Map<string, Circuit>();
  if (proves) {
    prover = await startProver(config, flog, cleanup, 'skip');
    if (prover.circuits.size === 0) {
      throw new ServeError('CIRCUIT_TOO_LARGE', `no registered circuit fits this worker: ${[...prover.refused.values()].map((e) => e.message).join('; ')}`);
    }
    for (const [n, c] of prover.circuits) circuits.set(n, c);
    // The API side still knows (and checks input for) the circuits this worker leaves to others.
    const others: Circuit[] = [];
    if (api) for (const spec of config.circuits) if (!circuits.has(spec.name)) others.push(await registerCircuit(spec, Number.POSITIVE_INFINITY, 'not proved here'));
    for (const c of others) circuits.set(c.name, c);
    // Registering them built snarkjs's curves again (the prover ended its own): end these too.
    if (others.length > 0) await releaseSnarkjsCurves(others);
  } else {
    for (const spec of config.circuits) circuits.set(spec.name, await registerCircuit(spec, Number.POSITIVE_INFINITY, 'api role: proves nothing'));
    // Else the curves' worker threads outlive the drain and the process does not exit by itself.
    await releaseSnarkjsCurves(circuits.values());
  }
  return { prover, circuits };
}

async function openBoard(config: ServeConfig, api: boolean, cleanup: Cleanup): Promise<RedisQueueStore> {
  const names = config.circuits.map((c) => c.name);
  const board = new RedisQueueStore({ url: config.queue as string, circuits: names, maxAttempts: config.maxAttempts, retentionS: config.retentionS });
  cleanup.push(() => board.close());
  if (api) await board.listen();
  return board;
}

async function startTelemetry(flog: Logger, cleanup: Cleanup): Promise<GpuTelemetry> {
  const telemetry = new GpuTelemetry((reason) => flog.info(reason));
  await telemetry.start();
  cleanup.push(() => telemetry.stop());
  return telemetry;
}

/** Queue counts for the gauges, read in the background (a scrape must not wait on Redis). */
async function pollQueueCounts(board: RedisQueueStore, cleanup: Cleanup): Promise<() => { queued: number; running: number }> {
  let counts = { queued: 0, running: 0 };
  const refreshCounts = async () => {
    counts = await board.counts();
  };
  await refreshCounts().catch(() => {});
  const countsTimer = setInterval(() => void refreshCounts().catch(() => {}), 2000);
  countsTimer.unref();
  cleanup.push(() => clearInterval(countsTimer));
  return () => counts;
}

function fleetMetrics(
  config: ServeConfig,
  prover: ProverParts | null,
  started: number,
  queueCounts: () => { queued: number; running: number },
  busySeconds: () => number,
  telemetry: GpuTelemetry,
): ServeMetrics {
  const runtime: Runtime | null = prover?.runtime ?? null;
  return new ServeMetrics({
    queueCounts,
    runtimeStats: () =>
      runtime?.stats() ?? { jobs: 0, uptimeMs: Date.now() - started, devices: [], telemetry: { state: { available: false, reason: 'api role: no runtime' }, devices: [] } },
    memory: () => ({
      hostBudget: prover?.budget ?? 0,
      gpuBudget: prover?.hardware.gpus[0]?.budgetBytes ?? 0,
      gpuInUse: runtime?.gpuMemory()?.inUseBytes ?? 0,
      keyCache: prover?.keys.size ?? 0,
      admitted: prover?.ledger.admittedBytes ?? 0,
    }),
    busySeconds,
    costPerHour: config.costPerHour,
    telemetry: () => telemetry.current,
  });
}

function fleetReadiness(board: RedisQueueStore, state: FleetState): string | null {
  if (state.notReady) return state.notReady;
  if (!board.connected) return `redis: ${board.redis.status}`;
  if (state.worker && !state.worker.connected) return 'redis: the worker connection is down';
  if (state.gpuLost) return `gpu: ${state.gpuLost}`;
  return null;
}

interface WorkerRoleParts {
  p: ProverParts;
  config: ServeConfig;
  board: RedisQueueStore;
  metrics: ServeMetrics;
  flog: Logger;
  state: FleetState;
  readiness: () => string | null;
  workerId: string;
  started: number;
  cleanup: Cleanup;
}

/** The proving side: GPU loss tracking, the job runner, the BullMQ worker and its heartbeat. */
async function startWorkerRole({ p, config, board, metrics, flog, state, readiness, workerId, started, cleanup }: WorkerRoleParts): Promise<JobRunner> {
  p.runtime.addEventListener('device-lost', (e) => {
    state.gpuLost = `device lost (${e.detail.message})${e.detail.reacquire ? ', re-acquiring' : ', not re-acquired'}`;
  });
  p.runtime.addEventListener('device-reacquired', (e) => {
    state.gpuLost = e.detail.ok ? null : `device lost and not re-acquired (${e.detail.error ?? 'no adapter'})`;
  });
  const runner = new JobRunner({ runtime: p.runtime, helper: p.helper, keys: p.keys, metrics, concurrency: config.concurrency, backend: config.backend });
  const verdicts = await gpuVerdicts(p, config, flog);
  const gpuPreferred = new Set([...verdicts].filter(([, v]) => v.wins).map(([c]) => c));
  const worker = new FleetWorker({
    url: config.queue as string,
    circuits: p.circuits,
    runner,
    board,
    keys: p.keys,
    ledger: p.ledger,
    metrics,
    log: flog,
    concurrency: config.concurrency,
    maxAttempts: config.maxAttempts,
    stallTimeoutS: config.stallTimeoutS,
    workerId,
    gpuPreferred,
    gpuWaitS: config.gpuWaitS,
  });
  state.worker = worker;
  const gpu = p.runtime.gpu;
  const workerClass = config.workerClass ?? (gpu ? gpu.description : `cpu-${p.runtime.threads}t`);
  const beat = (): WorkerBeat => {
    const now = Date.now();
    return workerBeat({ p, config, worker, runner, workerId, workerClass, started, now, why: readiness(), gpuLost: state.gpuLost, verdicts });
  };
  await worker.start();
  cleanup.push(() => worker.close());
  const heartbeat = new Heartbeat(board.redis, beat);
  await heartbeat.start();
  cleanup.push(() => heartbeat.stop(workerId).catch(() => {}));
  return runner;
}

/** Per circuit this worker proves, whether its GPU wins it (logged once each where there is a GPU). */
async function gpuVerdicts(p: ProverParts, config: ServeConfig, flog: Logger): Promise<Map<string, GpuVerdict>> {
  const out = new Map<string, GpuVerdict>();
  for (const c of p.circuits.values()) {
    const v = await decideGpuPreference(p.runtime, c.header, config.backend);
    out.set(c.name, v);
    if (p.runtime.gpu && config.backend !== 'wasm') {
      flog.info(
        { circuit: c.name, gpuPreferred: v.wins, gpuMs: v.gpuMs, wasmMs: v.wasmMs, reason: v.reason },
        v.wins ? `the GPU wins circuit ${c.name}` : `the GPU does not win circuit ${c.name}`,
      );
    }
  }
  return out;
}

interface BeatInputs {
  p: ProverParts;
  config: ServeConfig;
  worker: FleetWorker;
  runner: JobRunner;
  workerId: string;
  workerClass: string;
  started: number;
  now: number;
  why: string | null;
  gpuLost: string | null;
  verdicts: ReadonlyMap<string, GpuVerdict>;
}

function workerBeat({ p, config, worker: w, runner: r, workerId, workerClass, started, now, why, gpuLost, verdicts }: BeatInputs): WorkerBeat {
  const gpu = p.runtime.gpu;
  const perCircuit: WorkerBeat['perCircuit'] = {};
  for (const [c, s] of w.perCircuit) {
    const meanSeconds = s.seconds / s.done;
    perCircuit[c] = { done: s.done, meanSeconds, costPerProofUsd: (config.costPerHour * meanSeconds) / 3600 / config.concurrency };
  }
  const busy = r.busySeconds();
  const gpuEstimates: NonNullable<WorkerBeat['gpuEstimates']> = {};
  for (const [c, v] of verdicts) if (v.wins && v.gpuMs !== null && v.wasmMs !== null) gpuEstimates[c] = { gpuMs: v.gpuMs, wasmMs: v.wasmMs };
  return {
    id: workerId,
    class: workerClass,
    host: workerId.slice(0, workerId.lastIndexOf('-')),
    pid: process.pid,
    startedAt: started,
    lastSeen: now,
    ready: why === null,
    notReady: why,
    hardware: {
      threads: p.runtime.threads,
      hostBudgetBytes: p.budget,
      hostBudgetSource: p.hardware.memory.source,
      fixedBytes: p.fixedBytes,
      backend: config.backend,
      gpu: gpu ? { description: gpu.description, budgetBytes: p.hardware.gpus[0]?.budgetBytes ?? 0, lost: gpuLost !== null } : null,
    },
    circuits: [...p.circuits.keys()],
    refused: [...p.refused].map(([circuit, e]) => ({ circuit, code: e.code, message: e.message })),
    concurrency: config.concurrency,
    current: w.current(),
    proofsDone: w.proofsDone,
    proofsFailed: w.proofsFailed,
    utilisation: Math.min(1, busy / Math.max(1e-3, (now - started) / 1000)),
    costPerHour: config.costPerHour,
    costPerProofUsd: w.proofsDone > 0 ? (config.costPerHour * busy) / 3600 / w.proofsDone : null,
    perCircuit,
    gpuPreferred: Object.keys(gpuEstimates),
    gpuEstimates,
    deferring: w.deferring(),
  };
}

async function startFleetWatch(board: RedisQueueStore, metrics: ServeMetrics, cleanup: Cleanup): Promise<FleetWatch> {
  const watch = new FleetWatch(board.redis, () => board.queuedByCircuit(), metrics.registry);
  await watch.start();
  cleanup.push(() => watch.stop());
  return watch;
}

interface FleetAppParts {
  board: RedisQueueStore;
  metrics: ServeMetrics;
  circuits: Map<string, Circuit>;
  auth: TokenAuth | null;
  flog: Logger;
  api: boolean;
  fleetWatch: FleetWatch | null;
  readiness: () => string | null;
}

function buildFleetApp(config: ServeConfig, { board, metrics, circuits, auth, flog, api, fleetWatch, readiness }: FleetAppParts) {
  return buildApp({
    config,
    jobs: {
      submit: (job) => board.enqueue(job, Date.now()),
      get: (id) => board.get(id),
      queuedCount: () => board.queuedCount(),
      cancel: async (id) => {
        const record = await board.cancel(id, Date.now());
        if (record?.status === 'cancelled') metrics.proofs.inc({ circuit: record.circuit, status: 'cancelled' });
        return record;
      },
      progressOf: (record) => board.progressOf(record.id),
      whyWaiting: async (record) => (fleetWatch ? whyUnschedulable(record.circuit, await fleetWatch.liveWorkers()) : null),
    },
    serveApi: api,
    routes: (a) => {
      if (!fleetWatch) return;
      a.get('/v1/fleet', async () => fleetWatch.refresh());
    },
    circuits,
    metrics,
    auth,
    log: flog,
    notReady: readiness,
    waitForEnd: (id, ms, signal) => board.waitForEnd(id, ms, signal),
  });
}

function logListening(flog: Logger, config: ServeConfig, url: string, worker: string | null, circuits: Map<string, Circuit>, prover: ProverParts | null): void {
  const runtime = prover?.runtime ?? null;
  flog.info(
    {
      url,
      role: config.role,
      worker,
      circuits: [...circuits.keys()],
      proves: prover ? [...prover.circuits.keys()] : [],
      refused: prover ? [...prover.refused.keys()] : [],
      concurrency: config.concurrency,
      threads: runtime?.threads ?? null,
      gpu: runtime?.gpu?.description ?? null,
      hostBudget: prover?.budget ?? null,
      fixedBytes: prover?.fixedBytes ?? null,
      stallTimeoutS: config.stallTimeoutS,
      gpuWaitS: config.gpuWaitS,
    },
    'listening',
  );
}

function fleetShutdown(config: ServeConfig, board: RedisQueueStore, state: FleetState, flog: Logger, undo: () => Promise<void>): ProverServer['shutdown'] {
  let shuttingDown: Promise<{ finished: number; requeued: number }> | null = null;
  return (drainTimeoutS = config.drainTimeoutS) => {
    const worker = state.worker;
    if (shuttingDown && drainTimeoutS === 0) void worker?.drain(0);
    shuttingDown ??= (async () => {
      state.notReady = 'draining';
      flog.info({ drainTimeoutS, running: worker?.current().length ?? 0 }, 'draining: no new jobs; proofs in progress may finish');
      const outcome = worker ? await worker.drain(drainTimeoutS * 1000) : { finished: 0, requeued: 0 };
      board.wakeAll();
      state.notReady = 'closed';
      await undo();
      flog.info({ ...outcome }, 'stopped; queued jobs stay in Redis');
      return outcome;
    })();
    return shuttingDown;
  };
}
