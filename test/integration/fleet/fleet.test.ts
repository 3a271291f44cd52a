/**
 * A fleet on a real Redis: one API process and two workers, each a `zkgpu serve` child process.
 * Jobs spread over both workers; a Redis restart mid-run loses no accepted job; a bounded load
 * completes with no job lost or run to completion twice; a job that fails on every attempt ends
 * failed with its cause after maxAttempts starts; a worker killed with SIGKILL mid-proof has its
 * job re-run by the other (BullMQ's stalled-job check); SIGTERM drains a worker (its proof
 * finishes, exit 0, its heartbeat gone). Every proof is verified by snarkjs.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, circuitFlag, stop, vector, vectorInput, verifyProof, type ServeProcess } from '../serve/helpers.js';
import { doneBy, getJob, RedisServer, startRole, submit, until, waitEnd } from './helpers.js';

const SLOW_MS = 240_000;
// Short locks so a killed worker's job moves on within seconds (the default is 30 s).
const WORKER = ['--circuit', circuitFlag('mulchain'), '--circuit', circuitFlag('tiny'), '--threads', '1', '--concurrency', '1', '--stall-timeout', '4'];

let redis: RedisServer;
let apiProc: ServeProcess;
let w1: ServeProcess;
let w2: ServeProcess;
let url: string;

beforeAll(async () => {
  redis = await RedisServer.start();
  [apiProc, w1, w2] = await Promise.all([
    startRole(redis, 'api', ['--circuit', circuitFlag('mulchain'), '--circuit', circuitFlag('tiny')]),
    startRole(redis, 'worker', WORKER),
    startRole(redis, 'worker', WORKER),
  ]);
  url = apiProc.url;
}, SLOW_MS);

afterAll(async () => {
  for (const p of [apiProc, w1, w2]) if (p) await stop(p, 'SIGKILL');
  await redis?.stop();
});

const mulchain = () => ({ circuit: 'mulchain', input: vectorInput('mulchain').input });

/** Every id ended done, with a proof snarkjs accepts, finished by exactly one worker. */
async function expectDoneOnce(ids: string[], circuit: 'mulchain' | 'tiny', workers: ServeProcess[]): Promise<any[]> {
  const jobs = [];
  for (const id of ids) {
    const job = await waitEnd(url, id);
    expect(job.status, JSON.stringify(job.error)).toBe('done');
    expect(await verifyProof(circuit, job.proof, job.publicSignals)).toBe(true);
    jobs.push(job);
  }
  const finished = workers.flatMap(doneBy);
  for (const id of ids)
    expect(
      finished.filter((x) => x === id),
      `job ${id} finished by the workers`,
    ).toHaveLength(1);
  return jobs;
}

