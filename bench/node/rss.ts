/**
 * Peak-RSS sampler. Polls `process.memoryUsage.rss()` (cheap: no heap walk, unlike memoryUsage())
 * every `intervalMs`. The timer is unref'd so a forgotten sampler never keeps the process alive.
 * Worker threads live in this process, so their memory is included; synchronous main-thread work
 * starves the timer, which is why start() and stop() also take a sample.
 */
export class RssSampler {
  private peak = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    readonly intervalMs = 10,
    private readonly read: () => number = () => process.memoryUsage.rss(),
  ) {}

  start(): void {
    this.stop();
    this.peak = 0;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref?.();
  }

  sample(): void {
    const rss = this.read();
    if (rss > this.peak) this.peak = rss;
  }

  /** Stops sampling and returns the peak seen since start(). */
  stop(): number {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
      this.sample();
    }
    return this.peak;
  }
}

/** `process.resourceUsage().maxRSS` is in KiB; null where the platform does not report it. */
export function processMaxRssBytes(): number | null {
  const kib = process.resourceUsage().maxRSS;
  return Number.isFinite(kib) && kib > 0 ? kib * 1024 : null;
}
