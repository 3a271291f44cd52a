/**
 * `zkgpu profile` through the CLI's own entry (main), on the committed vectors: the proof it makes
 * is judged by snarkjs.groth16.verify, and its figures are checked against a second source where
 * one exists (runtime.stats()'s byte and chunk counters, summed over the stage rows). The GPU runs
 * use this machine's Dawn + lavapipe and fail (never skip) without an adapter.
 * The analysis itself (profile-report.ts) is also run on made-up observations with known answers.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../../src/cli/main.js';
import type { Groth16CliIO } from '../../../../src/cli/groth16.js';
import type { Groth16ProfileReport, JobReport, RuntimeStats } from '../../../../src/index.js';
import { analyseProof, HOST_LABEL, type ProfileObservations } from '../../../../src/groth16/profile/report.js';
import type { Groth16Timings } from '../../../../src/groth16/prover/prove.js';
import { fixture, loadSnarkjs, readJson, terminateSnarkjsCurves, type SnarkjsApi } from '../../../support/groth16/committed-vectors.js';

const WASM_FIXTURE = fixture('bn128/manypublic');
// The GPU runs take the smallest circuit: lavapipe compiles each WGSL pipeline on first use (seconds).
const GPU_FIXTURE = fixture('bn128/tiny');

/** Rows with the H scalars made stage by stage (--qap stages; any run with a GPU). */
const STAGES = ['readKey', 'readWitness', 'buildABC', 'ifftA', 'fftA', 'ifftB', 'fftB', 'ifftC', 'fftC', 'quotient', 'msmA', 'msmB1', 'msmB2', 'msmC', 'msmH', 'finalize'];
/** Rows with the H scalars as one task (--qap one-task; the default on 2 threads without a GPU). */
const ONE_TASK_STAGES = ['readKey', 'readWitness', 'qap', 'msmA', 'msmB1', 'msmB2', 'msmC', 'msmH', 'finalize'];
const HOST_STAGES = new Set(['readKey', 'readWitness']);
/** One wasm task each on a worker, outside the planner (src/groth16/qap-wasm.ts). */
const TASK_STAGES = new Set(['qap', 'buildABC', 'quotient']);

let snarkjs: SnarkjsApi;
let dir: string;

beforeAll(async () => {
  snarkjs = await loadSnarkjs();
  dir = mkdtempSync(join(tmpdir(), 'zkgpu-profile-'));
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await terminateSnarkjsCurves();
});

function capture(): Groth16CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s), progress: null };
}

async function profileJson(argv: string[]): Promise<Groth16ProfileReport> {
  const io = capture();
  const code = await main(['profile', ...argv, '--json'], io);
  expect(io.stderr, io.stderr.join('\n')).toEqual([]);
  expect(code).toBe(0);
  expect(io.stdout).toHaveLength(1);
  return JSON.parse(io.stdout[0]) as Groth16ProfileReport;
}

/** Invariants every report keeps, whatever ran where. */
function checkReport(r: Groth16ProfileReport, stages = STAGES): void {
  expect(r.stages.map((s) => s.stage)).toEqual(stages);
  for (const s of r.stages) {
    expect(s.device, s.stage).toBeTruthy();
    expect(s.wallMs, s.stage).toBeGreaterThanOrEqual(0);
    expect(s.deviceMs, s.stage).toBeGreaterThanOrEqual(0);
    if (HOST_STAGES.has(s.stage)) expect(s.device, s.stage).toBe(HOST_LABEL);
    else if (TASK_STAGES.has(s.stage)) expect(s.device, s.stage).toBe('wasm (one task)');
    else expect(s.jobs, s.stage).toBeGreaterThan(0);
  }
  // Each device's shares of its busy time add up to 1.
  const ids = new Set(r.stages.flatMap((s) => s.on.filter((o) => o.ms > 0).map((o) => o.device)));
  for (const id of ids) {
    const sum = r.stages.reduce((a, s) => a + (s.on.find((o) => o.device === id)?.share ?? 0), 0);
    expect(sum, id).toBeCloseTo(1, 6);
  }
  // The stage rows' chunks and bytes (from the job reports) against runtime.stats()'s own counters.
  for (const d of r.devices.filter((x) => x.kind !== 'host')) {
    const on = r.stages.flatMap((s) => s.on.filter((o) => o.device === d.id));
    expect(d.failures, d.id).toBe(0);
    expect(
      on.reduce((a, o) => a + o.chunks, 0),
      `${d.id} chunks`,
    ).toBe(d.chunks);
    expect(
      on.reduce((a, o) => a + (o.bytesIn ?? 0), 0),
      `${d.id} bytes in`,
    ).toBe(d.bytesIn);
    expect(
      on.reduce((a, o) => a + (o.bytesOut ?? 0), 0),
      `${d.id} bytes out`,
    ).toBe(d.bytesOut);
    expect(d.utilisation).toBeGreaterThanOrEqual(0);
    expect(d.utilisation).toBeLessThanOrEqual(1);
  }
  // The verdict names a device of this run, and the stage it names ran there.
  const bound = r.devices.find((d) => d.id === r.verdict.device);
  expect(bound, r.verdict.device).toBeDefined();
  expect(r.verdict.utilisation).toBe(Math.max(...r.devices.filter((d) => d.busyMs > 0).map((d) => d.utilisation)));
  expect(r.verdict.line).toMatch(/^bound by: /);
  if (r.verdict.stage !== null) expect(r.stages.find((s) => s.stage === r.verdict.stage)?.on.some((o) => o.device === bound!.id)).toBe(true);
  expect(r.memory.peakRssBytes).toBeGreaterThan(0);
  expect(r.totalMs).toBeGreaterThan(0);
}

