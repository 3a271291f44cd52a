/**
 * calibrate(runtime): measures each kernel on each backend the runtime has, through its public
 * calls only, and fits fixedMs + n * perElementNs per kernel and backend (cost-fit.ts).
 *
 * Sizes: a ladder from a small size up in steps of 4x, going on only while 4 x the last median stays
 * within `maxRunMs` (400 ms, quick: 40 ms); the largest 3 (quick: 2) sizes are fitted. The sizes
 * thus follow the machine (a fast GPU is measured at larger n than two CPU workers are) and the
 * whole run stays near 20-30 s on a 2-core host with lavapipe. Predicting the next step rather than
 * stopping after a slow one matters: a BLS12-381 NTT went from 103 ms at 2^18 to 995 ms at 2^20 here.
 * Each size gets one untimed warm-up run (shader compile and pipeline creation on the GPU, reported
 * as firstRunExtraMs) and then `runs` timed runs; the median is fitted.
 * Each webgpu result is compared with the wasm result on the same input: a backend that computes
 * something else is not calibrated (it is reported as skipped).
 */
import { ZkgpuError } from '../../core/errors.js';
import { BABYBEAR_P, CURVES, createRng, type CurveName, type GroupName, type Rng } from '../../math/index.js';
import { fitCostModel } from './cost-fit.js';
import { hardwareFingerprint, type AdapterFingerprint } from '../hardware/fingerprint.js';
import { CALIBRATION_SCHEMA, kernelKey, type Calibration, type CalibrationBackend, type CalibrationSample, type KernelJob, type MeasuredModel } from './calibration.js';

/** What calibrate reads from a call's report: where it ran, and whether it all ran there once. */
export interface RunReport {
  backend: string;
  /** Per chunk, when the runtime splits a job (its backend id: 'wasm', 'webgpu', 'webgpu:1'). */
  chunks?: readonly { backend: string; attempts?: number }[];
  fallback?: unknown;
}

/** The part of the runtime calibrate uses (its public calls), so tests and other hosts can stand in. */
export interface CalibrationRuntime {
  readonly threads: number;
  readonly gpu: AdapterFingerprint | null;
  msm(request: {
    curve: CurveName;
    group: GroupName;
    points: Uint8Array;
    scalars: Uint8Array;
    backend: CalibrationBackend;
    signal?: AbortSignal;
    onReport?: (r: RunReport) => void;
  }): Promise<Uint8Array>;
  ntt(request: { curve: CurveName; values: Uint8Array; backend: CalibrationBackend; signal?: AbortSignal; onReport?: (r: RunReport) => void }): Promise<Uint8Array>;
  nttBabyBear(request: { values: Uint32Array; backend: CalibrationBackend; signal?: AbortSignal; onReport?: (r: RunReport) => void }): Promise<Uint32Array>;
  samplePoints(request: { curve: CurveName; group: GroupName; n: number; seed?: number }): Promise<Uint8Array>;
}

interface KernelSpec {
  job: KernelJob;
  /** G2 has no WebGPU kernel. */
  gpu: boolean;
  startLog: number;
  maxLog: number;
  quickMaxLog: number;
}

/**
 * Start sizes sit where the fixed cost still shows (a 2^8 MSM on 2 workers takes ~25 ms, about
 * its fixed cost); the caps keep the inputs within a few hundred MiB on a fast machine.
 */
const KERNELS: readonly KernelSpec[] = [
  { job: { op: 'msm', curve: 'bn254', group: 'g1' }, gpu: true, startLog: 8, maxLog: 20, quickMaxLog: 12 },
  { job: { op: 'msm', curve: 'bn254', group: 'g2' }, gpu: false, startLog: 8, maxLog: 18, quickMaxLog: 10 },
  { job: { op: 'msm', curve: 'bls12-381', group: 'g1' }, gpu: true, startLog: 8, maxLog: 20, quickMaxLog: 12 },
  { job: { op: 'msm', curve: 'bls12-381', group: 'g2' }, gpu: false, startLog: 8, maxLog: 18, quickMaxLog: 10 },
  { job: { op: 'ntt', curve: 'bn254' }, gpu: true, startLog: 10, maxLog: 22, quickMaxLog: 14 },
  { job: { op: 'ntt', curve: 'bls12-381' }, gpu: true, startLog: 10, maxLog: 22, quickMaxLog: 14 },
  { job: { op: 'ntt', field: 'babybear' }, gpu: true, startLog: 12, maxLog: 24, quickMaxLog: 16 },
];

