/**
 * The fleet's queue: BullMQ on Redis, one BullMQ queue per circuit (`zkgpu-<circuit>`), so a worker
 * subscribes only to the circuits that fit its memory (fleet-worker.ts) and an autoscaler can read
 * each circuit's backlog from its wait list (`bull:zkgpu-<circuit>:wait`, deploy/k8s/keda.yaml).
 *
 * Everything a GET needs lives in Redis, so any API process answers for any job: the job's data,
 * its state (BullMQ's lists and sets), attemptsStarted, progress, its result (BullMQ's returnvalue)
 * or its failure (failedReason as "CODE: message"). A cancel leaves a record of its own
 * (`zkgpu:cancelled:<id>`, kept for the retention) and a message on `zkgpu:cancel` for the worker
 * running the job. Claims, locks, stalled-job detection and retries are BullMQ's.
 *
 * Priorities: BullMQ runs jobs without a priority before prioritized ones, lower numbers first, and
 * only the former sit in the wait list an autoscaler reads. So priority 0 (the default) goes to the
 * wait list in submission order; a positive priority goes to the wait list's head (LIFO: before
 * every priority-0 job, the latest first among them); a negative one becomes BullMQ priority -p
 * (after the wait list, -1 before -2).
 */
import { Queue, QueueEvents, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { JobError } from '../errors.js';
import { ServeError } from '../errors.js';
import type { JobProgress } from '../job-runner.js';
import { FINISHED, type JobBoard, type JobPayload, type JobRecord, type JobResult, type JobStatus, type NewJob, type QueueCounts } from './store.js';

/** BullMQ's default key prefix: the wait list of circuit C is `bull:zkgpu-C:wait`. */
export const BULL_PREFIX = 'bull';
export const CANCEL_CHANNEL = 'zkgpu:cancel';

export function queueNameOf(circuit: string): string {
  return `zkgpu-${circuit}`;
}

/** The Redis list that holds circuit `circuit`'s waiting jobs (what KEDA's redis trigger reads). */
export function waitListKeyOf(circuit: string): string {
  return `${BULL_PREFIX}:${queueNameOf(circuit)}:wait`;
}

const cancelKey = (id: string) => `zkgpu:cancelled:${id}`;

/** What a fleet job carries in Redis: a witness as base64 (BullMQ's data is JSON). */
export interface FleetJobData {
  circuit: string;
  priority: number;
  timeoutMs: number;
  createdAt: number;
  payload: { kind: 'input'; input: Record<string, unknown> } | { kind: 'witness'; wtnsBase64: string };
}

export type FleetJob = Job<FleetJobData, JobResult>;

/**
 * A connection to `url`. Workers' connections must have `maxRetriesPerRequest: null` (BullMQ
 * requires it: a blocking command must wait out a Redis restart, not fail). An API's fail after
 * ~3 s of reconnecting so a POST answers 503 rather than hang while Redis is away.
 */
export function redisConnection(url: string, purpose: 'api' | 'worker'): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: purpose === 'worker' ? null : 12,
    // Reconnect every 0.1-1 s, for ever: a restarted Redis is back within a second or two.
    retryStrategy: (times) => Math.min(100 * times, 1000),
    enableReadyCheck: true,
  });
}

export function payloadToData(p: JobPayload): FleetJobData['payload'] {
  return p.kind === 'input' ? p : { kind: 'witness', wtnsBase64: Buffer.from(p.wtns.buffer, p.wtns.byteOffset, p.wtns.byteLength).toString('base64') };
}

export function payloadOfData(d: FleetJobData['payload']): JobPayload {
  if (d.kind === 'input') return d;
  const b = Buffer.from(d.wtnsBase64, 'base64');
  return { kind: 'witness', wtns: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) };
}

/** BullMQ's failedReason as a job error: "CODE: message" as the workers throw it, else BullMQ's own words. */
export function errorOfReason(reason: string | undefined): JobError {
  const m = /^([A-Z][A-Z0-9_]+): ([\s\S]*)$/.exec(reason ?? '');
  if (m) return { code: m[1], message: m[2] };
  if (reason && /stalled more than allowable limit/.test(reason)) {
    return { code: 'INTERRUPTED', message: `the workers running this job stopped answering (killed or lost) too many times; not retried again (${reason})` };
  }
  return { code: 'PROVER_ERROR', message: reason || 'failed without a reason' };
}

/** BullMQ's state as the service's status (a failed attempt with retries left is back in a waiting state). */
function statusOf(state: string): JobStatus {
  switch (state) {
    case 'active':
      return 'running';
    case 'completed':
      return 'done';
    case 'failed':
      return 'failed';
    default:
      return 'queued';
  }
}

