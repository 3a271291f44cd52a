/**
 * BabyBear NTT on the CPU worker pool: the whole transform on one worker (zk_bb_ntt).
 *
 * No four-step split (unlike the Fr NTT in ntt.ts): a butterfly costs about 4 ns (2^20 forward:
 * 40 ms on one worker, 42 ms through the pool, 2-core development machine), so the three 4 MiB
 * transposes on this thread and six message copies would eat most of what a second worker saves.
 * A split may pay from about 2^24 on machines with many cores. Concurrent calls already spread
 * over the pool's workers.
 */
import { transfer } from 'comlink';
import { ZkgpuError } from '../core/errors.js';
import { BABYBEAR_P, BABYBEAR_TWO_ADICITY } from '../math/babybear.js';
import type { WorkerPool } from '../cpu/pool.js';

export interface BabyBearNttJob {
  /** n = 2^logN values in standard form, each < p = 2013265921. Not modified. */
  values: Uint32Array;
  logN: number;
  inverse: boolean;
  /** Coset shift g, an integer in [1, p), or null for none. */
  shift: number | null;
  inputOrder: 'natural' | 'bit-reversed';
  outputOrder: 'natural' | 'bit-reversed';
  signal?: AbortSignal;
}

/** Checks a BabyBear NTT request (sizes, shift, every value < p); shared by the CPU and GPU paths. */
export function checkBabyBearNttJob(what: string, job: Pick<BabyBearNttJob, 'values' | 'logN' | 'shift'>): void {
  const { values, logN, shift } = job;
  if (!(values instanceof Uint32Array)) throw new ZkgpuError('INVALID_ARGUMENT', `${what}: values must be a Uint32Array`);
  if (!Number.isInteger(logN) || logN < 0 || logN > BABYBEAR_TWO_ADICITY) {
    throw new ZkgpuError('NTT_SIZE_TOO_LARGE', `${what}: logN ${logN} outside 0..${BABYBEAR_TWO_ADICITY} (the 2-adicity of BabyBear)`);
  }
  if (values.length !== 2 ** logN) {
    throw new ZkgpuError('LENGTH_MISMATCH', `${what}: expected 2^${logN} = ${2 ** logN} values, got ${values.length}`);
  }
  if (shift !== null && (!Number.isInteger(shift) || shift < 1 || shift >= BABYBEAR_P)) {
    throw new ZkgpuError('INVALID_ARGUMENT', `${what}: shift must be null or an integer in [1, ${BABYBEAR_P}), got ${String(shift)}`);
  }
  for (let i = 0; i < values.length; i++) {
    if (values[i] >= BABYBEAR_P) {
      throw new ZkgpuError('FIELD_ELEMENT_OUT_OF_RANGE', `${what}: invalid BabyBear element at index ${i}: ${values[i]} is not below p = ${BABYBEAR_P}`);
    }
  }
}

/** Runs one BabyBear NTT on a pool worker; resolves to a new Uint32Array of n values. */
export async function babybearNttOnPool(pool: WorkerPool, job: BabyBearNttJob): Promise<Uint32Array> {
  checkBabyBearNttJob('babybearNttOnPool', job);
  const values = job.values.slice();
  return pool.run(
    (api) =>
      api.babybearNtt(transfer(values, [values.buffer]), {
        inverse: job.inverse,
        shift: job.shift,
        inputOrder: job.inputOrder,
        outputOrder: job.outputOrder,
      }),
    job.signal,
  );
}
