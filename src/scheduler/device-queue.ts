/**
 * One queue per GPU device: its chunks run one at a time, first come first served (cached tables,
 * the buffer pool and the timestamp counters assume a single submitter). A chunk still waiting
 * when its signal aborts leaves the queue at once and rejects ABORTED; a running chunk sees the
 * signal itself (the kernels check it between submissions).
 *
 * Fairness comes from the executor, not from here: each job keeps at most one chunk waiting per
 * device, so the chunks of concurrent jobs alternate in this FIFO.
 */
import { abortError } from '../cpu/pool.js';

interface Entry {
  start(): Promise<void>;
  signal?: AbortSignal;
  onAbort(): void;
}

export class DeviceQueue {
  private readonly waiting: Entry[] = [];
  private running = false;

  /** Chunks waiting (not counting the one running). */
  get pending(): number {
    return this.waiting.length;
  }

  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const entry: Entry = {
        start: () => task().then(resolve, reject),
        signal,
        onAbort: () => {
          const at = this.waiting.indexOf(entry);
          if (at < 0) return; // already running: the task watches the signal itself
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
    if (this.running) return;
    const entry = this.waiting.shift();
    if (!entry) return;
    entry.signal?.removeEventListener('abort', entry.onAbort);
    this.running = true;
    void entry.start().finally(() => {
      this.running = false;
      this.pump();
    });
  }
}
