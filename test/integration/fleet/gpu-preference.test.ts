/**
 * GPU workers preferred where the calibration says the GPU wins (issue 18), on a real Redis with an
 * API, a "GPU" worker and CPU workers as child processes; every proof verified with snarkjs.
 *
 * The GPU worker runs on this machine's only adapter, lavapipe (--backend webgpu: 'auto' rightly
 * never picks a software adapter). Its real calibration would never prefer it, so it gets its own
 * ZKGPU_CACHE_DIR holding a calibration, written with the project's saveCalibration, in which its
 * GPU's G1 MSM model is fast (0.5 ms + 50 ns per point against the workers' 2 ms + 20 us). Those
 * figures are this test's input; what is checked is the policy: the worker's planner calls them a
 * win, its heartbeat says so, the CPU workers leave the circuit to it, take it again when it dies,
 * and spill over when a job has waited past --gpu-wait.
 *
 * Determinism without wall-clock asserts: the spill-over and the death are staged with signals.
 * SIGSTOP freezes the GPU worker with its heartbeat still live (up to 15 s), so waiting jobs can
 * only be taken by a CPU worker whose --gpu-wait ran out; its log must give that reason, not "no
 * GPU worker". lavapipe's first proof compiles the pipelines (~11 s here), the next take ~0.2-0.5 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, hardwareFingerprint, saveCalibration, type Calibration, type MeasuredModel } from '../../../src/index.js';
import type { FleetView } from '../../../src/serve/fleet.js';
import { GPU_WIN_RATIO } from '../../../src/serve/gpu-preference.js';
import { api, circuitFlag, metricSum, parseMetrics, stop, vectorInput, verifyProof, type ServeProcess } from '../serve/helpers.js';
import { doneBy, getJob, RedisServer, startRole, submit, until, waitEnd } from './helpers.js';

process.env.XDG_RUNTIME_DIR ??= '/tmp';

const SLOW_MS = 300_000;
const CIRCUITS = ['--circuit', circuitFlag('tiny')];
// One thread (the calibration's wasm model is measured at 1), one proof at a time, a short job lock.
const WORKER = [...CIRCUITS, '--threads', '1', '--concurrency', '1', '--stall-timeout', '4'];

let redis: RedisServer;
let cacheDir: string;
let apiProc: ServeProcess;
let gpu: ServeProcess;
let cpuA: ServeProcess | null = null;
let cpuB: ServeProcess | null = null;
let gpuId = '';
const submitted: string[] = [];
/** Jobs the spill-over worker finished (it is stopped before the last case). */
let spilled: string[] = [];

const listening = (p: ServeProcess) => p.logs.find((l) => l.msg === 'listening') as Record<string, unknown>;
const fleet = async (): Promise<FleetView> => (await api<FleetView>(apiProc.url, 'GET', '/v1/fleet')).body;
const deferredGauge = async (p: ServeProcess) => metricSum(parseMetrics((await api(p.url, 'GET', '/metrics')).body), 'zkgpu_fleet_deferred_circuits', { circuit: 'tiny' });
const logged = (p: ServeProcess, msg: string | RegExp) => p.logs.filter((l) => (typeof msg === 'string' ? l.msg === msg : msg.test(String(l.msg))));

function model(backend: 'wasm' | 'webgpu', fixedMs: number, perElementNs: number, adapter?: MeasuredModel['adapter']): MeasuredModel {
  return {
    kernel: 'msm:bn254:g1',
    backend,
    fixedMs,
    perElementNs,
    rmsResidualMs: 0,
    firstRunExtraMs: 0,
    samples: [{ n: 256, medianMs: fixedMs + (256 * perElementNs) / 1e6, runsMs: [fixedMs + (256 * perElementNs) / 1e6], warmupMs: fixedMs }],
    measuredAt: '2026-12-06T12:00:00.000Z',
    quick: true,
    ...(backend === 'wasm' ? { threads: 1 } : { adapter }),
  };
}