export const CALIBRATION_KERNELS: readonly string[] = KERNELS.map((k) => kernelKey(k.job));

export interface CalibrationProgress {
  kernel: string;
  backend: CalibrationBackend;
  n: number;
  medianMs: number;
  warmupMs: number;
}

export interface CalibrateOptions {
  /** Fewer and smaller sizes (for tests and a first look): a few seconds in all. */
  quick?: boolean;
  /** Default: 'wasm', and 'webgpu' when the runtime has a GPU. */
  backends?: readonly CalibrationBackend[];
  /** A subset of CALIBRATION_KERNELS ('msm:bn254:g1', 'ntt:babybear', ...); default all. */
  kernels?: readonly string[];
  /** Timed runs per size (the median is fitted); default 3. */
  runs?: number;
  /** The ladder goes on to 4x the size only while 4 x the median stays within this; default 400 ms (quick: 40 ms). */
  maxRunMs?: number;
  /** Seed for the inputs (points, scalars, values); default 1. */
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (p: CalibrationProgress) => void;
}

export interface SkippedKernel {
  kernel: string;
  backend: CalibrationBackend;
  reason: string;
}

export interface CalibrateResult {
  calibration: Calibration;
  /** Kernels a backend could not be measured on (an error, or a result that disagreed with wasm). */
  skipped: SkippedKernel[];
  elapsedMs: number;
}

type Input = { points: Uint8Array; scalars: Uint8Array } | { values: Uint8Array } | { small: Uint32Array };
type Output = Uint8Array | Uint32Array;

const MIN_SIZES = 2;

function bad(what: string): never {
  throw new ZkgpuError('INVALID_ARGUMENT', `calibrate: ${what}`);
}

function aborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ZkgpuError('ABORTED', 'calibrate: aborted');
}

/** Uniform-enough values below r: random low bytes, and a top byte below r's (so the value is < r). */
function fieldBytes(rng: Rng, n: number, r: bigint): Uint8Array {
  const out = new Uint8Array(n * 32);
  const top = Number(r >> 248n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 31; j += 4) {
      const w = rng.nextU32();
      for (let b = 0; b < 4 && j + b < 31; b++) out[i * 32 + j + b] = (w >>> (8 * b)) & 0xff;
    }
    out[i * 32 + 31] = rng.nextU32() % top;
  }
  return out;
}

async function makeInput(rt: CalibrationRuntime, job: KernelJob, n: number, seed: number): Promise<Input> {
  const rng = createRng(`calibrate:${kernelKey(job)}:${n}:${seed}`);
  if (job.field === 'babybear') {
    const small = new Uint32Array(n);
    for (let i = 0; i < n; i++) small[i] = rng.nextU32() % BABYBEAR_P;
    return { small };
  }
  const curve = job.curve as CurveName;
  if (job.op === 'ntt') return { values: fieldBytes(rng, n, CURVES[curve].r) };
  const group = job.group ?? 'g1';
  return { points: await rt.samplePoints({ curve, group, n, seed }), scalars: fieldBytes(rng, n, CURVES[curve].r) };
}

