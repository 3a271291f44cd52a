/**
 * One queue per GPU device, first come first served, in two steps: a chunk uploads its inputs
 * (writeBuffer into its own pooled buffers), then computes (submit, wait, read back). Computes run
 * one at a time (cached tables, the buffer pool and the timestamp counters assume a single
 * submitter). The next chunk's upload may run while the current one computes, so the device is
 * not left idle while the host stages data: at most two chunks hold device buffers at once (one
 * computing, one uploading or staged), and only when both say `overlap` (the planner sized them
 * so two fit the budget); a chunk that needs more than its share runs alone.
 *
 * A chunk still waiting when its signal aborts leaves the queue at once and rejects ABORTED; a
 * staged one is discarded (its buffers go back to the buffer pool) before it computes; a
 * computing one sees the signal itself (the kernels check it between submissions).
 *
 * Fairness comes from the executor, not from here: each job keeps at most one chunk waiting per
 * device, so the chunks of concurrent jobs alternate in this FIFO.
 */
import { abortError } from '../../core/abort.js';

/** A chunk as the queue runs it. */
export interface StagedWork<S, T> {
  /** Puts the inputs on the device; may run while another chunk computes (when both overlap). */
  upload(): Promise<S>;
  compute(staged: S): Promise<T>;
  /** Frees what upload staged when compute will not run (the signal aborted meanwhile). */
  discard(staged: S): Promise<void>;
  /** This chunk fits the device beside another overlapping one. */
  overlap: boolean;
}

interface Entry {
  work: StagedWork<unknown, unknown>;
  signal?: AbortSignal;
  onAbort(): void;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  /** Set when the upload settled. */
  uploaded?: { ok: true; staged: unknown } | { ok: false; error: unknown };
}

export class DeviceQueue {
  private readonly waiting: Entry[] = [];
  /** Uploading or staged: holds device buffers, computes next. */
  private ahead: Entry | null = null;
  private computing: Entry | null = null;

  /** Chunks waiting (not counting the one computing nor the one uploaded ahead of it). */
  get pending(): number {
    return this.waiting.length;
  }

  /** A task with nothing to upload ahead: it runs alone, as one compute. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.stage({ upload: async () => undefined, compute: task, discard: async () => {}, overlap: false }, signal);
  }

  /** Queues a chunk's upload, then its compute (to stage = to upload ahead of the compute). */
  stage<S, T>(work: StagedWork<S, T>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const entry: Entry = {
        work: work as StagedWork<unknown, unknown>,
        signal,
        resolve: resolve as (v: unknown) => void,
        reject,
        onAbort: () => {
          const at = this.waiting.indexOf(entry);
          if (at < 0) return; // uploading, staged or computing: handled there
          this.waiting.splice(at, 1);
          reject(abortError(signal));
        },
      };
      signal?.addEventListener('abort', entry.onAbort, { once: true });
      this.waiting.push(entry);
      this.pump();
    });
  }

  private pump(): void {
    // Upload slot: the head uploads when the device is idle, or beside a compute when both overlap.
    const head = this.waiting[0];
    if (!this.ahead && head && (!this.computing || (this.computing.work.overlap && head.work.overlap))) {
      this.waiting.shift();
      head.signal?.removeEventListener('abort', head.onAbort);
      this.ahead = head;
      void head.work
        .upload()
        .then(
          (staged) => void (head.uploaded = { ok: true, staged }),
          (error) => void (head.uploaded = { ok: false, error }),
        )
        .then(() => this.pump());
    }
    // Compute slot: the staged chunk computes once the device is free.
    const next = this.ahead;
    if (this.computing || !next?.uploaded) return;
    this.ahead = null;
    this.computing = next;
    void this.compute(next).finally(() => {
      this.computing = null;
      this.pump();
    });
    this.pump(); // the chunk behind it may upload now
  }

  private async compute(entry: Entry): Promise<void> {
    const up = entry.uploaded!;
    if (!up.ok) return entry.reject(up.error);
    if (entry.signal?.aborted) {
      await entry.work.discard(up.staged).catch(() => {});
      return entry.reject(abortError(entry.signal));
    }
    await entry.work.compute(up.staged).then(entry.resolve, entry.reject);
  }
}
