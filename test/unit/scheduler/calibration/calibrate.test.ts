/**
 * calibrate() against a stand-in runtime that records every call: which kernels and backends it
 * measures, with which inputs (checked against the field moduli here), how results are compared
 * across backends, and what it refuses. Timings are not asserted (see test/integration/scheduler/calibration/calibrate-end-to-end.test.ts for a real run).
 */
import { describe, expect, it } from 'vitest';
import '../../../support/seed.js';
import { isZkgpuError } from '../../../../src/core/errors.js';
import { BABYBEAR_P, CURVES, type CurveName, type GroupName } from '../../../../src/math/index.js';
import { calibrate, CALIBRATION_KERNELS, type CalibrationRuntime, type RunReport } from '../../../../src/scheduler/calibration/calibrate.js';
import { checkCalibration } from '../../../../src/scheduler/calibration/calibration.js';
import { pointBytes } from '../../../../src/core/sizes.js';

type Backend = 'wasm' | 'webgpu';
interface Call {
  kernel: string;
  backend: Backend;
  n: number;
  input: Uint8Array | Uint32Array;
}

const GPU = { vendor: 'fake', architecture: 'test', description: 'stand-in adapter', device: 'x' };

/** A little work per call, so a run is never timed at exactly 0 ms. */
const tick = () => new Promise<void>((r) => setTimeout(r, 1));

/** Deterministic "result": a digest of the input, so equal inputs give equal outputs on any backend. */
function digest(bytes: Uint8Array | Uint32Array): Uint8Array {
  const out = new Uint8Array(8);
  const b = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < b.length; i++) out[i % 8] = (out[i % 8] * 31 + b[i]) & 0xff;
  return out;
}

function fakeRuntime(opts: { gpu?: boolean; corruptGpu?: string; misroute?: string; extra?: Record<string, Partial<RunReport>> } = {}): CalibrationRuntime & { calls: Call[] } {
  const calls: Call[] = [];
  const run = async (kernel: string, backend: Backend, n: number, input: Uint8Array | Uint32Array, onReport?: (r: RunReport) => void) => {
    calls.push({ kernel, backend, n, input });
    await tick();
    onReport?.({ backend: opts.misroute === kernel ? (backend === 'wasm' ? 'webgpu' : 'wasm') : backend, chunks: [{ backend, attempts: 1 }], ...opts.extra?.[kernel] });
    const out = digest(input);
    if (backend === 'webgpu' && opts.corruptGpu === kernel) out[0] ^= 1;
    return out;
  };
  return {
    calls,
    threads: 3,
    gpu: opts.gpu ? GPU : null,
    async msm(r) {
      const n = r.points.length / pointBytes(r.curve, r.group);
      expect(r.scalars.length).toBe(32 * n);
      const both = new Uint8Array(r.points.length + r.scalars.length);
      both.set(r.points);
      both.set(r.scalars, r.points.length);
      return run(`msm:${r.curve}:${r.group}`, r.backend, n, both, r.onReport);
    },
    async ntt(r) {
      return run(`ntt:${r.curve}`, r.backend, r.values.length / 32, r.values, r.onReport);
    },
    async nttBabyBear(r) {
      return new Uint32Array((await run('ntt:babybear', r.backend, r.values.length, r.values, r.onReport)).buffer);
    },
    async samplePoints(r: { curve: CurveName; group: GroupName; n: number; seed?: number }) {
      // Distinct bytes per point (not valid points: the stand-in never checks them).
      const out = new Uint8Array(r.n * pointBytes(r.curve, r.group));
      for (let i = 0; i < out.length; i++) out[i] = (i * 7 + (r.seed ?? 0)) & 0xff;
      return out;
    },
  };
}

/** n 32-byte little-endian integers from `start`. */
function littleEndianWords(bytes: Uint8Array, start: number, n: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    let v = 0n;
    for (let j = 31; j >= 0; j--) v = (v << 8n) | BigInt(bytes[start + 32 * i + j]);
    out.push(v);
  }
  return out;
}