async function runOnce(rt: CalibrationRuntime, job: KernelJob, backend: CalibrationBackend, input: Input, signal: AbortSignal | undefined): Promise<{ ms: number; out: Output }> {
  let report: RunReport | undefined;
  const onReport = (r: RunReport) => {
    report = r;
  };
  const start = performance.now();
  let out: Output;
  if ('small' in input) out = await rt.nttBabyBear({ values: input.small, backend, signal, onReport });
  else if ('values' in input) out = await rt.ntt({ curve: job.curve as CurveName, values: input.values, backend, signal, onReport });
  else out = await rt.msm({ curve: job.curve as CurveName, group: job.group ?? 'g1', points: input.points, scalars: input.scalars, backend, signal, onReport });
  const ms = performance.now() - start;
  // A timing of the wrong engine, or of a retried or failed-over run, would poison the model.
  const problem = runProblem(report, backend);
  if (problem) throw new ZkgpuError('CHUNK_FAILED', `calibrate: ${kernelKey(job)} asked for '${backend}' but ${problem}`);
  return { ms, out };
}

function runProblem(r: RunReport | undefined, backend: CalibrationBackend): string | null {
  if (!r) return null;
  if (r.fallback) return 'it fell back to another engine';
  if (r.backend !== backend) return `ran on '${r.backend}'`;
  const kindOf = (id: string) => id.split(':')[0];
  const elsewhere = r.chunks?.find((c) => kindOf(c.backend) !== backend);
  if (elsewhere) return `a chunk ran on '${elsewhere.backend}'`;
  if (r.chunks?.some((c) => (c.attempts ?? 1) > 1)) return 'a chunk was retried';
  return null;
}

function sameOutput(a: Output, b: Output): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface LadderContext {
  rt: CalibrationRuntime;
  spec: KernelSpec;
  backend: CalibrationBackend;
  quick: boolean;
  runs: number;
  maxRunMs: number;
  maxSizes: number;
  inputs: (n: number) => Promise<Input>;
  /** wasm results by n, to check webgpu against. */
  reference: Map<number, Output>;
  signal?: AbortSignal;
  onProgress?: (p: CalibrationProgress) => void;
}

async function measureLadder(c: LadderContext): Promise<MeasuredModel> {
  const kernel = kernelKey(c.spec.job);
  const all: CalibrationSample[] = [];
  const maxLog = c.quick ? c.spec.quickMaxLog : c.spec.maxLog;
  for (let log = c.spec.startLog; log <= maxLog; log += 2) {
    const n = 2 ** log;
    const input = await c.inputs(n);
    aborted(c.signal);
    const warm = await runOnce(c.rt, c.spec.job, c.backend, input, c.signal);
    if (c.backend === 'wasm') c.reference.set(n, warm.out);
    else {
      const ref = c.reference.get(n);
      if (ref && !sameOutput(ref, warm.out)) throw new ZkgpuError('GPU_ERROR', `calibrate: ${kernel} on ${c.backend} at n=${n} gave a result that differs from wasm's`);
    }
    const runsMs: number[] = [];
    for (let r = 0; r < c.runs; r++) {
      aborted(c.signal);
      runsMs.push((await runOnce(c.rt, c.spec.job, c.backend, input, c.signal)).ms);
    }
    const sample = { n, medianMs: median(runsMs), runsMs, warmupMs: warm.ms };
    all.push(sample);
    c.onProgress?.({ kernel, backend: c.backend, n, medianMs: sample.medianMs, warmupMs: sample.warmupMs });
    if (all.length >= MIN_SIZES && 4 * sample.medianMs > c.maxRunMs) break;
  }
  const kept = all.slice(-c.maxSizes);
  const fit = fitCostModel(kept.map((s) => ({ n: s.n, ms: s.medianMs })));
  return {
    kernel,
    backend: c.backend,
    fixedMs: fit.fixedMs,
    perElementNs: fit.perElementNs,
    rmsResidualMs: fit.rmsResidualMs,
    ...(fit.clamped ? { clamped: fit.clamped } : {}),
    ...(c.backend === 'wasm' ? { threads: c.rt.threads } : {}),
    ...(c.backend === 'webgpu' && c.rt.gpu ? { adapter: { vendor: c.rt.gpu.vendor, architecture: c.rt.gpu.architecture, description: c.rt.gpu.description } } : {}),
    firstRunExtraMs: Math.max(0, all[0].warmupMs - all[0].medianMs),
    samples: kept,
    measuredAt: new Date().toISOString(),
    quick: c.quick,
  };
}

