/** How one proof's MSMs and transforms share the runtime's workers (prove.ts, proof-jobs.ts). */

/**
 * Workers each MSM and transform of one proof may spread over. Five MSMs and three transform
 * chains run at once, so there is parallelism across them: each MSM takes a share of the
 * workers in proportion to its cost (a G2 point ~2.3 G1 points on wasm), at least one, and each
 * transform a third (three chains). With 2 workers everything runs whole on one worker: at
 * 2^16 (BN254, one worker) the five MSMs took 2805 ms whole and 3133 ms as halves, and a 2^16
 * transform whole skips the four-step split's three transposes on the main thread. From
 * WHOLE_MSM_MAX_VARS variables on, each MSM spreads over every worker again: at 2^20 whole MSMs
 * made the proof slower (37.9 s against 36.0 s split, 2 workers) and bigger (2.20 against 1.83
 * GiB peak RSS: each worker's heap holds a whole MSM), the bucket reduction being cheap there.
 *
 * tailWorkers is for the MSM queued last: always split over every worker, it evens out the end
 * of the proof. At 2^16 with 2 workers, whole, it ran alone on one worker for its last ~330 ms
 * while the other idled; split, the proof took 1945 ms instead of 2033 (median of 15 each,
 * same machine, alternating processes).
 */
export function workerLayout(threads: number, nVars: number, domainSize: number): WorkerLayout {
  const ntt = nttWorkers(threads);
  if (nVars >= WHOLE_MSM_MAX_VARS) return { g1Workers: threads, g2Workers: threads, nttWorkers: ntt, tailWorkers: threads };
  const g2Cost = 2.3 * nVars;
  const total = 3 * nVars + domainSize + g2Cost; // A, B1, C and H in G1, B2 in G2
  const share = (cost: number) => Math.max(1, Math.round((threads * cost) / total));
  return { g1Workers: share(nVars), g2Workers: share(g2Cost), nttWorkers: ntt, tailWorkers: threads };
}

export interface WorkerLayout {
  g1Workers: number;
  g2Workers: number;
  nttWorkers: number;
  tailWorkers: number;
}

/** Workers per transform: a third each, three chains running at once. */
export function nttWorkers(threads: number): number {
  return Math.max(1, Math.floor(threads / 3));
}

/** Measured whole-MSM win at 2^16 and loss at 2^20 (workerLayout); 2^18 splits the difference, not measured. */
export const WHOLE_MSM_MAX_VARS = 1 << 18;

/**
 * Workers for the proof's last MSM, the long pole (H, queued when its scalars exist), from the
 * estimated costs (worker-ms, scheduler/models.ts with each MSM's scalar profile) of the pole and
 * of the witness MSMs still running: whole on its share while they would keep the other workers
 * busy for most of its time (the dense case: at 2^16 the witness MSMs have ~2.5 s of work left
 * when H is ready, and whole MSMs were measured faster: 2805 vs 3133 ms for the five); over every
 * worker when they would not, so that none idles while it runs (issue 20: SHA-256 over 64 bytes,
 * H ~2.6 s whole on one worker while the other idled 60% of the proof). The margin (split only
 * when the others cover less than (threads - 1) / threads of its time) pays the split's cost.
 */
export function poleWorkers(layout: WorkerLayout, threads: number, poleMs: number, pendingMs: number): number {
  if (threads <= layout.g1Workers) return layout.g1Workers;
  return pendingMs < (poleMs * (threads - 1)) / threads ? threads : layout.g1Workers;
}
