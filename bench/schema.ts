/**
 * The benchmark report format, version 1. The Node CLI (`zkgpu bench`), the WebGPU engine's own
 * benchmarks and the browser benchmark page all write this shape, so results from different
 * machines and backends can be compared by one script. Documented field by field in bench/README.md.
 *
 * Compatibility rule: adding an optional field keeps schemaVersion 1; renaming, removing or changing
 * the meaning of a field bumps it.
 */

export const SCHEMA_NAME = 'zkgpu-bench';
export const SCHEMA_VERSION = 1;

export type BenchOp = 'msm' | 'ntt';
export type BenchCurve = 'bn254' | 'bls12-381';
export type BenchGroup = 'g1' | 'g2';
export type BenchImpl = 'zkgpu' | 'ffjavascript' | 'noble';
export type BenchBackend = 'wasm' | 'webgpu';

/** WebGPU adapter description; filled by the WebGPU engine and the browser page, `null` elsewhere. */
export interface GpuInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The adapter limits that matter for our kernels, as reported (not as requested). */
  limits: Record<string, number>;
  features: string[];
}

export interface HardwareInfo {
  /** `os.cpus()[0].model`; `null` in a browser. */
  cpuModel: string | null;
  /** `os.cpus().length` or `navigator.hardwareConcurrency`. */
  logicalCores: number | null;
  /** `os.availableParallelism()` (respects cgroup/affinity limits); `null` in a browser. */
  availableParallelism: number | null;
  totalMemoryBytes: number | null;
  freeMemoryBytes: number | null;
  /** `process.platform` / `process.arch`, or the browser's best guess. */
  platform: string;
  arch: string | null;
  /** `process.version` (e.g. "v20.20.2"); `null` in a browser. */
  nodeVersion: string | null;
  /**
   * `os.loadavg()` (1, 5, 15 min) when the run started; `null` in a browser. Other work on the
   * machine shows here: timings taken under load are noise.
   */
  loadAverage?: [number, number, number] | null;
  /** `navigator.userAgent` in a browser; absent or `null` in Node. */
  userAgent?: string | null;
  gpu: GpuInfo | null;
}

/** Milliseconds of the timed runs (the warm-up/check run is not among them). */
export interface MsStats {
  median: number;
  min: number;
  max: number;
  /** Every timed run in the order it ran. */
  all: number[];
}

export interface BenchResult {
  op: BenchOp;
  curve: BenchCurve;
  /** MSM only. */
  group?: BenchGroup;
  logN: number;
  n: number;
  impl: BenchImpl;
  /** zkgpu's backend; `null` for peers. */
  backend: BenchBackend | null;
  /** Worker threads the implementation used (1 for single-threaded code on the main thread). */
  threads: number;
  runs: number;
  ms: MsStats;
  /** The first, cold run: it is also the run whose result was checked against the peers. */
  firstRunMs: number;
  /**
   * WebGPU only, where the adapter has timestamp queries: GPU execution time of the timed runs
   * (first pass start to last pass end of every submission, summed per run). The gap to `ms` is
   * upload, readback and host work.
   */
  gpuMs?: MsStats;
  /** Highest process RSS sampled during this implementation's runs at this size (see `memory`). */
  peakRssBytes: number;
  /** Always true: a result is written only after its output matched every peer on the same input. */
  checked: true;
}

export interface BenchComparison {
  op: BenchOp;
  curve: BenchCurve;
  /** `null` for NTT. */
  group: BenchGroup | null;
  logN: number;
  peer: Exclude<BenchImpl, 'zkgpu'>;
  /** peer median / zkgpu median: above 1 means zkgpu is faster. */
  speedup: number;
}

/** A size that produced no timing: a mismatch against a peer, or an implementation that threw. */
export interface BenchFailure {
  op: BenchOp;
  curve: BenchCurve;
  group: BenchGroup | null;
  logN: number;
  /** The implementation that failed or disagreed (the peer, for a mismatch). */
  impl: BenchImpl;
  kind: 'mismatch' | 'error';
  message: string;
}

export interface BenchConfig {
  ops: BenchOp[];
  curve: BenchCurve;
  group: BenchGroup;
  sizes: number[];
  runs: number;
  /**
   * zkgpu engines timed, in order (the first is the reference the others are checked against);
   * absent or `null` in reports written before the WebGPU engine.
   */
  backends?: BenchBackend[] | null;
  /** Requested zkgpu worker threads; `null` = the runtime's default. */
  threads: number | null;
  peers: Exclude<BenchImpl, 'zkgpu'>[];
  json: string | null;
  quick: boolean;
  /** The input seed as a decimal string; rerun with `--seed` to get the same inputs. */
  seed: string;
}

export interface MemoryNote {
  /** Interval of the RSS sampler in ms. */
  sampleIntervalMs: number;
  /** `process.resourceUsage().maxRSS` in bytes at the end of the run (whole process lifetime). */
  processMaxRssBytes: number | null;
  note: string;
}

