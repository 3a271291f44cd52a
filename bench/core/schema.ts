/**
 * The benchmark report format, version 1, as zod schemas: the one definition of the format. The
 * Node CLI (`zkgpu bench`, `zkgpu bench groth16`) validates what it writes with them, the browser
 * benchmark page validates what it loads, and the TypeScript types are inferred from them.
 * Documented field by field in bench/README.md.
 *
 * Compatibility rule: adding an optional field keeps schemaVersion 1; renaming, removing or changing
 * the meaning of a field bumps it. Readers accept (and drop) fields they do not know, so a report
 * from a newer writer of version 1 still loads.
 */
import { z } from 'zod';

export const SCHEMA_NAME = 'zkgpu-bench';
export const SCHEMA_VERSION = 1;

export const BENCH_OPS = ['msm', 'ntt'] as const;
export const BENCH_CURVES = ['bn254', 'bls12-381'] as const;
export const BENCH_GROUPS = ['g1', 'g2'] as const;
export const BENCH_PEERS = ['ffjavascript', 'noble'] as const;
export const BENCH_IMPLS = ['zkgpu', ...BENCH_PEERS] as const;
export const BENCH_BACKENDS = ['wasm', 'webgpu'] as const;

const op = z.enum(BENCH_OPS);
const curve = z.enum(BENCH_CURVES);
const group = z.enum(BENCH_GROUPS);
const impl = z.enum(BENCH_IMPLS);
const peer = z.enum(BENCH_PEERS);
const backend = z.enum(BENCH_BACKENDS);
const ms = z.number().nonnegative();
const bytes = z.number().int().nonnegative();

/** WebGPU adapter description; filled by the WebGPU engine and the browser page, `null` elsewhere. */
export const GpuInfoSchema = z.object({
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  /** The adapter limits that matter for our kernels, as reported (not as requested). */
  limits: z.record(z.string(), z.number()),
  features: z.array(z.string()),
});

export const HardwareInfoSchema = z.object({
  /** `os.cpus()[0].model`; `null` in a browser. */
  cpuModel: z.string().nullable(),
  /** `os.cpus().length` or `navigator.hardwareConcurrency`. */
  logicalCores: z.number().int().nullable(),
  /** `os.availableParallelism()` (respects cgroup/affinity limits); `null` in a browser. */
  availableParallelism: z.number().int().nullable(),
  totalMemoryBytes: bytes.nullable(),
  freeMemoryBytes: bytes.nullable(),
  /** `process.platform` / `process.arch`, or the browser's best guess. */
  platform: z.string(),
  arch: z.string().nullable(),
  /** `process.version` (e.g. "v20.20.2"); `null` in a browser. */
  nodeVersion: z.string().nullable(),
  /** `os.loadavg()` (1, 5, 15 min) when the run started; `null` in a browser. Timings taken under load are noise. */
  loadAverage: z.tuple([z.number(), z.number(), z.number()]).nullable().optional(),
  /** `navigator.userAgent` in a browser; absent or `null` in Node. */
  userAgent: z.string().nullable().optional(),
  gpu: GpuInfoSchema.nullable(),
});

/** Milliseconds of the timed runs (the warm-up/check run is not among them). */
export const MsStatsSchema = z.object({
  median: ms,
  min: ms,
  max: ms,
  /** Every timed run in the order it ran. */
  all: z.array(ms),
});

export const BenchResultSchema = z
  .object({
    op,
    curve,
    /** MSM only. */
    group: group.optional(),
    logN: z.number().int().min(0),
    n: z.number().int().positive(),
    impl,
    /** zkgpu's backend; `null` for peers. */
    backend: backend.nullable(),
    /** Worker threads the implementation used (1 for single-threaded code on the main thread). */
    threads: z.number().int().positive(),
    runs: z.number().int().positive(),
    ms: MsStatsSchema,
    /** The first, cold run: it is also the run whose result was checked. */
    firstRunMs: ms,
    /** WebGPU with timestamp queries only: GPU execution time of the timed runs. */
    gpuMs: MsStatsSchema.optional(),
    /** Highest process RSS sampled during this implementation's runs at this size (see `memory`). */
    peakRssBytes: bytes,
    /** Always true: a result is written only after its output was checked against a reference. */
    checked: z.literal(true),
    /**
     * What this row's output was checked against at this size: the independent references for
     * zkgpu's first backend ("ffjavascript", "noble", or "zkgpu/math", the BigInt oracle, when no
     * peer is installed); "zkgpu-<backend>" (the checked first backend) for every other row.
     * Absent in reports written before it existed (they were always checked against ffjavascript).
     */
    checkedAgainst: z.array(z.string()).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.n !== 2 ** r.logN) ctx.addIssue({ code: 'custom', path: ['n'], message: `n must be 2^logN (${2 ** r.logN}), got ${r.n}` });
    if (r.ms.all.length !== r.runs) {
      ctx.addIssue({ code: 'custom', path: ['ms', 'all'], message: `has ${r.ms.all.length} entries, runs is ${r.runs}` });
    }
  });

