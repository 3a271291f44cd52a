/**
 * `zkgpu serve` end to end, one server child process with two circuits and bearer tokens: proofs
 * from inputs and from witnesses (each verified by snarkjs with the vector's vkey.json), the
 * ProverClient and `zkgpu submit`, a bounded concurrent load (none lost, none duplicated), auth,
 * every bad request of the contract, timeout and cancel, and /metrics moving with the work.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobFailedError, ProverClient, UnauthorizedError } from '../../../src/client/index.js';
import { api, circuitFlag, metricSum, parseMetrics, runCli, startServe, stop, tempDir, TOKEN, vector, vectorInput, verifyProof, waitEnd, type ServeProcess } from './helpers.js';

const MAX_BODY = 1_000_000;
let server: ServeProcess;
let url: string;

beforeAll(async () => {
  server = await startServe(
    ['--data-dir', tempDir('e2e'), '--circuit', circuitFlag('tiny'), '--circuit', circuitFlag('mulchain'), '--concurrency', '2', '--max-body', String(MAX_BODY)],
    {
      ZKGPU_API_TOKENS: `other-token-abcdefghijklmnop, ${TOKEN}`,
    },
  );
  url = server.url;
});

afterAll(async () => {
  if (server) expect((await stop(server)).code).toBe(0);
});

const post = (body: unknown, token: string | null = TOKEN) => api(url, 'POST', '/v1/proofs', body, token ?? undefined);
const wtnsBase64 = (c: 'tiny' | 'mulchain') => readFileSync(vector(c, 'witness.wtns')).toString('base64');

describe('zkgpu serve: proofs', () => {
  it('lists the registered circuits with curve, sizes, input support and memory estimate', async () => {
    const r = await api(url, 'GET', '/v1/circuits', undefined, TOKEN);
    expect(r.status).toBe(200);
    const mul = r.body.circuits.find((c: { name: string }) => c.name === 'mulchain');
    expect(mul).toMatchObject({ curve: 'bn128', domainSize: 2048, nVars: 2003, publicSignals: 2, takesInput: true });
    expect(mul.memory.totalBytes).toBeGreaterThan(mul.memory.keyBytes);
  });

  it('proves from input and from a base64 witness, on both circuits; snarkjs verifies every proof', async () => {
    const jobs: { circuit: 'tiny' | 'mulchain'; id: string }[] = [];
    for (const circuit of ['tiny', 'mulchain'] as const) {
      const a = await post({ circuit, input: vectorInput(circuit).input });
      expect(a.status).toBe(202);
      expect(a.body.status).toBe('queued');
      expect(a.headers.get('location')).toBe(`/v1/proofs/${a.body.id}`);
      jobs.push({ circuit, id: a.body.id });
      const b = await post({ circuit, witness: wtnsBase64(circuit) });
      expect(b.status).toBe(202);
      jobs.push({ circuit, id: b.body.id });
    }
    for (const { circuit, id } of jobs) {
      const job = await waitEnd(url, id, TOKEN);
      expect(job.status, JSON.stringify(job.error)).toBe('done');
      expect(job.attempts).toBe(1);
      expect(job.publicSignals).toEqual(vectorInput(circuit).publicSignals);
      expect(await verifyProof(circuit, job.proof, job.publicSignals)).toBe(true);
      expect(job.timings.proveMs).toBeGreaterThan(0);
      expect(job.timings.stages.msmA).toBeGreaterThan(0);
    }
  });

  it('ProverClient submits, waits and returns a proof snarkjs accepts; a wrong token is an UnauthorizedError', async () => {
    const client = new ProverClient({ url, token: TOKEN });
    const r = await client.prove({ circuit: 'mulchain', input: vectorInput('mulchain').input });
    expect(await verifyProof('mulchain', r.proof, r.publicSignals)).toBe(true);
    const witness = new Uint8Array(readFileSync(vector('tiny', 'witness.wtns')));
    const w = await client.prove({ circuit: 'tiny', witness });
    expect(await verifyProof('tiny', w.proof, w.publicSignals)).toBe(true);
    await expect(new ProverClient({ url, token: 'not-a-token-of-this-server' }).circuits()).rejects.toBeInstanceOf(UnauthorizedError);
    const failed = await client.prove({ circuit: 'mulchain', input: vectorInput('mulchain').input, timeoutMs: 1 }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(JobFailedError);
    expect((failed as JobFailedError).code).toBe('PROOF_TIMEOUT');
  });

  it('zkgpu submit writes proof.json and public.json that snarkjs verifies', async () => {
    const dir = tempDir('submit');
    const proofPath = join(dir, 'proof.json');
    const publicPath = join(dir, 'public.json');
    const r = await runCli(['submit', '--url', url, '--circuit', 'mulchain', vector('mulchain', 'input.json'), proofPath, publicPath], { ZKGPU_API_TOKEN: TOKEN });
    expect(r.code, r.stderr).toBe(0);
    const proof = JSON.parse(readFileSync(proofPath, 'utf8'));
    const pub = JSON.parse(readFileSync(publicPath, 'utf8'));
    expect(await verifyProof('mulchain', proof, pub)).toBe(true);
    const bad = await runCli(['submit', '--url', url, '--circuit', 'nope', vector('mulchain', 'input.json'), proofPath, publicPath], { ZKGPU_API_TOKEN: TOKEN });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/UNKNOWN_CIRCUIT/);
  });

  it('bounded concurrent load: 200 submissions, 24 at a time; every job done once, none lost, every proof verifies', async () => {
    const before = parseMetrics((await api(url, 'GET', '/metrics')).body);
    const N = 200;
    const inputs = Array.from({ length: N }, (_, i) => ({ a: String(i + 2), b: String(1000 + i) }));
    const ids: string[] = new Array(N);
    let next = 0;
    await Promise.all(
      Array.from({ length: 24 }, async () => {
        while (next < N) {
          const i = next++;
          const r = await post({ circuit: 'tiny', input: inputs[i] });
          expect(r.status).toBe(202);
          ids[i] = r.body.id;
        }
      }),
    );
    expect(new Set(ids).size).toBe(N);
    const jobs = await Promise.all(ids.map((id) => waitEnd(url, id, TOKEN, 110)));
    for (const job of jobs) {
      expect(job.status, JSON.stringify(job.error)).toBe('done');
      expect(job.attempts).toBe(1);
    }
    // The circuit's second public signal is its input a: each proof is for the job's own input.
    expect(jobs.map((j) => j.publicSignals[1])).toEqual(inputs.map((x) => x.a));
    const checks = await Promise.all(jobs.map((j) => verifyProof('tiny', j.proof, j.publicSignals)));
    expect(checks.every(Boolean)).toBe(true);
    const after = parseMetrics((await api(url, 'GET', '/metrics')).body);
    expect(metricSum(after, 'zkgpu_proofs_total', { circuit: 'tiny', status: 'done' }) - metricSum(before, 'zkgpu_proofs_total', { circuit: 'tiny', status: 'done' })).toBe(N);
  }, 300_000); // 200 proofs: ~20 s on a quiet 2-core machine, 88 s seen while other suites shared it
});

describe('zkgpu serve: bad requests', () => {
  it('401 without a token or with a wrong one on /v1; health, readiness and metrics stay open', async () => {
    const none = await post({ circuit: 'tiny', input: vectorInput('tiny').input }, null);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('UNAUTHORIZED');
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await post({ circuit: 'tiny', input: vectorInput('tiny').input }, 'serve-test-token-0123456789abcdeX')).status).toBe(401);
    expect((await api(url, 'GET', '/v1/circuits')).status).toBe(401);
    expect((await api(url, 'GET', '/healthz')).status).toBe(200);
    expect((await api(url, 'GET', '/readyz')).body).toEqual({ ready: true });
    expect((await api(url, 'GET', '/metrics')).status).toBe(200);
  });

  it('413 for a body over --max-body; 400 with a code naming the problem for each bad body', async () => {
    const big = await api(url, 'POST', '/v1/proofs', undefined, TOKEN, JSON.stringify({ circuit: 'tiny', witness: 'A'.repeat(MAX_BODY + 8) }));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('BODY_TOO_LARGE');

    const cases: [string, unknown, string, RegExp][] = [
      ['malformed JSON', '{"circuit": "tiny", "input": {', 'BAD_JSON', /JSON/],
      ['unknown circuit', { circuit: 'sha256', input: {} }, 'UNKNOWN_CIRCUIT', /"sha256".*registered: tiny, mulchain/],
      ['input missing a signal', { circuit: 'mulchain', input: { a: '3' } }, 'INPUT_INVALID', /sets 1 of the 2 input values/],
      ['an unknown signal', { circuit: 'mulchain', input: { a: '3', b: '4', c: '5' } }, 'INPUT_INVALID', /"c" is not an input/],
      ['a value that is not a number', { circuit: 'mulchain', input: { a: '3', b: 'x12' } }, 'INPUT_INVALID', /signal "b".*not a decimal/],
      ['both input and witness', { circuit: 'tiny', input: { a: '1', b: '2' }, witness: wtnsBase64('tiny') }, 'BAD_REQUEST', /exactly one/],
      ['an unknown field', { circuit: 'tiny', input: { a: '1', b: '2' }, colour: 'red' }, 'BAD_REQUEST', /colour|unrecognized/i],
      ['a fractional priority', { circuit: 'tiny', input: { a: '1', b: '2' }, priority: 1.5 }, 'BAD_REQUEST', /priority/],
      ['the witness of another circuit', { circuit: 'mulchain', witness: wtnsBase64('tiny') }, 'WITNESS_MISMATCH', /63 values.*2003 variables/],
      ['a truncated base64 witness', { circuit: 'tiny', witness: wtnsBase64('tiny').slice(0, 1001) }, 'WITNESS_INVALID', /not valid base64.*truncated/],
      [
        'a base64 witness of a truncated file',
        { circuit: 'tiny', witness: readFileSync(vector('tiny', 'witness.wtns')).subarray(0, 1000).toString('base64') },
        'WITNESS_INVALID',
        /not a readable \.wtns/,
      ],
      ['a JSON array body', [1, 2], 'BAD_REQUEST', /JSON object/],
    ];
    for (const [what, body, code, message] of cases) {
      const r = typeof body === 'string' ? await api(url, 'POST', '/v1/proofs', undefined, TOKEN, body) : await post(body);
      expect(r.status, what).toBe(400);
      expect(r.body.error.code, what).toBe(code);
      expect(r.body.error.message, what).toMatch(message);
    }
    const missing = await api(url, 'GET', '/v1/proofs/no-such-job', undefined, TOKEN);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    // None of that stopped the server: it still proves.
    const ok = await post({ circuit: 'tiny', input: vectorInput('tiny').input });
    const job = await waitEnd(url, ok.body.id, TOKEN);
    expect(await verifyProof('tiny', job.proof, job.publicSignals)).toBe(true);
  });

  it('a job past its timeout fails PROOF_TIMEOUT and the next job proves; cancel works queued and running', async () => {
    const late = await post({ circuit: 'mulchain', input: vectorInput('mulchain').input, timeoutMs: 50 });
    const next = await post({ circuit: 'mulchain', input: vectorInput('mulchain').input });
    const lateJob = await waitEnd(url, late.body.id, TOKEN);
    expect(lateJob.status).toBe('failed');
    expect(lateJob.error.code).toBe('PROOF_TIMEOUT');
    expect(lateJob.proof).toBeUndefined();
    const nextJob = await waitEnd(url, next.body.id, TOKEN);
    expect(nextJob.status).toBe('done');
    expect(await verifyProof('mulchain', nextJob.proof, nextJob.publicSignals)).toBe(true);
    expect((await api(url, 'GET', '/healthz')).status).toBe(200);

    // Running: wait until the prover reports a stage, then DELETE aborts it.
    const running = await post({ circuit: 'mulchain', input: vectorInput('mulchain').input });
    const queued = await post({ circuit: 'mulchain', input: vectorInput('mulchain').input, priority: -5 });
    const cancelQueued = await api(url, 'DELETE', `/v1/proofs/${queued.body.id}`, undefined, TOKEN);
    expect(cancelQueued.status).toBe(200);
    expect(cancelQueued.body.status).toBe('cancelled');
    let seen: any;
    for (let i = 0; i < 400; i++) {
      seen = (await api(url, 'GET', `/v1/proofs/${running.body.id}`, undefined, TOKEN)).body;
      if (seen.status !== 'queued') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(seen.status).toBe('running');
    expect(seen.progress).toMatchObject({ stage: expect.any(String) });
    const cancelRunning = await api(url, 'DELETE', `/v1/proofs/${running.body.id}`, undefined, TOKEN);
    expect(cancelRunning.status).toBe(200);
    const ended = await waitEnd(url, running.body.id, TOKEN);
    expect(ended.status).toBe('cancelled');
    expect(ended.proof).toBeUndefined();
    const again = await api(url, 'DELETE', `/v1/proofs/${running.body.id}`, undefined, TOKEN);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('JOB_FINISHED');
  });
});

describe('zkgpu serve: metrics', () => {
  it('/metrics is Prometheus text with every contract name, and the counters moved with the work above', async () => {
    const r = await api(url, 'GET', '/metrics');
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = r.body as string;
    const m = parseMetrics(text);
    for (const name of [
      'zkgpu_proofs_total',
      'zkgpu_proof_duration_seconds',
      'zkgpu_queue_jobs',
      'zkgpu_device_busy_seconds_total',
      'zkgpu_device_utilisation',
      'zkgpu_memory_bytes',
      'zkgpu_proof_cost_usd_total',
      'process_cpu_seconds_total',
      'zkgpu_gpu_telemetry_available',
    ]) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(metricSum(m, 'zkgpu_proofs_total', { circuit: 'mulchain', status: 'done' })).toBeGreaterThanOrEqual(5);
    expect(metricSum(m, 'zkgpu_proofs_total', { circuit: 'mulchain', status: 'failed' })).toBeGreaterThanOrEqual(2);
    expect(metricSum(m, 'zkgpu_proofs_total', { circuit: 'mulchain', status: 'cancelled' })).toBeGreaterThanOrEqual(2);
    for (const stage of ['queue', 'witness', 'prove', 'verify', 'total', 'msmA', 'msmB2', 'readKey']) {
      expect(metricSum(m, 'zkgpu_proof_duration_seconds_count', { circuit: 'mulchain', stage }), stage).toBeGreaterThan(0);
    }
    expect(metricSum(m, 'zkgpu_device_busy_seconds_total', { device: 'wasm' })).toBeGreaterThan(0);
    expect(metricSum(m, 'zkgpu_memory_bytes', { kind: 'rss' })).toBeGreaterThan(0);
    expect(metricSum(m, 'zkgpu_memory_bytes', { kind: 'host_budget' })).toBeGreaterThan(0);
    expect(metricSum(m, 'zkgpu_memory_bytes', { kind: 'key_cache' })).toBeGreaterThan(1_000_000);
    expect(metricSum(m, 'zkgpu_queue_jobs', { state: 'queued' })).toBe(0);
    // No nvidia-smi on this machine: the reader says so and the per-GPU gauges are absent.
    expect(metricSum(m, 'zkgpu_gpu_telemetry_available')).toBe(0);
    expect(text).not.toMatch(/^zkgpu_gpu_temperature_celsius\{/m);
    expect(server.logs.some((l) => /nvidia-smi not found/.test(String(l.msg)))).toBe(true);
    // One log line per job stage with job id, circuit, stage, device and ms.
    const stageLine = server.logs.find((l) => l.msg === 'stage' && l.stage === 'msmA');
    expect(stageLine).toMatchObject({ job: expect.any(String), circuit: expect.any(String), device: 'wasm', ms: expect.any(Number) });
  });
});