async function proveAll(ids: string[]): Promise<void> {
  const { publicSignals } = vectorInput('tiny');
  for (const id of ids) {
    const j = await waitEnd(apiProc.url, id);
    expect(j.status, `${id}: ${JSON.stringify(j.error)}`).toBe('done');
    expect(j.publicSignals).toEqual(publicSignals);
    expect(await verifyProof('tiny', j.proof, j.publicSignals)).toBe(true);
  }
}

async function submitTiny(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await submit(apiProc.url, { circuit: 'tiny', input: vectorInput('tiny').input }));
  submitted.push(...ids);
  return ids;
}

beforeAll(async () => {
  redis = await RedisServer.start();
  const probe = await createRuntime({ threads: 1 });
  const info = probe.gpu;
  await probe.dispose();
  if (!info) throw new Error('no WebGPU adapter: this suite needs one (lavapipe works; XDG_RUNTIME_DIR=/tmp)');
  const fp = await hardwareFingerprint({ gpu: info });
  const calibration: Calibration = {
    schema: 1,
    host: fp.host,
    updatedAt: '2026-12-06T12:00:00.000Z',
    models: [model('wasm', 2, 20_000), model('webgpu', 0.5, 50, fp.gpu ?? undefined)],
  };
  cacheDir = mkdtempSync(join(tmpdir(), 'zkgpu-gpu-pref-cache-'));
  await saveCalibration(calibration, { dir: cacheDir, merge: false });
  [apiProc, gpu] = await Promise.all([
    startRole(redis, 'api', CIRCUITS),
    startRole(redis, 'worker', [...WORKER, '--backend', 'webgpu', '--worker-class', 'gpu'], { ZKGPU_CACHE_DIR: cacheDir }),
  ]);
  gpuId = listening(gpu).worker as string;
  expect(listening(gpu).gpu).toMatch(/llvmpipe/);
}, SLOW_MS);

