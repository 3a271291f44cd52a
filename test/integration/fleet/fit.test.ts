/**
 * Heterogeneous workers on a real Redis: a worker whose --max-host-bytes leaves room for the small
 * circuit (tiny, 2^6) but not for the 2^16 benchmark circuit never takes a 2^16 job; while it is
 * the only worker, such a job is visible as waiting for a worker (GET `waiting`, the
 * zkgpu_fleet_unschedulable_jobs metric, GET /v1/fleet), and a worker with room proves it once it
 * joins. A worker's /readyz follows its Redis connection.
 *
 * The 2^16 circuit is the benchmark fixture (.cache/groth16/bench/bn128-16, made by
 * scripts/make-groth16-fixtures.mjs --bench 16 --dev-setup; a no-op when it is there already).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, circuitFlag, metricSum, parseMetrics, ROOT, stop, vectorInput, verifyProof, type ServeProcess } from '../serve/helpers.js';
import { doneBy, getJob, RedisServer, startRole, submit, until, waitEnd } from './helpers.js';

const SLOW_MS = 300_000;
const BIG_DIR = join(ROOT, '.cache/groth16/bench/bn128-16');
const BIG = `big=${join(BIG_DIR, 'circuit.zkey')},wasm=${join(BIG_DIR, 'circuit.wasm')}`;
const CIRCUITS = ['--circuit', circuitFlag('tiny'), '--circuit', BIG];
const MiB = 2 ** 20;

let redis: RedisServer;
let apiProc: ServeProcess;
let small: ServeProcess | null = null;
let large: ServeProcess | null = null;

let fixedBytes = 0;
const listening = (p: ServeProcess) => p.logs.find((l) => l.msg === 'listening') as Record<string, any>;

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/make-groth16-fixtures.mjs'), '--bench', '16', '--dev-setup'], { cwd: ROOT, stdio: 'ignore' });
  redis = await RedisServer.start();
  // The process's own memory at start, as a worker measures it (a large worker, started beside the
  // API and stopped again): the small worker gets that plus 70 MiB, room for tiny (~17 MiB) and
  // not for 2^16 (~130 MiB).
  let probe: ServeProcess;
  [apiProc, probe] = await Promise.all([startRole(redis, 'api', CIRCUITS), startRole(redis, 'worker', CIRCUITS)]);
  fixedBytes = Number(listening(probe).fixedBytes);
  expect(listening(probe).proves.sort()).toEqual(['big', 'tiny']);
  expect((await stop(probe)).code).toBe(0);
}, SLOW_MS);

afterAll(async () => {
  for (const p of [apiProc, small, large]) if (p) await stop(p, 'SIGKILL');
  await redis?.stop();
});

describe('zkgpu serve --queue redis: workers take only the circuits that fit them', () => {
  it(
    'a small worker never takes the 2^16 circuit; its job waits visibly until a large worker joins and proves it',
    async () => {
      small = await startRole(redis, 'worker', [...CIRCUITS, '--max-host-bytes', String(fixedBytes + 70 * MiB), '--worker-class', 'small']);
      expect(listening(small).proves).toEqual(['tiny']);
      expect(listening(small).refused).toEqual(['big']);

      const bigId = await submit(apiProc.url, { circuit: 'big', input: JSON.parse(readFileSync(join(BIG_DIR, 'input.json'), 'utf8')) });
      const tinyIds: string[] = [];
      for (let i = 0; i < 3; i++) tinyIds.push(await submit(apiProc.url, { circuit: 'tiny', input: vectorInput('tiny').input }));
      for (const id of tinyIds) {
        const j = await waitEnd(apiProc.url, id);
        expect(j.status).toBe('done');
        expect(await verifyProof('tiny', j.proof, j.publicSignals)).toBe(true);
      }
      expect(doneBy(small).sort()).toEqual([...tinyIds].sort());

      const waiting = await getJob(apiProc.url, bigId);
      expect(waiting.status).toBe('queued');
      expect(waiting.waiting.code).toBe('NO_WORKER');
      expect(waiting.waiting.message).toMatch(/too large for every live worker/);
      const fleet = await api(apiProc.url, 'GET', '/v1/fleet');
      const bigState = fleet.body.circuits.find((c: { name: string }) => c.name === 'big');
      expect(bigState).toMatchObject({ queued: 1, workers: [] });
      expect(bigState.waiting.code).toBe('NO_WORKER');
      await until(
        async () => metricSum(parseMetrics((await api(apiProc.url, 'GET', '/metrics')).body), 'zkgpu_fleet_unschedulable_jobs', { circuit: 'big' }) === 1,
        'the unschedulable metric',
      );

      large = await startRole(redis, 'worker', [...CIRCUITS, '--worker-class', 'large']);
      const done = await waitEnd(apiProc.url, bigId);
      expect(done.status, JSON.stringify(done.error)).toBe('done');
      const vkey = JSON.parse(readFileSync(join(BIG_DIR, 'vkey.json'), 'utf8'));
      const snarkjs = (await import('snarkjs' as string)) as { groth16: { verify(v: unknown, p: unknown, q: unknown): Promise<boolean> } };
      expect(await snarkjs.groth16.verify(vkey, done.publicSignals, done.proof)).toBe(true);
      expect(doneBy(large)).toContain(bigId);
      // The small worker never touched it: no log line of its names the 2^16 job.
      expect(small.logs.some((l) => l.job === bigId)).toBe(false);
      expect(metricSum(parseMetrics((await api(apiProc.url, 'GET', '/metrics')).body), 'zkgpu_fleet_unschedulable_jobs', { circuit: 'big' })).toBe(0);
    },
    SLOW_MS,
  );

  it(
    "a worker's /readyz is 503 naming Redis while Redis is away, and 200 again after",
    async () => {
      const w = small as ServeProcess;
      expect((await api(w.url, 'GET', '/readyz')).status).toBe(200);
      await redis.stop(false);
      await until(
        async () => {
          const r = await api(w.url, 'GET', '/readyz');
          return r.status === 503 && /redis/.test(r.body.reason);
        },
        'readyz 503 naming redis',
        30,
      );
      await redis.restart(0);
      await until(async () => (await api(w.url, 'GET', '/readyz')).status === 200, 'readyz 200 again', 60);
    },
    SLOW_MS,
  );

  it(
    'an API process and a worker drained with SIGTERM exit by themselves (nothing left holding them)',
    async () => {
      for (const p of [apiProc, small as ServeProcess]) {
        expect((await stop(p)).code).toBe(0);
        // The CLI's guard exits a process still held 5 s after its command ended, saying so: the
        // API role once kept snarkjs's curve threads (built to export each circuit's vkey).
        expect(p.stderr.join('')).not.toMatch(/kept the process alive/);
      }
    },
    SLOW_MS,
  );
});