export const BenchComparisonSchema = z.object({
  op,
  curve,
  /** `null` for NTT. */
  group: group.nullable(),
  logN: z.number().int().min(0),
  peer,
  /** peer median / zkgpu median: above 1 means zkgpu is faster. */
  speedup: z.number().nonnegative(),
});

/** A size that produced no timing: a mismatch against a reference, or an implementation that threw. */
export const BenchFailureSchema = z.object({
  op,
  curve,
  group: group.nullable(),
  logN: z.number().int().min(0),
  /** The implementation that failed or disagreed (the peer, for a mismatch against a peer). */
  impl,
  kind: z.enum(['mismatch', 'error']),
  message: z.string(),
});

export const BenchConfigSchema = z.object({
  ops: z.array(op),
  curve,
  group,
  sizes: z.array(z.number().int().positive()),
  runs: z.number().int().positive(),
  /** zkgpu engines timed, in order (the first is checked against the references, the others against it). */
  backends: z.array(backend).nullable().optional(),
  /** Requested zkgpu worker threads; `null` = the runtime's default. */
  threads: z.number().int().positive().nullable(),
  peers: z.array(peer),
  json: z.string().nullable(),
  quick: z.boolean(),
  /** The input seed as a decimal string; rerun with `--seed` to get the same inputs. */
  seed: z.string().regex(/^\d+$/, 'must be a decimal string'),
});

export const MemoryNoteSchema = z.object({
  /** Interval of the RSS sampler in ms. */
  sampleIntervalMs: z.number().positive(),
  /** `process.resourceUsage().maxRSS` in bytes at the end of the run (whole process lifetime). */
  processMaxRssBytes: bytes.nullable(),
  note: z.string(),
});

const envelope = {
  schema: z.literal(SCHEMA_NAME),
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** ISO 8601. */
  createdAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date string'),
  zkgpu: z.object({ version: z.string() }),
  hardware: HardwareInfoSchema,
};

// ---------------------------------------------------------------------------------------------
// Groth16 reports (`zkgpu bench groth16`): the same envelope, kind 'groth16', results per prover.

export const GROTH16_IMPLS = ['zkgpu', 'snarkjs', 'rapidsnark'] as const;
export const PROVER_BACKENDS = ['wasm', 'webgpu', 'auto'] as const;
const groth16Impl = z.enum(GROTH16_IMPLS);
const proverBackend = z.enum(PROVER_BACKENDS);

export const Groth16BenchResultSchema = z.object({
  impl: groth16Impl,
  /** zkgpu's requested backend; null for snarkjs and rapidsnark. */
  backend: proverBackend.nullable(),
  /** Engines that ran zkgpu's MSMs/NTTs (from the runtime's reports); null for the peers. */
  engines: z.array(z.string()).nullable(),
  threads: z.number().int().positive(),
  runs: z.number().int().positive(),
  ms: MsStatsSchema,
  firstRunMs: ms,
  /** zkgpu only: median ms of each prover stage over the timed runs (stages overlap in time). */
  stageMedians: z.record(z.string(), z.number()).nullable(),
  /** maxRSS of the process that ran only this prover (key, witness, workers and all). */
  peakRssBytes: bytes.nullable(),
  /** Always true: written only after snarkjs verified this prover's warm-up and last proof. */
  checked: z.literal(true),
});

export const Groth16ConfigSchema = z.object({
  circuit: z.string(),
  curve: z.string(),
  constraints: z.number().int().nullable(),
  nVars: z.number().int().nullable(),
  nPublic: z.number().int().nullable(),
  domainSize: z.number().int().nullable(),
  runs: z.number().int().positive(),
  threads: z.number().int().positive().nullable(),
  backend: proverBackend,
});

