/**
 * MSM on the CPU worker pool: the points are split into one contiguous chunk per worker, each
 * worker runs Pippenger on its chunk, and the partial sums are added (a few affine additions).
 */
import type { Remote } from 'comlink';
import type { CurveName, GroupName } from '../math/index.js';
import { postable, type WorkerPool } from '../cpu/pool.js';
import type { CpuWorkerApi } from '../cpu/worker-api.js';
import { splitRange } from '../cpu/split.js';
import { invalidPointError } from '../core/validate.js';

/**
 * Chunks never go below this many points, so tiny MSMs stay on one worker. Measured here (BN254,
 * 2 workers, median of 6): splitting from 512 points per worker on, G1 2^12 took 43 ms instead of
 * 77 ms on one worker, G2 2^12 218 ms instead of 316 ms. Smaller chunks were not measured.
 */
export const MIN_POINTS_PER_WORKER = 1 << 9;

export interface CpuMsmJob {
  curve: CurveName;
  group: GroupName;
  points: Uint8Array;
  scalars: Uint8Array;
  pointBytes: number;
  windowBits?: number;
  signal?: AbortSignal;
  /**
   * Check the points first, in the same worker task (one copy of the points instead of two); an
   * invalid one rejects with POINT_NOT_ON_CURVE at `firstIndex` + its index here.
   */
  validate?: { firstIndex: number };
  /** Worker tasks at most (default: every worker); 1 runs the MSM whole on one worker. */
  maxWorkers?: number;
  /** Pool priority of the MSM's tasks (WorkerPool.run). */
  priority?: number;
  /** Test hook (the scheduler's fault injection): runs inside each worker task before the MSM. */
  beforeTask?: (api: Remote<CpuWorkerApi>) => void | Promise<void>;
}

export async function msmOnPool(pool: WorkerPool, job: CpuMsmJob): Promise<Uint8Array> {
  const n = job.scalars.length / 32;
  if (n === 0) return new Uint8Array(job.pointBytes); // the empty sum is the point at infinity
  const parts = Math.min(pool.size, job.maxWorkers ?? pool.size, Math.max(1, Math.floor(n / MIN_POINTS_PER_WORKER)));
  const partials = await Promise.all(
    splitRange(n, parts).map(({ offset, count }) => {
      const pointsPart = job.points.subarray(offset * job.pointBytes, (offset + count) * job.pointBytes);
      const scalarsPart = job.scalars.subarray(offset * 32, (offset + count) * 32);
      return pool.run(
        async (api, worker) => {
          await job.beforeTask?.(api);
          const [p, s] = postable(pool, worker, [pointsPart, scalarsPart]);
          if (!job.validate) return api.msm(job.curve, job.group, p, s, job.windowBits);
          const r = await api.msmValidated(job.curve, job.group, p, s, job.windowBits);
          if ('point' in r) return r.point;
          throw invalidPointError(job.validate.firstIndex + offset + r.invalidIndex, job.pointBytes, job.curve, job.group);
        },
        job.signal,
        job.priority,
      );
    }),
  );
  return addOnPool(pool, job.curve, job.group, partials, job.pointBytes, job.signal, job.priority);
}

/** Σ points (affine, engine encoding) on one worker: infinity for none, the point itself for one. */
export async function addOnPool(
  pool: WorkerPool,
  curve: CurveName,
  group: GroupName,
  points: readonly Uint8Array[],
  pointBytes: number,
  signal?: AbortSignal,
  priority?: number,
): Promise<Uint8Array> {
  if (points.length === 0) return new Uint8Array(pointBytes);
  if (points.length === 1) return points[0];
  return pool.run(
    async (api) => {
      let sum = points[0];
      for (let i = 1; i < points.length; i++) sum = await api.pointAdd(curve, group, sum, points[i]);
      return sum;
    },
    signal,
    priority,
  );
}
