/**
 * Several GPU devices in one runtime, on lavapipe: `gpus: ['llvmpipe', 'llvmpipe']` opens the one
 * software adapter twice (two devices, two queues, two budgets: the multi-device paths run as on a
 * two-GPU server). A calibration passed in gives both devices and the workers equal measured
 * throughput, so 'auto' (with `backends` naming 'webgpu': software adapters are weighed) splits an
 * MSM three ways. Every answer is checked against the BigInt reference; every proof by snarkjs.
 */
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from 'webgpu';
import {
  createRuntime,
  groth16,
  hardwareFingerprint,
  isZkgpuError,
  JobEvent,
  type Calibration,
  type DeviceLostDetail,
  type DeviceReacquiredDetail,
  type JobReport,
  type MeasuredModel,
  type RetryDetail,
  type Runtime,
  type RuntimeOptions,
} from '../../../src/index.js';
import type { FaultInjection } from '../../../src/scheduler/execute/executor.js';
import { fixture, loadSnarkjs, readJson, terminateSnarkjsCurves, type SnarkjsApi } from '../../support/groth16/committed-vectors.js';
import { gpusFromEnv } from '../../../src/runtime/adapters.js';
import { progressionCase } from '../../support/msm-inputs.js';
import { SEED } from '../../support/seed.js';

const TWO = ['llvmpipe', 'llvmpipe'];

/** The hooks of the test running now (each runtime keeps the one object). */
let hooks: FaultInjection = {};
const faultInjection: FaultInjection = { gpuChunk: (info) => hooks.gpuChunk?.(info) };

let calibration: Calibration;
let snarkjs: SnarkjsApi;

/** A measured model as `zkgpu calibrate` stores it: here the same throughput on every backend. */
function model(kernel: string, backend: 'wasm' | 'webgpu', adapter: MeasuredModel['adapter']): MeasuredModel {
  return {
    kernel,
    backend,
    fixedMs: 1,
    perElementNs: 20_000,
    rmsResidualMs: 0,
    ...(backend === 'wasm' ? { threads: 2 } : { adapter }),
    firstRunExtraMs: 0,
    samples: [{ n: 1024, medianMs: 21, runsMs: [21], warmupMs: 21 }],
    measuredAt: new Date().toISOString(),
    quick: true,
  };
}

beforeAll(async () => {
  const adapter = await create(['adapter=llvmpipe']).requestAdapter();
  if (!adapter) throw new Error('no lavapipe adapter: the multi-GPU suite needs one (XDG_RUNTIME_DIR=/tmp)');
  const info = { vendor: adapter.info.vendor, architecture: adapter.info.architecture, description: adapter.info.description };
  const fp = await hardwareFingerprint({ gpu: info });
  const kernels = ['msm:bn254:g1', 'ntt:bn254'];
  calibration = {
    schema: 1,
    host: fp.host,
    updatedAt: new Date().toISOString(),
    models: kernels.flatMap((k) => [model(k, 'wasm', undefined), model(k, 'webgpu', info)]),
  };
  snarkjs = await loadSnarkjs();
  console.log(`[multi-gpu] ${adapter.info.description} opened twice; seed ${SEED}`);
}, 120_000);

afterAll(async () => {
  await terminateSnarkjsCurves();
});

