/**
 * The job queue behind the service, as a small interface: the embedded SQLite store implements it
 * (sqlite.ts). The Redis/BullMQ adapter of a fleet (redis.ts) implements JobBoard, the part the
 * HTTP routes use; its claims, locks, stalled-job checks and retries are BullMQ's own.
 *
 * State machine (every transition is one atomic store call):
 *
 *   queued --claim--> running --complete--> done
 *     |                 |  \----fail------> failed
 *     |                 |  \----release---> queued      (drain: not started, or aborted at the drain deadline)
 *     |                 \-------cancel----> cancelled
 *     \------cancel---------------------->  cancelled
 *   running --recoverInterrupted--> queued  (the process died mid-job), or failed INTERRUPTED once
 *                                          the job has been started maxAttempts times
 *
 * `attempts` counts claims. complete/fail/release take the attempt they belong to and apply only
 * while the job is still running that attempt: a cancelled job, or one re-claimed after a crash,
 * is never finished twice by a late result (a job ends `done` exactly once).
 */
import type { JobError } from '../errors.js';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export const FINISHED: ReadonlySet<JobStatus> = new Set(['done', 'failed', 'cancelled']);

/** What the client sent for the witness: an input object (witness computed here) or .wtns bytes. */
export type JobPayload = { kind: 'input'; input: Record<string, unknown> } | { kind: 'witness'; wtns: Uint8Array };

export interface NewJob {
  id: string;
  circuit: string;
  payload: JobPayload;
  /** Higher runs first; equal priorities run in submission order. */
  priority: number;
  /** Limit on the job's run time (witness, proof and check), from its start. */
  timeoutMs: number;
}

/** Milliseconds per stage; `stages` holds the prover's own (readKey, qap, msmA, ...). */
export interface JobTimings {
  queuedMs: number;
  witnessMs: number;
  proveMs: number;
  verifyMs: number;
  totalMs: number;
  stages: Record<string, number>;
}

export interface JobResult {
  proof: unknown;
  publicSignals: string[];
  timings: JobTimings;
}

export interface JobRecord {
  id: string;
  circuit: string;
  status: JobStatus;
  priority: number;
  timeoutMs: number;
  attempts: number;
  /** Epoch milliseconds. */
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  result: JobResult | null;
  error: JobError | null;
}

/** A claimed job: its record and the payload to prove. */
export interface ClaimedJob {
  record: JobRecord;
  payload: JobPayload;
}

export interface QueueCounts {
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
}

/** The next queued job, without claiming it (admission looks at its circuit first). */
export interface QueuedHead {
  id: string;
  circuit: string;
}

export type Awaitable<T> = T | Promise<T>;

/**
 * What the HTTP side needs of a queue, whatever holds it: the embedded store answers at once, the
 * Redis one (redis.ts) over the network. The claim side differs by nature: the embedded dispatcher
 * claims through QueueStore below; in a fleet, BullMQ's workers claim, lock and retry.
 */
export interface JobBoard {
  /** Stores a new queued job durably: when it resolves, the job survives a crash. */
  enqueue(job: NewJob, now: number): Awaitable<JobRecord>;
  get(id: string): Awaitable<JobRecord | null>;
  counts(): Awaitable<QueueCounts>;
  /** Jobs queued now (checked on every submission against the queue limit). */
  queuedCount(): Awaitable<number>;
  close(): Awaitable<void>;
}

export interface QueueStore extends JobBoard {
  /** Stores a new queued job durably: when it returns, the job survives a crash. */
  enqueue(job: NewJob, now: number): JobRecord;
  /** The job that claimNext would take, or null when none is queued. */
  peek(): QueuedHead | null;
  /** Moves that queued job to running (attempts + 1); null when it is no longer queued. */
  claim(id: string, now: number): ClaimedJob | null;
  /** running (this attempt) -> done with the result; false when the job left that state meanwhile. */
  complete(id: string, attempt: number, result: JobResult, now: number): boolean;
  /** running (this attempt) -> failed. */
  fail(id: string, attempt: number, error: JobError, now: number): boolean;
  /** running (this attempt) -> queued again, keeping its place by priority and submission order. */
  release(id: string, attempt: number): boolean;
  /**
   * queued or running -> cancelled. Returns the record after the call (its status says whether it
   * was cancelled or had already finished), or null for an unknown id.
   */
  cancel(id: string, now: number): JobRecord | null;
  get(id: string): JobRecord | null;
  /**
   * At start-up: every job left running by a process that died goes back to queued, except those
   * already started maxAttempts times, which fail with INTERRUPTED (a job that kills the server
   * every time must not do so forever). Returns how many went each way.
   */
  recoverInterrupted(maxAttempts: number, now: number): { requeued: number; failed: number };
  counts(): QueueCounts;
  /** Jobs queued now (checked on every submission against the queue limit). */
  queuedCount(): number;
  /** Deletes finished jobs that ended before `before` (epoch ms); returns how many. */
  purgeFinished(before: number): number;
  close(): void;
}
