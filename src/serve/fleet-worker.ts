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
 *
 * GPU preference (gpu-preference.ts): every DEFER_CHECK_MS the worker reads the heartbeats and,
 * per circuit it takes but its GPU does not win, pauses its BullMQ Worker for that circuit while a
 * live, ready worker's GPU wins it (and resumes it when none is left, or when the circuit's oldest
 * waiting job has waited past --gpu-wait). A circuit is decided before its Worker first fetches.
 */
import { Queue, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Circuit } from './circuits.js';
import { jobErrorOf, ServeError, type JobError } from './errors.js';
import { LOOKAHEAD } from './dispatcher.js';
import { readWorkers } from './fleet.js';
import { deferral, type Deferral } from './gpu-preference.js';
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
  /** This worker's id in the heartbeats. */
  workerId: string;
  /** Circuits this worker's GPU wins (gpu-preference.ts); it never defers those. */
  gpuPreferred: ReadonlySet<string>;
  /** --gpu-wait: the longest a job of a deferred circuit waits before this worker takes it anyway (0: never defer). */
  gpuWaitS: number;
}

/**
 * Deferrals are re-decided this often: the beats they read are written every 5 s (BEAT_MS), and a
 * job waiting past --gpu-wait is taken within this much more.
 */
export const DEFER_CHECK_MS = 2000;

/**
 * Waiting jobs read per state for the oldest wait: the next ones BullMQ hands out. Reading every
 * waiting job (each a hash holding its input or witness) every DEFER_CHECK_MS would cost more than
 * the proofs on a long queue; a positive-priority job (LIFO, at the head) hides older ones deeper
 * only when more than this many wait ahead of them.
 */
const OLDEST_WINDOW = 32;

interface Active extends RunningJob {
  circuit: string;
  controller: AbortController;
}

export class FleetWorker {
  private readonly workers = new Map<string, Worker<FleetJobData, JobResult>>();
  /** Queue handles for reading waiting jobs' ages (deferred circuits only). */
  private readonly queues = new Map<string, Queue<FleetJobData, JobResult>>();
  /** Circuits left to GPU workers now, with those workers. */
  private readonly deferred = new Map<string, string[]>();
  /** Circuits whose BullMQ Worker has been started (a circuit deferred at start has none running). */
  private readonly running = new Set<string>();
  private deferTimer: NodeJS.Timeout | null = null;
  /** Set by drain and close: no deferral is changed after (a drain pauses every circuit). */
  private reviewsStopped = false;
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

  /** Circuits this worker leaves to GPU workers now, each with those workers (its heartbeat shows it). */
  deferring(): Record<string, string[]> {
    return Object.fromEntries(this.deferred);
  }

  async start(): Promise<void> {
    const lockMs = this.o.stallTimeoutS * 1000;
    for (const circuit of this.o.circuits.values()) {
      const w = new Worker<FleetJobData, JobResult>(queueNameOf(circuit.name), (job, token, signal) => this.process(job as FleetJob, token, signal), {
        connection: this.redis,
        prefix: BULL_PREFIX,
        // Started below, once the GPU preference has decided whether this circuit is deferred: a
        // Worker started first could take a job meant for a GPU worker.
        autorun: false,
        // One job beyond the proving slots: its witness is computed while they prove.
        concurrency: this.o.concurrency + LOOKAHEAD,
        lockDuration: lockMs,
        stalledInterval: lockMs,
        // A crash counts as a start: at most maxAttempts starts however they end.
        maxStalledCount: Math.max(0, this.o.maxAttempts - 1),
      });
      w.on('error', (e) => this.o.log.warn({ circuit: circuit.name, err: e.message }, 'queue connection error (reconnecting)'));
      w.on('completed', (job, result) => this.onCompleted(job as FleetJob, circuit, result));
      this.workers.set(circuit.name, w);
      if (!this.o.gpuPreferred.has(circuit.name)) this.o.metrics.deferredCircuits.set({ circuit: circuit.name }, 0);
    }
    this.subscriber = redisConnection(this.o.url, 'worker');
    this.subscriber.on('error', () => {});
    this.subscriber.on('message', (_c: string, id: string) => {
      const a = this.active.get(id);
      if (a) a.controller.abort(new ServeError('CANCELLED', 'cancelled by a client'));
    });
    await this.subscriber.subscribe(CANCEL_CHANNEL);
    await Promise.all([...this.workers.values()].map((w) => w.waitUntilReady()));
    await this.reviewDeferrals().catch((e: Error) => this.o.log.warn({ err: e.message }, 'could not read the fleet for the GPU preference; taking every circuit'));
    for (const [name, w] of this.workers) {
      if (this.deferred.has(name) || this.running.has(name)) continue;
      this.running.add(name);
      void w.run().catch((e: Error) => this.o.log.warn({ circuit: name, err: e.message }, 'queue worker stopped'));
    }
    this.scheduleReview();
  }