export interface BenchReport {
  schema: typeof SCHEMA_NAME;
  schemaVersion: typeof SCHEMA_VERSION;
  /** Absent or 'msm-ntt' for this shape; 'groth16' reports (bench/groth16.ts) share the envelope only. */
  kind?: 'msm-ntt' | 'groth16';
  /** ISO 8601. */
  createdAt: string;
  zkgpu: { version: string };
  hardware: HardwareInfo;
  config: BenchConfig;
  results: BenchResult[];
  comparisons: BenchComparison[];
  failures: BenchFailure[];
  memory: MemoryNote | null;
}

export const RSS_NOTE =
  'peakRssBytes is the RSS of the whole process: worker threads (zkgpu and ffjavascript) share it, ' +
  'and memory kept by an implementation that ran earlier at the same size still counts. ' +
  'Synchronous code (noble) blocks the sampler; its RSS is sampled only between runs.';

export interface ReportParts {
  createdAt?: Date;
  version: string;
  hardware: HardwareInfo;
  config: BenchConfig;
  results: BenchResult[];
  failures?: BenchFailure[];
  memory?: MemoryNote | null;
}

/** Assembles a report and derives the comparisons: one per peer result that has a zkgpu partner. */
export function buildReport(parts: ReportParts): BenchReport {
  return {
    schema: SCHEMA_NAME,
    schemaVersion: SCHEMA_VERSION,
    createdAt: (parts.createdAt ?? new Date()).toISOString(),
    zkgpu: { version: parts.version },
    hardware: parts.hardware,
    config: parts.config,
    results: parts.results,
    comparisons: compare(parts.results),
    failures: parts.failures ?? [],
    memory: parts.memory ?? null,
  };
}

function sameCase(a: BenchResult, b: BenchResult): boolean {
  return a.op === b.op && a.curve === b.curve && a.group === b.group && a.logN === b.logN;
}

export function compare(results: readonly BenchResult[]): BenchComparison[] {
  const out: BenchComparison[] = [];
  for (const peer of results) {
    if (peer.impl === 'zkgpu') continue;
    // With several zkgpu backends at one size (wasm and webgpu later) compare against the fastest.
    const ours = results.filter((r) => r.impl === 'zkgpu' && sameCase(r, peer));
    if (ours.length === 0) continue;
    const best = Math.min(...ours.map((r) => r.ms.median));
    out.push({
      op: peer.op,
      curve: peer.curve,
      group: peer.group ?? null,
      logN: peer.logN,
      peer: peer.impl,
      speedup: best > 0 ? peer.ms.median / best : Number.POSITIVE_INFINITY,
    });
  }
  return out;
}

/**
 * Structural check of a parsed report, for readers of JSON files (and for our tests). Returns the
 * list of problems, empty when the report has the version-1 shape.
 */
export function validateReport(value: unknown): string[] {
  const problems: string[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObj(value)) return ['report is not an object'];
  if (value.schema !== SCHEMA_NAME) problems.push(`schema must be "${SCHEMA_NAME}"`);
  if (value.schemaVersion !== SCHEMA_VERSION) problems.push(`schemaVersion must be ${SCHEMA_VERSION}`);
  if (typeof value.createdAt !== 'string' || Number.isNaN(Date.parse(value.createdAt))) {
    problems.push('createdAt must be an ISO date string');
  }
  if (!isObj(value.zkgpu) || typeof value.zkgpu.version !== 'string') problems.push('zkgpu.version missing');
  if (!isObj(value.hardware)) problems.push('hardware missing');
  else if (!('gpu' in value.hardware)) problems.push('hardware.gpu missing (use null)');
  if (!isObj(value.config) || typeof value.config.seed !== 'string') problems.push('config.seed missing');
  for (const key of ['results', 'comparisons', 'failures'] as const) {
    if (!Array.isArray(value[key])) problems.push(`${key} must be an array`);
  }
  if (Array.isArray(value.results)) {
    value.results.forEach((r: unknown, i: number) => {
      if (!isObj(r)) return void problems.push(`results[${i}] is not an object`);
      if (r.op !== 'msm' && r.op !== 'ntt') problems.push(`results[${i}].op invalid`);
      if (typeof r.logN !== 'number' || r.n !== 2 ** r.logN) problems.push(`results[${i}].n must be 2^logN`);
      if (r.checked !== true) problems.push(`results[${i}].checked must be true`);
      const ms = r.ms;
      if (!isObj(ms) || !Array.isArray(ms.all) || typeof ms.median !== 'number') {
        problems.push(`results[${i}].ms malformed`);
      } else if (ms.all.length !== r.runs) {
        problems.push(`results[${i}].ms.all has ${ms.all.length} entries, runs is ${String(r.runs)}`);
      }
      if (typeof r.peakRssBytes !== 'number') problems.push(`results[${i}].peakRssBytes missing`);
    });
  }
  return problems;
}