async function verifies(r: Groth16ProfileReport, vkeyPath: string): Promise<boolean> {
  return snarkjs.groth16.verify(readJson(vkeyPath), r.publicSignals, r.proof);
}

describe('zkgpu profile on the workers (--backend wasm)', () => {
  it.each([
    ['(default: the H scalars in one task)', [], ONE_TASK_STAGES],
    ['--qap stages', ['--qap', 'stages'], STAGES],
  ])('--json %s: a proof snarkjs verifies, every stage with its device, shares adding up per device', async (_name, extra, stages) => {
    const r = await profileJson([WASM_FIXTURE.zkey, WASM_FIXTURE.wtns, '--threads', '2', '--backend', 'wasm', ...extra]);
    expect(await verifies(r, WASM_FIXTURE.vkey)).toBe(true);
    expect(r.publicSignals).toEqual(readJson(WASM_FIXTURE.snarkjsPublic));
    checkReport(r, stages);
    expect(r.threads).toBe(2);
    expect(r.adapter).toBeNull();
    expect(r.devices.map((d) => d.id)).toEqual(['host', 'wasm']);
    for (const s of r.stages) if (!HOST_STAGES.has(s.stage) && !TASK_STAGES.has(s.stage)) expect(s.device, s.stage).toBe('wasm');
    expect(r.hardware.cpu.threads).toBeGreaterThanOrEqual(1);
    expect(r.circuit).toEqual({ curve: 'bn254', domainSize: WASM_FIXTURE.meta.domainSize, variables: WASM_FIXTURE.meta.nVars });
    expect(r.memory.peakGpuBytes).toBeNull();
  });

  it('text: a header row, then one row per stage in order, the devices and the verdict', async () => {
    const io = capture();
    expect(await main(['profile', WASM_FIXTURE.zkey, WASM_FIXTURE.wtns, '--threads', '2', '--backend', 'wasm', '--qap', 'stages'], io)).toBe(0);
    const lines = io.stdout;
    const head = lines.findIndex((l) => /^stage\s+what\s+device\s+wall ms\s+% total\s+device ms\s+% device/.test(l));
    expect(head, lines.join('\n')).toBeGreaterThan(0);
    const rows = lines.slice(head + 1, head + 1 + STAGES.length);
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(STAGES);
    expect(lines[head + 1 + STAGES.length]).toBe('');
    expect(lines.some((l) => /^wasm workers \(2 threads\)\s+\d/.test(l))).toBe(true);
    expect(lines.find((l) => l.startsWith('bound by: '))).toMatch(/^bound by: (the main thread|2 wasm workers) \(\d+% busy\)/);
    expect(lines.some((l) => l.startsWith('columns:'))).toBe(true);
  });
});

