/**
 * The calibration cache (Node path) and calibratedModels: round trip through a temporary
 * directory, fingerprints that must not match, broken files that must be ignored with a warning,
 * merging, and the models handed to describeBackends -> plan (calibrated: true).
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rngFor } from '../../../support/seed.js';
import { isZkgpuError } from '../../../../src/core/errors.js';
import { describeBackends } from '../../../../src/scheduler/backends.js';
import { calibrationCacheDir, calibrationLocation, loadCalibration, saveCalibration } from '../../../../src/scheduler/calibration/cache.js';
import { calibratedModels, checkCalibration, CALIBRATION_SCHEMA, type Calibration, type MeasuredModel } from '../../../../src/scheduler/calibration/calibration.js';
import { hardwareFingerprint, hostKey, type FingerprintInput, type HostFingerprint } from '../../../../src/scheduler/hardware/fingerprint.js';
import { plan } from '../../../../src/scheduler/plan.js';
import type { HardwareReport } from '../../../../src/scheduler/hardware/types.js';
import { version } from '../../../../src/core/version.js';

const HOST: HostFingerprint = { cpuModel: 'Test CPU 9000', cpuThreads: 2, runtime: 'node 20.0.0 linux x64', version: '0.1.0' };
const LAVAPIPE = { vendor: 'mesa', architecture: 'software', description: 'llvmpipe (LLVM 15)' };
const OTHER_GPU = { vendor: 'nvidia', architecture: 'ada', description: 'RTX 4090' };
const FP: FingerprintInput = { host: HOST, gpu: LAVAPIPE };

function model(kernel: string, backend: 'wasm' | 'webgpu', fixedMs: number, perElementNs: number, extra: Partial<MeasuredModel> = {}): MeasuredModel {
  const samples = [2 ** 10, 2 ** 12, 2 ** 14].map((n) => {
    const ms = fixedMs + (n * perElementNs) / 1e6;
    return { n, medianMs: ms, runsMs: [ms, ms, ms], warmupMs: ms + 1 };
  });
  return {
    kernel,
    backend,
    fixedMs,
    perElementNs,
    rmsResidualMs: 0,
    ...(backend === 'wasm' ? { threads: 2 } : { adapter: LAVAPIPE }),
    firstRunExtraMs: 1,
    samples,
    measuredAt: '2026-01-02T03:04:05.000Z',
    quick: false,
    ...extra,
  };
}

/** Random but valid figures (seeded): nothing below depends on particular numbers. */
function sampleCalibration(host = HOST): Calibration {
  const rng = rngFor('calibration-cache');
  const r = (lo: number, hi: number) => lo + (rng.nextU32() / 2 ** 32) * (hi - lo);
  return {
    schema: CALIBRATION_SCHEMA,
    host,
    updatedAt: '2026-01-02T03:04:05.000Z',
    models: [
      model('msm:bn254:g1', 'wasm', r(1, 40), r(1000, 20000)),
      model('msm:bn254:g1', 'webgpu', r(1, 40), r(100, 20000)),
      model('ntt:bn254', 'wasm', 0, r(100, 1000)),
      model('ntt:bn254', 'webgpu', r(1, 5), r(100, 2000), { adapter: OTHER_GPU }),
      model('ntt:babybear', 'wasm', 0.5, r(10, 100)),
    ],
  };
}

