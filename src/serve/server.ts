/**
 * `zkgpu serve`, assembled: the queue on disk, the one Runtime, the helper thread, the circuits,
 * the key cache, metrics, the dispatcher and the HTTP server; and the way down (drain, close).
 * Start-up order matters: the data directory is locked and its interrupted jobs recovered before
 * anything listens, and circuits are checked before the port opens, so a server that answers
 * /readyz 200 can prove every circuit it lists.
 */
import { pino, type Logger } from 'pino';
import { createRuntime, type Runtime } from '../index.js';
import { checkBind, TokenAuth, TOKENS_ENV } from './auth.js';
import { registerCircuit, releaseSnarkjsCurves, type Circuit } from './circuits.js';
import type { ServeConfig } from './config.js';
import { Dispatcher } from './dispatcher.js';
import { GpuTelemetry } from './gpu-telemetry.js';
import { Helper } from './helper/helper.js';
import { buildApp } from './http.js';
import { KeyCache, MemoryLedger } from './memory.js';
import { ServeMetrics } from './metrics.js';
import { SqliteQueueStore } from './queue/sqlite.js';
import type { QueueStore } from './queue/store.js';

export interface ProverServer {
  /** http://host:port as bound (port 0 in the config gives the port the OS chose). */
  readonly url: string;
  /**
   * Stops taking jobs (/readyz 503, POST 503), lets proofs in progress finish within
   * `drainTimeoutS`, puts every other claimed job back in the queue, then closes everything.
   * Called again with 0 during a drain, it stops the proofs in progress at once (back to the queue).
   */
  shutdown(drainTimeoutS?: number): Promise<{ finished: number; requeued: number }>;
}

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
  const auth = TokenAuth.fromEnv(options.env ?? process.env);
  checkBind(config.host, auth);
  if (!auth) log.warn(`${TOKENS_ENV} is not set: no authentication, so listening on loopback (${config.host}) only`);
  else log.info({ tokens: auth.count }, 'bearer-token authentication on /v1');

  const cleanup: (() => Promise<void> | void)[] = [];
  const undo = async () => {
    for (const f of cleanup.reverse()) await Promise.resolve(f()).catch(() => {});
  };
  try {
    const store: QueueStore = SqliteQueueStore.open(config.dataDir);
    cleanup.push(() => store.close());
    const recovered = store.recoverInterrupted(config.maxAttempts, Date.now());
    if (recovered.requeued + recovered.failed > 0) log.warn({ ...recovered }, 'jobs left running by a previous process: re-queued (or failed after maxAttempts starts)');

    const runtime: Runtime = await createRuntime({
      threads: config.threads,
      gpu: config.backend === 'wasm' ? false : undefined,
      maxHostBytes: config.maxHostBytes,
      maxGpuBytes: config.maxGpuBytes,
    });
    cleanup.push(() => runtime.dispose());
    const hardware = await runtime.hardware();
    const helper = new Helper();
    cleanup.push(() => helper.close());

    // What the process holds before any proof (runtime, workers, server code): proofs and keys share the rest.
    const fixedBytes = process.memoryUsage.rss();
    const budget = hardware.memory.budgetBytes;
    const ledger = new MemoryLedger(budget, fixedBytes);
    const available = budget - fixedBytes;
    const circuits = new Map<string, Circuit>();
    for (const spec of config.circuits) {
      const c = await registerCircuit(spec, available, hardware.memory.source);
      circuits.set(c.name, c);
      await helper.load(c.name, c.wasm, c.vkey);
      log.info({ circuit: c.name, curve: c.header.curve, nVars: c.header.nVars, domain: c.header.domainSize, takesInput: c.wasm !== null, proofBytes: c.proofBytes, keyBytes: c.keyBytes }, 'circuit registered');
    }
    await releaseSnarkjsCurves(circuits.values());
    const keys = new KeyCache(config.keyCacheBytes ?? Math.floor(budget / 4), (bytes) => ledger.setCached(bytes));
    // Keys loaded now, in registration order while they fit: the first proofs need not read them.
    for (const c of circuits.values()) {
      if (keys.size + c.keyBytes > keys.budgetBytes) continue;
      const { readFile } = await import('node:fs/promises');
      keys.put(c.name, new Uint8Array(await readFile(c.zkeyPath)));
    }

    const telemetry = new GpuTelemetry((reason) => log.info(reason));
    await telemetry.start();
    cleanup.push(() => telemetry.stop());

    const waiters = new Map<string, Set<() => void>>();
    const onJobEnd = (id: string) => {
      const set = waiters.get(id);
      if (!set) return;
      waiters.delete(id);
      for (const w of set) w();
    };
    // The metrics read the dispatcher lazily: it is made after them.
    let dispatcher: Dispatcher | null = null;
    const metrics = new ServeMetrics({
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
      busySeconds: () => dispatcher?.busySeconds() ?? 0,
      costPerHour: config.costPerHour,
      telemetry: () => telemetry.current,
    });
    cleanup.push(() => metrics.close());
    dispatcher = new Dispatcher({ store, runtime, helper, circuits, keys, ledger, metrics, log, concurrency: config.concurrency, backend: config.backend, onJobEnd });
    const d = dispatcher;

    let notReady: string | null = null;
    const app = buildApp({
      config,
      store,
      dispatcher: d,
      circuits,
      metrics,
      auth,
      log,
      notReady: () => notReady,
      waitForEnd: (id, ms, signal) =>
        new Promise<void>((resolve) => {
          let set = waiters.get(id);
          if (!set) waiters.set(id, (set = new Set()));
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            set?.delete(done);
            resolve();
          };
          const timer = setTimeout(done, ms);
          signal.addEventListener('abort', done, { once: true });
          set.add(done);
        }),
    });
    cleanup.push(() => app.close());
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}`;

    const purge = setInterval(() => {
      const n = store.purgeFinished(Date.now() - config.retentionS * 1000);
      if (n > 0) log.info({ purged: n }, 'finished jobs past retention deleted');
    }, PURGE_INTERVAL_MS);
    purge.unref();
    cleanup.push(() => clearInterval(purge));

    d.pump();
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

    let shuttingDown: Promise<{ finished: number; requeued: number }> | null = null;
    return {
      url,
      shutdown(drainTimeoutS = config.drainTimeoutS) {
        // A second call with 0 cuts a drain in progress short.
        if (shuttingDown && drainTimeoutS === 0) d.abortAll();
        shuttingDown ??= (async () => {
          notReady = 'draining';
          log.info({ drainTimeoutS, running: d.running }, 'draining: no new jobs; proofs in progress may finish');
          const outcome = await d.drain(drainTimeoutS * 1000);
          for (const id of [...waiters.keys()]) onJobEnd(id);
          notReady = 'closed';
          const left = store.counts();
          await undo();
          log.info({ ...outcome, queued: left.queued }, 'stopped; queued jobs stay in the data directory for the next start');
          return outcome;
        })();
        return shuttingDown;
      },
    };
  } catch (e) {
    await undo();
    throw e;
  }
}