describe('zkgpu profile with the GPU (Dawn + lavapipe)', () => {
  /** Where each stage's chunks ran, from the report's per-device rows. */
  const gpuChunks = (r: Groth16ProfileReport, stage: string) => r.stages.find((s) => s.stage === stage)!.on.find((o) => o.device === 'webgpu')?.chunks ?? 0;

  it('default backend: the runtime has the GPU; a stage says webgpu only where its chunks ran there', async () => {
    const r = await profileJson([GPU_FIXTURE.zkey, GPU_FIXTURE.wtns, '--threads', '2']);
    if (r.adapter === null) throw new Error('no WebGPU adapter: this suite needs one (lavapipe works; export XDG_RUNTIME_DIR=/tmp)');
    expect(await verifies(r, GPU_FIXTURE.vkey)).toBe(true);
    // 'auto' never gives a software adapter the transforms, so qap 'auto' makes the H scalars in one task.
    checkReport(r, ONE_TASK_STAGES);
    expect(r.backend).toBe('auto');
    expect(r.devices.map((d) => d.id)).toContain('webgpu');
    for (const s of r.stages) expect(s.devices.includes('webgpu'), s.stage).toBe(gpuChunks(r, s.stage) > 0);
  });

  it("--backend webgpu: the witness MSMs (G1 and G2) and NTTs are webgpu rows, matching the GPU's chunk count", async () => {
    const r = await profileJson([GPU_FIXTURE.zkey, GPU_FIXTURE.wtns, '--threads', '2', '--backend', 'webgpu']);
    if (r.adapter === null) throw new Error('no WebGPU adapter: this suite needs one (lavapipe works; export XDG_RUNTIME_DIR=/tmp)');
    expect(await verifies(r, GPU_FIXTURE.vkey)).toBe(true);
    checkReport(r);
    for (const s of ['ifftA', 'fftA', 'ifftB', 'fftB', 'ifftC', 'fftC', 'msmA', 'msmB1', 'msmB2', 'msmC', 'msmH']) {
      expect(r.stages.find((x) => x.stage === s)!.device, s).toBe('webgpu');
      expect(gpuChunks(r, s), s).toBeGreaterThan(0);
    }
    // The 3-7-point blinding sums are pinned to the workers.
    expect(r.stages.find((x) => x.stage === 'finalize')!.device).toBe('wasm');
    expect(r.devices.find((d) => d.id === 'webgpu')!.chunks).toBeGreaterThanOrEqual(10);
    // The GPU rows' chunks held buffers: the pool's peak is at least one G1 MSM input on the device.
    expect(r.memory.peakGpuBytes).toBeGreaterThanOrEqual(GPU_FIXTURE.meta.nVars * 64);
    expect(r.memory.gpuNote).toMatch(/GPU buffers at their peak/);
  });
});

describe('zkgpu profile: bad input and usage', () => {
  it('a missing file: exit 1 naming it', async () => {
    const missing = join(dir, 'nope.zkey');
    const io = capture();
    expect(await main(['profile', missing, WASM_FIXTURE.wtns, '--backend', 'wasm', '--threads', '2'], io)).toBe(1);
    expect(io.stderr.join('\n')).toContain(missing);
    expect(io.stderr.join('\n')).toMatch(/^zkgpu profile: .*\[FILE_READ_ERROR\]$/);
  });

  it('a truncated key: exit 1 with the message zkgpu prove gives', async () => {
    const cut = join(dir, 'cut.zkey');
    copyFileSync(WASM_FIXTURE.zkey, cut);
    truncateSync(cut, Math.floor(readFileSync(cut).length / 2));
    const profiled = capture();
    expect(await main(['profile', cut, WASM_FIXTURE.wtns, '--backend', 'wasm', '--threads', '2'], profiled)).toBe(1);
    const proved = capture();
    expect(await main(['prove', cut, WASM_FIXTURE.wtns, join(dir, 'p.json'), join(dir, 'q.json'), '--backend', 'wasm', '--threads', '2'], proved)).toBe(1);
    expect(profiled.stderr.join('\n')).toContain(cut);
    expect(profiled.stderr.join('\n')).toBe(proved.stderr.join('\n').replace(/^zkgpu prove:/, 'zkgpu profile:'));
  });

  it('bad usage exits 2 with the usage; --help exits 0; the command list has profile', async () => {
    const cases = [
      ['profile', WASM_FIXTURE.zkey, WASM_FIXTURE.wtns, '--nope'],
      ['profile', WASM_FIXTURE.zkey],
      ['profile', WASM_FIXTURE.zkey, WASM_FIXTURE.wtns, 'extra.json'],
      ['profile', WASM_FIXTURE.zkey, WASM_FIXTURE.wtns, '--threads', '0'],
      ['profile', WASM_FIXTURE.zkey, WASM_FIXTURE.wtns, '--backend', 'cuda'],
      ['profile', WASM_FIXTURE.zkey, WASM_FIXTURE.wtns, '--qap', 'fused'],
    ];
    for (const argv of cases) {
      const io = capture();
      expect(await main(argv, io), argv.join(' ')).toBe(2);
      expect(io.stderr.join('\n')).toContain('Usage: zkgpu profile');
    }
    const help = capture();
    expect(await main(['profile', '--help'], help)).toBe(0);
    expect(help.stdout.join('\n')).toContain('Usage: zkgpu profile <circuit.zkey> <witness.wtns>');
    const list = capture();
    expect(await main(['--help'], list)).toBe(0);
    expect(list.stdout.join('\n')).toMatch(/^ {2}profile +prove once/m);
  });
});