function checkOptions(rt: CalibrationRuntime, o: CalibrateOptions): { backends: CalibrationBackend[]; kernels: KernelSpec[] } {
  const backends = o.backends ? [...new Set(o.backends)] : rt.gpu ? (['wasm', 'webgpu'] as CalibrationBackend[]) : (['wasm'] as CalibrationBackend[]);
  for (const b of backends) if (b !== 'wasm' && b !== 'webgpu') bad(`unknown backend ${JSON.stringify(b)}: expected 'wasm' or 'webgpu'`);
  if (backends.length === 0) bad('backends is empty');
  if (backends.includes('webgpu') && !rt.gpu) throw new ZkgpuError('GPU_UNAVAILABLE', "calibrate: backend 'webgpu' asked for, but the runtime has no GPU");
  if (o.kernels) {
    for (const k of o.kernels) if (!CALIBRATION_KERNELS.includes(k)) bad(`unknown kernel ${JSON.stringify(k)}: expected one of ${CALIBRATION_KERNELS.join(', ')}`);
  }
  if (o.runs !== undefined && !(Number.isInteger(o.runs) && o.runs >= 1 && o.runs <= 100)) bad(`runs must be an integer from 1 to 100, got ${String(o.runs)}`);
  if (o.maxRunMs !== undefined && !(Number.isFinite(o.maxRunMs) && o.maxRunMs > 0)) bad(`maxRunMs must be a finite number > 0, got ${String(o.maxRunMs)}`);
  if (o.seed !== undefined && !(Number.isInteger(o.seed) && o.seed >= 0 && o.seed <= 0xffffffff)) bad(`seed must be a 32-bit unsigned integer, got ${String(o.seed)}`);
  const kernels = KERNELS.filter((k) => !o.kernels || o.kernels.includes(kernelKey(k.job)));
  return { backends, kernels };
}

export async function calibrate(rt: CalibrationRuntime, options: CalibrateOptions = {}): Promise<CalibrateResult> {
  const started = performance.now();
  const { backends, kernels } = checkOptions(rt, options);
  const quick = options.quick === true;
  const seed = options.seed ?? 1;
  const fp = await hardwareFingerprint({ gpu: rt.gpu });
  const models: MeasuredModel[] = [];
  const skipped: SkippedKernel[] = [];
  for (const spec of kernels) {
    // Inputs and wasm results are shared by the backends of one kernel, then dropped.
    const inputs = new Map<number, Promise<Input>>();
    const reference = new Map<number, Output>();
    const inputFor = (n: number) => {
      let p = inputs.get(n);
      if (!p) inputs.set(n, (p = makeInput(rt, spec.job, n, seed)));
      return p;
    };
    for (const backend of backends) {
      if (backend === 'webgpu' && !spec.gpu) continue;
      try {
        models.push(
          await measureLadder({
            rt,
            spec,
            backend,
            quick,
            runs: options.runs ?? 3,
            maxRunMs: options.maxRunMs ?? (quick ? 40 : 400),
            maxSizes: quick ? 2 : 3,
            inputs: inputFor,
            reference,
            signal: options.signal,
            onProgress: options.onProgress,
          }),
        );
      } catch (e) {
        if ((e as Error)?.name === 'AbortError' || (e instanceof ZkgpuError && e.code === 'ABORTED')) throw e;
        skipped.push({ kernel: kernelKey(spec.job), backend, reason: (e as Error)?.message ?? String(e) });
      }
    }
  }
  const calibration: Calibration = { schema: CALIBRATION_SCHEMA, host: fp.host, updatedAt: new Date().toISOString(), models };
  return { calibration, skipped, elapsedMs: performance.now() - started };
}
