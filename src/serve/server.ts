/**
 * `zkgpu serve`, assembled: the queue on disk, the one Runtime, the helper thread, the circuits,
 * the key cache, metrics, the dispatcher and the HTTP server; and the way down (drain, close).
 * Start-up order matters: the data directory is locked and its interrupted jobs recovered before
 * anything listens, and circuits are checked before the port opens, so a server that answers
 * /readyz 200 can prove every circuit it lists.
 */
import { pino, type Logger } from 'pino';
import { checkBind, TokenAuth, TOKENS_ENV } from './auth.js';
import type { ServeConfig } from './config.js';
import { Dispatcher } from './dispatcher.js';
import { GpuTelemetry } from '../index.js';
import { buildApp } from './http.js';
import { JobRunner } from './job-runner.js';
import { ServeMetrics } from './metrics.js';
import { listen, startProver, Waiters, type Cleanup, type ProverParts, type ProverServer } from './parts.js';
import { SqliteQueueStore } from './queue/sqlite.js';
import type { QueueStore } from './queue/store.js';

export type { ProverServer } from './parts.js';

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Defaults to pino JSON lines on stdout. */
  log?: Logger;
}

/** Finished jobs are purged this often (each pass is one indexed DELETE). */
const PURGE_INTERVAL_MS = 10 * 60_000;

export function createLogger(level: ServeConfig['logLevel']): Logger {
  // Synchronous writes: a line written before a crash or an exit is never lost in a buffer; at a
  // few lines per job the cost does not show.
  return pino({ level, base: { service: 'zkgpu-serve', pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 1, sync: true }));
}

export async function startServer(config: ServeConfig, options: StartOptions = {}): Promise<ProverServer> {
  const log = options.log ?? createLogger(config.logLevel);
  const auth = checkAuth(config, options.env ?? process.env, log);

  if (config.queue !== undefined) {
    // Loaded only for a fleet: a single server never loads BullMQ.
    const { startFleetServer } = await import('./fleet-server.js');
    return startFleetServer(config, log, auth);
  }

  const cleanup: Cleanup = [];
  const undo = async () => {
    for (const f of cleanup.reverse()) await Promise.resolve(f()).catch(() => {});
  };
  try {
    const store = openStore(config, log, cleanup);
    const prover = await startProver(config, log, cleanup, 'refuse');
    const telemetry = new GpuTelemetry((reason) => log.info(reason));
    await telemetry.start();
    cleanup.push(() => telemetry.stop());

    const waiters = new Waiters();
    const onJobEnd = (id: string) => waiters.wake(id);
    // The metrics read the runner lazily: it is made after them.
    let runner: JobRunner | null = null;
    const metrics = serverMetrics(config, store, prover, () => runner?.busySeconds() ?? 0, telemetry);
    cleanup.push(() => metrics.close());
    const { runtime, helper, circuits, ledger, keys } = prover;
    runner = new JobRunner({ runtime, helper, keys, metrics, concurrency: config.concurrency, backend: config.backend });
    const d = new Dispatcher({ store, runner, circuits, keys, ledger, metrics, log, concurrency: config.concurrency, onJobEnd });

    const state = { notReady: null as string | null };
    const app = buildServerApp(config, { store, d, circuits, metrics, auth, log, state, waiters });
    cleanup.push(() => app.close());
    const url = await listen(app, config);
    startPurge(config, store, log, cleanup);

    d.pump();
    logListening(log, config, url, store, prover);
    return { url, shutdown: serverShutdown(config, { store, d, log, state, waiters, undo }) };
  } catch (e) {
    await undo();
    throw e;
  }
}

function checkAuth(config: ServeConfig, env: NodeJS.ProcessEnv, log: Logger): TokenAuth | null {
  const auth = TokenAuth.fromEnv(env);
  checkBind(config.host, auth);
  if (!auth) log.warn(`${TOKENS_ENV} is not set: no authentication, so listening on loopback (${config.host}) only`);
  else log.info({ tokens: auth.count }, 'bearer-token authentication on /v1');
  return auth;
}

