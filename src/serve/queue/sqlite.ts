/**
 * The embedded durable queue: one SQLite database (better-sqlite3) in the data directory.
 *
 * Durability: WAL journal with synchronous=FULL, so every enqueue and every state change is on
 * disk when the call returns (a SIGKILL or a power cut after a 202 loses nothing). Each call is
 * one statement or one transaction; better-sqlite3 is synchronous, so the calls never interleave
 * inside this process. A lock file keeps a second server off the same directory (two servers
 * recovering each other's running jobs would prove them twice).
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ServeError, type JobError } from '../errors.js';
import type { ClaimedJob, JobPayload, JobRecord, JobResult, JobStatus, NewJob, QueueCounts, QueuedHead, QueueStore } from './store.js';

const SCHEMA_VERSION = 1;

interface Row {
  id: string;
  circuit: string;
  status: JobStatus;
  priority: number;
  timeout_ms: number;
  attempts: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  result: string | null;
  error: string | null;
}

interface PayloadRow {
  payload_kind: 'input' | 'witness';
  input_json: string | null;
  wtns: Buffer | null;
}

const RECORD_COLUMNS = 'id, circuit, status, priority, timeout_ms, attempts, created_at, started_at, finished_at, result, error';

function toRecord(r: Row): JobRecord {
  return {
    id: r.id,
    circuit: r.circuit,
    status: r.status,
    priority: r.priority,
    timeoutMs: r.timeout_ms,
    attempts: r.attempts,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    result: r.result === null ? null : (JSON.parse(r.result) as JobResult),
    error: r.error === null ? null : (JSON.parse(r.error) as JobError),
  };
}

function toPayload(p: PayloadRow): JobPayload {
  if (p.payload_kind === 'input') return { kind: 'input', input: JSON.parse(p.input_json ?? '{}') as Record<string, unknown> };
  const b = p.wtns ?? Buffer.alloc(0);
  return { kind: 'witness', wtns: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) };
}

export class SqliteQueueStore implements QueueStore {
  private readonly db: Database.Database;
  private readonly lockPath: string;
  private readonly stmt: ReturnType<SqliteQueueStore['prepare']>;

  /** Opens (creating if needed) `dataDir/queue.sqlite`, holding `dataDir/server.lock` until close(). */
  static open(dataDir: string): SqliteQueueStore {
    mkdirSync(dataDir, { recursive: true });
    const lockPath = join(dataDir, 'server.lock');
    takeLock(lockPath);
    try {
      return new SqliteQueueStore(new Database(join(dataDir, 'queue.sqlite')), lockPath);
    } catch (e) {
      rmSync(lockPath, { force: true });
      throw e;
    }
  }

  private constructor(db: Database.Database, lockPath: string) {
    this.db = db;
    this.lockPath = lockPath;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new ServeError('CONFIG_INVALID', `the data directory's queue has schema version ${version}, newer than this zkgpu's ${SCHEMA_VERSION}: use the zkgpu that wrote it`);
    }
    db.exec(`
      CREATE TABLE IF NOT EXISTS jobs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        circuit TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        priority INTEGER NOT NULL,
        timeout_ms INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        payload_kind TEXT NOT NULL CHECK (payload_kind IN ('input', 'witness')),
        input_json TEXT,
        wtns BLOB,
        result TEXT,
        error TEXT
      );
      CREATE INDEX IF NOT EXISTS jobs_queued ON jobs (status, priority DESC, seq);
      CREATE INDEX IF NOT EXISTS jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
    `);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    this.stmt = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      insert: db.prepare(
        `INSERT INTO jobs (id, circuit, status, priority, timeout_ms, created_at, payload_kind, input_json, wtns)
         VALUES (@id, @circuit, 'queued', @priority, @timeoutMs, @createdAt, @kind, @inputJson, @wtns)`,
      ),
      get: db.prepare(`SELECT ${RECORD_COLUMNS} FROM jobs WHERE id = ?`),
      peek: db.prepare(`SELECT id, circuit FROM jobs WHERE status = 'queued' ORDER BY priority DESC, seq LIMIT 1`),
      claim: db.prepare(`UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ? WHERE id = ? AND status = 'queued'`),
      payload: db.prepare(`SELECT payload_kind, input_json, wtns FROM jobs WHERE id = ?`),
      // The payload is dropped once the job has finished: a witness can be megabytes, and a
      // finished job never runs again.
      complete: db.prepare(
        `UPDATE jobs SET status = 'done', finished_at = ?, result = ?, error = NULL, input_json = NULL, wtns = NULL
         WHERE id = ? AND status = 'running' AND attempts = ?`,
      ),
      fail: db.prepare(
        `UPDATE jobs SET status = 'failed', finished_at = ?, error = ?, input_json = NULL, wtns = NULL
         WHERE id = ? AND status = 'running' AND attempts = ?`,
      ),
      release: db.prepare(`UPDATE jobs SET status = 'queued', started_at = NULL WHERE id = ? AND status = 'running' AND attempts = ?`),
      cancel: db.prepare(
        `UPDATE jobs SET status = 'cancelled', finished_at = ?, error = ?, input_json = NULL, wtns = NULL
         WHERE id = ? AND status IN ('queued', 'running')`,
      ),
      failInterrupted: db.prepare(
        `UPDATE jobs SET status = 'failed', finished_at = ?, error = ?, input_json = NULL, wtns = NULL
         WHERE status = 'running' AND attempts >= ?`,
      ),
      requeueInterrupted: db.prepare(`UPDATE jobs SET status = 'queued', started_at = NULL WHERE status = 'running'`),
      counts: db.prepare(`SELECT status, COUNT(*) AS n FROM jobs GROUP BY status`),
      queued: db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE status = 'queued'`),
      purge: db.prepare(`DELETE FROM jobs WHERE finished_at IS NOT NULL AND finished_at < ?`),
    };
  }

  enqueue(job: NewJob, now: number): JobRecord {
    this.stmt.insert.run({
      id: job.id,
      circuit: job.circuit,
      priority: job.priority,
      timeoutMs: job.timeoutMs,
      createdAt: now,
      kind: job.payload.kind,
      inputJson: job.payload.kind === 'input' ? JSON.stringify(job.payload.input) : null,
      wtns: job.payload.kind === 'witness' ? Buffer.from(job.payload.wtns.buffer, job.payload.wtns.byteOffset, job.payload.wtns.byteLength) : null,
    });
    return this.get(job.id) as JobRecord;
  }

  peek(): QueuedHead | null {
    return (this.stmt.peek.get() as QueuedHead | undefined) ?? null;
  }

  claim(id: string, now: number): ClaimedJob | null {
    return this.db.transaction((): ClaimedJob | null => {
      if (this.stmt.claim.run(now, id).changes !== 1) return null;
      const record = this.get(id) as JobRecord;
      return { record, payload: toPayload(this.stmt.payload.get(id) as PayloadRow) };
    })();
  }

  complete(id: string, attempt: number, result: JobResult, now: number): boolean {
    return this.stmt.complete.run(now, JSON.stringify(result), id, attempt).changes === 1;
  }

  fail(id: string, attempt: number, error: JobError, now: number): boolean {
    return this.stmt.fail.run(now, JSON.stringify(error), id, attempt).changes === 1;
  }

  release(id: string, attempt: number): boolean {
    return this.stmt.release.run(id, attempt).changes === 1;
  }

  cancel(id: string, now: number): JobRecord | null {
    const error: JobError = { code: 'CANCELLED', message: 'cancelled by a client (DELETE)' };
    this.stmt.cancel.run(now, JSON.stringify(error), id);
    return this.get(id);
  }

  get(id: string): JobRecord | null {
    const row = this.stmt.get.get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  recoverInterrupted(maxAttempts: number, now: number): { requeued: number; failed: number } {
    return this.db.transaction(() => {
      const error: JobError = {
        code: 'INTERRUPTED',
        message: `the server stopped while running this job ${maxAttempts} time(s); not retried again (a job that crashes the server every time must not do so forever)`,
      };
      const failed = this.stmt.failInterrupted.run(now, JSON.stringify(error), maxAttempts).changes;
      const requeued = this.stmt.requeueInterrupted.run().changes;
      return { requeued, failed };
    })();
  }

  counts(): QueueCounts {
    const out: QueueCounts = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
    for (const r of this.stmt.counts.all() as { status: JobStatus; n: number }[]) out[r.status] = r.n;
    return out;
  }

  queuedCount(): number {
    return (this.stmt.queued.get() as { n: number }).n;
  }

  purgeFinished(before: number): number {
    return this.stmt.purge.run(before).changes;
  }

  close(): void {
    if (!this.db.open) return;
    this.db.close();
    rmSync(this.lockPath, { force: true });
  }
}

/**
 * Creates the lock file with this pid, or takes over one whose process is gone (a server killed
 * with SIGKILL leaves its lock behind: that must not stop the restart that recovers its jobs).
 */
function takeLock(path: string): void {
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
      throw new ServeError('DATA_DIR_LOCKED', `the data directory is in use by another zkgpu serve (pid ${pid}, lock ${path}); give each server its own --data-dir`);
    }
    rmSync(path, { force: true });
  }
  throw new ServeError('DATA_DIR_LOCKED', `cannot take the lock ${path}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
