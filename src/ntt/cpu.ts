/**
 * NTT on the CPU worker pool. Small transforms run whole on one worker. Large ones use the
 * four-step decomposition N = N1·N2 so that every worker gets independent rows:
 *   transpose → N2 row-NTTs of size N1 with twiddles ω_N^(i·k) → transpose → N1 row-NTTs of
 *   size N2 → transpose.
 * Workers do all field arithmetic; this thread only moves 32-byte elements around.
 */
import { transfer } from 'comlink';
import type { CurveName } from '../math/index.js';
import { splitRange } from '../cpu/split.js';
import { bitReversePermuteBytes, transposeBytes } from './permute.js';
import { postable, type WorkerPool } from '../cpu/pool.js';

const ELEMENT_BYTES = 32;

/**
 * Below 2^16 values the three transposes and six message copies cost about as much as the
 * second worker saves; those sizes run whole on one worker.
 */
export const MIN_SPLIT_LOG_N = 16;

export interface CpuNttJob {
  curve: CurveName;
  values: Uint8Array;
  logN: number;
  inverse: boolean;
  /** Coset shift g as 32-byte LE standard form, or null. */
  shift: Uint8Array | null;
  /** g^-1 and n^-1, needed only by the split inverse path (32-byte LE standard form). */
  shiftInverse: Uint8Array | null;
  nInverse: Uint8Array;
  inputOrder: 'natural' | 'bit-reversed';
  outputOrder: 'natural' | 'bit-reversed';
  signal?: AbortSignal;
  /** Worker tasks at most (default: every worker); 1 runs the transform whole on one worker. */
  maxWorkers?: number;
  /** Pool priority of every task of the transform (WorkerPool.run). */
  priority?: number;
}

export async function nttOnPool(pool: WorkerPool, job: CpuNttJob): Promise<Uint8Array> {
  const workers = Math.min(pool.size, job.maxWorkers ?? pool.size);
  if (workers === 1 || job.logN < MIN_SPLIT_LOG_N) {
    return pool.run(
      (api, worker) =>
        api.ntt(job.curve, postable(pool, worker, [job.values])[0], {
          inverse: job.inverse,
          shift: job.shift,
          inputOrder: job.inputOrder,
          outputOrder: job.outputOrder,
        }),
      job.signal,
      job.priority,
    );
  }
  return fourStep(pool, job, workers);
}

async function fourStep(pool: WorkerPool, job: CpuNttJob, workers: number): Promise<Uint8Array> {
  const { curve, logN, inverse } = job;
  const on = { pool, workers, signal: job.signal, priority: job.priority };
  const log1 = logN >> 1;
  const log2 = logN - log1;
  const n1 = 1 << log1;
  const n2 = 1 << log2;

  let x = job.inputOrder === 'bit-reversed' ? bitReversePermuteBytes(job.values, logN, ELEMENT_BYTES) : job.values;
  if (!inverse && job.shift) {
    const shift = job.shift;
    x = await mapChunks(on, x, 1, (api, chunk, first) => api.mulPowers(curve, chunk, shift, first));
  }
  // x is N1 rows × N2 columns (x[N2·j1 + j2]); its columns become rows.
  let t = transposeBytes(x, n1, n2, ELEMENT_BYTES);
  t = await mapChunks(on, t, n1, (api, rows, firstRow) => api.nttRows(curve, rows, log1, { inverse, twiddleLogN: logN, rowOffset: firstRow }));
  let u = transposeBytes(t, n2, n1, ELEMENT_BYTES);
  u = await mapChunks(on, u, n2, (api, rows) => api.nttRows(curve, rows, log2, { inverse }));
  let out = transposeBytes(u, n1, n2, ELEMENT_BYTES);
  if (inverse) {
    const { nInverse, shiftInverse } = job;
    out = await mapChunks(on, out, 1, async (api, chunk, first) => {
      const scaled = await api.scale(curve, chunk, nInverse);
      return shiftInverse ? api.mulPowers(curve, scaled, shiftInverse, first) : scaled;
    });
  }
  return job.outputOrder === 'bit-reversed' ? bitReversePermuteBytes(out, logN, ELEMENT_BYTES) : out;
}

type ChunkTask = (api: Parameters<Parameters<WorkerPool['run']>[0]>[0], chunk: Uint8Array, firstUnit: number) => Promise<Uint8Array> | Uint8Array;

interface ChunkTarget {
  pool: WorkerPool;
  workers: number;
  signal?: AbortSignal;
  priority?: number;
}

/**
 * Runs `task` on one contiguous chunk per worker (`workers` chunks), in units of `unitElements`
 * elements (a row, or one element), and reassembles the results in order.
 */
async function mapChunks(on: ChunkTarget, data: Uint8Array, unitElements: number, task: ChunkTask): Promise<Uint8Array> {
  const unitBytes = unitElements * ELEMENT_BYTES;
  const units = data.length / unitBytes;
  const out = new Uint8Array(data.length);
  await Promise.all(
    splitRange(units, on.workers).map(async ({ offset, count }) => {
      const chunk = data.slice(offset * unitBytes, (offset + count) * unitBytes);
      const result = await on.pool.run(async (api) => task(api, transfer(chunk, [chunk.buffer]), offset), on.signal, on.priority);
      out.set(result, offset * unitBytes);
    }),
  );
  return out;
}