export function recordOf(job: FleetJob, state: string): JobRecord {
  const status = statusOf(state);
  const error = status === 'failed' ? errorOfReason(job.failedReason) : null;
  return {
    id: job.id as string,
    circuit: job.data.circuit,
    status: error?.code === 'CANCELLED' ? 'cancelled' : status,
    priority: job.data.priority,
    timeoutMs: job.data.timeoutMs,
    attempts: job.attemptsStarted,
    createdAt: job.data.createdAt,
    startedAt: status === 'queued' ? null : (job.processedOn ?? null),
    finishedAt: FINISHED.has(status) ? (job.finishedOn ?? null) : null,
    result: status === 'done' ? job.returnvalue : null,
    error,
  };
}

export interface RedisQueueOptions {
  url: string;
  circuits: readonly string[];
  /** Starts of one job (crashes and retryable failures) before it ends failed. */
  maxAttempts: number;
  /** Finished jobs (and cancel records) are deleted this long after they end. */
  retentionS: number;
}

/** The API side of the fleet's queue: submit, look up, cancel, count, wait for an end. */
export class RedisQueueStore implements JobBoard {
  readonly redis: Redis;
  private readonly queues = new Map<string, Queue<FleetJobData, JobResult>>();
  private events: QueueEvents[] = [];
  private readonly eventConnections: Redis[] = [];
  private subscriber: Redis | null = null;
  private readonly nudges = new Map<string, Set<() => void>>();

  constructor(private readonly o: RedisQueueOptions) {
    this.redis = redisConnection(o.url, 'api');
    // ioredis reports every failed reconnect as an 'error'; the readiness check says when Redis is away.
    this.redis.on('error', () => {});
    for (const c of o.circuits) {
      const q = new Queue<FleetJobData, JobResult>(queueNameOf(c), { connection: this.redis, prefix: BULL_PREFIX });
      q.on('error', () => {});
      this.queues.set(c, q);
    }
  }

  /** Wakes long polls as jobs end anywhere in the fleet (BullMQ's events stream, and cancels). */
  async listen(): Promise<void> {
    for (const c of this.o.circuits) {
      // Its own connection (a blocking XREAD), closed in close(): BullMQ leaves a given connection open.
      const connection = redisConnection(this.o.url, 'worker');
      connection.on('error', () => {});
      this.eventConnections.push(connection);
      const ev = new QueueEvents(queueNameOf(c), { connection, prefix: BULL_PREFIX });
      ev.on('error', () => {});
      ev.on('completed', ({ jobId }) => this.nudge(jobId));
      ev.on('failed', ({ jobId }) => this.nudge(jobId));
      this.events.push(ev);
    }
    this.subscriber = redisConnection(this.o.url, 'worker');
    this.subscriber.on('error', () => {});
    this.subscriber.on('message', (_channel: string, id: string) => this.nudge(id));
    await this.subscriber.subscribe(CANCEL_CHANNEL);
  }

  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  private queueOf(circuit: string): Queue<FleetJobData, JobResult> {
    const q = this.queues.get(circuit);
    if (!q) throw new ServeError('UNKNOWN_CIRCUIT', `circuit "${circuit}" has no queue on this server`);
    return q;
  }

  /** Redis away: the job was not accepted (503, retry). */
  private unavailable(e: unknown): ServeError {
    return new ServeError('QUEUE_UNAVAILABLE', `the queue (Redis) is not reachable: ${(e as Error).message}; nothing was accepted, retry`, { cause: e, retryAfterS: 2 });
  }

  async enqueue(job: NewJob, now: number): Promise<JobRecord> {
    const opts: JobsOptions = {
      jobId: job.id,
      attempts: this.o.maxAttempts,
      backoff: { type: 'fixed', delay: 500 },
      removeOnComplete: { age: this.o.retentionS },
      removeOnFail: { age: this.o.retentionS },
    };
    if (job.priority > 0) opts.lifo = true;
    else if (job.priority < 0) opts.priority = -job.priority;
    const data: FleetJobData = { circuit: job.circuit, priority: job.priority, timeoutMs: job.timeoutMs, createdAt: now, payload: payloadToData(job.payload) };
    try {
      // The add returns once Redis has the job (and its AOF, with appendfsync always: docs/fleet.md).
      await this.queueOf(job.circuit).add('prove', data, opts);
    } catch (e) {
      throw this.unavailable(e);
    }
    return {
      id: job.id,
      circuit: job.circuit,
      status: 'queued',
      priority: job.priority,
      timeoutMs: job.timeoutMs,
      attempts: 0,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      result: null,
      error: null,
    };
  }

