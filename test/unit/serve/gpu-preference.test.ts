/**
 * GPU preference in a fleet (src/serve/gpu-preference.ts), without Redis or a GPU: the win from two
 * sets of plans (made by the real planner, plan.ts, over backends whose cost models are this test's
 * input), the deferral rule from heartbeats and the oldest wait, a runtime without a GPU never
 * winning, and the --gpu-wait setting as flag and config key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, hardwareFingerprint, type Calibration, type MeasuredModel, type Runtime, type ZkeyHeader } from '../../../src/index.js';
import { plan, type BackendDescription, type Plan, type PlanJob } from '../../../src/scheduler/plan.js';
import { decideGpuPreference, deferral, GPU_WIN_RATIO, gpuWins, proofG1Msms, type DeferralInput } from '../../../src/serve/gpu-preference.js';
import { fleetView, whyUnschedulable } from '../../../src/serve/fleet.js';
import { DEFAULTS, resolveConfig } from '../../../src/serve/config.js';
import { runServe } from '../../../src/cli/serve.js';
import { workerBeat as beat } from '../../support/worker-beat.js';

/** The tiny vector's header figures (test/vectors/groth16/bn128/tiny/meta.json): 63 signals, 2 public, domain 64. */
const TINY: Pick<ZkeyHeader, 'curve' | 'nVars' | 'nPublic' | 'domainSize'> = { curve: 'bn254', nVars: 63, nPublic: 2, domainSize: 64 };

function backend(id: string, kind: 'wasm' | 'webgpu', fixedMs: number, perElementNs: number, calibrated = true): BackendDescription {
  return {
    id,
    kind,
    model: { fixedMs, perElementNs, calibrated, source: 'test input' },
    maxChunkElements: Infinity,
    budgetBytes: 2 ** 40,
    bytesPerElement: { host: 64, device: 64 },
    ...(kind === 'webgpu' ? { inFlightChunks: 2 } : {}),
  };
}

/** The proof's G1 MSMs planned over `backends` (as runtime.plan would, minus the hardware detection). */
function plans(backends: BackendDescription[], header = TINY): Plan[] {
  return proofG1Msms(header).map((m) => plan(m.job, backends));
}

