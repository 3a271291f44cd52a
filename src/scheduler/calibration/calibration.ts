/**
 * A calibration: cost models measured on this machine (calibrate.ts), stored per host
 * (calibration-cache.ts), and turned into the planner's models for one job (calibratedModels).
 * Plain data, so JSON round-trips it; checkCalibration is the one gate for anything read back.
 */
import type { CurveName, GroupName } from '../../math/index.js';
import { adapterKey, hostKey, type AdapterFingerprint, type FingerprintInput, type HostFingerprint } from '../hardware/fingerprint.js';
import { modelKey, WASM_MEASURED_THREADS, type CostModel, type PlanOp } from '../models.js';

/** Bumped whenever the stored shape changes: older files are then ignored (and rewritten). */
export const CALIBRATION_SCHEMA = 1;

export type CalibrationBackend = 'wasm' | 'webgpu';

/** A kernel as calibrated: an MSM (curve, group), a curve's Fr NTT, or BabyBear's NTT. */
export interface KernelJob {
  op: PlanOp;
  curve?: CurveName;
  group?: GroupName;
  field?: 'babybear';
}

export interface CalibrationSample {
  n: number;
  /** Median of the timed runs (wall time through the runtime's public call, transfers included). */
  medianMs: number;
  runsMs: number[];
  /** The untimed warm-up run at this size (shader compile, pipeline creation, first-touch memory). */
  warmupMs: number;
}

export interface MeasuredModel {
  /** 'msm:bn254:g1', 'ntt:bls12-381', 'ntt:babybear' (kernelKey). */
  kernel: string;
  backend: CalibrationBackend;
  fixedMs: number;
  perElementNs: number;
  rmsResidualMs: number;
  /** Set when the least-squares line was clamped (cost-fit.ts). */
  clamped?: string;
  /** 'wasm': the worker threads it ran on (the models scale by this, as the defaults do). */
  threads?: number;
  /** 'webgpu': the adapter it ran on. */
  adapter?: AdapterFingerprint;
  /**
   * Warm-up minus median at the first size: shader compilation and pipeline creation on the GPU
   * (paid once per runtime, so kept out of fixedMs), worker warm-up on wasm.
   */
  firstRunExtraMs: number;
  samples: CalibrationSample[];
  /** ISO date-time of the measurement. */
  measuredAt: string;
  /** Measured with calibrate's `quick` option (fewer runs, smaller sizes). */
  quick: boolean;
}

export interface Calibration {
  schema: typeof CALIBRATION_SCHEMA;
  host: HostFingerprint;
  /** ISO date-time of the newest model. */
  updatedAt: string;
  models: MeasuredModel[];
}

export function kernelKey(job: KernelJob): string {
  if (job.op === 'ntt' && job.field === 'babybear') return 'ntt:babybear';
  return modelKey({ op: job.op, curve: job.curve as CurveName, group: job.group });
}

export function sameHost(a: HostFingerprint, b: HostFingerprint): boolean {
  return hostKey(a) === hostKey(b);
}

/** The models that hold for a runtime with this GPU (or none): every wasm model, and the webgpu ones of its adapter. */
export function modelsFor(calibration: Calibration, gpu: AdapterFingerprint | null): MeasuredModel[] {
  const adapter = gpu ? adapterKey(gpu) : null;
  return calibration.models.filter((m) => m.backend === 'wasm' || (adapter !== null && m.adapter !== undefined && adapterKey(m.adapter) === adapter));
}

/** The calibration restricted to this fingerprint, or null when the host differs or nothing is left. */
export function calibrationFor(calibration: Calibration, fp: FingerprintInput): Calibration | null {
  if (!sameHost(calibration.host, fp.host)) return null;
  const models = modelsFor(calibration, fp.gpu);
  return models.length > 0 ? { ...calibration, models } : null;
}

export interface CalibratedModelsOptions {
  /** The runtime's worker threads: a wasm model measured on other thread counts is scaled (and then not `calibrated`). */
  threads?: number;
}

const sizeLabel = (n: number) => (Number.isInteger(Math.log2(n)) ? `2^${Math.log2(n)}` : String(n));

function describeModel(m: MeasuredModel, host: HostFingerprint): string {
  const ns = m.samples.map((s) => s.n);
  const where = m.adapter ? `${hostKey(host)} | ${m.adapter.description || adapterKey(m.adapter)}` : hostKey(host);
  const sizes = `${ns.length} sizes ${sizeLabel(Math.min(...ns))}..${sizeLabel(Math.max(...ns))}`;
  return `calibrated ${m.measuredAt.slice(0, 10)} on ${where} (${sizes}${m.threads ? `, ${m.threads} threads` : ''}${m.quick ? ', quick' : ''})`;
}

