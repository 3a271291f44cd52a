/**
 * Per-GPU telemetry from nvidia-smi, where it exists: temperature, utilisation, memory used, power
 * and whether a clock-throttle reason is active. Sampled in the background (one nvidia-smi call per
 * interval, ~50 ms each, never on the scrape path); when the tool is absent or fails, the reader
 * says so once, in plain words, and the GPU gauges stay absent from /metrics.
 */
import { execFile } from 'node:child_process';

export interface GpuSample {
  index: string;
  name: string;
  temperatureC: number | null;
  utilisation: number | null;
  memoryUsedBytes: number | null;
  powerWatts: number | null;
  throttled: boolean | null;
}

export type TelemetryState = { available: true; gpus: GpuSample[] } | { available: false; reason: string };

const QUERY = 'index,name,temperature.gpu,utilization.gpu,memory.used,power.draw,clocks_throttle_reasons.active';

/** Parses `nvidia-smi --query-gpu=QUERY --format=csv,noheader,nounits` (figures may read "[N/A]"). */
export function parseNvidiaSmi(csv: string): GpuSample[] {
  const num = (s: string | undefined): number | null => {
    const v = Number.parseFloat(s ?? '');
    return Number.isFinite(v) ? v : null;
  };
  return csv
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((line) => {
      const [index, name, temp, util, memMiB, power, throttle] = line.split(',').map((s) => s.trim());
      const reasons = throttle === undefined ? Number.NaN : Number.parseInt(throttle, 16);
      const used = num(memMiB);
      const utilPct = num(util);
      return {
        index: index ?? '?',
        name: name ?? '?',
        temperatureC: num(temp),
        utilisation: utilPct === null ? null : utilPct / 100,
        memoryUsedBytes: used === null ? null : used * 2 ** 20,
        powerWatts: num(power),
        // 0x1 is "GPU idle", not a throttle: any other reason bit counts.
        throttled: Number.isNaN(reasons) ? null : (reasons & ~0x1) !== 0,
      };
    });
}

export class GpuTelemetry {
  private state: TelemetryState = { available: false, reason: 'not sampled yet' };
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly onUnavailable: (reason: string) => void,
    private readonly command = 'nvidia-smi',
  ) {}

  get current(): TelemetryState {
    return this.state;
  }

  /** Samples now, then every intervalMs while the tool answers; stops for good when it is absent. */
  async start(intervalMs = 10_000): Promise<void> {
    await this.sample();
    if (!this.state.available) {
      this.onUnavailable(this.state.reason);
      return;
    }
    this.timer = setInterval(() => void this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private sample(): Promise<void> {
    return new Promise((resolve) => {
      execFile(this.command, [`--query-gpu=${QUERY}`, '--format=csv,noheader,nounits'], { timeout: 5000 }, (err, stdout) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code;
          this.state = {
            available: false,
            reason: code === 'ENOENT' ? `${this.command} not found on PATH: no GPU telemetry (zkgpu_gpu_* metrics absent)` : `${this.command} failed: ${err.message.split('\n')[0]}`,
          };
        } else {
          this.state = { available: true, gpus: parseNvidiaSmi(stdout) };
        }
        resolve();
      });
    });
  }
}
