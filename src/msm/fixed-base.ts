/**
 * Batch fixed-base scalar multiplication on the CPU worker pool: [k_i] base for many k_i (the
 * point work of a Groth16 setup). Scalars are cut into chunks that the pool hands to whichever
 * worker is free; each worker builds the base's window table once per chunk (8160 mixed additions,
 * wasm/src/fixed_base.rs) and spends ~32 additions per scalar, so chunks of 2^14 scalars keep the
 * table under 2% of the work while still giving every worker several chunks to balance on.
 */
import { transfer, type Remote } from 'comlink';
import type { CurveName, GroupName } from '../math/index.js';
import type { CpuWorkerApi } from '../cpu/worker-api.js';
import { pointBytes } from '../core/sizes.js';

export const FIXED_BASE_CHUNK = 1 << 14;

export interface FixedBaseJob {
  curve: CurveName;
  group: GroupName;
  /** The base point, affine in the points' encoding. */
  base: Uint8Array;
  /** 32-byte little-endian standard-form scalars, each < r (not checked here). */
  scalars: Uint8Array;
  signal?: AbortSignal;
}

/** Runs one task on a free worker: a WorkerPool, or a Runtime's runOnWorker (the dev setup). */
export interface WorkerTaskRunner {
  run<T>(task: (api: Remote<CpuWorkerApi>) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** n points, [scalars[i]] base each, affine in the points' encoding (zero scalar -> zeros). */
export async function fixedBaseOnPool(pool: WorkerTaskRunner, job: FixedBaseJob): Promise<Uint8Array> {
  const pb = pointBytes(job.curve, job.group);
  const n = job.scalars.length / 32;
  const out = new Uint8Array(n * pb);
  const tasks: Promise<void>[] = [];
  for (let offset = 0; offset < n; offset += FIXED_BASE_CHUNK) {
    const count = Math.min(FIXED_BASE_CHUNK, n - offset);
    tasks.push(
      pool
        .run((api) => {
          // Copied in the task, once per try: the caller's buffers are never detached by the
          // transfer, and a try retried after its worker died (Runtime.runOnWorker) has its inputs.
          const scalars = job.scalars.slice(offset * 32, (offset + count) * 32);
          const base = job.base.slice();
          return api.fixedBaseMul(job.curve, job.group, transfer(base, [base.buffer]), transfer(scalars, [scalars.buffer]));
        }, job.signal)
        .then((points) => out.set(points, offset * pb)),
    );
  }
  await Promise.all(tasks);
  return out;
}