describe('zkgpu serve --queue redis: a fleet of one API and two workers', () => {
  it(
    'spreads jobs over both workers; GET /v1/fleet lists them with their hardware',
    async () => {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await submit(url, mulchain()));
      await expectDoneOnce(ids, 'mulchain', [w1, w2]);
      expect(doneBy(w1).filter((id) => ids.includes(id)).length).toBeGreaterThan(0);
      expect(doneBy(w2).filter((id) => ids.includes(id)).length).toBeGreaterThan(0);

      const fleet = await api(url, 'GET', '/v1/fleet');
      expect(fleet.status).toBe(200);
      expect(fleet.body.workers).toHaveLength(2);
      for (const w of fleet.body.workers) {
        expect(w.ready).toBe(true);
        expect(w.hardware.threads).toBe(1);
        expect(w.hardware.hostBudgetBytes).toBeGreaterThan(0);
        expect(w.circuits.sort()).toEqual(['mulchain', 'tiny']);
      }
      expect(fleet.body.circuits.find((c: { name: string }) => c.name === 'mulchain').workers).toHaveLength(2);
    },
    SLOW_MS,
  );

  it(
    'Redis restarted mid-run (AOF on): every accepted job ends done once; workers and API reconnect',
    async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await submit(url, mulchain()));
      await until(async () => (await getJob(url, ids[0])).status !== 'queued', 'the first job to start');
      await redis.restart();
      // Accepted while Redis came back (the POST helper retries 503 QUEUE_UNAVAILABLE).
      for (let i = 0; i < 2; i++) ids.push(await submit(url, mulchain()));
      await expectDoneOnce(ids, 'mulchain', [w1, w2]);
      await until(async () => (await api(w1.url, 'GET', '/readyz')).status === 200 && (await api(w2.url, 'GET', '/readyz')).status === 200, 'workers ready again');
    },
    SLOW_MS,
  );

  it(
    'bounded load: 200 submissions, 16 at a time; every job done once, none lost, every proof verifies',
    async () => {
      const body = { circuit: 'tiny', input: vectorInput('tiny').input };
      const ids: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < 200) {
            next++;
            ids.push(await submit(url, body));
          }
        }),
      );
      expect(ids).toHaveLength(200);
      expect(new Set(ids).size).toBe(200);
      const jobs = await expectDoneOnce(ids, 'tiny', [w1, w2]);
      expect(jobs.every((j) => j.publicSignals.join() === vectorInput('tiny').publicSignals.join())).toBe(true);
    },
    SLOW_MS,
  );

  it(
    'a job that fails on every attempt (a witness that satisfies no proof check) ends failed with its cause after maxAttempts starts',
    async () => {
      const wtns = new Uint8Array(readFileSync(vector('tiny', 'witness.wtns')));
      // The last witness value's low byte: still a field element of the right count, no longer a solution.
      wtns[wtns.length - 32] ^= 1;
      const id = await submit(url, { circuit: 'tiny', witness: Buffer.from(wtns).toString('base64') });
      const job = await waitEnd(url, id);
      expect(job.status).toBe('failed');
      expect(job.error.code).toBe('PROOF_INVALID');
      expect(job.attempts).toBe(3);
    },
    SLOW_MS,
  );

  it(
    'a worker killed with SIGKILL mid-proof: its job is re-run by the other and ends done once',
    async () => {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push(await submit(url, mulchain()));
      // The victim: a worker with one of these jobs inside the prover (its queue stage logged, not yet done).
      let victim: ServeProcess | null = null;
      let victimJob = '';
      await until(async () => {
        for (const id of ids) {
          const j = await getJob(url, id);
          if (j.status !== 'running' || !j.progress || ['admission', 'witness', 'waiting for a prover slot'].includes(j.progress.stage)) continue;
          for (const w of [w1, w2]) {
            if (w.logs.some((l) => l.job === id && l.stage === 'queue') && !doneBy(w).includes(id)) {
              victim = w;
              victimJob = id;
              return true;
            }
          }
        }
        return false;
      }, 'a job inside the prover');
      const killed = victim as unknown as ServeProcess;
      killed.proc.kill('SIGKILL');
      expect((await killed.exited).signal).toBe('SIGKILL');
      const survivor = killed === w1 ? w2 : w1;
      const jobs = await expectDoneOnce(ids, 'mulchain', [w1, w2]);
      expect(doneBy(survivor)).toContain(victimJob);
      expect(jobs[ids.indexOf(victimJob)].attempts).toBeGreaterThanOrEqual(2);
    },
    SLOW_MS,
  );
  it(
    'SIGTERM drains a worker: its proof in progress finishes, the process exits 0 and leaves the fleet',
    async () => {
      const live = [w1, w2].find((w) => w.proc.exitCode === null && w.proc.signalCode === null) as ServeProcess;
      const id = await submit(url, mulchain());
      await until(async () => live.logs.some((l) => l.job === id && l.stage === 'queue'), 'the job to start on the live worker');
      live.proc.kill('SIGTERM');
      expect((await live.exited).code).toBe(0);
      const job = await waitEnd(url, id);
      expect(job.status).toBe('done');
      expect(await verifyProof('mulchain', job.proof, job.publicSignals)).toBe(true);
      expect(doneBy(live)).toContain(id);
      const fleet = await api(url, 'GET', '/v1/fleet');
      // Its heartbeat is removed at once (the SIGKILLed worker's lingers until its TTL).
      expect(fleet.body.workers.map((w: { pid: number }) => w.pid)).not.toContain(live.proc.pid);
    },
    SLOW_MS,
  );
});
