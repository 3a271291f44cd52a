/**
 * GPU telemetry from NVIDIA's nvidia-smi, where it exists: temperature, utilisation, memory used
 * and total, power, and the active clock-throttle reasons, per GPU. WebGPU reports none of these,
 * so this is the only place they come from; when the tool is absent, fails or prints something
 * unreadable, the state says so in plain words and no figure is made up.
 *
 * The query (field names as `nvidia-smi --help-query-gpu` lists them; drivers from R535 call the
 * reasons `clocks_event_reasons.active` and still accept this older name):
 *   nvidia-smi --query-gpu=index,name,pci.bus_id,temperature.gpu,utilization.gpu,memory.used,
 *     memory.total,power.draw,clocks_throttle_reasons.active --format=csv,noheader,nounits
 * Memory is in MiB, power in W, utilisation in %, the reasons a hex bit mask (NVML's
 * nvmlClocksThrottleReasons); any figure may read "[N/A]" or "[Not Supported]".
 *
 * Matching to Dawn's adapters is by name (Dawn's Vulkan adapter name is the marketing name
 * nvidia-smi prints, "NVIDIA H100 80GB HBM3") and, among GPUs of one name, by order; the match
 * says when the order is a guess.
 */

export const NVIDIA_SMI_QUERY = 'index,name,pci.bus_id,temperature.gpu,utilization.gpu,memory.used,memory.total,power.draw,clocks_throttle_reasons.active';
export const NVIDIA_SMI_ARGS = [`--query-gpu=${NVIDIA_SMI_QUERY}`, '--format=csv,noheader,nounits'] as const;
const FIELDS = NVIDIA_SMI_QUERY.split(',').length;

/** NVML's clock-throttle reason bits, by name. */
export const THROTTLE_REASONS: readonly { bit: number; name: string; slowdown: boolean }[] = [
  { bit: 0x1, name: 'gpu_idle', slowdown: false },
  { bit: 0x2, name: 'applications_clocks_setting', slowdown: false },
  { bit: 0x4, name: 'sw_power_cap', slowdown: true },
  { bit: 0x8, name: 'hw_slowdown', slowdown: true },
  { bit: 0x10, name: 'sync_boost', slowdown: false },
  { bit: 0x20, name: 'sw_thermal_slowdown', slowdown: true },
  { bit: 0x40, name: 'hw_thermal_slowdown', slowdown: true },
  { bit: 0x80, name: 'hw_power_brake_slowdown', slowdown: true },
  { bit: 0x100, name: 'display_clock_setting', slowdown: false },
];

export interface GpuSample {
  /** nvidia-smi's index ('0', '1', ...). */
  index: string;
  name: string;
  /** PCI bus id ('00000000:18:00.0'), or null when not reported. */
  busId: string | null;
  temperatureC: number | null;
  /** 0..1. */
  utilisation: number | null;
  /** All processes, not only zkgpu. */
  memoryUsedBytes: number | null;
  memoryTotalBytes: number | null;
  powerWatts: number | null;
  /** Active reason names (THROTTLE_REASONS), or null when not reported. */
  throttleReasons: string[] | null;
  /**
   * A reason that lowers the clocks under load is active (power cap, thermal or hardware
   * slowdown, power brake): idle, sync boost and clock settings do not count. Null when unknown.
   */
  throttled: boolean | null;
}

export type TelemetryState = { available: true; gpus: GpuSample[]; sampledAt: string } | { available: false; reason: string };

export class NvidiaSmiParseError extends Error {}

/** A number, or null for "[N/A]", "[Not Supported]", "N/A" and empty fields. */
function figure(s: string): number | null {
  if (s === '' || s.startsWith('[') || /^n\/a$/i.test(s)) return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : Number.NaN;
}

/**
 * Parses the query's CSV. Throws NvidiaSmiParseError naming the line when a line is not what the
 * query prints (a different driver's field list, an error message on stdout): such output is
 * reported as unreadable rather than read into wrong figures.
 */
