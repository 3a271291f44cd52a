/**
 * The bookkeeping every step of one proof shares (prove.ts): its timings, its progress events and
 * its cancellation. Kept apart from the proof's arithmetic so each step of proveOn is a named
 * function that takes this one object rather than a closure over a dozen shared variables.
 */
import { ZkgpuError } from '../../core/errors.js';
import { abortError } from '../../core/abort.js';
import type { JobReport, Runtime } from '../../runtime/runtime.js';
import { callbackErrorEvent } from '../../runtime/events.js';
import type { MsmScalarProfile } from '../../scheduler/models.js';
import type { Groth16Timings, ProveOptions } from './prove.js';

/**
 * A proof stage: a step of one proof with a wall time of its own, named by its key in
 * Groth16Timings ('readKey', 'qap', 'ifftA', 'msmB2', 'finalize', ...). Groth16Progress.stage,
 * onJobReport's first argument and the profile's rows (ProfileStage.stage) carry these names.
 * Not to be confused with qap: 'stages' (the QAP as separate runtime jobs, each with its own proof
 * stage), the scheduler's GPU staging (an upload queued ahead of its compute) or DevSetupStage.
 */
export type ProofStage = Exclude<keyof Groth16Timings, 'total'>;

/** The proof stages that send a progress event (the six transforms report through 'ntt' only). */
export const PROGRESS_STAGES = ['readKey', 'readWitness', 'buildABC', 'ntt', 'quotient', 'qap', 'msmA', 'msmB1', 'msmB2', 'msmC', 'msmH', 'finalize'] as const;

/** What fullProve did before proveOn: its witness time and progress events. */
export interface StagesBefore {
  witness?: number;
  stagesBefore?: number;
  wtnsName?: string;
}

/**
 * Marks prove options whose proof records its MSM estimates (the profile asks; a plain proof skips
 * the ~1 ms per 2^16 scalars). A symbol key: it survives the option copies made on the way.
 */
const WANT_MSM_ESTIMATES = Symbol('zkgpu.wantMsmEstimates');

export function withMsmEstimates<O extends object>(options: O): O {
  return { ...options, [WANT_MSM_ESTIMATES]: true };
}

/** A witness MSM's scalar profile and the planner's estimate for it (proof-jobs.ts estimate). */
export interface MsmEstimate extends MsmScalarProfile {
  /** Uniform-scalar terms it costs as much as (what the estimate planned). */
  effectiveElements: number;
  estimateMs: number;
  calibrated: boolean;
}

export class ProofRun {
  readonly start = performance.now();
  /** Per MSM stage, when onJobReport is set (the profile): see MsmEstimate. */
  readonly estimates: Partial<Record<ProofStage, MsmEstimate>> = {};
  readonly timings: Partial<Groth16Timings>;
  /** Every job's promise, observed, so a job failing after another stage already threw is never an unhandled rejection. */
  private readonly pending: Promise<unknown>[] = [];
  /**
   * One controller per runtime call (about 16 per proof): a single shared signal would collect
   * more than Node's 10-listener warning threshold. On any failure they all cancel, so a caller's
   * runtime is not left busy with jobs of a proof that already failed.
   */
  private readonly controllers = new Set<AbortController>();
  private cancelled: { reason: unknown } | null = null;
  private progressDone: number;
  private readonly progressTotal: number;
  private readonly onUserAbort = () => this.cancelAll(this.options.signal?.reason);

  constructor(
    private readonly options: ProveOptions,
    stageCount: number,
    before: StagesBefore,
    private readonly runtime: Runtime,
  ) {
    options.signal?.addEventListener('abort', this.onUserAbort, { once: true });
    this.progressDone = before.stagesBefore ?? 0;
    this.progressTotal = stageCount + this.progressDone;
    this.timings = before.witness === undefined ? {} : { witness: before.witness };
  }

  /** A fresh signal for one runtime call, aborted with the others when the proof fails or the caller aborts. */
  jobSignal(): AbortSignal {
    const c = new AbortController();
    if (this.cancelled) c.abort(this.cancelled.reason);
    this.controllers.add(c);
    return c.signal;
  }

  get wantsEstimates(): boolean {
    return (this.options as Record<symbol, unknown>)[WANT_MSM_ESTIMATES] === true;
  }

  checkAbort(): void {
    const signal = this.options.signal;
    if (signal?.aborted) throw abortError(signal);
  }

  progress(stage: ProofStage): void {
    this.progressDone++;
    callUser(this.runtime, 'onProgress', this.options.onProgress, { stage, done: this.progressDone, total: this.progressTotal });
  }

  /** The caller's onJobReport for the runtime calls of `stage`, or undefined without one (no report is built then). */
  reportTo(stage: ProofStage): ((report: JobReport) => void) | undefined {
    const onJobReport = this.options.onJobReport;
    return onJobReport ? (report) => callUser(this.runtime, 'onJobReport', (r: JobReport) => onJobReport(stage, r), report) : undefined;
  }

  /** Starts `job` now; when it resolves, timings[stage] is its wall time and a progress stage sends its event. */
  timed<T>(stage: ProofStage, job: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const p = job().then((value) => {
      this.timings[stage] = performance.now() - t0;
      if ((PROGRESS_STAGES as readonly string[]).includes(stage)) this.progress(stage);
      return value;
    });
    this.track(p);
    return p;
  }

  /** Adds `read`'s wall time to timings[stage] (the key is read in parts, between queued work). */
  async addTime<T>(stage: 'readKey' | 'readWitness', read: () => Promise<T>): Promise<T> {
    const mark = performance.now();
    const value = await read();
    this.timings[stage] = (this.timings[stage] ?? 0) + performance.now() - mark;
    return value;
  }

  /** Observes `p` so that its rejection is handled; settle() waits for it. */
  track(p: Promise<unknown>): void {
    this.pending.push(p.catch(() => {}));
  }

  /** Cancels every job of the proof; returns what proveOn throws: an AbortError if the caller aborted, else `e`. */
  failure(e: unknown): unknown {
    this.cancelAll(e);
    const signal = this.options.signal;
    if (signal?.aborted && !(e instanceof ZkgpuError && e.code === 'ABORTED')) return abortError(signal);
    return e;
  }

  /** Detaches from the caller's signal and lets cancelled jobs settle, before the caller disposes the runtime. */
  async settle(): Promise<void> {
    this.options.signal?.removeEventListener('abort', this.onUserAbort);
    await Promise.all(this.pending);
  }

  private cancelAll(reason: unknown): void {
    this.cancelled ??= { reason };
    for (const c of this.controllers) c.abort(reason);
  }
}

/**
 * Calls a caller's callback (onProgress, onJobReport) as the runtime calls its onReport: one that
 * throws must not lose the proof, so its error goes to the runtime's 'callback-error' event and,
 * unless a listener calls preventDefault(), to a console warning; the proof goes on.
 */
export function callUser<A>(runtime: Runtime, name: string, callback: ((arg: A) => void) | undefined, arg: A): void {
  if (!callback) return;
  try {
    callback(arg);
  } catch (error) {
    if (runtime.dispatchEvent(callbackErrorEvent({ callback: name, error }))) console.warn(`zkgpu: ${name} threw (the proof goes on):`, error);
  }
}