export const Groth16BenchReportSchema = z.object({
  ...envelope,
  kind: z.literal('groth16'),
  /** in-process: groth16.prove against snarkjs.groth16.prove; cli (--cli): whole command lines, one process per proof. Absent: in-process. */
  mode: z.enum(['in-process', 'cli']).optional(),
  config: Groth16ConfigSchema,
  results: z.array(Groth16BenchResultSchema),
  /** snarkjs median / zkgpu median: above 1 means zkgpu is faster. Null when a prover failed. */
  speedup: z.number().nullable(),
  failures: z.array(z.object({ impl: groth16Impl, kind: z.enum(['mismatch', 'error']), message: z.string() })),
  memory: z.object({ note: z.string() }),
  /** zkgpu median / rapidsnark median (above 1: rapidsnark is faster); only with `--rapidsnark`, null when a prover failed. */
  rapidsnarkGap: z.number().nullable().optional(),
  /**
   * `--circuit-class`: one entry per class, in the order run; `config`, `results`, `speedup` and
   * `failures` above are then the first class's. Absent for a single circuit.
   */
  classes: z
    .array(
      z.object({
        /** As given: "sha256", "merkle-4" (class name and size). */
        class: z.string(),
        config: Groth16ConfigSchema,
        results: z.array(Groth16BenchResultSchema),
        speedup: z.number().nullable(),
        rapidsnarkGap: z.number().nullable().optional(),
        failures: z.array(z.object({ impl: groth16Impl, kind: z.enum(['mismatch', 'error']), message: z.string() })),
      }),
    )
    .optional(),
});

/** One circuit's Groth16 timings inside an MSM/NTT report (the page's suites). */
export const Groth16SectionSchema = z.object({
  config: Groth16ConfigSchema,
  results: z.array(Groth16BenchResultSchema),
  speedup: z.number().nullable(),
  failures: z.array(z.object({ impl: groth16Impl, kind: z.enum(['mismatch', 'error']), message: z.string() })),
});

/**
 * A cost model measured on the machine that wrote the report (zkgpu's `calibrate`: time(n) =
 * fixedMs + n * perElementNs / 1e6 for one kernel on one engine), so a reader can estimate other
 * sizes from the same models the scheduler plans with. `sizes` are the n it was fitted on.
 */
export const CostModelSchema = z.object({
  /** 'msm:bn254:g1', 'msm:bls12-381:g2', 'ntt:bn254' (the calibration's kernel key). */
  kernel: z.string().regex(/^(msm:(bn254|bls12-381):g[12]|ntt:(bn254|bls12-381))$/, "must be 'msm:<curve>:<group>' or 'ntt:<curve>'"),
  backend,
  fixedMs: ms,
  perElementNs: z.number().positive(),
  /** 'wasm': the worker threads it ran on. */
  threads: z.number().int().positive().nullable(),
  sizes: z.array(z.number().int().positive()).min(1),
  /** Fitted on calibrate's quick ladder (two small sizes). */
  quick: z.boolean(),
});

/** An MSM/NTT report (`zkgpu bench msm|ntt`, the page's kernel suite). */
export const BenchReportSchema = z.object({
  ...envelope,
  /** Absent or 'msm-ntt' for this shape. */
  kind: z.literal('msm-ntt').optional(),
  config: BenchConfigSchema,
  results: z.array(BenchResultSchema),
  comparisons: z.array(BenchComparisonSchema),
  failures: z.array(BenchFailureSchema),
  /** Peers that were asked for but are not installed here (so neither timed nor used as a check). */
  missingPeers: z.array(peer).optional(),
  memory: MemoryNoteSchema.nullable(),
  /**
   * Every suite's config when the report holds more than one (the page's full suite runs each
   * curve and group as its own suite; `config` is then the first). Absent for one suite.
   */
  configs: z.array(BenchConfigSchema).optional(),
  /** Groth16 proofs timed in the same run (the page's suites: zkgpu beside snarkjs, each proof verified first). */
  groth16: z.array(Groth16SectionSchema).optional(),
  /** Where the report was made: 'cli' (zkgpu bench) or 'browser' (the benchmark page). Absent: the CLI. */
  runner: z.enum(['cli', 'browser']).optional(),
  /** The calibration's cost models of this machine (the page's suites), for estimates at other sizes. */
  costModels: z.array(CostModelSchema).optional(),
});

export type BenchOp = z.infer<typeof op>;
export type BenchCurve = z.infer<typeof curve>;
export type BenchGroup = z.infer<typeof group>;
export type BenchImpl = z.infer<typeof impl>;
export type BenchPeer = z.infer<typeof peer>;
export type BenchBackend = z.infer<typeof backend>;
export type GpuInfo = z.infer<typeof GpuInfoSchema>;
export type HardwareInfo = z.infer<typeof HardwareInfoSchema>;
export type MsStats = z.infer<typeof MsStatsSchema>;
export type BenchResult = z.infer<typeof BenchResultSchema>;
export type BenchComparison = z.infer<typeof BenchComparisonSchema>;
export type BenchFailure = z.infer<typeof BenchFailureSchema>;
export type BenchConfig = z.infer<typeof BenchConfigSchema>;
export type MemoryNote = z.infer<typeof MemoryNoteSchema>;
export type BenchReport = z.infer<typeof BenchReportSchema>;
export type Groth16Impl = z.infer<typeof groth16Impl>;
export type ProverBackend = z.infer<typeof proverBackend>;
export type Groth16BenchResult = z.infer<typeof Groth16BenchResultSchema>;
export type Groth16BenchReport = z.infer<typeof Groth16BenchReportSchema>;
export type Groth16Section = z.infer<typeof Groth16SectionSchema>;
export type Groth16Config = z.infer<typeof Groth16ConfigSchema>;
export type CostModel = z.infer<typeof CostModelSchema>;
export type AnyBenchReport = BenchReport | Groth16BenchReport;

