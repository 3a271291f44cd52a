/**
 * Pieces both assemblies share (server.ts: one machine on the embedded queue; fleet-server.ts: a
 * role of a fleet on Redis): the prover side (Runtime, helper thread, circuits, memory ledger, key
 * cache), long-poll waiters, and the listening HTTP server.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createRuntime, groth16, type HardwareReport, type Runtime } from '../index.js';
import { circuitTooLarge, registerCircuit, releaseSnarkjsCurves, type Circuit } from './circuits.js';
import type { ServeConfig } from './config.js';
import type { ServeError } from './errors.js';
import { Helper } from './helper/helper.js';
import { KeyCache, MemoryLedger } from './memory.js';

export type Cleanup = (() => Promise<void> | void)[];

export interface ProverParts {
  runtime: Runtime;
  hardware: HardwareReport;
  helper: Helper;
  /** Circuits this process proves. */
  circuits: Map<string, Circuit>;
  /** Circuits registered but too large for this process's budget (a fleet worker leaves them to others). */
  refused: Map<string, ServeError>;
  ledger: MemoryLedger;
  keys: KeyCache;
  budget: number;
  /** The process's own memory at start (runtime, workers, helper): proofs and keys share the rest of the budget. */
  fixedBytes: number;
}

/**
 * The Runtime, the helper thread and the circuits. `tooLarge: 'refuse'` (one server) fails the
 * start on a circuit that can never fit; `'skip'` (a fleet worker) leaves it out and says why.
 */
export async function startProver(config: ServeConfig, log: Logger, cleanup: Cleanup, tooLarge: 'refuse' | 'skip'): Promise<ProverParts> {
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
  const refused = new Map<string, ServeError>();
  for (const spec of config.circuits) {
    const c = await registerCircuit(spec, tooLarge === 'refuse' ? available : Number.POSITIVE_INFINITY, hardware.memory.source);
    const why = circuitTooLarge(c, available, hardware.memory.source);
    if (why) {
      refused.set(c.name, why);
      log.warn({ circuit: c.name, code: why.code }, `not taking this circuit's jobs: ${why.message}`);
      continue;
    }
    circuits.set(c.name, c);
    await helper.load(c.name, c.wasm, c.vkey);
    log.info(
      { circuit: c.name, curve: c.header.curve, nVars: c.header.nVars, domain: c.header.domainSize, takesInput: c.wasm !== null, proofBytes: c.proofBytes, keyBytes: c.keyBytes },
      'circuit registered',
    );
  }
  await releaseSnarkjsCurves(circuits.values());
  const keys = new KeyCache(config.keyCacheBytes ?? Math.floor(budget / 4), (bytes) => ledger.setCached(bytes));
  // Keys loaded now, in registration order while they fit: the first proofs need not read them.
  for (const c of circuits.values()) {
    if (keys.size + c.keyBytes > keys.budgetBytes) continue;
    keys.put(c.name, await groth16.prover(c.zkeyPath));
  }
  return { runtime, hardware, helper, circuits, refused, ledger, keys, budget, fixedBytes };
}

/** Long-poll waiters by job id: `wake(id)` resolves everyone waiting on it. */
export class Waiters {
  private readonly byId = new Map<string, Set<() => void>>();

  wake(id: string): void {
    const set = this.byId.get(id);
    if (!set) return;
    this.byId.delete(id);
    for (const w of set) w();
  }

  wakeAll(): void {
    for (const id of [...this.byId.keys()]) this.wake(id);
  }

  /** Resolves when `wake(id)` is called, `ms` pass or `signal` aborts. */
  wait(id: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      let set = this.byId.get(id);
      if (!set) this.byId.set(id, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        set?.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }
}

/** Listens and returns http://host:port as bound (port 0 gives the port the OS chose). */
export async function listen(app: FastifyInstance, config: ServeConfig): Promise<string> {
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${port}`;
}

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
