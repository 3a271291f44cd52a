/**
 * Runs queued jobs on the one shared Runtime: claims them in priority order while memory admits
 * them, computes a witness on the helper thread while the proofs before it run (one job ahead of
 * the proving slots), proves with `concurrency` proofs at once, checks every proof with
 * snarkjs.groth16.verify, then stores the result. Every job has an AbortController: its timeout,
 * a client's cancel and the drain deadline abort it through the same signal, each with its own
 * reason, which decides where the job goes (failed PROOF_TIMEOUT, cancelled, back to queued).
 */
import type { Logger } from 'pino';
import { groth16, type Backend, type Groth16Progress, type Runtime } from '../index.js';
import type { Circuit } from './circuits.js';
import { jobErrorOf, ServeError, type JobError } from './errors.js';
import type { Helper } from './helper/helper.js';
import type { KeyCache, MemoryLedger } from './memory.js';
import type { ServeMetrics } from './metrics.js';
import type { ClaimedJob, JobRecord, JobTimings, QueueStore } from './queue/store.js';

/** Jobs claimed beyond the proving slots: their witnesses are computed while the slots prove. */
const LOOKAHEAD = 1;

export interface JobProgress {
  stage: string;
  done: number;
  total: number;
}

interface ActiveJob {
  record: JobRecord;
  circuit: Circuit;
  controller: AbortController;
  admittedBytes: number;
  progress: JobProgress;
  proving: boolean;
}

export interface DispatcherOptions {
  store: QueueStore;
  runtime: Runtime;
  helper: Helper;
  circuits: ReadonlyMap<string, Circuit>;
  keys: KeyCache;
  ledger: MemoryLedger;
  metrics: ServeMetrics;
  log: Logger;
  concurrency: number;
  backend: Backend;
  /** Called after a job ends (done, failed, cancelled, or released back to the queue). */
  onJobEnd(id: string): void;
}

/** A FIFO semaphore whose waits can be aborted. */
class Slots {
  private free: number;
  private readonly waiters: { resolve(): void; reject(e: unknown): void; signal: AbortSignal }[] = [];
  constructor(n: number) {
    this.free = n;
  }
  acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const w = { resolve, reject, signal };
      this.waiters.push(w);
      signal.addEventListener(
        'abort',
        () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) {
            this.waiters.splice(i, 1);
            reject(signal.reason);
          }
        },
        { once: true },
      );
    });
  }
  release(): void {
    const next = this.waiters.shift();
    if (next) next.resolve();
    else this.free++;
  }
}

export class Dispatcher {
  private readonly active = new Map<string, ActiveJob>();
  private readonly slots: Slots;
  private claiming = true;
  private pumpScheduled = false;
  private idleWaiters: (() => void)[] = [];
  /** Seconds with at least one job in progress, for the cost metric. */
  private busyMs = 0;
  private busySince: number | null = null;

  constructor(private readonly o: DispatcherOptions) {
    this.slots = new Slots(o.concurrency);
  }

  get running(): number {
    return this.active.size;
  }

  busySeconds(): number {
    const open = this.busySince === null ? 0 : performance.now() - this.busySince;
    return (this.busyMs + open) / 1000;
  }

  progressOf(id: string): JobProgress | null {
    return this.active.get(id)?.progress ?? null;
  }

