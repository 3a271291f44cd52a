/**
 * One task on a worker outside the planner (Runtime.runOnWorker: the Groth16 prover's QAP tasks,
 * the dev setup's fixed-base tasks), retried like a chunk when its worker dies: the decision is
 * the executor's (retry-policy.ts decideRetry with 'worker-crashed'), bounded by the same
 * MAX_CHUNK_ATTEMPTS, and repeated failure is CHUNK_FAILED naming the stage.
 */
import type { Remote } from 'comlink';
import { isZkgpuError, ZkgpuError } from '../core/errors.js';
import { postable, type WorkerPool } from '../cpu/pool.js';
import type { CpuWorkerApi } from '../cpu/worker-api.js';
import { decideRetry, MAX_CHUNK_ATTEMPTS } from '../scheduler/execute/retry-policy.js';
import type { FaultInjection } from '../scheduler/execute/types.js';

/**
 * A task runOnWorker may run more than once. `post(parts)` gives what to post to this worker for
 * input bytes (its reused staging buffer, or fresh copies that are transferred: cpu/pool.ts
 * postable): never the caller's own buffers, which a transfer would detach, so a retry still has
 * its inputs. A task must make everything it transfers inside itself, once per attempt.
 */
export type WorkerTask<T> = (api: Remote<CpuWorkerApi>, workerIndex: number, post: (parts: Uint8Array[]) => Uint8Array[]) => Promise<T>;

export interface WorkerTaskOptions {
  /** What the task is, in a CHUNK_FAILED's message and details.stage ('qap', 'quotient', 'points'). */
  stage?: string;
  /** Tries before CHUNK_FAILED; default MAX_CHUNK_ATTEMPTS, as a chunk. */
  maxAttempts?: number;
}

export interface WorkerTaskRun {
  signal?: AbortSignal;
  priority: number;
  faults?: FaultInjection;
}

export async function runRetried<T>(pool: WorkerPool, task: WorkerTask<T>, run: WorkerTaskRun, options: WorkerTaskOptions = {}): Promise<T> {
  const stage = options.stage ?? 'worker task';
  const hook = run.faults?.workerOnlyTask;
  for (let attempt = 1; ; attempt++) {
    try {
      return await pool.run(
        async (api, worker) => {
          if (hook) await hook({ stage, attempt, crash: () => void api.crash() });
          return task(api, worker, (parts) => postable(pool, worker, parts));
        },
        run.signal,
        run.priority,
      );
    } catch (e) {
      const failure = isZkgpuError(e, 'WORKER_CRASHED') ? 'worker-crashed' : 'fatal';
      const decision = decideRetry({ failure, attempts: attempt, pinned: false, failover: true, splittable: false, count: 1, maxAttempts: options.maxAttempts });
      // A pool whose workers all failed to restart would queue the retry forever.
      if (decision.action === 'retry' && pool.liveWorkers > 0) continue;
      if (decision.action === 'reject' && decision.code === 'CHUNK_FAILED') {
        const max = options.maxAttempts ?? MAX_CHUNK_ATTEMPTS;
        throw new ZkgpuError('CHUNK_FAILED', `${stage}: its worker died on each of ${attempt} tries (at most ${max}): ${(e as Error).message}`, { cause: e, details: { stage } });
      }
      throw e;
    }
  }
}
