/**
 * The embedded queue's claim loop: claims jobs in priority order while memory admits them, one
 * beyond the proving slots (its witness is computed while the proofs before it run), hands each to
 * the JobRunner (job-runner.ts: witness, proof, snarkjs's check) and stores the outcome. Every job has an AbortController: its timeout,
 * a client's cancel and the drain deadline abort it through the same signal, each with its own
 * reason, which decides where the job goes (failed PROOF_TIMEOUT, cancelled, back to queued).
 */
import type { Logger } from 'pino';
import type { Circuit } from './circuits.js';
import { jobErrorOf, ServeError, type JobError } from './errors.js';
import type { JobProgress, JobRunner, RunningJob } from './job-runner.js';
import type { KeyCache, MemoryLedger } from './memory.js';
import type { ServeMetrics } from './metrics.js';
import type { ClaimedJob, JobRecord, QueueStore } from './queue/store.js';

export type { JobProgress } from './job-runner.js';

/** Jobs claimed beyond the proving slots: their witnesses are computed while the slots prove. */
export const LOOKAHEAD = 1;

interface ActiveJob extends RunningJob {
  record: JobRecord;
  circuit: Circuit;
  controller: AbortController;
  admittedBytes: number;
}

export interface DispatcherOptions {
  store: QueueStore;
  runner: JobRunner;
  circuits: ReadonlyMap<string, Circuit>;
  keys: KeyCache;
  ledger: MemoryLedger;
  metrics: ServeMetrics;
  log: Logger;
  concurrency: number;
  /** Called after a job ends (done, failed, cancelled, or released back to the queue). */
  onJobEnd(id: string): void;
}

export class Dispatcher {
  private readonly active = new Map<string, ActiveJob>();
  private claiming = true;
  private pumpScheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: DispatcherOptions) {}

  get running(): number {
    return this.active.size;
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
    const { store, runner, metrics, log } = this.o;
    const controller = new AbortController();
    const job: ActiveJob = { record, circuit, controller, admittedBytes, progress: { stage: 'witness', done: 0, total: 1 }, proving: false };
    this.active.set(record.id, job);
    const jlog = log.child({ job: record.id, circuit: circuit.name, attempt: record.attempts });
    try {
      const result = await runner.execute(record, payload, circuit, controller, job, jlog);
      if (store.complete(record.id, record.attempts, result, Date.now())) {
        runner.logTotal(circuit.name, result.timings, jlog);
        metrics.proofs.inc({ circuit: circuit.name, status: 'done' });
        jlog.info({ status: 'done', ms: Math.round(result.timings.totalMs) }, 'job done');
      } else {
        jlog.info('job left the running state meanwhile (cancelled); result dropped');
      }
    } catch (e) {
      this.onError(record, circuit, controller.signal, e, jlog);
    } finally {
      this.active.delete(record.id);
      this.o.ledger.release(admittedBytes);
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
}
