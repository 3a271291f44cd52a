/**
 * zkgpu profile: splitting each device's busy time among the proof's stages.
 *
 * Device time: a ChunkReport's `ms` runs from the chunk's first attempt to its result, waiting in
 * the worker pool's or the GPU's queue included, and the stages of a proof overlap on the same
 * devices (the four witness MSMs and the six transforms share the workers). Summing chunk times
 * would count a device's second of work once per stage waiting on it, so instead each moment a
 * device is busy is split among the chunks in flight there, in proportion to the planner's cost
 * estimate for each (runtime.plan). An equal split was tried first: on the 2^11 BN254 mulchain
 * proof (2 threads) it gave each of the six NTTs 12% of the workers' time and the G2 MSM no more
 * than each G1 one, because everything was in flight at once; run alone there, a 2^11 NTT took
 * 2-5 ms, a G1 MSM ~120 ms and a G2 MSM ~170 ms. The default models get the order right but not
 * the ratios at small sizes (G2 5x G1 where 1.4x was measured): `zkgpu calibrate` makes them
 * measured, and `attribution` says which were used. Either way it is an estimate where stages
 * overlap (the runtime does not say which chunk a worker is executing); the per-device sums are
 * exact: they add up to the time the device had work. Without estimates the split is equal.
 */
import type { ProfileObservations } from './report.js';

/** Weights are only comparable when every chunk has one: otherwise the split is equal. */
export function hasAllEstimates(jobs: ProfileObservations['jobs']): boolean {
  return jobs.every((j) =>
    j.report.chunks.every((_, k) => {
      const e = j.estimatesMs?.[k];
      return e !== undefined && Number.isFinite(e) && e > 0;
    }),
  );
}

export interface Interval {
  stage: string;
  device: string;
  start: number;
  end: number;
  /** Relative cost while in flight (the planner's estimate, or 1). */
  weight: number;
}

/**
 * Chunk windows: the executor runs a job's chunks on one backend one after another from the job's
 * start (scheduler/execute/executor.ts), so each backend's chunks, in offset order, tile [start, ...).
 */
export function chunkIntervals(jobs: ProfileObservations['jobs'], totalMs: number, weighted: boolean): Interval[] {
  const out: Interval[] = [];
  for (const { stage, report, atMs, estimatesMs } of jobs) {
    const cursor = new Map<string, number>();
    const jobStart = Math.max(0, atMs - report.ms);
    report.chunks.forEach((c, k) => {
      const start = cursor.get(c.backend) ?? jobStart;
      const end = Math.min(totalMs, start + c.ms);
      cursor.set(c.backend, end);
      out.push({ stage, device: c.backend, start, end: Math.max(start, end), weight: weighted ? estimatesMs![k] : 1 });
    });
  }
  return out;
}

/** Splits each device's busy moments among its intervals in flight by weight: ms per (stage, device). */
export function attribute(intervals: Interval[]): Map<string, Map<string, number>> {
  const byDevice = new Map<string, Interval[]>();
  for (const i of intervals) byDevice.set(i.device, [...(byDevice.get(i.device) ?? []), i]);
  const out = new Map<string, Map<string, number>>();
  for (const [device, list] of byDevice) {
    const perStage = new Map<string, number>();
    const cuts = [...new Set(list.flatMap((i) => [i.start, i.end]))].sort((a, b) => a - b);
    for (let k = 0; k + 1 < cuts.length; k++) {
      const [a, b] = [cuts[k], cuts[k + 1]];
      const active = list.filter((i) => i.start <= a && i.end >= b);
      const weight = active.reduce((w, i) => w + i.weight, 0);
      for (const i of active) perStage.set(i.stage, (perStage.get(i.stage) ?? 0) + ((b - a) * i.weight) / weight);
    }
    out.set(device, perStage);
  }
  return out;
}