function options(extra: Partial<RuntimeOptions> = {}): RuntimeOptions {
  return { threads: 2, gpus: TWO, backends: ['webgpu', 'wasm'], calibration, faultInjection, ...extra } as RuntimeOptions;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const elementsOn = (r: JobReport, id: string) => r.chunks.filter((c) => c.backend === id).reduce((s, c) => s + c.count, 0);

describe('runtime with two GPU devices (one lavapipe adapter opened twice)', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await createRuntime(options());
  }, 120_000);
  afterAll(() => rt?.dispose());

  it('opens one device per entry, each with its own stats row and hardware report', async () => {
    expect(rt.gpus.map((g) => g.id)).toEqual(['webgpu', 'webgpu:1']);
    expect(rt.gpus.every((g) => g.adapter !== null && !g.lost)).toBe(true);
    const hw = await rt.hardware();
    expect(hw.gpus.map((g) => g.id)).toEqual(['webgpu', 'webgpu:1']);
    expect(
      rt
        .stats()
        .devices.map((d) => d.id)
        .sort(),
    ).toEqual(['wasm', 'webgpu', 'webgpu:1']);
    // No nvidia-smi here: said, not faked.
    const t = rt.stats().telemetry!;
    expect(t.state.available).toBe(false);
    expect(t.devices.map((d) => d.id)).toEqual(['webgpu', 'webgpu:1']);
    expect(t.devices.every((d) => d.sample === null)).toBe(true);
  });

  it('an MSM split across both devices and the workers equals the reference; the plan gives each a share', async () => {
    const n = 3000;
    const plan = await rt.plan({ op: 'msm', curve: 'bn254', group: 'g1', n });
    const planned = new Map(plan.backends.map((b) => [b.backend, b.elements]));
    for (const id of ['webgpu', 'webgpu:1', 'wasm']) expect(planned.get(id), `${id} planned a share: ${plan.reason}`).toBeGreaterThan(0);
    // Equal measured throughput: equal thirds, give or take the rounding.
    for (const id of ['webgpu', 'webgpu:1', 'wasm']) expect(Math.abs(planned.get(id)! - n / 3)).toBeLessThanOrEqual(2);

    const c = progressionCase('bn254', n, 'multi-gpu-split');
    let report: JobReport | undefined;
    const out = await rt.msm({ curve: 'bn254', group: 'g1', points: c.points, scalars: c.scalars, onReport: (r) => (report = r) });
    expect(hex(out)).toBe(hex(c.expected));
    expect(report!.fallback).toBeUndefined();
    for (const id of ['webgpu', 'webgpu:1', 'wasm']) expect(elementsOn(report!, id), `${id} ran its chunks`).toBe(planned.get(id));
    const stats = new Map(rt.stats().devices.map((d) => [d.id, d]));
    expect(stats.get('webgpu')!.chunks).toBeGreaterThan(0);
    expect(stats.get('webgpu:1')!.chunks).toBeGreaterThan(0);
  });

  it('two independent jobs at once go to different devices (the backlog of the first steers the second)', async () => {
    const values = new Uint8Array(1024 * 32);
    for (let i = 0; i < 1024; i++) values[i * 32] = (i * 7 + 1) & 0xff;
    const reports: JobReport[] = [];
    const [a, b] = await Promise.all([
      rt.ntt({ curve: 'bn254', values, backend: 'webgpu', onReport: (r) => reports.push(r) }),
      rt.ntt({ curve: 'bn254', values, backend: 'webgpu', onReport: (r) => reports.push(r) }),
    ]);
    const reference = await rt.ntt({ curve: 'bn254', values, backend: 'wasm' });
    expect(hex(a)).toBe(hex(reference));
    expect(hex(b)).toBe(hex(reference));
    const ran = reports.map((r) => r.chunks[0].backend).sort();
    expect(ran).toEqual(['webgpu', 'webgpu:1']);
  });

  // On this runtime, whose devices compiled the MSM shaders above (lavapipe compiles for minutes).
  it('a Groth16 proof: snarkjs verifies it, and both devices ran some of its MSMs', async () => {
    const reports: JobReport[] = [];
    const onJob = (e: Event) => {
      if (e instanceof JobEvent) reports.push(e.report);
    };
    rt.addEventListener('job', onJob);
    try {
      const f = fixture('bn128/mulchain');
      const r = await groth16.prove(f.zkey, f.wtns, { runtime: rt, qap: 'one-task' });
      expect(await snarkjs.groth16.verify(readJson(f.vkey), r.publicSignals, JSON.parse(JSON.stringify(r.proof)))).toBe(true);
      const used = new Set(reports.flatMap((x) => x.chunks.map((c) => c.backend)));
      expect(used.has('webgpu')).toBe(true);
      expect(used.has('webgpu:1')).toBe(true);
    } finally {
      rt.removeEventListener('job', onJob);
    }
  }, 900_000);
});

