/**
 * The runtime's side of the scheduler: the backends as they are now (a hardware detection reused
 * for a second, the caller's caps, a GPU cap learned from out-of-memory errors, the work other
 * jobs already queued on each), the 'auto' policy applied to them, and the plan. Each planned
 * job's estimated work joins the backlog at once, so the next job plans around it.
 */
import { ZkgpuError } from '../core/errors.js';
import type { GpuContext } from '../gpu/context.js';
import { describeBackends, gpuBackendId } from '../scheduler/backends.js';
import { calibratedModels, checkCalibration, modelsFor, type Calibration, type MeasuredModel } from '../scheduler/calibration/calibration.js';
import { loadCalibration } from '../scheduler/calibration/cache.js';
import { adapterKey, hardwareFingerprint } from '../scheduler/hardware/fingerprint.js';
import type { CostModel } from '../scheduler/models.js';
import type { HardwareReport } from '../scheduler/hardware/types.js';
import { plan, type BackendDescription, type Plan, type PlanJob } from '../scheduler/plan.js';
import { autoPlanKinds, chooseBackend } from '../scheduler/policy.js';
import type { RuntimeOptions, Settings } from './requests.js';

/** How long the planner reuses a hardware detection (about 2 ms): memory figures move, not per call. */
const HARDWARE_TTL_MS = 1000;

export interface PlannerSources {
  /** The device 'auto' asks about (GpuFleet.primary; changes after a loss or re-acquisition). */
  gpu(): GpuContext | null;
  /** Every GPU device now, in backend-id order (null where lost and not replaced): a new detection when it changes. */
  gpus(): readonly (GpuContext | null)[];
  /** A fresh hardware detection with the runtime's caps. */
  detect(): Promise<HardwareReport>;
}

export interface Scheduled {
  plan: Plan;
  /** The plan's reason, what 'auto' left out and why, and each excluded backend. */
  reason: string;
  /** Takes the plan's work out of the backlog (once); call when the job ends. */
  release: () => void;
}

export class Planner {
  /** Lowered by a GPU out-of-memory, per backend id: later plans keep that device's chunks under it. */
  readonly #learnedGpuBytes = new Map<string, number>();
  #hardware: { at: number; gpus: readonly (GpuContext | null)[]; report: Promise<HardwareReport> } | null = null;
  /** Estimated ms of planned, unfinished work per backend id (the planner's busyForMs). */
  readonly #backlog = new Map<string, number>();
  /** Devices left out of 'auto' plans until a time (performance.now()), and why (distrust). */
  readonly #distrusted = new Map<string, { untilMs: number; reason: string }>();

  constructor(
    private readonly settings: Settings,
    private readonly sources: PlannerSources,
    /** Measured cost models (null: the defaults, plans say calibrated: false). */
    private readonly calibration: Calibration | null,
  ) {}

  /** Estimated ms of planned, unfinished work on a backend. */
  queuedMs(id: string): number {
    return this.#backlog.get(id) ?? 0;
  }

  /**
   * Leaves device `id` out of 'auto' plans for `forMs` (a result it computed failed a check); a
   * job that names the device's id still runs there. Returns the time it is trusted again.
   */
  distrust(id: string, forMs: number, reason: string): number {
    const untilMs = performance.now() + forMs;
    this.#distrusted.set(id, { untilMs, reason });
    return untilMs;
  }

