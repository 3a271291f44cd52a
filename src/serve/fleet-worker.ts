/**
 * A fleet worker: one BullMQ Worker per circuit that fits this machine (circuits too large for its
 * host budget are never subscribed to, so their jobs go to machines that can finish them), each
 * job run by the shared JobRunner within the memory ledger. BullMQ holds a lock on every job taken
 * and renews it while the process lives; a worker killed mid-proof stops renewing, and another
 * worker's stalled-job check puts the job back in the queue (after `stallTimeoutS`).
 *
 * Failures: a job's own fault (its input, its timeout) ends it at once; a fault that another
 * machine may not have (a crashed worker thread, a lost GPU, a proof that failed its check) is
 * retried, at most maxAttempts starts in all; the last cause is what the job ends with.
 */
import { UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Circuit } from './circuits.js';
import { jobErrorOf, ServeError, type JobError } from './errors.js';
import { LOOKAHEAD } from './dispatcher.js';
import type { JobRunner, RunningJob } from './job-runner.js';
import type { KeyCache, MemoryLedger } from './memory.js';
import type { ServeMetrics } from './metrics.js';
import { BULL_PREFIX, CANCEL_CHANNEL, payloadOfData, queueNameOf, recordOf, redisConnection, type FleetJob, type FleetJobData, type RedisQueueStore } from './queue/redis.js';
import type { JobResult } from './queue/store.js';

/** Codes of faults in the job itself: the same job fails the same way on every machine. */
const JOB_FAULTS = new Set([
  'INPUT_INVALID',
  'WITNESS_INVALID',
  'WITNESS_MISMATCH',
  'PROOF_TIMEOUT',
  'UNKNOWN_CIRCUIT',
  'FILE_FORMAT',
  'PROTOCOL_MISMATCH',
  'CANCELLED',
  'INVALID_ARGUMENT',
]);

/** Whether a job that failed with `code` after `started` starts is tried again (on any worker). */
export function retryJob(code: string, started: number, maxAttempts: number): boolean {
  return !JOB_FAULTS.has(code) && started < maxAttempts;
}

export interface FleetWorkerOptions {
  url: string;
  circuits: ReadonlyMap<string, Circuit>;
  runner: JobRunner;
  board: RedisQueueStore;
  keys: KeyCache;
  ledger: MemoryLedger;
  metrics: ServeMetrics;
  log: Logger;
  concurrency: number;
  maxAttempts: number;
  stallTimeoutS: number;
}

interface Active extends RunningJob {
  circuit: string;
  controller: AbortController;
}

export class FleetWorker {
  private readonly workers: Worker<FleetJobData, JobResult>[] = [];
  private readonly active = new Map<string, Active>();
  private readonly redis;
  private subscriber: ReturnType<typeof redisConnection> | null = null;
  proofsDone = 0;
  proofsFailed = 0;
  readonly perCircuit = new Map<string, { done: number; seconds: number }>();
  private draining = false;

  constructor(private readonly o: FleetWorkerOptions) {
    this.redis = redisConnection(o.url, 'worker');
    this.redis.on('error', () => {});
  }