describe('the GPU win', () => {
  it("takes the proof's G1 MSM sizes from the key header: A and B1 over every signal, C over the private ones, H over the domain", () => {
    expect(proofG1Msms(TINY).map((m) => [m.stage, m.job.n])).toEqual([
      ['msmA', 63],
      ['msmB1', 63],
      ['msmC', 60],
      ['msmH', 64],
    ]);
    for (const m of proofG1Msms(TINY)) expect(m.job).toMatchObject({ op: 'msm', curve: 'bn254', group: 'g1' } satisfies Partial<PlanJob>);
  });

  it('wins when the calibrated GPU plan is under GPU_WIN_RATIO of the workers-only plan, with both estimates', () => {
    const wasm = backend('wasm', 'wasm', 2, 20_000);
    const v = gpuWins(plans([backend('webgpu', 'webgpu', 0.5, 50)]), plans([wasm]));
    expect(v.wins).toBe(true);
    // Four MSMs (63 + 63 + 60 + 64 points): 4 x 0.5 ms + 250 x 50 ns on the GPU; 4 x 2 ms + 250 x 20 us on the workers.
    expect(v.gpuMs).toBeCloseTo(4 * 0.5 + (250 * 50) / 1e6, 6);
    expect(v.wasmMs).toBeCloseTo(4 * 2 + (250 * 20_000) / 1e6, 6);
    expect(v.reason).toMatch(/with the GPU vs .* on the workers/);
  });

  it('a clear win only: at the ratio or above it is no win, just below it is', () => {
    // One MSM each, no fixed cost: the GPU's estimate is exactly perElementNs x n, so the ratio is exact.
    const one = (gpuNs: number) => {
      const job: PlanJob = { op: 'msm', curve: 'bn254', group: 'g1', n: 1000 };
      return gpuWins([plan(job, [backend('webgpu', 'webgpu', 0, gpuNs)])], [plan(job, [backend('wasm', 'wasm', 0, 10_000)])]);
    };
    expect(one(10_000 * GPU_WIN_RATIO).wins).toBe(false);
    expect(one(10_000).wins).toBe(false);
    expect(one(10_000 * GPU_WIN_RATIO - 1).wins).toBe(true);
    expect(one(10_000 * GPU_WIN_RATIO).reason).toMatch(`not under ${GPU_WIN_RATIO}x`);
  });

  it('uncalibrated defaults never claim a win, on either side, however fast the GPU looks', () => {
    const fastGpu = plans([backend('webgpu', 'webgpu', 0, 1, false)]);
    const v = gpuWins(fastGpu, plans([backend('wasm', 'wasm', 2, 20_000)]));
    expect(v.wins).toBe(false);
    expect(v.reason).toMatch(/not calibrated.*planned with the GPU.*zkgpu calibrate/);
    const w = gpuWins(plans([backend('webgpu', 'webgpu', 0, 1)]), plans([backend('wasm', 'wasm', 2, 20_000, false)]));
    expect(w.wins).toBe(false);
    expect(w.reason).toMatch(/on the workers/);
  });

  it("no win when the worker's plan puts nothing on the GPU (its fixed cost does not repay at this size)", () => {
    // 'auto' over both: a GPU whose fixed cost dwarfs the work gets no element.
    const auto = plans([backend('webgpu', 'webgpu', 500, 10), backend('wasm', 'wasm', 2, 20_000)]);
    expect(auto.every((p) => p.chunks.every((c) => c.backend === 'wasm'))).toBe(true);
    const v = gpuWins(auto, plans([backend('wasm', 'wasm', 2, 20_000)]));
    expect(v).toMatchObject({ wins: false, reason: 'the planner puts none of its MSMs on the GPU' });
  });

  describe('through a runtime (no GPU in unit tests)', () => {
    let rt: Runtime;
    beforeAll(async () => {
      // A calibration on this host where the workers are measured: still no GPU, so still no win.
      const { host } = await hardwareFingerprint();
      const model: MeasuredModel = {
        kernel: 'msm:bn254:g1',
        backend: 'wasm',
        fixedMs: 2,
        perElementNs: 20_000,
        rmsResidualMs: 0,
        threads: 1,
        firstRunExtraMs: 0,
        samples: [{ n: 256, medianMs: 7, runsMs: [7], warmupMs: 9 }],
        measuredAt: '2026-12-06T00:00:00.000Z',
        quick: true,
      };
      const calibration: Calibration = { schema: 1, host, updatedAt: model.measuredAt, models: [model] };
      rt = await createRuntime({ threads: 1, gpu: false, calibration });
    });
    afterAll(() => rt?.dispose());

    it('a worker without a GPU, or with --backend wasm, never wins', async () => {
      const header = { ...TINY } as ZkeyHeader;
      expect(await decideGpuPreference(rt, header, 'auto')).toEqual({ wins: false, gpuMs: null, wasmMs: null, reason: 'no GPU' });
      expect((await decideGpuPreference(rt, header, 'wasm')).reason).toMatch(/--backend wasm/);
    });
  });
});

