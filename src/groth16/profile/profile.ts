/**
 * groth16.profile: one proof with everything it does written down (when each proof stage ended,
 * every job report, runtime.stats() around it, the process's RSS every 20 ms), then analysed
 * (report.ts) into stage rows, device utilisation and the stage that bounds the proof.
 * `zkgpu profile` prints it (formatProfile, format.ts) or its JSON. A stage here is a proof stage
 * (prover/proof-run.ts ProofStage: a key of Groth16Timings).
 */
import { ZkgpuError } from '../../core/errors.js';
import { createRuntime, type Backend, type JobReport, type Runtime } from '../../runtime/runtime.js';
import type { GpuAdapterInfo } from '../../gpu/context.js';
import type { HardwareReport } from '../../scheduler/index.js';
import { isSoftwareAdapter } from '../../scheduler/policy.js';
import { msmEstimatesOf, prove, type Groth16Progress, type Groth16Timings, type ProveOptions } from '../prover/prove.js';
import type { Groth16Proof } from '../formats/proof-format.js';
import { withMsmEstimates } from '../prover/proof-run.js';
import type { BinSource } from '../formats/source.js';
import { analyseProof, type ProfileAnalysis, type ProfileObservations } from './report.js';

export { formatProfile } from './format.js';

export interface ProfileOptions {
  /** Runtime to profile on (left open). Without one, a runtime is created and disposed before returning. */
  runtime?: Runtime;
  /** Worker threads of the runtime created when none is given. */
  threads?: number;
  /** Engine for every MSM and NTT; default 'auto'. */
  backend?: Backend;
  /** How the H scalars are made; see ProveOptions.qap. */
  qap?: ProveOptions['qap'];
  signal?: AbortSignal;
  onProgress?: (event: Groth16Progress) => void;
  /**
   * RSS sampling period. 20 ms: a 2^11 proof on 2 threads lasts ~1 s, so ~50 samples; each costs
   * one process.memoryUsage.rss() call (microseconds).
   */
  sampleMs?: number;
}

export interface ProfileMemory {
  /** Highest RSS sampled during the proof (whole process: the worker threads live in it too). */
  peakRssBytes: number | null;
  /** RSS when the proof started. */
  startRssBytes: number | null;
  samples: number;
  /** process.resourceUsage().maxRSS: the whole process's lifetime, not this proof alone (null outside Node). */
  processMaxRssBytes: number | null;
  /** Peak bytes of GPU buffers in use; null when not measurable (see gpuNote). */
  peakGpuBytes: number | null;
  gpuNote: string;
}

export interface ProfileReport extends ProfileAnalysis {
  proof: Groth16Proof;
  publicSignals: string[];
  /** The backend asked for ('auto' unless given). */
  backend: Backend;
  threads: number;
  adapter: GpuAdapterInfo | null;
  hardware: HardwareReport;
  /** Wall time of the proof. */
  totalMs: number;
  timings: Groth16Timings;
  memory: ProfileMemory;
  /**
   * Per CPU worker: time running tasks during the proof and time idle (the proof's wall time
   * minus that). On a shared runtime other callers' tasks count as busy.
   */
  workers: { worker: number; busyMs: number; idleMs: number }[];
  /** Per witness MSM: its scalar profile, the planner's estimate from it, and the measured time. */
  msms: ProfileMsm[];
}

/** A witness MSM (msmA ... msmH) as planned from its scalars against what it took. */
export interface ProfileMsm {
  stage: string;
  terms: number;
  zeros: number;
  ones: number;
  /** Neither 0 nor 1: by Pippenger, at `maxBits` bits. */
  dense: number;
  maxBits: number;
  /** Uniform-scalar terms it costs as much as (scheduler/models.ts msmEffectiveElements): what was planned. */
  effectiveElements: number;
  /** The planner's estimate on the workers it was given (uncalibrated default models unless `calibrated`). */
  estimateMs: number;
  calibrated: boolean;
  /** The MSM's run time in the runtime (its job report: first chunk start to result), waiting for the pool included. */
  measuredMs: number | null;
}

/** Proves once on a runtime of its own (or the one given) and reports where the time and memory went. */
export async function profileProof(zkey: BinSource, wtns: BinSource, options: ProfileOptions = {}): Promise<ProfileReport> {
  if (typeof options !== 'object' || options === null) throw new ZkgpuError('INVALID_ARGUMENT', 'options must be an object');
  const { sampleMs } = options;
  if (sampleMs !== undefined && !(typeof sampleMs === 'number' && sampleMs >= 1 && Number.isFinite(sampleMs))) {
    throw new ZkgpuError('INVALID_ARGUMENT', `sampleMs must be a number of milliseconds >= 1, got ${String(sampleMs)}`);
  }
  const own = options.runtime === undefined;
  // A software GPU never wins (scheduler/policy.ts) and Dawn start-up costs ~100s of ms: skip it for 'wasm'.
  const runtime = options.runtime ?? (await createRuntime({ threads: options.threads, gpu: options.backend === 'wasm' ? false : undefined }));
  try {
    return await profileOn(runtime, zkey, wtns, options, own);
  } finally {
    if (own) await runtime.dispose();
  }
}