afterAll(async () => {
  if (gpu && gpu.proc.exitCode === null && gpu.proc.signalCode === null) gpu.proc.kill('SIGCONT');
  for (const p of [apiProc, gpu, cpuA, cpuB]) if (p) await stop(p, 'SIGKILL');
  await redis?.stop();
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

describe('zkgpu serve --queue redis: GPU workers preferred where the calibration says the GPU wins', () => {
  it(
    "the GPU worker claims the circuit with the planner's two estimates; the CPU worker defers and takes none of its jobs",
    async () => {
      const decided = logged(gpu, 'the GPU wins circuit tiny')[0];
      expect(decided, JSON.stringify(gpu.logs.filter((l) => l.circuit === 'tiny'))).toBeDefined();
      expect(decided.gpuMs as number).toBeLessThan(GPU_WIN_RATIO * (decided.wasmMs as number));

      cpuA = await startRole(redis, 'worker', [...WORKER, '--gpu-wait', '600', '--worker-class', 'cpu']);
      const cpuAId = listening(cpuA).worker as string;
      expect(listening(cpuA).gpuWaitS).toBe(600);
      await until(() => logged(cpuA as ServeProcess, `deferring circuit tiny to GPU workers ${gpuId}`).length === 1, 'the CPU worker deferring tiny');
      expect(await deferredGauge(cpuA)).toBe(1);

      // GET /v1/fleet shows why: the GPU worker's preference with both estimates, the CPU worker's deferral.
      await until(async () => (await fleet()).workers.some((w) => w.id === cpuAId && w.deferring?.tiny), "the CPU worker's beat showing its deferral");
      const view = await fleet();
      const g = view.workers.find((w) => w.id === gpuId);
      expect(g?.gpuPreferred).toEqual(['tiny']);
      expect(g?.gpuEstimates?.tiny).toEqual({ gpuMs: decided.gpuMs, wasmMs: decided.wasmMs });
      expect(view.workers.find((w) => w.id === cpuAId)).toMatchObject({ gpuPreferred: [], deferring: { tiny: [gpuId] } });
      expect(view.circuits.find((c) => c.name === 'tiny')).toMatchObject({ preferredBy: [gpuId] });

      const ids = await submitTiny(4);
      // The first GPU proof compiles lavapipe's pipelines (seconds); the GPU worker holds two jobs at
      // most (one proving, one ahead), so the last waits: for a GPU worker, not for no one.
      const last = await getJob(apiProc.url, ids[3]);
      expect(last.status).toBe('queued');
      expect(last.waiting).toBeUndefined();
      await proveAll(ids);
      expect(doneBy(gpu).sort()).toEqual([...ids].sort());
      expect(cpuA.logs.some((l) => ids.includes(l.job as string))).toBe(false);
    },
    SLOW_MS,
  );

  it(
    'spill-over: a job that waited past --gpu-wait while the GPU worker is live but busy is taken by a CPU worker',
    async () => {
      cpuB = await startRole(redis, 'worker', [...WORKER, '--gpu-wait', '1', '--worker-class', 'cpu-spill']);
      const b = cpuB;
      await until(() => logged(b, `deferring circuit tiny to GPU workers ${gpuId}`).length === 1, 'the second CPU worker deferring tiny');
      // Freeze the GPU worker just after a beat: it stays live and ready in the fleet for up to 15 s
      // and takes nothing meanwhile, as a GPU worker saturated with long proofs would.
      const lastBeat = async () => (await fleet()).workers.find((w) => w.id === gpuId)?.lastSeen ?? 0;
      const seen = await lastBeat();
      expect(seen).toBeGreaterThan(0);
      await until(async () => (await lastBeat()) > seen, 'a fresh GPU beat', 15);
      gpu.proc.kill('SIGSTOP');
      try {
        const ids = await submitTiny(2);
        await proveAll(ids);
        expect(doneBy(b).sort()).toEqual([...ids].sort());
        const taken = logged(b, /^taking circuit tiny again/)[0];
        expect(taken?.msg).toMatch(/oldest waiting job has waited \d+\.\d s, over --gpu-wait 1 s/);
        // The other CPU worker (--gpu-wait 600) still deferred: the GPU worker's beat was live throughout.
        expect(cpuA?.logs.some((l) => ids.includes(l.job as string))).toBe(false);
        expect(logged(cpuA as ServeProcess, /^taking circuit tiny again/)).toHaveLength(0);
      } finally {
        gpu.proc.kill('SIGCONT');
      }
      expect((await stop(b)).code).toBe(0);
      spilled = doneBy(b);
      cpuB = null;
    },
    SLOW_MS,
  );

  it(
    'the GPU worker SIGKILLed: the CPU worker takes the circuit again and every job ends done once',
    async () => {
      const a = cpuA as ServeProcess;
      // After the freeze the GPU worker beats again (ready) and the CPU worker defers to it.
      await until(async () => (await fleet()).workers.some((w) => w.id === gpuId && w.ready && w.lastSeen > Date.now() - 6000), 'the GPU worker beating again', 30);
      await until(async () => (await deferredGauge(a)) === 1, 'the CPU worker deferring again', 30);
      const before = await submitTiny(3);
      // Kill it as soon as it has taken one (mid-proof when the proof is slower than this poll).
      await until(async () => (await getJob(apiProc.url, before[0])).status !== 'queued', 'the GPU worker taking the first job', 60);
      gpu.proc.kill('SIGKILL');
      await gpu.exited;
      const after = await submitTiny(2);
      await proveAll([...before, ...after]);

      const taken = logged(a, /^taking circuit tiny again/);
      expect(taken.map((l) => l.msg)).toEqual(['taking circuit tiny again: no live, ready GPU worker prefers it']);
      expect(await deferredGauge(a)).toBe(0);
      // Jobs submitted after the kill can only have gone to the CPU worker.
      for (const id of after) expect(doneBy(a)).toContain(id);
      // Every job of this file done exactly once, by one worker.
      const done = [...doneBy(gpu), ...doneBy(a), ...spilled];
      expect(new Set(done).size).toBe(done.length);
      for (const id of submitted) expect((await getJob(apiProc.url, id)).status).toBe('done');
      console.log(`[gpu-preference] after the kill: ${before.filter((id) => doneBy(a).includes(id)).length} of the 3 earlier jobs finished by the CPU worker`);
    },
    SLOW_MS,
  );
});