// ---- the analysis on made-up observations, where the right answer is known ----

const ZERO_TIMINGS = {
  readKey: 0,
  readWitness: 0,
  buildABC: 0,
  ifftA: 0,
  fftA: 0,
  ifftB: 0,
  fftB: 0,
  ifftC: 0,
  fftC: 0,
  ntt: 0,
  quotient: 0,
  msmA: 0,
  msmB1: 0,
  msmB2: 0,
  msmC: 0,
  msmH: 0,
  finalize: 0,
  total: 0,
};

function job(op: 'msm' | 'ntt', group: 'g1' | 'g2' | undefined, chunks: { backend: string; count: number; ms: number }[]): JobReport {
  const ms = Math.max(...chunks.map((c) => c.ms));
  return {
    id: 1,
    op,
    curve: 'bn254',
    ...(group ? { group } : {}),
    n: chunks.reduce((a, c) => a + c.count, 0),
    requested: 'auto',
    backend: chunks[0].backend === 'wasm' ? 'wasm' : 'webgpu',
    reason: 'test',
    adapter: null,
    threads: 2,
    chunks: chunks.map((c, i) => ({ ...c, offset: i * 1000, attempts: 1 })),
    ms,
  };
}

function stats(devices: { id: string; kind: 'wasm' | 'webgpu'; busyMs: number }[]): RuntimeStats {
  return { jobs: 0, uptimeMs: 0, devices: devices.map((d) => ({ ...d, utilisation: 0, bytesIn: 0, bytesOut: 0, chunks: 0, failures: 0 })) };
}

function observations(over: Partial<ProfileObservations>): ProfileObservations {
  return {
    totalMs: 1000,
    timings: { ...ZERO_TIMINGS } as Groth16Timings,
    jobs: [],
    stageEndMs: {},
    rss: [],
    statsBefore: stats([{ id: 'wasm', kind: 'wasm', busyMs: 0 }]),
    statsAfter: stats([{ id: 'wasm', kind: 'wasm', busyMs: 0 }]),
    backend: 'auto',
    threads: 2,
    cpuThreads: 2,
    adapter: null,
    gpuSoftware: false,
    estimatesCalibrated: false,
    ...over,
  };
}