export function parseNvidiaSmi(csv: string): GpuSample[] {
  const lines = csv
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.map((line, i) => {
    // Names contain no comma in NVIDIA's product list; a split that is not FIELDS long is not ours.
    const f = line.split(',').map((s) => s.trim());
    const bad = (what: string) => new NvidiaSmiParseError(`nvidia-smi line ${i + 1}: ${what}: ${JSON.stringify(line.slice(0, 120))}`);
    if (f.length !== FIELDS) throw bad(`expected ${FIELDS} fields, got ${f.length}`);
    const [index, name, bus, temp, util, used, total, power, reasons] = f;
    if (!/^\d+$/.test(index)) throw bad('the index is not a number');
    const nums = [temp, util, used, total, power].map(figure);
    if (nums.some((n) => Number.isNaN(n))) throw bad('a figure is not a number');
    const [temperatureC, utilPct, usedMiB, totalMiB, powerWatts] = nums;
    let throttleReasons: string[] | null = null;
    let throttled: boolean | null = null;
    if (figure(reasons) !== null || /^0x[0-9a-f]+$/i.test(reasons)) {
      if (!/^0x[0-9a-f]+$/i.test(reasons)) throw bad('the throttle reasons are not a hex mask');
      const mask = Number.parseInt(reasons, 16);
      const active = THROTTLE_REASONS.filter((r) => (mask & r.bit) !== 0);
      const known = THROTTLE_REASONS.reduce((m, r) => m | r.bit, 0);
      throttleReasons = active.map((r) => r.name);
      if ((mask & ~known) !== 0) throttleReasons.push(`unknown_0x${(mask & ~known).toString(16)}`);
      throttled = active.some((r) => r.slowdown);
    }
    return {
      index,
      name,
      busId: bus === '' || bus.startsWith('[') ? null : bus,
      temperatureC,
      utilisation: utilPct === null ? null : utilPct / 100,
      memoryUsedBytes: usedMiB === null ? null : usedMiB * 2 ** 20,
      memoryTotalBytes: totalMiB === null ? null : totalMiB * 2 ** 20,
      powerWatts,
      throttleReasons,
      throttled,
    };
  });
}

/** How a run of the tool ended: what execFile reports. */
export interface NvidiaSmiRun {
  error: { code?: string | number; message: string } | null;
  stdout: string;
}

/** The telemetry state for one run's outcome (pure: the tests feed it recorded outputs). */
export function telemetryFromRun(run: NvidiaSmiRun, command = 'nvidia-smi', now = new Date()): TelemetryState {
  if (run.error) {
    const code = run.error.code;
    if (code === 'ENOENT') return { available: false, reason: `${command} not found on PATH: no GPU telemetry` };
    return { available: false, reason: `${command} failed: ${run.error.message.split('\n')[0]}` };
  }
  try {
    const gpus = parseNvidiaSmi(run.stdout);
    if (gpus.length === 0) return { available: false, reason: `${command} listed no GPU` };
    return { available: true, gpus, sampledAt: now.toISOString() };
  } catch (e) {
    if (e instanceof NvidiaSmiParseError) return { available: false, reason: `${command} output unreadable (${e.message})` };
    throw e;
  }
}

/** Runs nvidia-smi once (Node only; elsewhere: unavailable). ~50 ms when present, ~1 ms when absent. */
export async function readNvidiaSmi(options: { command?: string; timeoutMs?: number } = {}): Promise<TelemetryState> {
  const command = options.command ?? 'nvidia-smi';
  const g = globalThis as { process?: { versions?: { node?: string } } };
  if (!g.process?.versions?.node) return { available: false, reason: 'GPU telemetry needs nvidia-smi, which only Node can run' };
  const spec = 'node:child_process';
  const { execFile } = (await import(/* @vite-ignore */ spec)) as typeof import('node:child_process');
  const run = await new Promise<NvidiaSmiRun>((resolve) => {
    execFile(command, [...NVIDIA_SMI_ARGS], { timeout: options.timeoutMs ?? 5000 }, (err, stdout) => {
      resolve({ error: err ? { code: (err as NodeJS.ErrnoException).code, message: err.message } : null, stdout: String(stdout) });
    });
  });
  return telemetryFromRun(run, command);
}