  /** Whether every BullMQ connection of this worker is up. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  current(): { id: string; circuit: string; stage: string }[] {
    return [...this.active].map(([id, a]) => ({ id, circuit: a.circuit, stage: a.progress.stage }));
  }

  async start(): Promise<void> {
    const lockMs = this.o.stallTimeoutS * 1000;
    for (const circuit of this.o.circuits.values()) {
      const w = new Worker<FleetJobData, JobResult>(queueNameOf(circuit.name), (job, token, signal) => this.process(job as FleetJob, token, signal), {
        connection: this.redis,
        prefix: BULL_PREFIX,
        // One job beyond the proving slots: its witness is computed while they prove.
        concurrency: this.o.concurrency + LOOKAHEAD,
        lockDuration: lockMs,
        stalledInterval: lockMs,
        // A crash counts as a start: at most maxAttempts starts however they end.
        maxStalledCount: Math.max(0, this.o.maxAttempts - 1),
      });
      w.on('error', (e) => this.o.log.warn({ circuit: circuit.name, err: e.message }, 'queue connection error (reconnecting)'));
      w.on('completed', (job, result) => this.onCompleted(job as FleetJob, circuit, result));
      this.workers.push(w);
    }
    this.subscriber = redisConnection(this.o.url, 'worker');
    this.subscriber.on('error', () => {});
    this.subscriber.on('message', (_c: string, id: string) => {
      const a = this.active.get(id);
      if (a) a.controller.abort(new ServeError('CANCELLED', 'cancelled by a client'));
    });
    await this.subscriber.subscribe(CANCEL_CHANNEL);
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  private async process(job: FleetJob, token: string | undefined, bullSignal: AbortSignal | undefined): Promise<JobResult> {
    const { circuits, runner, board, ledger, keys, metrics, log } = this.o;
    const circuit = circuits.get(job.data.circuit) as Circuit;
    const record = recordOf(job, 'active');
    record.startedAt = Date.now();
    const jlog = log.child({ job: record.id, circuit: circuit.name, attempt: record.attempts });
    if (await board.isCancelled(record.id)) throw new UnrecoverableError('CANCELLED: cancelled by a client before it started');

    const controller = new AbortController();
    bullSignal?.addEventListener(
      'abort',
      () => controller.abort(bullSignal.reason instanceof ServeError ? bullSignal.reason : new ServeError('DRAINING', 'stopped by the worker')),
      { once: true },
    );
    const active: Active = { circuit: circuit.name, controller, progress: { stage: 'admission', done: 0, total: 1 }, proving: false };
    this.active.set(record.id, active);
    let admitted = 0;
    let lastStage = '';
    const progressTimer = setInterval(() => {
      if (active.progress.stage === lastStage) return;
      lastStage = active.progress.stage;
      void job.updateProgress({ ...active.progress }).catch(() => {});
    }, 250);
    try {
      admitted = await this.admit(circuit, controller.signal, ledger, keys);
      const result = await runner.execute(record, payloadOfData(job.data.payload), circuit, controller, active, jlog);
      if (await board.isCancelled(record.id)) throw new ServeError('CANCELLED', 'cancelled by a client');
      // Counted and logged once BullMQ has stored it (onCompleted): a worker that lost its lock
      // meanwhile (its job re-run elsewhere) has its result refused and must not count it.
      return result;
    } catch (e) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : null;
      if (reason instanceof ServeError && reason.code === 'DRAINING' && token) {
        // Back to the queue without a failed attempt: another worker (or this one restarted) runs it.
        await job.moveToWait(token);
        jlog.warn({ status: 'queued' }, 'stopped by the drain deadline; back in the queue');
        throw new WaitingError();
      }
      const error: JobError = reason instanceof ServeError ? jobErrorOf(reason) : e instanceof ServeError && e.code === 'CANCELLED' ? jobErrorOf(e) : jobErrorOf(e);
      if (error.code === 'CANCELLED') {
        jlog.info({ status: 'cancelled' }, 'job cancelled');
        throw new UnrecoverableError(`CANCELLED: ${error.message}`);
      }
      const again = retryJob(error.code, job.attemptsStarted, this.o.maxAttempts);
      jlog.warn({ status: again ? 'queued' : 'failed', code: error.code, error: error.message }, again ? 'job attempt failed; retried (any worker)' : 'job failed');
      if (again) throw new Error(`${error.code}: ${error.message}`);
      metrics.proofs.inc({ circuit: circuit.name, status: 'failed' });
      this.proofsFailed++;
      throw new UnrecoverableError(`${error.code}: ${error.message}`);
    } finally {
      clearInterval(progressTimer);
      this.active.delete(record.id);
      if (admitted > 0) ledger.release(admitted);
    }
  }

  private onCompleted(job: FleetJob, circuit: Circuit, result: JobResult): void {
    const { runner, metrics, log } = this.o;
    const jlog = log.child({ job: job.id, circuit: circuit.name, attempt: job.attemptsStarted });
    runner.logTotal(circuit.name, result.timings, jlog);
    metrics.proofs.inc({ circuit: circuit.name, status: 'done' });
    this.proofsDone++;
    const pc = this.perCircuit.get(circuit.name) ?? { done: 0, seconds: 0 };
    pc.done++;
    pc.seconds += result.timings.totalMs / 1000;
    this.perCircuit.set(circuit.name, pc);
    jlog.info({ status: 'done', ms: Math.round(result.timings.totalMs) }, 'job done');
  }

  /** Waits until the job's memory fits the ledger (idle cached keys are dropped when nothing runs). */
  private async admit(circuit: Circuit, signal: AbortSignal, ledger: MemoryLedger, keys: KeyCache): Promise<number> {
    const bytes = circuit.proofBytes + (keys.has(circuit.name) ? 0 : circuit.keyBytes);
    for (;;) {
      if (signal.aborted) throw signal.reason;
      if (ledger.tryAdmit(bytes)) return bytes;
      if (this.active.size <= 1) {
        keys.evict(bytes - ledger.freeBytes, circuit.name);
        if (ledger.tryAdmit(bytes)) return bytes;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Takes no new job; proofs in progress get `timeoutMs` to finish, then are stopped and go back to
   * the queue (so do jobs not yet proving, at once).
   */
  async drain(timeoutMs: number): Promise<{ finished: number; requeued: number }> {
    this.draining = true;
    for (const w of this.workers) void w.pause(true).catch(() => {});
    let requeued = 0;
    for (const a of this.active.values()) {
      if (!a.proving) {
        a.controller.abort(new ServeError('DRAINING', 'the worker is draining'));
        requeued++;
      }
    }
    const proving = this.active.size - requeued;
    const deadline = Date.now() + timeoutMs;
    while (this.active.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    let stopped = 0;
    for (const a of this.active.values()) {
      a.controller.abort(new ServeError('DRAINING', 'the drain deadline passed'));
      stopped++;
    }
    while (this.active.size > 0) await new Promise((r) => setTimeout(r, 20));
    return { finished: proving - stopped, requeued: requeued + stopped };
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async close(): Promise<void> {
    for (const w of this.workers) await w.close().catch(() => {});
    if (this.subscriber) this.subscriber.disconnect();
    this.redis.disconnect();
  }
}