describe('profile analysis (made-up observations)', () => {
  it('overlapping chunks share the device by their estimates; alone, a chunk has it all', () => {
    // msmA in flight 0..400 (estimate 1), msmB2 0..800 (estimate 3): 0..400 splits 1:3, 400..800 is msmB2's.
    const obs = observations({
      timings: { ...ZERO_TIMINGS, msmA: 400, msmB2: 800, total: 1000 } as Groth16Timings,
      jobs: [
        { stage: 'msmA', report: job('msm', 'g1', [{ backend: 'wasm', count: 10, ms: 400 }]), atMs: 400, estimatesMs: [1] },
        { stage: 'msmB2', report: job('msm', 'g2', [{ backend: 'wasm', count: 10, ms: 800 }]), atMs: 800, estimatesMs: [3] },
      ],
      stageEndMs: { msmA: 400, msmB2: 800 },
      statsAfter: stats([{ id: 'wasm', kind: 'wasm', busyMs: 800 }]),
    });
    const a = analyseProof(obs);
    const on = (stage: string) => a.stages.find((s) => s.stage === stage)!.on[0];
    expect(a.attribution.method).toBe('cost-weighted');
    expect(on('msmA').ms).toBeCloseTo(100, 9);
    expect(on('msmB2').ms).toBeCloseTo(700, 9);
    expect(on('msmA').share + on('msmB2').share).toBeCloseTo(1, 12);
    expect(on('msmB2').chunkMs).toBe(800);
    // Bytes as the runtime counts them: BN254 G2 point 128 B + 32 B scalar per element.
    expect(on('msmB2').bytesIn).toBe(10 * 160);
    expect(a.verdict.device).toBe('wasm');
    expect(a.verdict.utilisation).toBeCloseTo(0.8, 12);
    expect(a.verdict.stage).toBe('msmB2');
    expect(a.verdict.line).toContain('a hardware GPU (G2 MSMs run there too) or more CPU threads');

    // One chunk without an estimate: equal split instead.
    const equal = analyseProof({ ...obs, jobs: obs.jobs.map((j, i) => (i === 0 ? { ...j, estimatesMs: undefined } : j)) });
    expect(equal.attribution.method).toBe('equal');
    expect(equal.stages.find((s) => s.stage === 'msmA')!.on[0].ms).toBeCloseTo(200, 9);
  });

  it('host-bound: the verdict names the main thread and its largest stage; peak RSS comes from the stage window', () => {
    const obs = observations({
      timings: { ...ZERO_TIMINGS, readKey: 600, readWitness: 200, msmA: 100, total: 1000 } as Groth16Timings,
      jobs: [{ stage: 'msmA', report: job('msm', 'g1', [{ backend: 'wasm', count: 4, ms: 100 }]), atMs: 900, estimatesMs: [5] }],
      stageEndMs: { readKey: 600, readWitness: 800, msmA: 900 },
      rss: [
        { atMs: 0, bytes: 100 },
        { atMs: 600, bytes: 300 },
        { atMs: 700, bytes: 900 },
        { atMs: 800, bytes: 200 },
      ],
      statsAfter: stats([{ id: 'wasm', kind: 'wasm', busyMs: 100 }]),
    });
    const a = analyseProof(obs);
    expect(a.verdict.device).toBe('host');
    expect(a.verdict.stage).toBe('readKey');
    expect(a.verdict.stageShare).toBeCloseTo(0.75, 12);
    expect(a.verdict.line).toMatch(/^bound by: the main thread \(80% busy\), largest stage readKey .*faster storage/);
    expect(a.stages.find((s) => s.stage === 'readKey')!.peakRssBytes).toBe(300);
    expect(a.stages.find((s) => s.stage === 'readWitness')!.peakRssBytes).toBe(900);
  });

  it('GPU-bound on a software adapter: the verdict says a hardware GPU; a split stage lists both devices', () => {
    const obs = observations({
      timings: { ...ZERO_TIMINGS, msmA: 900, total: 1000 } as Groth16Timings,
      jobs: [
        {
          stage: 'msmA',
          report: job('msm', 'g1', [
            { backend: 'webgpu', count: 900, ms: 900 },
            { backend: 'wasm', count: 100, ms: 100 },
          ]),
          atMs: 900,
          estimatesMs: [9, 1],
        },
      ],
      stageEndMs: { msmA: 900 },
      statsBefore: stats([
        { id: 'wasm', kind: 'wasm', busyMs: 0 },
        { id: 'webgpu', kind: 'webgpu', busyMs: 0 },
      ]),
      statsAfter: stats([
        { id: 'wasm', kind: 'wasm', busyMs: 100 },
        { id: 'webgpu', kind: 'webgpu', busyMs: 900 },
      ]),
      adapter: { vendor: 'mesa', architecture: '', description: 'llvmpipe: Mesa 25 (LLVM 15)', device: '' },
      gpuSoftware: true,
    });
    const a = analyseProof(obs);
    const msmA = a.stages.find((s) => s.stage === 'msmA')!;
    expect(msmA.device).toBe('webgpu+wasm');
    expect(msmA.on.map((o) => o.share)).toEqual([1, 1]);
    expect(a.devices.find((d) => d.id === 'webgpu')!.label).toBe('webgpu (llvmpipe, software)');
    expect(a.verdict.line).toMatch(/^bound by: GPU llvmpipe \(90% busy\), largest stage msmA .*hardware GPU/);
  });
});