  /** Looks for work on the next tick (coalesces bursts of submissions into one pass). */
  pump(): void {
    if (this.pumpScheduled || !this.claiming) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.claimWhileRoom();
    });
  }

  private claimWhileRoom(): void {
    const { store, circuits, keys, ledger, log } = this.o;
    while (this.claiming && this.active.size < this.o.concurrency + LOOKAHEAD) {
      const head = store.peek();
      if (!head) return;
      const circuit = circuits.get(head.circuit);
      if (!circuit) {
        // Queued under a circuit this server no longer registers (config changed across a restart).
        const claimed = store.claim(head.id, Date.now());
        if (claimed) this.finishFailed(claimed.record, null, { code: 'UNKNOWN_CIRCUIT', message: `circuit "${head.circuit}" is not registered on this server any more` });
        continue;
      }
      const bytes = circuit.proofBytes + (keys.has(circuit.name) ? 0 : circuit.keyBytes);
      if (!ledger.tryAdmit(bytes)) {
        // Nothing running and still no room: idle keys hold it; drop them rather than wait forever.
        if (this.active.size > 0) return;
        keys.evict(bytes - ledger.freeBytes, circuit.name);
        if (!ledger.tryAdmit(bytes)) {
          log.error({ circuit: circuit.name, bytes, free: ledger.freeBytes }, 'a job cannot be admitted even with nothing running; waiting');
          return;
        }
      }
      const claimed = store.claim(head.id, Date.now());
      if (!claimed) {
        ledger.release(bytes);
        continue;
      }
      void this.run(claimed, circuit, bytes);
    }
  }

  private async run(claimed: ClaimedJob, circuit: Circuit, admittedBytes: number): Promise<void> {
    const { record, payload } = claimed;
    const { store, helper, runtime, metrics, log } = this.o;
    const controller = new AbortController();
    const signal = controller.signal;
    const job: ActiveJob = { record, circuit, controller, admittedBytes, progress: { stage: 'witness', done: 0, total: 1 }, proving: false };
    this.active.set(record.id, job);
    this.busyStart();
    const jlog = log.child({ job: record.id, circuit: circuit.name, attempt: record.attempts });
    const started = performance.now();
    const queuedMs = Math.max(0, (record.startedAt ?? Date.now()) - record.createdAt);
    // The timeout counts the job's own work: the wait for a proving slot (behind other jobs) is not its time.
    let usedMs = 0;
    let timer: NodeJS.Timeout | null = null;
    let armedAt = 0;
    const arm = () => {
      armedAt = performance.now();
      timer = setTimeout(
        () => controller.abort(new ServeError('PROOF_TIMEOUT', `the job ran past its timeout of ${record.timeoutMs} ms (stage ${job.progress.stage})`)),
        Math.max(0, record.timeoutMs - usedMs),
      );
    };
    const disarm = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      usedMs += performance.now() - armedAt;
    };
    const stageLog = (stage: string, device: string, ms: number) => {
      jlog.info({ stage, device, ms: Math.round(ms * 10) / 10 }, 'stage');
      metrics.observe(circuit.name, stage, ms);
    };
    let slotHeld = false;
    arm();
    try {
      stageLog('queue', 'queue', queuedMs);
      let wtns: Uint8Array;
      let witnessMs = 0;
      if (payload.kind === 'input') {
        const w = await helper.witness(circuit.name, payload.input, signal);
        wtns = w.wtns;
        witnessMs = w.ms;
        stageLog('witness', 'helper thread', witnessMs);
      } else {
        wtns = payload.wtns;
      }
      disarm();
      job.progress = { stage: 'waiting for a prover slot', done: 0, total: 1 };
      await this.slots.acquire(signal);
      slotHeld = true;
      arm();
      job.proving = true;
      job.progress = { stage: 'readKey', done: 0, total: 1 };

      const key = await this.keyOf(circuit);
      const devices = new Map<string, string>();
      const proveStart = performance.now();
      const result = await groth16.prove(key, wtns, {
        runtime,
        backend: this.o.backend,
        signal,
        onProgress: (p: Groth16Progress) => {
          job.progress = { stage: p.stage, done: p.done, total: p.total };
        },
        onJobReport: (stage, report) => devices.set(stage, report.backend),
      });
      const proveMs = performance.now() - proveStart;
      this.slots.release();
      slotHeld = false;
      job.proving = false;
      const stages: Record<string, number> = {};
      for (const [stage, ms] of Object.entries(result.timings)) {
        if (stage === 'total' || typeof ms !== 'number') continue;
        stages[stage] = ms;
        stageLog(stage, devices.get(stage) ?? (stage === 'readKey' || stage === 'readWitness' ? 'host' : 'wasm'), ms);
      }
      stageLog('prove', runtime.gpu ? 'runtime (wasm + webgpu)' : 'runtime (wasm)', proveMs);

      job.progress = { stage: 'verify', done: 0, total: 1 };
      const check = await helper.verify(circuit.name, result.proof, result.publicSignals, signal);
      stageLog('verify', 'helper thread', check.ms);
      if (!check.valid) {
        throw new ServeError('PROOF_INVALID', `the proof did not pass snarkjs.groth16.verify with the circuit's verification key; it was not returned (a prover fault: report it)`);
      }
      disarm();
      const totalMs = performance.now() - started;
      const timings: JobTimings = { queuedMs, witnessMs, proveMs, verifyMs: check.ms, totalMs, stages };
      if (store.complete(record.id, record.attempts, { proof: result.proof, publicSignals: result.publicSignals, timings }, Date.now())) {
        stageLog('total', 'all', totalMs + queuedMs);
        metrics.proofs.inc({ circuit: circuit.name, status: 'done' });
        jlog.info({ status: 'done', ms: Math.round(totalMs) }, 'job done');
      } else {
        jlog.info('job left the running state meanwhile (cancelled); result dropped');
      }
    } catch (e) {
      if (timer) disarm();
      if (slotHeld) this.slots.release();
      this.onError(record, circuit, signal, e, jlog);
    } finally {
      if (timer) clearTimeout(timer);
      this.active.delete(record.id);
      this.o.ledger.release(admittedBytes);
      this.busyEnd();
      this.o.onJobEnd(record.id);
      if (this.active.size === 0) for (const w of this.idleWaiters.splice(0)) w();
      this.pump();
    }
  }

  private onError(record: JobRecord, circuit: Circuit, signal: AbortSignal, e: unknown, jlog: Logger): void {
    const reason: unknown = signal.aborted ? signal.reason : null;
    if (reason instanceof ServeError && reason.code === 'DRAINING') {
      const back = this.o.store.release(record.id, record.attempts);
      jlog.warn({ status: back ? 'queued' : 'unchanged' }, 'stopped by the drain deadline; back in the queue for the next start');
      return;
    }
    if (reason instanceof ServeError && reason.code === 'CANCELLED') {
      jlog.info({ status: 'cancelled' }, 'job cancelled while running');
      return;
    }
    const error = reason instanceof ServeError ? jobErrorOf(reason) : jobErrorOf(e);
    this.finishFailed(record, circuit, error, jlog);
  }

  private finishFailed(record: JobRecord, circuit: Circuit | null, error: JobError, jlog: Logger = this.o.log.child({ job: record.id, circuit: record.circuit })): void {
    if (this.o.store.fail(record.id, record.attempts, error, Date.now())) {
      this.o.metrics.proofs.inc({ circuit: circuit?.name ?? record.circuit, status: 'failed' });
      jlog.warn({ status: 'failed', code: error.code, error: error.message }, 'job failed');
    }
    if (!this.active.has(record.id)) this.o.onJobEnd(record.id);
  }

  /** The key's bytes from the cache, or read now and cached when the cache has room. */
  private async keyOf(circuit: Circuit): Promise<Uint8Array | string> {
    const cached = this.o.keys.get(circuit.name);
    if (cached) return cached;
    const { readFile } = await import('node:fs/promises');
    const bytes = new Uint8Array(await readFile(circuit.zkeyPath));
    // Too large for the cache: prove from the file (the prover reads it section by section).
    return this.o.keys.put(circuit.name, bytes) ? bytes : circuit.zkeyPath;
  }

  /** A client's DELETE: a queued job is cancelled in the store; a running one is also aborted. */
  cancel(id: string): JobRecord | null {
    const before = this.o.store.get(id);
    if (!before) return null;
    const after = this.o.store.cancel(id, Date.now());
    if (after && after.status === 'cancelled' && before.status !== 'cancelled') {
      this.o.metrics.proofs.inc({ circuit: after.circuit, status: 'cancelled' });
      const job = this.active.get(id);
      if (job) job.controller.abort(new ServeError('CANCELLED', 'cancelled by a client'));
      else this.o.onJobEnd(id);
    }
    return after;
  }

  /**
   * Stops claiming; jobs not yet proving go back to the queue at once, proofs in progress get
   * `timeoutMs` to finish, then are aborted and go back too. Resolves when nothing is active.
   */
  async drain(timeoutMs: number): Promise<{ finished: number; requeued: number }> {
    this.claiming = false;
    const draining = new ServeError('DRAINING', 'the server is draining');
    let requeued = 0;
    for (const job of this.active.values()) {
      if (!job.proving) {
        job.controller.abort(draining);
        requeued++;
      }
    }
    const proving = [...this.active.values()].filter((j) => j.proving).length;
    const idle = new Promise<void>((resolve) => (this.active.size === 0 ? resolve() : this.idleWaiters.push(resolve)));
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      idle.then(() => false),
      new Promise<boolean>((resolve) => {
        deadline = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(deadline);
    let stopped = 0;
    if (timedOut) {
      for (const job of this.active.values()) {
        job.controller.abort(draining);
        stopped++;
      }
      await idle;
    }
    return { finished: proving - stopped, requeued: requeued + stopped };
  }

  /** Aborts every active job as the drain deadline would (they go back to the queue). */
  abortAll(): void {
    const draining = new ServeError('DRAINING', 'the server is stopping now');
    for (const job of this.active.values()) job.controller.abort(draining);
  }

  private busyStart(): void {
    if (this.busySince === null) this.busySince = performance.now();
  }

  private busyEnd(): void {
    if (this.active.size > 0 || this.busySince === null) return;
    this.busyMs += performance.now() - this.busySince;
    this.busySince = null;
  }
}