  /** The distrusted devices now, with why and until when. */
  distrusted(): Map<string, { untilMs: number; reason: string }> {
    const now = performance.now();
    for (const [id, d] of this.#distrusted) if (d.untilMs <= now) this.#distrusted.delete(id);
    return this.#distrusted;
  }

  /** A GPU out-of-memory at `bytes` on device `id`: later plans keep its chunks under it. */
  lowerGpuBudget(id: string, bytes: number): void {
    this.#learnedGpuBytes.set(id, Math.min(this.#learnedGpuBytes.get(id) ?? Infinity, bytes));
  }

  /**
   * Plans a job on the backends as they are now: a pinned backend, or 'auto' over the backends
   * its policy lets in. With `enqueue`, the plan's work joins the backlog right away, in the same
   * tick as planning, so the next job plans around it.
   */
  async schedule(job: PlanJob, gpuCannot: string | null, options: { enqueue?: boolean; threads: number }): Promise<Scheduled> {
    let backends = await this.describe(job, options.threads);
    let note: string | null = null;
    if ((job.backend ?? 'auto') === 'auto') {
      const choice = chooseBackend({ requested: 'auto', gpu: this.sources.gpu(), n: job.n, gpuCannot, backends: this.settings.backends });
      const allowed = autoPlanKinds(choice, this.settings.backends);
      backends = backends.filter((b) => allowed.kinds.includes(b.kind));
      note = allowed.note;
    }
    // A distrusted device stays out unless the job names it (its id): under 'auto' and a kind alike.
    const distrusted = this.distrusted();
    if (distrusted.size > 0 && !distrusted.has(job.backend ?? '')) {
      const left = backends.filter((b) => !distrusted.has(b.id));
      const out = backends.filter((b) => distrusted.has(b.id)).map((b) => `${b.id} distrusted (${distrusted.get(b.id)!.reason})`);
      if (out.length > 0 && left.length > 0) {
        backends = left;
        note = [note, ...out].filter(Boolean).join('; ');
      }
    }
    // The backlog is read here, after the last await, in the same synchronous step as planning and
    // enqueueing: two jobs scheduled at once then see each other's work (the second plans around
    // the first) instead of both reading an empty backlog.
    backends = backends.map((b) => ({ ...b, busyForMs: this.queuedMs(b.id) }));
    const p = plan(job, backends);
    const excluded = p.backends.filter((b) => b.excluded).map((b) => `${b.backend}: ${b.excluded}`);
    const release = options.enqueue ? this.addBacklog(p) : () => {};
    return { plan: p, reason: [p.reason, note, ...excluded].filter(Boolean).join('; '), release };
  }

  /** The backends the planner sees for a job: budgets (the caller's caps, a learned GPU cap) applied. */
  private async describe(job: PlanJob, threads: number): Promise<BackendDescription[]> {
    const report = await this.hardware();
    const models = deviceModels(this.calibration, job, report, threads);
    const backends = describeBackends(report, job, { threads, models, backends: this.settings.backends });
    return backends.map((b) => (b.kind === 'webgpu' ? { ...b, budgetBytes: Math.min(b.budgetBytes, this.#learnedGpuBytes.get(b.id) ?? Infinity) } : b));
  }

  /** A detection reused for HARDWARE_TTL_MS (and redone when a GPU context changes). */
  private hardware(): Promise<HardwareReport> {
    const now = performance.now();
    const gpus = [...this.sources.gpus()];
    const c = this.#hardware;
    if (c && sameContexts(c.gpus, gpus) && now - c.at < HARDWARE_TTL_MS) return c.report;
    const report = this.sources.detect();
    this.#hardware = { at: now, gpus, report };
    report.catch(() => {
      if (this.#hardware?.report === report) this.#hardware = null;
    });
    return report;
  }

  /** Adds a plan's estimated work per backend to the backlog; the returned function removes it (once). */
  private addBacklog(p: Plan): () => void {
    const work = new Map<string, number>();
    for (const c of p.chunks) work.set(c.backend, (work.get(c.backend) ?? 0) + c.estimateMs);
    for (const [id, ms] of work) this.#backlog.set(id, this.queuedMs(id) + ms);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Clamped: float sums may leave a hair below zero.
      for (const [id, ms] of work) this.#backlog.set(id, Math.max(0, this.queuedMs(id) - ms));
    };
  }
}

const sameContexts = (a: readonly (GpuContext | null)[], b: readonly (GpuContext | null)[]) => a.length === b.length && a.every((c, i) => c === b[i]);

/**
 * The measured models for one job by backend id: the workers', and for each GPU the model measured
 * on its adapter (calibration entries are per host and adapter, so two devices of different
 * adapters get their own, and two of the same adapter share one).
 */
function deviceModels(calibration: Calibration | null, job: PlanJob, report: HardwareReport, threads: number): Record<string, CostModel> {
  const out: Record<string, CostModel> = { ...calibratedModels(calibration, job, ['wasm'], { threads }) };
  if (!calibration) return out;
  report.gpus.forEach((g, i) => {
    const own = { ...calibration, models: modelsFor(calibration, g) };
    const m = calibratedModels(own, job, ['webgpu'], { threads }).webgpu;
    if (m) out[g.id ?? gpuBackendId(i)] = m;
  });
  return out;
}

/**
 * The calibration a new runtime plans with: the caller's, none (false), or the cached one for
 * this host and its adapters. A cache that cannot be read is not fatal: the defaults still plan safely.
 */
export async function resolveCalibration(option: RuntimeOptions['calibration'], gpus: readonly GpuContext[]): Promise<Calibration | null> {
  if (option === false) return null;
  if (option !== undefined) {
    const problem = checkCalibration(option);
    if (problem) throw new ZkgpuError('INVALID_ARGUMENT', `calibration option: ${problem}`);
    // The caller's host is trusted (a web app ships one per device class); its GPU models must
    // still be of one of this runtime's adapters.
    return { ...option, models: modelsOfAdapters(option, gpus) };
  }
  if (gpus.length <= 1) return loadCalibration(await hardwareFingerprint({ gpu: gpus[0]?.info ?? null })).catch(() => null);
  // One stored file per host holds every adapter's models: load it once per adapter and merge.
  const loaded = await Promise.all(gpus.map(async (g) => loadCalibration(await hardwareFingerprint({ gpu: g.info })).catch(() => null)));
  const first = loaded.find((c) => c !== null);
  if (!first) return null;
  const models = new Map<string, MeasuredModel>();
  for (const c of loaded) for (const m of c?.models ?? []) models.set(`${m.kernel}|${m.backend}|${m.adapter ? adapterKey(m.adapter) : ''}`, m);
  return { ...first, models: [...models.values()] };
}

function modelsOfAdapters(calibration: Calibration, gpus: readonly GpuContext[]): MeasuredModel[] {
  if (gpus.length === 0) return modelsFor(calibration, null);
  const seen = new Set<MeasuredModel>();
  for (const g of gpus) for (const m of modelsFor(calibration, g.info)) seen.add(m);
  return [...seen];
}
