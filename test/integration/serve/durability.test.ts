/**
 * The queue survives its server: SIGKILL mid-proof, then a restart on the same data directory,
 * finishes every accepted job exactly once (the interrupted one re-run); SIGTERM drains (readyz
 * 503, new jobs refused, the running proof finishes, exit 0) and the jobs left queued run after
 * the next start. The database is read directly afterwards: one row per job, each done once.
 * Also the start-up refusals: a locked data directory, a public bind without tokens, a circuit
 * too large for the memory budget.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { api, circuitFlag, pollUntil, runCli, startServe, stop, tempDir, vectorInput, verifyProof, waitEnd, type ServeProcess } from './helpers.js';

// Three server starts and seven 2^11 proofs: ~40 s on a quiet 2-core machine, 100 s seen while
// other suites shared it; the default 120 s would be too close.
const SLOW_MS = 300_000;

const mulchain = () => ({ circuit: 'mulchain', input: vectorInput('mulchain').input });

async function submitAll(url: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await api(url, 'POST', '/v1/proofs', mulchain());
    expect(r.status).toBe(202);
    ids.push(r.body.id);
  }
  return ids;
}

async function expectAllDoneAndValid(url: string, ids: string[]): Promise<any[]> {
  const jobs = [];
  for (const id of ids) {
    const job = await waitEnd(url, id);
    expect(job.status, JSON.stringify(job.error)).toBe('done');
    expect(await verifyProof('mulchain', job.proof, job.publicSignals)).toBe(true);
    jobs.push(job);
  }
  return jobs;
}

describe('zkgpu serve: durability', () => {
  it(
    'SIGKILL mid-proof, restart on the same data dir: every accepted job ends done once; SIGTERM drains and exits 0',
    async () => {
      const dataDir = tempDir('durable');
      const args = ['--data-dir', dataDir, '--circuit', circuitFlag('mulchain'), '--concurrency', '1'];
      let s: ServeProcess = await startServe(args);
      const killedIds = await submitAll(s.url, 4);
      // Killed while the first job is inside the prover (a prover stage reported), not before it.
      await pollUntil(s.url, killedIds[0], (j) => j.status === 'running' && j.progress && !['witness', 'waiting for a prover slot'].includes(j.progress.stage));
      s.proc.kill('SIGKILL');
      expect((await s.exited).signal).toBe('SIGKILL');

      s = await startServe(args);
      expect(s.logs.some((l) => l.msg?.toString().startsWith('jobs left running') && Number(l.requeued) >= 1)).toBe(true);
      const jobs = await expectAllDoneAndValid(s.url, killedIds);
      expect(jobs[0].attempts).toBe(2);

      // Drain: one proof running, two queued behind it.
      const drainIds = await submitAll(s.url, 3);
      await pollUntil(s.url, drainIds[0], (j) => j.status === 'running' && j.progress && !['witness', 'waiting for a prover slot'].includes(j.progress.stage));
      s.proc.kill('SIGTERM');
      const ready = await pollReadyz(s.url);
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ ready: false, reason: 'draining' });
      const refused = await api(s.url, 'POST', '/v1/proofs', mulchain());
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('DRAINING');
      expect(refused.headers.get('retry-after')).not.toBeNull();
      expect((await s.exited).code).toBe(0);
      // It exited by itself after the drain: nothing (a worker, a timer, a curve's threads) held it.
      expect(s.stderr.join('')).not.toMatch(/kept the process alive/);

      // After the drain: the running job finished, the other two wait in the queue on disk.
      const db = new Database(join(dataDir, 'queue.sqlite'), { readonly: true });
      const status = (id: string) => (db.prepare('SELECT status FROM jobs WHERE id = ?').get(id) as { status: string }).status;
      expect(status(drainIds[0])).toBe('done');
      expect([status(drainIds[1]), status(drainIds[2])]).toEqual(['queued', 'queued']);
      db.close();

      s = await startServe(args);
      await expectAllDoneAndValid(s.url, drainIds);
      expect((await stop(s)).code).toBe(0);

      // Exactly once: one row per accepted job, every one done. `attempts` counts take-ups: the
      // killed proof and the job whose witness was being computed beside it (one job ahead) were
      // taken up twice, as was the drained job that had only its witness done.
      const check = new Database(join(dataDir, 'queue.sqlite'), { readonly: true });
      const rows = check.prepare('SELECT id, status, attempts FROM jobs ORDER BY seq').all() as { id: string; status: string; attempts: number }[];
      check.close();
      expect(rows.map((r) => r.id)).toEqual([...killedIds, ...drainIds]);
      expect(rows.every((r) => r.status === 'done')).toBe(true);
      expect(rows.map((r) => r.attempts)).toEqual([2, 2, 1, 1, 1, 2, 1]);
    },
    SLOW_MS,
  );

  it(
    'refuses to start: a data dir in use, a public bind without tokens, a circuit over the memory budget',
    async () => {
      const dataDir = tempDir('locked');
      const s = await startServe(['--data-dir', dataDir, '--circuit', circuitFlag('tiny')]);
      try {
        const second = await runCli(['serve', '--port', '0', '--backend', 'wasm', '--data-dir', dataDir, '--circuit', circuitFlag('tiny')]);
        expect(second.code).toBe(1);
        expect(second.stderr).toMatch(/DATA_DIR_LOCKED: .*in use by another zkgpu serve \(pid \d+/);
      } finally {
        expect((await stop(s)).code).toBe(0);
      }
      const open = await runCli(['serve', '--host', '0.0.0.0', '--data-dir', tempDir('open'), '--circuit', circuitFlag('tiny')]);
      expect(open.code).toBe(2);
      expect(open.stderr).toMatch(/INSECURE_BIND: refusing to listen on 0\.0\.0\.0 without authentication: set ZKGPU_API_TOKENS/);
      // 64 MiB is less than the process itself holds (runtime and workers): no proof can fit.
      const small = await runCli(['serve', '--backend', 'wasm', '--port', '0', '--max-host-bytes', '64MiB', '--data-dir', tempDir('small'), '--circuit', circuitFlag('mulchain')]);
      expect(small.code).toBe(1);
      expect(small.stderr).toMatch(
        /CIRCUIT_TOO_LARGE: circuit "mulchain": one proof needs ~[\d.]+ MiB \(key [\d.]+ MiB \+ working memory [\d.]+ MiB; 2003 variables, domain 2\^11\) but the host budget leaves -?[\d.]+ MiB/,
      );
    },
    SLOW_MS,
  );
});

/** Polls /readyz until it answers 503 (the drain has begun) or 5 s pass. */
async function pollReadyz(url: string): Promise<{ status: number; body: any }> {
  let last = { status: 0, body: undefined as any };
  for (let i = 0; i < 250; i++) {
    try {
      last = await api(url, 'GET', '/readyz');
      if (last.status === 503) return last;
    } catch {
      // the server may not have handled the signal yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return last;
}