/** Locks the data directory and recovers the jobs a previous process left running. */
function openStore(config: ServeConfig, log: Logger, cleanup: Cleanup): QueueStore {
  const store: QueueStore = SqliteQueueStore.open(config.dataDir);
  cleanup.push(() => store.close());
  const recovered = store.recoverInterrupted(config.maxAttempts, Date.now());
  if (recovered.requeued + recovered.failed > 0) log.warn({ ...recovered }, 'jobs left running by a previous process: re-queued (or failed after maxAttempts starts)');
  return store;
}

function serverMetrics(config: ServeConfig, store: QueueStore, prover: ProverParts, busySeconds: () => number, telemetry: GpuTelemetry): ServeMetrics {
  const { runtime, hardware, ledger, keys, budget } = prover;
  return new ServeMetrics({
    queueCounts: () => {
      const c = store.counts();
      return { queued: c.queued, running: c.running };
    },
    runtimeStats: () => runtime.stats(),
    memory: () => ({
      hostBudget: budget,
      gpuBudget: hardware.gpus[0]?.budgetBytes ?? 0,
      gpuInUse: runtime.gpuMemory()?.inUseBytes ?? 0,
      keyCache: keys.size,
      admitted: ledger.admittedBytes,
    }),
    busySeconds,
    costPerHour: config.costPerHour,
    telemetry: () => telemetry.current,
  });
}

interface ServerAppParts {
  store: QueueStore;
  d: Dispatcher;
  circuits: ProverParts['circuits'];
  metrics: ServeMetrics;
  auth: TokenAuth | null;
  log: Logger;
  state: { notReady: string | null };
  waiters: Waiters;
}

function buildServerApp(config: ServeConfig, { store, d, circuits, metrics, auth, log, state, waiters }: ServerAppParts) {
  return buildApp({
    config,
    jobs: {
      submit: async (job) => {
        const record = store.enqueue(job, Date.now());
        d.pump();
        return record;
      },
      get: async (id) => store.get(id),
      queuedCount: async () => store.queuedCount(),
      cancel: async (id) => d.cancel(id),
      progressOf: async (record) => d.progressOf(record.id),
      whyWaiting: async () => null,
    },
    serveApi: true,
    circuits,
    metrics,
    auth,
    log,
    notReady: () => state.notReady,
    waitForEnd: (id, ms, signal) => waiters.wait(id, ms, signal),
  });
}

function startPurge(config: ServeConfig, store: QueueStore, log: Logger, cleanup: Cleanup): void {
  const purge = setInterval(() => {
    const n = store.purgeFinished(Date.now() - config.retentionS * 1000);
    if (n > 0) log.info({ purged: n }, 'finished jobs past retention deleted');
  }, PURGE_INTERVAL_MS);
  purge.unref();
  cleanup.push(() => clearInterval(purge));
}

function logListening(log: Logger, config: ServeConfig, url: string, store: QueueStore, { runtime, hardware, circuits, keys, budget }: ProverParts): void {
  log.info(
    {
      url,
      circuits: [...circuits.keys()],
      concurrency: config.concurrency,
      threads: runtime.threads,
      gpu: runtime.gpu?.description ?? null,
      hostBudget: budget,
      hostBudgetSource: hardware.memory.source,
      keyCacheBytes: keys.budgetBytes,
      dataDir: config.dataDir,
      queued: store.counts().queued,
    },
    'listening',
  );
}

interface ShutdownParts {
  store: QueueStore;
  d: Dispatcher;
  log: Logger;
  state: { notReady: string | null };
  waiters: Waiters;
  undo: () => Promise<void>;
}

function serverShutdown(config: ServeConfig, { store, d, log, state, waiters, undo }: ShutdownParts): ProverServer['shutdown'] {
  let shuttingDown: Promise<{ finished: number; requeued: number }> | null = null;
  return (drainTimeoutS = config.drainTimeoutS) => {
    // A second call with 0 cuts a drain in progress short.
    if (shuttingDown && drainTimeoutS === 0) d.abortAll();
    shuttingDown ??= (async () => {
      state.notReady = 'draining';
      log.info({ drainTimeoutS, running: d.running }, 'draining: no new jobs; proofs in progress may finish');
      const outcome = await d.drain(drainTimeoutS * 1000);
      waiters.wakeAll();
      state.notReady = 'closed';
      const left = store.counts();
      await undo();
      log.info({ ...outcome, queued: left.queued }, 'stopped; queued jobs stay in the data directory for the next start');
      return outcome;
    })();
    return shuttingDown;
  };
}