/** One adapter's telemetry, and how sure the pairing is. */
export interface TelemetryMatch {
  sample: GpuSample | null;
  /** 'name': the only GPU of that name; 'order': one of several of that name, paired by order (a guess); 'none'. */
  by: 'name' | 'order' | 'none';
  /** Said when the pairing is a guess or failed. */
  note?: string;
}

/** Loose name comparison: "NVIDIA H100 80GB HBM3" against Dawn's adapter name or description. */
const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/**
 * Pairs adapters (by the names Dawn gives them, in the runtime's order) with nvidia-smi's GPUs:
 * a name shared by several GPUs is paired by order, which is a guess (Dawn's order need not be
 * nvidia-smi's; Dawn exposes no PCI bus id), and said so.
 */
export function matchTelemetry(adapterNames: readonly string[], samples: readonly GpuSample[]): TelemetryMatch[] {
  const used = new Set<GpuSample>();
  return adapterNames.map((adapterName) => {
    const a = norm(adapterName);
    const same = samples.filter((s) => {
      const n = norm(s.name);
      return n !== '' && a !== '' && (a.includes(n) || n.includes(a));
    });
    if (same.length === 0) return { sample: null, by: 'none', note: `no nvidia-smi GPU is named like '${adapterName}'` };
    const next = same.find((s) => !used.has(s));
    if (!next) return { sample: null, by: 'none', note: `more adapters named '${adapterName}' than nvidia-smi lists` };
    used.add(next);
    if (same.length === 1) return { sample: next, by: 'name' };
    return { sample: next, by: 'order', note: `${same.length} GPUs are named '${next.name}': paired with nvidia-smi GPU ${next.index} by order, which may not be Dawn's` };
  });
}

/** 'NVIDIA H100 80GB HBM3 (GPU 0): 71 C, 98% busy, 41.0/80.0 GiB, 612 W, throttled: sw_thermal_slowdown'. */
export function describeSample(s: GpuSample): string {
  const gib = (b: number) => (b / 2 ** 30).toFixed(1);
  const parts = [
    s.temperatureC === null ? 'temperature n/a' : `${s.temperatureC} C`,
    s.utilisation === null ? 'utilisation n/a' : `${Math.round(s.utilisation * 100)}% busy`,
    s.memoryUsedBytes === null ? 'memory n/a' : `${gib(s.memoryUsedBytes)}${s.memoryTotalBytes === null ? '' : `/${gib(s.memoryTotalBytes)}`} GiB used`,
    s.powerWatts === null ? 'power n/a' : `${s.powerWatts} W`,
  ];
  const reasons = (s.throttleReasons ?? []).filter((r) => r !== 'gpu_idle');
  const throttle =
    s.throttled === null
      ? 'throttle reasons n/a'
      : s.throttled
        ? `THROTTLED: ${reasons.join(', ')}`
        : reasons.length > 0
          ? `not throttled (${reasons.join(', ')})`
          : 'not throttled';
  return `${s.name} (nvidia-smi GPU ${s.index}${s.busId ? `, ${s.busId}` : ''}): ${parts.join(', ')}, ${throttle}`;
}

/**
 * A sampler for a long-running process (the prover service): samples now, then every intervalMs
 * while the tool answers; stops for good when it is absent (one ENOENT is enough to know).
 */
export class GpuTelemetry {
  private state: TelemetryState = { available: false, reason: 'not sampled yet' };
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly onUnavailable: (reason: string) => void,
    private readonly command = 'nvidia-smi',
  ) {}

  get current(): TelemetryState {
    return this.state;
  }

  async start(intervalMs = 10_000): Promise<void> {
    this.state = await readNvidiaSmi({ command: this.command });
    if (!this.state.available) {
      this.onUnavailable(this.state.reason);
      return;
    }
    this.timer = setInterval(() => {
      void readNvidiaSmi({ command: this.command }).then((s) => void (this.state = s));
    }, intervalMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