// ---------------------------------------------------------------------------------------------
// Reading and checking reports.

/** A report that is not a valid version-1 report; `problems` lists each as "path: what is wrong". */
export class ReportFormatError extends Error {
  readonly code = 'REPORT_FORMAT';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source} is not a valid ${SCHEMA_NAME} v${SCHEMA_VERSION} report: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`);
    this.name = 'ReportFormatError';
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  return out === '' ? 'report' : out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The envelope first, so that a file of another format or version gets one clear sentence
 * rather than a list of every field that differs.
 */
function envelopeProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'report: not a JSON object';
  if (value.schema !== SCHEMA_NAME) return `schema: expected "${SCHEMA_NAME}", got ${JSON.stringify(value.schema) ?? 'nothing'}`;
  if (value.schemaVersion !== SCHEMA_VERSION) {
    return `schemaVersion: this reader knows version ${SCHEMA_VERSION}, the report is version ${JSON.stringify(value.schemaVersion) ?? '(none)'}`;
  }
  return null;
}

function schemaFor(value: Record<string, unknown>) {
  return value.kind === 'groth16' ? Groth16BenchReportSchema : BenchReportSchema;
}

/** Every problem with a parsed report as "path: what is wrong"; empty when it is a valid version-1 report (either kind). */
export function validateReport(value: unknown): string[] {
  const early = envelopeProblem(value);
  if (early !== null) return [early];
  const parsed = schemaFor(value as Record<string, unknown>).safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/** The report in `value` (parsed JSON), or a ReportFormatError naming `source` and each problem. */
export function parseReport(value: unknown, source = 'report'): AnyBenchReport {
  const problems = validateReport(value);
  if (problems.length > 0) throw new ReportFormatError(source, problems);
  return schemaFor(value as Record<string, unknown>).parse(value);
}

/** An MSM/NTT report or a ReportFormatError (a Groth16 report is one too, named as such). */
export function parseBenchReport(value: unknown, source = 'report'): BenchReport {
  const report = parseReport(value, source);
  if (report.kind === 'groth16') throw new ReportFormatError(source, ['kind: a Groth16 report, expected an MSM/NTT report']);
  return report;
}

// ---------------------------------------------------------------------------------------------
// Building reports.

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
  missingPeers?: BenchPeer[];
  memory?: MemoryNote | null;
  configs?: BenchConfig[];
  groth16?: Groth16Section[];
  runner?: 'cli' | 'browser';
  costModels?: CostModel[];
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
    ...(parts.missingPeers && parts.missingPeers.length > 0 ? { missingPeers: parts.missingPeers } : {}),
    memory: parts.memory ?? null,
    ...(parts.configs && parts.configs.length > 1 ? { configs: parts.configs } : {}),
    ...(parts.groth16 && parts.groth16.length > 0 ? { groth16: parts.groth16 } : {}),
    ...(parts.runner ? { runner: parts.runner } : {}),
    ...(parts.costModels && parts.costModels.length > 0 ? { costModels: parts.costModels } : {}),
  };
}

function sameCase(a: BenchResult, b: BenchResult): boolean {
  return a.op === b.op && a.curve === b.curve && a.group === b.group && a.logN === b.logN;
}

export function compare(results: readonly BenchResult[]): BenchComparison[] {
  const out: BenchComparison[] = [];
  for (const p of results) {
    if (p.impl === 'zkgpu') continue;
    // With several zkgpu backends at one size (wasm and webgpu) compare against the fastest.
    const ours = results.filter((r) => r.impl === 'zkgpu' && sameCase(r, p));
    if (ours.length === 0) continue;
    const best = Math.min(...ours.map((r) => r.ms.median));
    out.push({
      op: p.op,
      curve: p.curve,
      group: p.group ?? null,
      logN: p.logN,
      peer: p.impl,
      speedup: best > 0 ? p.ms.median / best : Number.POSITIVE_INFINITY,
    });
  }
  return out;
}