const scalarsOf = (c: Call, curve: CurveName, group: GroupName) => littleEndianWords(c.input as Uint8Array, c.n * pointBytes(curve, group), c.n);

describe('calibrate (stand-in runtime)', () => {
  it('measures every kernel on wasm and the GPU kernels on webgpu, pinned, with the same valid inputs on both', async () => {
    const rt = fakeRuntime({ gpu: true });
    const progress: string[] = [];
    const { calibration, skipped } = await calibrate(rt, { quick: true, onProgress: (p) => progress.push(`${p.kernel} ${p.backend} ${p.n}`) });
    expect(skipped).toEqual([]);
    expect(checkCalibration(calibration)).toBeNull();
    const got = calibration.models.map((m) => `${m.kernel} ${m.backend}`).sort();
    const gpuKernels = CALIBRATION_KERNELS.filter((k) => !k.endsWith(':g2'));
    expect(got).toEqual([...CALIBRATION_KERNELS.map((k) => `${k} wasm`), ...gpuKernels.map((k) => `${k} webgpu`)].sort());
    for (const m of calibration.models) {
      expect(m.quick).toBe(true);
      expect(m.samples.length).toBe(2);
      expect(m.samples[0].n * 4).toBe(m.samples[1].n);
      for (const s of m.samples) {
        expect(s.runsMs).toHaveLength(3);
        expect(s.medianMs).toBe([...s.runsMs].sort((a, b) => a - b)[1]);
      }
      if (m.backend === 'wasm') expect(m).toMatchObject({ threads: 3 }), expect(m.adapter).toBeUndefined();
      else expect(m.adapter).toEqual({ vendor: 'fake', architecture: 'test', description: 'stand-in adapter' }), expect(m.threads).toBeUndefined();
      // Each size measured: one warm-up and 3 timed runs, all on the backend asked for.
      for (const s of m.samples) expect(rt.calls.filter((c) => c.kernel === m.kernel && c.backend === m.backend && c.n === s.n)).toHaveLength(4);
    }
    // Progress: one line per size measured, in the order measured.
    expect(progress.length).toBeGreaterThanOrEqual(calibration.models.length * 2);

    // Inputs: scalars and NTT values below r, BabyBear values below p; the webgpu runs saw the wasm runs' inputs.
    // Each size reuses one input for its warm-up and timed runs: check each distinct input once.
    const seen = new Set<unknown>();
    for (const c of rt.calls) {
      if (seen.has(c.input)) continue;
      seen.add(c.input);
      const [op, curve, group] = c.kernel.split(':') as ['msm' | 'ntt', string, GroupName | undefined];
      if (curve === 'babybear') {
        for (const v of c.input as Uint32Array) expect(v).toBeLessThan(BABYBEAR_P);
      } else if (op === 'ntt') {
        const r = CURVES[curve as CurveName].r;
        for (const v of littleEndianWords(c.input as Uint8Array, 0, c.n)) expect(v < r).toBe(true);
      } else {
        const r = CURVES[curve as CurveName].r;
        const scalars = scalarsOf(c, curve as CurveName, group!);
        for (const s of scalars) expect(s < r).toBe(true);
        // Random, not degenerate: the scalars are distinct.
        expect(new Set(scalars).size).toBe(scalars.length);
      }
      if (c.backend === 'webgpu') {
        const wasmSame = rt.calls.find((w) => w.backend === 'wasm' && w.kernel === c.kernel && w.n === c.n);
        if (wasmSame) expect(digest(wasmSame.input)).toEqual(digest(c.input));
      }
    }
  });

  it('without a GPU: wasm only; a webgpu result that differs from wasm, or a call that ran elsewhere, is skipped', async () => {
    const cpu = await calibrate(fakeRuntime(), { quick: true, kernels: ['ntt:babybear', 'msm:bn254:g2'] });
    expect(cpu.calibration.models.map((m) => `${m.kernel} ${m.backend}`)).toEqual(['msm:bn254:g2 wasm', 'ntt:babybear wasm']);

    const wrong = await calibrate(fakeRuntime({ gpu: true, corruptGpu: 'ntt:bn254' }), { quick: true, kernels: ['ntt:bn254', 'ntt:babybear'] });
    expect(wrong.calibration.models.map((m) => `${m.kernel} ${m.backend}`)).toEqual(['ntt:bn254 wasm', 'ntt:babybear wasm', 'ntt:babybear webgpu']);
    expect(wrong.skipped).toEqual([{ kernel: 'ntt:bn254', backend: 'webgpu', reason: expect.stringMatching(/differs from wasm/) }]);

    const misrouted = await calibrate(fakeRuntime({ gpu: true, misroute: 'msm:bn254:g1' }), { quick: true, kernels: ['msm:bn254:g1'] });
    expect(misrouted.calibration.models).toEqual([]);
    expect(misrouted.skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/asked for 'wasm' but ran on 'webgpu'/),
      expect.stringMatching(/asked for 'webgpu' but ran on 'wasm'/),
    ]);

    // A runtime that splits jobs: a chunk elsewhere, a retried chunk, a failover all void the timing.
    const extra = {
      'ntt:bn254': {
        chunks: [
          { backend: 'wasm', attempts: 1 },
          { backend: 'webgpu:1', attempts: 1 },
        ],
      },
      'ntt:bls12-381': { chunks: [{ backend: 'wasm', attempts: 2 }] },
      'ntt:babybear': { fallback: { from: 'webgpu', error: 'lost' } },
    };
    const split = await calibrate(fakeRuntime({ extra }), { quick: true, kernels: Object.keys(extra) });
    expect(split.calibration.models).toEqual([]);
    expect(split.skipped.map((s) => `${s.kernel}: ${s.reason}`)).toEqual([
      expect.stringMatching(/^ntt:bn254: .*a chunk ran on 'webgpu:1'/),
      expect.stringMatching(/^ntt:bls12-381: .*a chunk was retried/),
      expect.stringMatching(/^ntt:babybear: .*fell back/),
    ]);
  });

  it('a small maxRunMs stops each ladder after two sizes; runs sets the timed runs per size', async () => {
    const rt = fakeRuntime();
    const { calibration } = await calibrate(rt, { kernels: ['msm:bls12-381:g1'], maxRunMs: 1e-6, runs: 1 });
    const [m] = calibration.models;
    expect(m.samples.map((s) => s.n)).toEqual([2 ** 8, 2 ** 10]);
    expect(m.samples.every((s) => s.runsMs.length === 1)).toBe(true);
    expect(m.quick).toBe(false);
  });

  it('refuses bad options before measuring, and stops on abort', async () => {
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e) => (isZkgpuError(e) ? `${e.code}: ${e.message}` : String(e)),
      );
    const rt = fakeRuntime();
    expect(await code(calibrate(rt, { backends: ['webgpu'] }))).toMatch(/^GPU_UNAVAILABLE: .*no GPU/);
    expect(await code(calibrate(rt, { kernels: ['msm:bn254:g3'] }))).toMatch(/^INVALID_ARGUMENT: .*unknown kernel "msm:bn254:g3": expected one of msm:bn254:g1/);
    expect(await code(calibrate(rt, { backends: ['cuda' as 'wasm'] }))).toMatch(/unknown backend "cuda"/);
    expect(await code(calibrate(rt, { runs: 0 }))).toMatch(/runs must be an integer/);
    expect(await code(calibrate(rt, { maxRunMs: -1 }))).toMatch(/maxRunMs must be/);
    expect(rt.calls).toEqual([]);
    const ac = new AbortController();
    ac.abort();
    expect(await code(calibrate(rt, { quick: true, signal: ac.signal }))).toMatch(/^ABORTED/);
  });
});
