/**
 * The runtime's side of the scheduler: the backends as they are now (a hardware detection reused
 * for a second, the caller's caps, a GPU cap learned from out-of-memory errors, the work other
 * jobs already queued on each), the 'auto' policy applied to them, and the plan. Each planned
 * job's estimated work joins the backlog at once, so the next job plans around it.
 */
import { ZkgpuError } from '../core/errors.js';
import type { GpuContext } from '../gpu/context.js';
import { describeBackends } from '../scheduler/backends.js';
import { calibratedModels, checkCalibration, modelsFor, type Calibration } from '../scheduler/calibration/calibration.js';
import { loadCalibration } from '../scheduler/calibration/cache.js';
import { hardwareFingerprint } from '../scheduler/hardware/fingerprint.js';
import type { HardwareReport } from '../scheduler/hardware/types.js';
import { plan, type BackendDescription, type Plan, type PlanJob } from '../scheduler/plan.js';
import { autoPlanKinds, chooseBackend } from '../scheduler/policy.js';
import type { RuntimeOptions, Settings } from './requests.js';

/** How long the planner reuses a hardware detection (about 2 ms): memory figures move, not per call. */
const HARDWARE_TTL_MS = 1000;

export interface PlannerSources {
  /** The runtime's current GPU device (changes after a re-acquisition). */
  gpu(): GpuContext | null;
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
  /** Lowered by a GPU out-of-memory: later plans keep GPU chunks under it. */
  #learnedGpuBytes = Infinity;
  #hardware: { at: number; ctx: GpuContext | null; report: Promise<HardwareReport> } | null = null;
  /** Estimated ms of planned, unfinished work per backend id (the planner's busyForMs). */
  readonly #backlog = new Map<string, number>();

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

  /** A GPU out-of-memory at `bytes`: later plans keep GPU chunks under it. */
  lowerGpuBudget(bytes: number): void {
    this.#learnedGpuBytes = Math.min(this.#learnedGpuBytes, bytes);
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
    const p = plan(job, backends);
    const excluded = p.backends.filter((b) => b.excluded).map((b) => `${b.backend}: ${b.excluded}`);
    const release = options.enqueue ? this.addBacklog(p) : () => {};
    return { plan: p, reason: [p.reason, note, ...excluded].filter(Boolean).join('; '), release };
  }

  /** The backends the planner sees for a job: budgets (the caller's caps, a learned GPU cap) applied. */
  private async describe(job: PlanJob, threads: number): Promise<BackendDescription[]> {
    const report = await this.hardware();
    const models = calibratedModels(this.calibration, job, ['wasm', 'webgpu'], { threads });
    let backends = describeBackends(report, job, { threads, models, backends: this.settings.backends });
    // No G2 kernel on WebGPU: G2 MSMs plan on the workers only.
    if (job.op === 'msm' && job.group === 'g2') backends = backends.filter((b) => b.kind !== 'webgpu');
    return backends.map((b) => {
      const busyForMs = this.queuedMs(b.id);
      return b.kind === 'webgpu' ? { ...b, budgetBytes: Math.min(b.budgetBytes, this.#learnedGpuBytes), busyForMs } : { ...b, busyForMs };
    });
  }

  /** A detection reused for HARDWARE_TTL_MS (and redone when the GPU context changes). */
  private hardware(): Promise<HardwareReport> {
    const now = performance.now();
    const ctx = this.sources.gpu();
    const c = this.#hardware;
    if (c && c.ctx === ctx && now - c.at < HARDWARE_TTL_MS) return c.report;
    const report = this.sources.detect();
    this.#hardware = { at: now, ctx, report };
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

/**
 * The calibration a new runtime plans with: the caller's, none (false), or the cached one for
 * this host and adapter. A cache that cannot be read is not fatal: the defaults still plan safely.
 */
export async function resolveCalibration(option: RuntimeOptions['calibration'], gpu: GpuContext | null): Promise<Calibration | null> {
  if (option === false) return null;
  if (option !== undefined) {
    const problem = checkCalibration(option);
    if (problem) throw new ZkgpuError('INVALID_ARGUMENT', `calibration option: ${problem}`);
    // The caller's host is trusted (a web app ships one per device class); its GPU models must
    // still be of this adapter.
    return { ...option, models: modelsFor(option, gpu?.info ?? null) };
  }
  return loadCalibration(await hardwareFingerprint({ gpu: gpu?.info ?? null })).catch(() => null);
}