  /** The job and its BullMQ state, looked up in every circuit's queue (ids carry no circuit). */
  private async find(id: string): Promise<{ job: FleetJob; state: string } | null> {
    const queues = [...this.queues.values()];
    const found = await Promise.all(queues.map((q) => q.getJob(id)));
    const at = found.findIndex((j) => j !== undefined);
    if (at < 0) return null;
    const job = found[at] as FleetJob;
    const state = await job.getState();
    // The job's fields are read before its state: a job that ended in between reads 'completed'
    // without its result (a GET answered "done" with no proof: CI caught it once). Its fields are
    // final once it has ended, so one more read has them.
    if ((state === 'completed' || state === 'failed') && job.finishedOn === undefined) {
      const ended = (await queues[at].getJob(id)) as FleetJob | undefined;
      if (ended) return { job: ended, state };
    }
    return { job, state };
  }

  async get(id: string): Promise<JobRecord | null> {
    try {
      const cancelled = await this.redis.get(cancelKey(id));
      if (cancelled) return JSON.parse(cancelled) as JobRecord;
      const f = await this.find(id);
      if (!f) return null;
      return recordOf(f.job, f.state);
    } catch (e) {
      if (e instanceof ServeError) throw e;
      throw this.unavailable(e);
    }
  }

  /** The progress the worker running job `id` last wrote (per stage), or null. */
  async progressOf(id: string): Promise<JobProgress | null> {
    const f = await this.find(id).catch(() => null);
    const p = f?.job.progress;
    return p && typeof p === 'object' ? (p as unknown as JobProgress) : null;
  }

  async isCancelled(id: string): Promise<boolean> {
    return (await this.redis.exists(cancelKey(id))) === 1;
  }

  /**
   * Cancels a queued or running job: its cancel record first (GET shows `cancelled` from then on,
   * on every API), then a waiting job is removed and a running one's worker is told to abort.
   */
  async cancel(id: string, now: number): Promise<JobRecord | null> {
    const current = await this.get(id);
    if (!current || FINISHED.has(current.status)) return current;
    const record: JobRecord = { ...current, status: 'cancelled', finishedAt: now, result: null, error: { code: 'CANCELLED', message: 'cancelled by a client (DELETE)' } };
    await this.redis.set(cancelKey(id), JSON.stringify(record), 'EX', Math.ceil(this.o.retentionS));
    const f = await this.find(id);
    if (f && f.state !== 'active') {
      // A job taken up meanwhile is locked: its worker reads the cancel record before proving.
      await f.job.remove().catch(() => {});
    }
    await this.redis.publish(CANCEL_CHANNEL, id);
    return record;
  }

  async counts(): Promise<QueueCounts> {
    const out: QueueCounts = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
    for (const q of this.queues.values()) {
      const c = await q.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
      out.queued += (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0);
      out.running += c.active ?? 0;
      out.done += c.completed ?? 0;
      out.failed += c.failed ?? 0;
    }
    return out;
  }

  /** Queued jobs per circuit. */
  async queuedByCircuit(): Promise<Map<string, { queued: number; running: number }>> {
    const out = new Map<string, { queued: number; running: number }>();
    for (const [circuit, q] of this.queues) {
      const c = await q.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
      out.set(circuit, { queued: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0), running: c.active ?? 0 });
    }
    return out;
  }

  async queuedCount(): Promise<number> {
    try {
      return (await this.counts()).queued;
    } catch (e) {
      throw this.unavailable(e);
    }
  }

  private nudge(id: string): void {
    const set = this.nudges.get(id);
    if (!set) return;
    this.nudges.delete(id);
    for (const w of set) w();
  }

  /**
   * Resolves when job `id` ends (anywhere in the fleet), `ms` pass or `signal` aborts. Events wake
   * it; a look every 2 s covers an event missed while Redis restarted.
   */
  async waitForEnd(id: string, ms: number, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + ms;
    while (!signal.aborted && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        let set = this.nudges.get(id);
        if (!set) this.nudges.set(id, (set = new Set()));
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          set?.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(2000, Math.max(0, deadline - Date.now())));
        signal.addEventListener('abort', done, { once: true });
        set.add(done);
      });
      const r = await this.get(id).catch(() => null);
      if (!r || FINISHED.has(r.status)) return;
    }
  }

  /** Wakes every long poll (shutdown). */
  wakeAll(): void {
    for (const id of [...this.nudges.keys()]) this.nudge(id);
  }

  async close(): Promise<void> {
    this.wakeAll();
    for (const ev of this.events) await ev.close().catch(() => {});
    for (const c of this.eventConnections) c.disconnect();
    for (const q of this.queues.values()) await q.close().catch(() => {});
    if (this.subscriber) this.subscriber.disconnect();
    this.redis.disconnect();
  }
}