describe('one of two devices destroyed mid-job', () => {
  it('the answer is still right, only that device is reported lost, and it is replaced', async () => {
    const rt = await createRuntime(options());
    const seen: { type: string; detail: unknown }[] = [];
    for (const type of ['retry', 'device-lost', 'device-reacquired']) rt.addEventListener(type, (e) => seen.push({ type, detail: (e as CustomEvent).detail }));
    try {
      const reacquired = new Promise<DeviceReacquiredDetail>((res) => rt.addEventListener('device-reacquired', (e) => res((e as CustomEvent).detail), { once: true }));
      hooks = {
        gpuChunk: ({ device, backend, attempt }) => {
          if (backend === 'webgpu:1' && attempt === 1) setTimeout(() => device.destroy(), 5);
        },
      };
      const c = progressionCase('bn254', 3000, 'multi-gpu-lost');
      let report: JobReport | undefined;
      const out = await rt.msm({ curve: 'bn254', group: 'g1', points: c.points, scalars: c.scalars, onReport: (r) => (report = r) });
      hooks = {};
      expect(hex(out)).toBe(hex(c.expected));
      const lost = seen.filter((e) => e.type === 'device-lost').map((e) => e.detail as DeviceLostDetail);
      expect(lost).toHaveLength(1);
      expect(lost[0]).toMatchObject({ device: 'webgpu:1', reacquire: true });
      // The other device kept its chunks and took the lost one's (the other GPU before the workers).
      expect(elementsOn(report!, 'webgpu')).toBeGreaterThan(0);
      expect(elementsOn(report!, 'webgpu:1')).toBe(0);
      const moved = seen.filter((e) => e.type === 'retry').map((e) => e.detail as RetryDetail);
      expect(moved.length).toBeGreaterThan(0);
      expect(moved.every((m) => m.from === 'webgpu:1')).toBe(true);
      expect(moved.map((m) => m.to)).toEqual(moved.map(() => 'webgpu'));
      expect(rt.gpus.find((g) => g.id === 'webgpu')!.lost).toBe(false);
      const r = await reacquired;
      expect(r).toMatchObject({ device: 'webgpu:1', ok: true });
      // Both devices serve the next job.
      const next = progressionCase('bn254', 3000, 'multi-gpu-after');
      let after: JobReport | undefined;
      expect(hex(await rt.msm({ curve: 'bn254', group: 'g1', points: next.points, scalars: next.scalars, onReport: (x) => (after = x) }))).toBe(hex(next.expected));
      expect(elementsOn(after!, 'webgpu:1')).toBeGreaterThan(0);
      const stats = new Map(rt.stats().devices.map((d) => [d.id, d]));
      expect(stats.get('webgpu:1')!.failures).toBeGreaterThan(0);
      expect(stats.get('webgpu')!.failures).toBe(0);
    } finally {
      hooks = {};
      await rt.dispose();
    }
  });
});

describe('adapter selection', () => {
  it('an unknown adapter name is refused, naming the adapters that exist', async () => {
    const e = await createRuntime({ threads: 1, gpus: ['no-such-gpu'] }).then(
      (rt) => rt.dispose().then(() => null),
      (x) => x,
    );
    expect(isZkgpuError(e, 'INVALID_ARGUMENT')).toBe(true);
    expect(String(e.message)).toMatch(/no adapter name contains 'no-such-gpu'\. Available adapters: 0: 'llvmpipe/);
  });

  it("an index opens that adapter (a software one only when asked); 'all' with no hardware adapter keeps the old default", async () => {
    const byIndex = await createRuntime({ threads: 1, gpus: [0] });
    try {
      expect(byIndex.gpus).toHaveLength(1);
      expect(byIndex.gpu?.architecture).toBe('software');
    } finally {
      await byIndex.dispose();
    }
    const all = await createRuntime({ threads: 1, gpus: 'all' });
    try {
      expect(all.gpus).toHaveLength(1);
      expect((await all.hardware()).notes.some((n) => /no hardware adapter/.test(n))).toBe(true);
    } finally {
      await all.dispose();
    }
  });

  it("'hardware' opens no software adapter even when there is nothing else (what the CLI asks under 'auto'); ZKGPU_GPUS takes it too", async () => {
    const hw = await createRuntime({ threads: 1, gpus: 'hardware' });
    try {
      expect(hw.gpus).toHaveLength(0);
      expect(hw.gpu).toBeNull();
      // This machine has no GPU device node, so Dawn is not even asked; with one, Dawn lists llvmpipe as software.
      const noDeviceNode = !existsSync('/dev/dri') && !readdirSync('/dev').some((n) => /^nvidia\d+$|^dxg$/.test(n));
      expect((await hw.hardware()).notes).toContainEqual(
        expect.stringMatching(noDeviceNode ? /no hardware adapter: no GPU device node .*Dawn not loaded/ : /no hardware adapter; software adapter\(s\) 'llvmpipe.*' not opened/),
      );
      // The workers still take the work: an MSM runs there, and is right.
      const c = progressionCase('bn254', 600, 'gpus-hardware');
      let report: JobReport | undefined;
      const out = await hw.msm({ curve: 'bn254', group: 'g1', points: c.points, scalars: c.scalars, onReport: (r) => (report = r) });
      expect(hex(out)).toBe(hex(c.expected));
      expect(report!.backend).toBe('wasm');
    } finally {
      await hw.dispose();
    }
    expect(gpusFromEnv(' hardware ')).toBe('hardware');
  });
});