  /** The next review DEFER_CHECK_MS after this one ends (never two at once: a review waits out a Redis restart). */
  private scheduleReview(): void {
    if (this.reviewsStopped || this.o.gpuWaitS === 0) return;
    this.deferTimer = setTimeout(() => {
      this.reviewDeferrals()
        .catch((e: Error) => this.o.log.warn({ err: e.message }, 'GPU preference: could not read the fleet; keeping the current deferrals'))
        .finally(() => this.scheduleReview());
    }, DEFER_CHECK_MS);
    this.deferTimer.unref();
  }

  /** Decides, per circuit this worker's GPU does not win, whether to leave it to GPU workers now. */
  private async reviewDeferrals(): Promise<void> {
    if (this.o.gpuWaitS === 0 || this.reviewsStopped) return;
    const circuits = [...this.workers.keys()].filter((c) => !this.o.gpuPreferred.has(c));
    if (circuits.length === 0) return;
    const workers = await readWorkers(this.redis);
    for (const circuit of circuits) {
      const input = { circuit, self: this.o.workerId, selfPrefers: false, workers, oldestWaitMs: null, gpuWaitS: this.o.gpuWaitS };
      let d = deferral(input);
      // The queue is read only where a GPU worker would take the circuit.
      if (d.defer) d = deferral({ ...input, oldestWaitMs: await this.oldestWaitMs(circuit) });
      if (this.reviewsStopped) return;
      this.applyDeferral(circuit, d);
    }
  }

  private applyDeferral(circuit: string, d: Deferral): void {
    const w = this.workers.get(circuit) as Worker<FleetJobData, JobResult>;
    const was = this.deferred.get(circuit);
    if (d.defer) {
      this.deferred.set(circuit, d.to);
      if (was) return;
      this.o.metrics.deferredCircuits.set({ circuit }, 1);
      this.o.log.info({ circuit, to: d.to }, `deferring circuit ${circuit} to GPU workers ${d.to.join(', ')}`);
      // Jobs in progress go on (true: pause does not wait for them).
      if (this.running.has(circuit)) void w.pause(true).catch(() => {});
      return;
    }
    if (was) {
      this.deferred.delete(circuit);
      this.o.metrics.deferredCircuits.set({ circuit }, 0);
      this.o.log.info({ circuit, reason: d.reason }, `taking circuit ${circuit} again: ${d.reason}`);
    }
    if (!this.running.has(circuit)) {
      this.running.add(circuit);
      void w.run().catch((e: Error) => this.o.log.warn({ circuit, err: e.message }, 'queue worker stopped'));
    } else if (was) {
      void w.resume();
    }
  }

  /** How long the circuit's oldest waiting job (of the next OLDEST_WINDOW per state) has waited, ms; null when none waits. */
  private async oldestWaitMs(circuit: string): Promise<number | null> {
    let q = this.queues.get(circuit);
    if (!q) {
      q = new Queue<FleetJobData, JobResult>(queueNameOf(circuit), { connection: this.redis, prefix: BULL_PREFIX });
      q.on('error', () => {});
      this.queues.set(circuit, q);
    }
    const ids = await q.getRanges(['wait', 'prioritized'], 0, OLDEST_WINDOW - 1, true);
    if (ids.length === 0) return null;
    // The add time alone (BullMQ's `timestamp` field of the job's hash): the job's data holds its witness.
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(q.toKey(id), 'timestamp');
    const stamps = ((await pipeline.exec()) ?? []).map(([, v]) => Number(v)).filter((t) => Number.isFinite(t) && t > 0);
    return stamps.length === 0 ? null : Date.now() - Math.min(...stamps);
  }

  private async process(job: FleetJob, token: string | undefined, bullSignal: AbortSignal | undefined): Promise<JobResult> {
    const { circuits, runner, board, ledger, keys, metrics, log } = this.o;
    const circuit = circuits.get(job.data.circuit) as Circuit;
    const record = recordOf(job, 'active');
    record.startedAt = Date.now();
    const jlog = log.child({ job: record.id, circuit: circuit.name, attempt: record.attempts });
    if (await board.isCancelled(record.id)) throw new UnrecoverableError('CANCELLED: cancelled by a client before it started');
    if (this.deferred.has(circuit.name) && token) {
      // A Worker paused while blocked waiting for a job still takes the one that wakes it
      // (BullMQ checks the pause before it blocks, not after): back to the head of the queue for
      // the GPU workers. It counts as a start in `attempts`, as a drained job does.
      await job.moveToWait(token);
      jlog.info({ status: 'queued', to: this.deferred.get(circuit.name) }, 'deferred to the GPU workers; back in the queue');
      throw new WaitingError();
    }

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
    this.stopReviews();
    for (const w of this.workers.values()) void w.pause(true).catch(() => {});
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

  private stopReviews(): void {
    this.reviewsStopped = true;
    if (this.deferTimer) clearTimeout(this.deferTimer);
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async close(): Promise<void> {
    this.stopReviews();
    for (const w of this.workers.values()) await w.close().catch(() => {});
    for (const q of this.queues.values()) await q.close().catch(() => {});
    if (this.subscriber) this.subscriber.disconnect();
    this.redis.disconnect();
  }
}