/**
 * The measured models for one job, by backend id, for describeBackends' `models` option. Ids with
 * no measurement for this kernel are left out (describeBackends then uses its defaults). Only
 * 'wasm' and 'webgpu' (the runtime's one GPU) are matched; 'webgpu:1' and up never are.
 */
export function calibratedModels(calibration: Calibration | null, job: KernelJob, backendIds: readonly string[], options: CalibratedModelsOptions = {}): Record<string, CostModel> {
  const out: Record<string, CostModel> = {};
  if (!calibration) return out;
  const kernel = kernelKey(job);
  for (const id of backendIds) {
    if (id !== 'wasm' && id !== 'webgpu') continue;
    const m = calibration.models.find((x) => x.kernel === kernel && x.backend === id);
    if (!m) continue;
    const source = describeModel(m, calibration.host);
    const measured = m.threads ?? WASM_MEASURED_THREADS;
    if (id === 'wasm' && options.threads !== undefined && options.threads !== measured) {
      // Same assumption as defaultWasmModel: the work splits evenly over the workers.
      out[id] = {
        fixedMs: m.fixedMs,
        perElementNs: (m.perElementNs * measured) / Math.max(1, options.threads),
        calibrated: false,
        source: `${source}, scaled from ${measured} to ${options.threads} thread(s)`,
      };
      continue;
    }
    out[id] = { fixedMs: m.fixedMs, perElementNs: m.perElementNs, calibrated: true, source };
  }
  return out;
}

// ---- checking what is read back: a hand check (no schema library among the dependencies) ----

type Check = (v: unknown, at: string) => string | null;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str: Check = (v, at) => (typeof v === 'string' ? null : `${at}: expected a string`);
const num =
  (min: number, strict = false): Check =>
  (v, at) =>
    typeof v === 'number' && Number.isFinite(v) && (strict ? v > min : v >= min) ? null : `${at}: expected a finite number ${strict ? '>' : '>='} ${min}`;
const opt =
  (c: Check): Check =>
  (v, at) =>
    v === undefined ? null : c(v, at);
const arr =
  (c: Check, minLength = 0): Check =>
  (v, at) => {
    if (!Array.isArray(v)) return `${at}: expected an array`;
    if (v.length < minLength) return `${at}: expected at least ${minLength} entries`;
    for (let i = 0; i < v.length; i++) {
      const e = c(v[i], `${at}[${i}]`);
      if (e) return e;
    }
    return null;
  };
const obj =
  (fields: Record<string, Check>): Check =>
  (v, at) => {
    if (!isObj(v)) return `${at}: expected an object`;
    for (const [k, c] of Object.entries(fields)) {
      const e = c(v[k], `${at}.${k}`);
      if (e) return e;
    }
    return null;
  };
const oneOf =
  (...values: string[]): Check =>
  (v, at) =>
    values.includes(v as string) ? null : `${at}: expected one of ${values.join(', ')}`;

const adapterCheck = obj({ vendor: str, architecture: str, description: str });
const hostCheck = obj({ cpuModel: str, cpuThreads: num(0), runtime: str, version: str });
const sampleCheck = obj({ n: num(0, true), medianMs: num(0), runsMs: arr(num(0), 1), warmupMs: num(0) });
const modelCheck = obj({
  kernel: str,
  backend: oneOf('wasm', 'webgpu'),
  fixedMs: num(0),
  perElementNs: num(0, true),
  rmsResidualMs: num(0),
  clamped: opt(str),
  threads: opt(num(1)),
  adapter: opt(adapterCheck),
  firstRunExtraMs: num(0),
  samples: arr(sampleCheck, 1),
  measuredAt: str,
  quick: (v, at) => (typeof v === 'boolean' ? null : `${at}: expected a boolean`),
});
const calibrationCheck = obj({
  schema: (v, at) => (v === CALIBRATION_SCHEMA ? null : `${at}: expected ${CALIBRATION_SCHEMA}, got ${JSON.stringify(v)}`),
  host: hostCheck,
  updatedAt: str,
  models: arr(modelCheck),
});

/** Null when `v` is a well-formed Calibration; otherwise what is wrong and where. */
export function checkCalibration(v: unknown): string | null {
  const e = calibrationCheck(v, 'calibration');
  if (e) return e;
  const models = (v as Calibration).models;
  const webgpuWithoutAdapter = models.findIndex((m) => m.backend === 'webgpu' && !m.adapter);
  return webgpuWithoutAdapter >= 0 ? `calibration.models[${webgpuWithoutAdapter}].adapter: a webgpu model must name its adapter` : null;
}