async function profileOn(runtime: Runtime, zkey: BinSource, wtns: BinSource, options: ProfileOptions, ownRuntime: boolean): Promise<ProfileReport> {
  const jobs: ProfileObservations['jobs'] = [];
  const stageEndMs: Record<string, number> = {};
  const rss: ProfileObservations['rss'] = [];
  const statsBefore = runtime.stats();
  const busyBefore = runtime.workerBusyMs();
  const start = performance.now();
  const since = () => performance.now() - start;
  /** `atMs`: the time of the event being sampled, so the sample falls inside the stage that just ended. */
  const sample = (atMs = since()) => {
    const bytes = rssNow();
    if (bytes !== null) rss.push({ atMs, bytes });
  };
  sample();
  // Stages with no job report (the file reads, the QAP's worker tasks) also get a sample at their end.
  const timer = setInterval(() => sample(), options.sampleMs ?? 20);
  timer.unref?.();
  let result;
  let totalMs;
  try {
    result = await prove(
      zkey,
      wtns,
      withMsmEstimates<ProveOptions>({
        runtime,
        backend: options.backend,
        qap: options.qap,
        signal: options.signal,
        onProgress: (e) => {
          stageEndMs[e.stage] = since();
          sample(stageEndMs[e.stage]);
          options.onProgress?.(e);
        },
        onJobReport: (stage, report) => {
          const atMs = since();
          jobs.push({ stage, report, atMs });
          stageEndMs[stage] = atMs;
          sample(atMs);
        },
      }),
    );
    totalMs = since();
  } finally {
    clearInterval(timer);
  }
  // A fresh nvidia-smi sample (where the tool exists) for the verdict's throttling check.
  if (runtime.gpu) await runtime.gpuTelemetry().catch(() => null);
  const statsAfter = runtime.stats();
  const busyAfter = runtime.workerBusyMs();
  const hardware = await runtime.hardware();
  const adapter = runtime.gpu;
  const gpuMemory = runtime.gpuMemory();
  const estimates = await chunkEstimates(runtime, jobs);
  const analysis = analyseProof({
    totalMs,
    timings: result.timings,
    jobs: estimates.jobs,
    estimatesCalibrated: estimates.calibrated,
    stageEndMs,
    rss,
    statsBefore,
    statsAfter,
    backend: options.backend ?? 'auto',
    threads: runtime.threads,
    cpuThreads: hardware.cpu.threads,
    adapter,
    gpuSoftware: adapter !== null && isSoftwareAdapter(adapter),
  });
  return {
    proof: result.proof,
    publicSignals: result.publicSignals,
    backend: options.backend ?? 'auto',
    threads: runtime.threads,
    adapter,
    hardware,
    totalMs,
    timings: result.timings,
    ...analysis,
    memory: memoryOf(rss, gpuMemory?.peakInUseBytes ?? null, adapter !== null, ownRuntime),
    workers: busyAfter.map((after, worker) => {
      const busyMs = Math.min(totalMs, after - (busyBefore[worker] ?? 0));
      return { worker, busyMs, idleMs: totalMs - busyMs };
    }),
    msms: Object.entries(msmEstimatesOf(result)).map(([stage, e]) => {
      const reports = jobs.filter((j) => j.stage === stage).map((j) => j.report.ms);
      return { stage, ...e, measuredMs: reports.length > 0 ? Math.max(...reports) : null };
    }),
  };
}

function memoryOf(rss: ProfileObservations['rss'], peakGpuBytes: number | null, hasGpu: boolean, ownRuntime: boolean): ProfileMemory {
  return {
    peakRssBytes: rss.length > 0 ? Math.max(...rss.map((s) => s.bytes)) : null,
    startRssBytes: rss[0]?.bytes ?? null,
    samples: rss.length,
    processMaxRssBytes: processMaxRss(),
    peakGpuBytes,
    gpuNote: !hasGpu
      ? 'no GPU in this run'
      : ownRuntime
        ? "zkgpu's GPU buffers at their peak (WebGPU reports no device-wide VRAM use)"
        : "zkgpu's GPU buffers at their peak since the runtime acquired its device (a shared runtime: not this proof alone)",
  };
}

const inNode = () => typeof process !== 'undefined' && typeof process.memoryUsage?.rss === 'function';

/** Resident set size now; null where there is no process to ask (browsers). */
function rssNow(): number | null {
  return inNode() ? process.memoryUsage.rss() : null;
}

function processMaxRss(): number | null {
  // maxRSS is in kilobytes (getrusage).
  return inNode() ? process.resourceUsage().maxRSS * 1024 : null;
}

/**
 * The planner's estimate for each chunk, on the backend it ran on (weights for splitting a
 * device's time among overlapping stages). Asked after the proof so it costs the proof nothing.
 */
async function chunkEstimates(runtime: Runtime, jobs: ProfileObservations['jobs']): Promise<{ jobs: ProfileObservations['jobs']; calibrated: boolean }> {
  const cache = new Map<string, Promise<{ ms: number; calibrated: boolean } | null>>();
  const estimate = (r: JobReport, backend: string, count: number) => {
    // BabyBear transforms have no planner model (runtime.nttBabyBear plans without one).
    if (r.curve === undefined) return Promise.resolve(null);
    const key = `${r.op}:${r.curve}:${r.group ?? ''}:${backend}:${count}`;
    if (!cache.has(key)) {
      const plan = runtime.plan({ op: r.op, curve: r.curve, group: r.group, n: count, backend });
      cache.set(
        key,
        plan.then(
          (p) => ({ ms: p.estimateMs, calibrated: p.calibrated }),
          () => null,
        ),
      );
    }
    return cache.get(key)!;
  };
  let calibrated = true;
  const out = await Promise.all(
    jobs.map(async (j) => {
      const each = await Promise.all(j.report.chunks.map((c) => estimate(j.report, c.backend, c.count)));
      if (each.some((e) => e === null || !e.calibrated)) calibrated = false;
      return { ...j, estimatesMs: each.map((e) => e?.ms ?? NaN) };
    }),
  );
  return { jobs: out, calibrated };
}
