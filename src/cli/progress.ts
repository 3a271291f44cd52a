/**
 * A one-line progress bar for the prover's stages, redrawn in place on a terminal's stderr
 * (carriage return + erase line), so stdout stays clean for --json and pipes.
 */

export interface ProgressSink {
  /** Draws `line` over the previous one. */
  draw(line: string): void;
  /** Removes the bar. */
  clear(): void;
}

/** The terminal's stderr, or null when stderr is not a terminal (pipes, files, CI logs). */
export function ttyProgressSink(stream: NodeJS.WriteStream = process.stderr): ProgressSink | null {
  if (!stream.isTTY) return null;
  return {
    draw: (line) => stream.write(`\r\x1b[2K${line}`),
    clear: () => stream.write('\r\x1b[2K'),
  };
}

const BAR_WIDTH = 24;

/** "[#########...............]  4/12 msmA  1.3 s": stages finished, and the last one that did. */
export function progressLine(stage: string, done: number, total: number, elapsedMs: number): string {
  const filled = total > 0 ? Math.min(BAR_WIDTH, Math.round((done / total) * BAR_WIDTH)) : 0;
  const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}`;
  return `[${bar}] ${String(done).padStart(String(total).length)}/${total} ${stage}  ${(elapsedMs / 1000).toFixed(1)} s`;
}

/**
 * A progress callback for groth16.prove/fullProve. The bar appears once a proof has run for
 * `delayMs` (a 2^10 proof is done in ~100 ms; a bar that flashes for it is noise) and is redrawn
 * every `tickMs` so the clock moves during a long stage (an MSM of 2^20 points takes seconds).
 */
export function stageProgress(
  sink: ProgressSink | null,
  { delayMs = 300, tickMs = 250 }: { delayMs?: number; tickMs?: number } = {},
): { onProgress?: (e: { stage: string; done: number; total: number }) => void; finish(): void } {
  if (sink === null) return { finish: () => {} };
  const start = performance.now();
  let last = { stage: 'starting', done: 0, total: 1 };
  let shown = false;
  const draw = () => {
    const elapsed = performance.now() - start;
    if (elapsed < delayMs) return;
    shown = true;
    sink.draw(progressLine(last.stage, last.done, last.total, elapsed));
  };
  const timer = setInterval(draw, tickMs);
  timer.unref?.();
  return {
    onProgress(e) {
      last = { stage: e.stage, done: e.done, total: e.total };
      draw();
    },
    finish() {
      clearInterval(timer);
      if (shown) sink.clear();
    },
  };
}