let dir: string;
let warnings: string[];
const warn = (m: string) => warnings.push(m);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zkgpu-calibration-'));
  warnings = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('calibration cache (Node)', () => {
  it("round-trips: what is saved is loaded back for the same fingerprint, less other adapters' GPU models", async () => {
    const cal = sampleCalibration();
    const { location } = await saveCalibration(cal, { dir, warn });
    expect(location).toBe(await calibrationLocation(HOST, { dir }));
    expect(await readdir(dir)).toEqual([location!.slice(dir.length + 1)]);
    const loaded = await loadCalibration(FP, { dir, warn });
    expect(loaded).not.toBeNull();
    expect(loaded!.host).toEqual(HOST);
    // Every wasm model and lavapipe's webgpu model; the RTX 4090's NTT model is not for this runtime.
    expect(loaded!.models).toEqual(cal.models.filter((m) => m.backend === 'wasm' || m.adapter === LAVAPIPE));
    expect(warnings).toEqual([]);
    // A runtime without a GPU gets the wasm models only.
    const cpuOnly = await loadCalibration({ host: HOST, gpu: null }, { dir, warn });
    expect(cpuOnly!.models.map((m) => m.backend)).toEqual(['wasm', 'wasm', 'wasm']);
  });

  it('another version, CPU, thread count or Node: no calibration (null), and no warning', async () => {
    await saveCalibration(sampleCalibration(), { dir, warn });
    for (const host of [
      { ...HOST, version: '0.2.0' },
      { ...HOST, cpuModel: 'Other CPU' },
      { ...HOST, cpuThreads: 64 },
      { ...HOST, runtime: 'node 22.0.0 linux x64' },
    ]) {
      expect(await loadCalibration({ host, gpu: LAVAPIPE }, { dir, warn }), hostKey(host)).toBeNull();
    }
    expect(warnings).toEqual([]);
  });

  it('a corrupted, malformed or foreign file is ignored with a warning, never thrown, and is overwritten by the next save', async () => {
    const path = (await calibrationLocation(HOST, { dir }))!;
    const good = sampleCalibration();
    const foreign = sampleCalibration({ ...HOST, cpuModel: 'Someone else' });
    const broken: [string, string, RegExp][] = [
      ['truncated JSON', JSON.stringify(good).slice(0, 100), /not JSON/],
      ['binary junk', '\u0000\u0001\u00ff', /not JSON/],
      ['an array', '[]', /calibration: expected an object/],
      ['an old schema', JSON.stringify({ ...good, schema: 0 }), /calibration\.schema: expected 1/],
      ['a negative slope', JSON.stringify({ ...good, models: [{ ...good.models[0], perElementNs: -5 }] }), /models\[0\]\.perElementNs/],
      ['a missing sample list', JSON.stringify({ ...good, models: [{ ...good.models[0], samples: undefined }] }), /models\[0\]\.samples: expected an array/],
      ['a webgpu model without adapter', JSON.stringify({ ...good, models: [{ ...good.models[1], adapter: undefined }] }), /must name its adapter/],
      ["another host's file", JSON.stringify(foreign), /written for "Someone else/],
    ];
    for (const [what, text, why] of broken) {
      await writeFile(path, text);
      warnings = [];
      expect(await loadCalibration(FP, { dir, warn }), what).toBeNull();
      expect(warnings, what).toHaveLength(1);
      expect(warnings[0], what).toContain(path);
      expect(warnings[0], what).toMatch(why);
    }
    // A save over a broken file replaces it (merging nothing from it).
    await saveCalibration(good, { dir, warn });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(good);
  });

  it('a save merges with the stored models of the same host: new ones replace the same kernel and backend', async () => {
    const first = sampleCalibration();
    await saveCalibration(first, { dir, warn });
    const again = model('msm:bn254:g1', 'wasm', 3, 4000);
    const gpuOnly: Calibration = { ...first, updatedAt: '2026-02-01T00:00:00.000Z', models: [again, model('ntt:bls12-381', 'webgpu', 2, 900)] };
    const { calibration: stored } = await saveCalibration(gpuOnly, { dir, warn });
    const keys = stored.models.map((m) => `${m.kernel} ${m.backend} ${m.adapter?.description ?? ''}`).sort();
    expect(keys).toEqual(
      [
        'msm:bn254:g1 wasm ',
        'msm:bn254:g1 webgpu llvmpipe (LLVM 15)',
        'ntt:bn254 wasm ',
        'ntt:bn254 webgpu RTX 4090',
        'ntt:babybear wasm ',
        'ntt:bls12-381 webgpu llvmpipe (LLVM 15)',
      ].sort(),
    );
    expect(stored.models.find((m) => m.kernel === 'msm:bn254:g1' && m.backend === 'wasm')).toEqual(again);
    expect((await loadCalibration(FP, { dir, warn }))!.models).toHaveLength(5);
    // merge: false stores exactly what it is given.
    const { calibration: only } = await saveCalibration(gpuOnly, { dir, warn, merge: false });
    expect(only.models).toEqual(gpuOnly.models);
  });

  it('saveCalibration refuses a malformed calibration', async () => {
    const bad = { ...sampleCalibration(), models: [{ ...sampleCalibration().models[0], fixedMs: Number.NaN }] };
    await expect(saveCalibration(bad, { dir, warn })).rejects.toSatisfy((e: unknown) => isZkgpuError(e, 'INVALID_ARGUMENT') && /models\[0\]\.fixedMs/.test((e as Error).message));
  });

  it('the directory: option, then ZKGPU_CACHE_DIR, then XDG_CACHE_HOME/zkgpu, then ~/.cache/zkgpu', async () => {
    const saved = { z: process.env.ZKGPU_CACHE_DIR, x: process.env.XDG_CACHE_HOME };
    try {
      process.env.ZKGPU_CACHE_DIR = '/z';
      process.env.XDG_CACHE_HOME = '/x';
      expect(await calibrationCacheDir({ dir: '/d' })).toBe('/d');
      expect(await calibrationCacheDir()).toBe('/z');
      delete process.env.ZKGPU_CACHE_DIR;
      expect(await calibrationCacheDir()).toBe('/x/zkgpu');
      delete process.env.XDG_CACHE_HOME;
      expect(await calibrationCacheDir()).toBe(join((await import('node:os')).homedir(), '.cache', 'zkgpu'));
    } finally {
      for (const [k, v] of [
        ['ZKGPU_CACHE_DIR', saved.z],
        ['XDG_CACHE_HOME', saved.x],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it("this process's fingerprint names its CPU, Node and zkgpu version, and passes the stored-shape check", async () => {
    const fp = await hardwareFingerprint({ gpu: { ...LAVAPIPE, device: 'x' } as typeof LAVAPIPE });
    expect(fp.host.version).toBe(version);
    expect(fp.host.runtime).toBe(`node ${process.versions.node} ${process.platform} ${process.arch}`);
    expect(fp.host.cpuThreads).toBeGreaterThanOrEqual(1);
    expect(fp.host.cpuModel).not.toBe('');
    expect(fp.gpu).toEqual(LAVAPIPE);
    expect(checkCalibration({ ...sampleCalibration(fp.host) })).toBeNull();
  });
});

function fakeReport(software: boolean): HardwareReport {
  return {
    platform: { runtime: 'node', os: 'linux', arch: 'x64', version: '20' },
    cpu: { threads: 2, source: 'test', figures: [] },
    memory: { budgetBytes: 8 * 2 ** 30, source: 'test', safetyFactor: 0.75, figures: [], wasmInstanceBytes: { bytes: 2 ** 32, source: 'wasm32' } },
    gpus: [
      {
        ...LAVAPIPE,
        device: 'x',
        software,
        limits: { maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 30 },
        features: [],
        budgetBytes: 2 ** 30,
        source: 'test',
        figures: [],
      },
    ],
    notes: [],
  };
}

describe('calibratedModels', () => {
  it('gives each backend id its measured model, marked calibrated, with where and when it was measured', () => {
    const cal = sampleCalibration();
    const ms = calibratedModels(cal, { op: 'msm', curve: 'bn254', group: 'g1' }, ['wasm', 'webgpu', 'webgpu:1'], { threads: 2 });
    expect(Object.keys(ms).sort()).toEqual(['wasm', 'webgpu']);
    const wasm = cal.models[0];
    expect(ms.wasm).toMatchObject({ fixedMs: wasm.fixedMs, perElementNs: wasm.perElementNs, calibrated: true });
    expect(ms.wasm.source).toBe(`calibrated 2026-01-02 on ${hostKey(HOST)} (3 sizes 2^10..2^14, 2 threads)`);
    expect(ms.webgpu.source).toContain('llvmpipe (LLVM 15)');
    // Kernels not measured are absent (describeBackends falls back to its defaults).
    expect(calibratedModels(cal, { op: 'msm', curve: 'bls12-381', group: 'g2' }, ['wasm'])).toEqual({});
    expect(calibratedModels(null, { op: 'ntt', curve: 'bn254' }, ['wasm'])).toEqual({});
    expect(calibratedModels(cal, { op: 'ntt', field: 'babybear' }, ['wasm']).wasm.perElementNs).toBe(cal.models[4].perElementNs);
  });

  it('a wasm model measured on 2 threads, used with 4, is scaled by 2/4 and is no longer calibrated', () => {
    const cal = sampleCalibration();
    const m = calibratedModels(cal, { op: 'msm', curve: 'bn254', group: 'g1' }, ['wasm'], { threads: 4 }).wasm;
    expect(m.perElementNs).toBeCloseTo(cal.models[0].perElementNs / 2, 9);
    expect(m.calibrated).toBe(false);
    expect(m.source).toMatch(/scaled from 2 to 4 thread/);
  });

  it('describeBackends + plan: measured models make a calibrated plan; a pinned software GPU too', async () => {
    await saveCalibration(sampleCalibration(), { dir, warn });
    const cal = await loadCalibration(FP, { dir, warn });
    const report = fakeReport(true);
    const job = { op: 'msm', curve: 'bn254', group: 'g1', n: 1 << 16 } as const;
    const models = calibratedModels(cal, job, ['wasm', 'webgpu'], { threads: 2 });
    const p = plan(job, describeBackends(report, job, { threads: 2, models }));
    expect(p.calibrated).toBe(true);
    const pinned = { ...job, backend: 'webgpu' };
    const pg = plan(pinned, describeBackends(report, pinned, { threads: 2, models }));
    expect(pg.calibrated).toBe(true);
    expect(pg.chunks.every((c) => c.backend === 'webgpu')).toBe(true);
    // The lavapipe NTT model is not stored (only the RTX's): a GPU-pinned NTT plan is not calibrated.
    const ntt = { op: 'ntt', curve: 'bn254', n: 1 << 16, backend: 'webgpu' } as const;
    const pn = plan(ntt, describeBackends(report, ntt, { threads: 2, models: calibratedModels(cal, ntt, ['wasm', 'webgpu']) }));
    expect(pn.calibrated).toBe(false);
  });
});