describe('deferral to GPU workers', () => {
  const gpu = beat('gpu-1', ['tiny', 'big'], { gpuPreferred: ['tiny'], gpuEstimates: { tiny: { gpuMs: 2, wasmMs: 13 } } });
  const cpu = beat('cpu-1', ['tiny', 'big']);
  const base: DeferralInput = { circuit: 'tiny', self: 'cpu-1', selfPrefers: false, workers: [gpu, cpu], oldestWaitMs: null, gpuWaitS: 10 };

  it('defers a circuit while a live, ready worker lists it in gpuPreferred, naming that worker', () => {
    expect(deferral(base)).toEqual({ defer: true, to: ['gpu-1'], reason: 'the GPU of gpu-1 wins it' });
    expect(deferral({ ...base, oldestWaitMs: 10_000 }).defer).toBe(true);
  });

  it('takes it when no GPU worker prefers it: none live, not ready, another circuit, a beat from before the rule', () => {
    for (const workers of [
      [cpu],
      [{ ...gpu, ready: false, notReady: 'gpu: device lost' }, cpu],
      [beat('gpu-1', ['tiny'], { gpuPreferred: ['big'] }), cpu],
      [beat('gpu-1', ['tiny']), cpu],
    ]) {
      expect(deferral({ ...base, workers })).toMatchObject({ defer: false, reason: 'no live, ready GPU worker prefers it' });
    }
    // A beat listing a preference for a circuit it does not take is no taker.
    expect(deferral({ ...base, workers: [beat('gpu-1', ['big'], { gpuPreferred: ['tiny'] }), cpu] }).defer).toBe(false);
  });

  it('spills over once the oldest waiting job has waited longer than --gpu-wait (the GPU workers are saturated)', () => {
    const d = deferral({ ...base, oldestWaitMs: 10_001 });
    expect(d.defer).toBe(false);
    expect(d.to).toEqual(['gpu-1']);
    expect(d.reason).toMatch(/oldest waiting job has waited 10\.0 s, over --gpu-wait 10 s/);
  });

  it('never defers with --gpu-wait 0, nor a circuit its own GPU wins, nor to itself', () => {
    expect(deferral({ ...base, gpuWaitS: 0 })).toMatchObject({ defer: false, reason: 'deferral is off (--gpu-wait 0)' });
    expect(deferral({ ...base, selfPrefers: true }).defer).toBe(false);
    expect(deferral({ ...base, self: 'gpu-1' }).defer).toBe(false);
  });

  it('a circuit whose only free takers defer is not unschedulable; the fleet view names who prefers it', () => {
    const deferring = { ...cpu, deferring: { tiny: ['gpu-1'] } };
    const busyGpu = { ...gpu, current: [{ id: 'j', circuit: 'tiny', stage: 'msmA' }] };
    expect(whyUnschedulable('tiny', [busyGpu, deferring])).toBeNull();
    const v = fleetView([busyGpu, deferring], new Map([['tiny', { queued: 3, running: 1 }]]));
    expect(v.circuits[0]).toMatchObject({ name: 'tiny', workers: ['gpu-1', 'cpu-1'], preferredBy: ['gpu-1'], waiting: null });
  });
});

describe('--gpu-wait', () => {
  const circuits = [{ name: 'tiny', zkey: '/k.zkey' }];
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'zkgpu-gpu-wait-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to 10 s; the config key gpuWait and the flag set it (the flag wins); 0 is allowed', () => {
    expect(resolveConfig({ circuits }).gpuWaitS).toBe(DEFAULTS.gpuWaitS);
    expect(DEFAULTS.gpuWaitS).toBe(10);
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify({ gpuWait: 0 }));
    expect(resolveConfig({ config: file, circuits }).gpuWaitS).toBe(0);
    expect(resolveConfig({ config: file, circuits, gpuWaitS: 3.5 }).gpuWaitS).toBe(3.5);
  });

  it('a negative or non-number value is refused naming the setting', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ gpuWait: -1 }));
    expect(() => resolveConfig({ config: file, circuits })).toThrow(/config file .*bad\.json: gpuWait: /);
    writeFileSync(file, JSON.stringify({ gpuWait: '10' }));
    expect(() => resolveConfig({ config: file, circuits })).toThrow(/gpuWait: /);
    const io = { out: () => {}, err: () => {} };
    await expect(runServe(['--gpu-wait=-1', '--circuit', 'tiny=/k.zkey'], io)).rejects.toThrow('--gpu-wait must be a number >= 0, got "-1"');
    await expect(runServe(['--gpu-wait', 'soon', '--circuit', 'tiny=/k.zkey'], io)).rejects.toThrow('--gpu-wait must be a number >= 0, got "soon"');
  });
});
