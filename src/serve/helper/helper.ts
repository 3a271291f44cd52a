/**
 * The host side of the helper thread: a FIFO of requests sent one at a time, so that aborting the
 * request in progress (a job's timeout or cancel during its witness) can end the thread (wasm
 * cannot be interrupted) and start a fresh one without failing anyone else's request. A thread that
 * dies fails only the request it was running; the next one starts a new thread.
 */
import { Worker } from 'node:worker_threads';
import { ServeError } from '../errors.js';
import type { HelperRequest, HelperResponse } from './protocol.js';

type Body<R> = R extends unknown ? Omit<R, 'id'> : never;
type RequestBody = Body<HelperRequest>;
type Ok = Extract<HelperResponse, { ok: true }>;

interface Pending {
  body: RequestBody;
  signal?: AbortSignal;
  resolve(r: Ok): void;
  reject(e: unknown): void;
}

/** From the TypeScript sources (tsx, vitest) the thread is TypeScript too: registered through tsx. */
const fromSources = import.meta.url.endsWith('.ts');

/**
 * FRAGILE (web-worker internals): snarkjs pulls in ffjavascript, which imports the `web-worker`
 * package; loaded in any thread but the main one, that package assumes it started the thread and
 * imports `workerData.mod` as its script (without it: a TypeError, or a logged require(undefined)).
 * An empty data: module keeps it quiet and harmless.
 */
const WEB_WORKER_FIELDS = { mod: 'data:text/javascript,', type: 'module', name: 'zkgpu-serve-helper' };

function spawnThread(): Worker {
  const entry = new URL(/* @vite-ignore */ `./worker.${fromSources ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSources) return new Worker(entry, { name: 'zkgpu-serve-helper', workerData: WEB_WORKER_FIELDS });
  // Node 20 ignores `--import tsx` in a worker's execArgv: register tsx's loader in the thread first.
  const bootstrap = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((m) => { m.register(); return import(workerData.entry); });`;
  return new Worker(bootstrap, {
    eval: true,
    name: 'zkgpu-serve-helper',
    workerData: { ...WEB_WORKER_FIELDS, entry: entry.href, tsx: import.meta.resolve('tsx/esm/api') },
  });
}

export class Helper {
  private worker: Worker | null = null;
  private readonly queue: Pending[] = [];
  private current: (Pending & { id: number; onAbort?: () => void }) | null = null;
  private nextId = 1;
  private closed = false;
  /** Sent to every new thread before anything else. */
  private readonly loads: RequestBody[] = [];
  /** Threads started (the first included): a figure for logs and tests. */
  spawned = 0;

  /** Registers a circuit with every thread, now and after any restart. */
  load(circuit: string, wasm: Uint8Array | null, vkey: unknown): Promise<void> {
    const body: RequestBody = { op: 'load', circuit, wasm, vkey };
    this.loads.push(body);
    return this.run(body).then(() => undefined);
  }

  async witness(circuit: string, input: Record<string, unknown>, signal?: AbortSignal): Promise<{ wtns: Uint8Array; ms: number }> {
    const r = await this.run({ op: 'witness', circuit, input }, signal);
    return { wtns: r.wtns as Uint8Array, ms: r.ms };
  }

  async verify(circuit: string, proof: unknown, publicSignals: string[], signal?: AbortSignal): Promise<{ valid: boolean; ms: number }> {
    const r = await this.run({ op: 'verify', circuit, proof, publicSignals }, signal);
    return { valid: r.valid === true, ms: r.ms };
  }

  private run(body: RequestBody, signal?: AbortSignal): Promise<Ok> {
    if (this.closed) return Promise.reject(new ServeError('DRAINING', 'the helper thread is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Ok>((resolve, reject) => {
      const p: Pending = { body, signal, resolve, reject };
      this.queue.push(p);
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.queue.indexOf(p);
          if (i >= 0) {
            this.queue.splice(i, 1);
            reject(signal.reason);
          }
        },
        { once: true },
      );
      this.pump();
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = spawnThread();
    const respawn = this.spawned > 0;
    this.spawned++;
    w.on('message', (res: HelperResponse) => this.onMessage(w, res));
    w.on('error', (e) => this.onExit(w, `the helper thread failed: ${e instanceof Error ? e.message : String(e)}`));
    w.on('exit', (code) => this.onExit(w, `the helper thread exited with code ${code}`));
    this.worker = w;
    // A replacement thread knows no circuit: the loads go ahead of the queue, as fire-and-forget
    // requests (the first thread gets each load as load() queues it).
    if (respawn) for (const body of this.loads) w.postMessage({ ...body, id: 0 });
    return w;
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const next = this.queue.shift();
    if (!next) {
      // An idle helper must not keep the process alive.
      this.worker?.unref();
      return;
    }
    const w = this.ensureWorker();
    w.ref();
    const id = this.nextId++;
    const current: Pending & { id: number; onAbort?: () => void } = { ...next, id };
    this.current = current;
    if (next.signal) {
      current.onAbort = () => {
        if (this.current !== current) return;
        this.current = null;
        next.reject(next.signal?.reason);
        this.kill();
        this.pump();
      };
      next.signal.addEventListener('abort', current.onAbort, { once: true });
    }
    w.postMessage({ ...next.body, id });
  }

  private onMessage(w: Worker, res: HelperResponse): void {
    if (w !== this.worker || res.id === 0) {
      if (res.id === 0 && !res.ok) this.onExit(w, `loading a circuit into the helper thread failed: ${res.error.message}`);
      return;
    }
    const c = this.current;
    if (!c || c.id !== res.id) return;
    this.current = null;
    if (c.onAbort) c.signal?.removeEventListener('abort', c.onAbort);
    if (res.ok) c.resolve(res);
    else c.reject(new ServeError(res.error.code as never, res.error.message));
    this.pump();
  }

  private onExit(w: Worker, reason: string): void {
    if (w !== this.worker) return;
    this.worker = null;
    const c = this.current;
    this.current = null;
    if (c) {
      if (c.onAbort) c.signal?.removeEventListener('abort', c.onAbort);
      c.reject(new ServeError('PROVER_ERROR', reason));
    }
    this.pump();
  }

  private kill(): void {
    const w = this.worker;
    this.worker = null;
    void w?.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new ServeError('DRAINING', 'the server is shutting down'));
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }
}
