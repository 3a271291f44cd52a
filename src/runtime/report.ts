/**
 * The JobReport every call ends with: which engine did most of the work and why, the chunks, the
 * time. Built from the executor's result by one pure function (buildJobReport).
 */
import type { GpuAdapterInfo } from '../gpu/context.js';
import type { CurveName, GroupName } from '../math/index.js';
import type { ChunkReport, ExecResult } from '../scheduler/execute/executor.js';
import type { Backend, Engine } from '../scheduler/policy.js';

/** What ran one call, and how long it took. */
export interface JobReport {
  /** Job number on this runtime (the `job` of its 'progress' and 'retry' events). */
  id: number;
  op: 'msm' | 'ntt';
  /** The curve (its Fr for an NTT); absent for a BabyBear NTT. */
  curve?: CurveName;
  /** Set for the 31-bit BabyBear NTT. */
  field?: 'babybear';
  group?: GroupName;
  /** Points (MSM) or field elements (NTT). */
  n: number;
  requested: Backend;
  /**
   * The engine that did most of the work (most elements; `chunks` has the split). A job with no
   * elements reports the pinned engine, or 'wasm'.
   */
  backend: Engine;
  /** Why this split (the planner's reason, what was left out and why, any failover). */
  reason: string;
  /** The GPU adapter, when a chunk ran on a GPU (with several: the one that ran most elements; `chunks` name each backend id). */
  adapter: GpuAdapterInfo | null;
  /** Worker threads, when a chunk ran on the workers. */
  threads: number | null;
  /** The finished chunks in offset order (elements after zero-scalar terms are dropped, for an MSM). */
  chunks: ChunkReport[];
  ms: number;
  /** GPU execution time from timestamp queries (RuntimeOptions.gpuTimestamps), when measured. */
  gpuMs?: number;
  /** Set when GPU work was re-run on the workers (device lost, out of memory at the floor, GPU error). */
  fallback?: { from: 'webgpu'; error: string };
}

/** What a call was, as the report names it. */
export interface JobInfo {
  op: 'msm' | 'ntt';
  curve?: CurveName;
  field?: 'babybear';
  group?: GroupName;
  /** Elements as the caller gave them (the report's n). */
  n: number;
  requested: Backend;
  failover: boolean;
  signal?: AbortSignal;
  onReport?: (r: JobReport) => void;
}

/** The stage name the executor puts in its errors: 'MSM bn254 g1', 'NTT babybear'. */
export function stageName(job: Pick<JobInfo, 'op' | 'curve' | 'field' | 'group'>): string {
  return `${job.op.toUpperCase()} ${job.curve ?? job.field}${job.group ? ` ${job.group}` : ''}`;
}

export interface ReportContext {
  id: number;
  /** The planner's reason. */
  reason: string;
  ms: number;
  /** The adapter behind a GPU backend id ('webgpu', 'webgpu:1'), now. */
  adapterOf(backend: string): GpuAdapterInfo | null;
  threads: number;
}

/** The report of a finished call: the engine with most elements, the adapter or threads that ran chunks. */
export function buildJobReport(job: JobInfo, result: Omit<ExecResult<unknown>, 'value'>, ctx: ReportContext): JobReport {
  let onGpu = 0;
  let onCpu = 0;
  const perGpu = new Map<string, number>();
  for (const c of result.chunks) {
    if (c.backend === 'wasm') onCpu += c.count;
    else {
      onGpu += c.count;
      perGpu.set(c.backend, (perGpu.get(c.backend) ?? 0) + c.count);
    }
  }
  const busiestGpu = [...perGpu].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'webgpu';
  const engine: Engine = onGpu + onCpu === 0 ? (job.requested === 'webgpu' ? 'webgpu' : 'wasm') : onGpu > onCpu ? 'webgpu' : 'wasm';
  return {
    id: ctx.id,
    op: job.op,
    ...(job.curve ? { curve: job.curve } : {}),
    ...(job.field ? { field: job.field } : {}),
    ...(job.group ? { group: job.group } : {}),
    n: job.n,
    requested: job.requested,
    backend: engine,
    reason: result.fallback ? `${ctx.reason}; GPU work re-run on the workers after a GPU failure` : ctx.reason,
    adapter: onGpu > 0 || engine === 'webgpu' ? ctx.adapterOf(busiestGpu) : null,
    threads: onCpu > 0 || engine === 'wasm' ? ctx.threads : null,
    chunks: result.chunks,
    ms: ctx.ms,
    ...(result.gpuMs !== undefined && onGpu > 0 ? { gpuMs: result.gpuMs } : {}),
    ...(result.fallback ? { fallback: { from: 'webgpu' as const, error: result.fallback } } : {}),
  };
}
