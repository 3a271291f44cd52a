/**
 * zkgpu profile's analysis: from what one proof left behind (stage timings, the runtime's job
 * reports with their arrival times, runtime.stats() before and after, RSS samples) to one row per
 * stage, one per device, and a verdict naming the device that bounds the proof.
 * Pure (no runtime, no clock), so it is tested on made-up observations as well as on real proofs.
 * A stage is a proof stage (prover/proof-run.ts ProofStage: a key of Groth16Timings, as in the
 * job reports' labels); a ProfileStage is the row the profile makes of one.
 *
 * How overlapping stages share a device's time: attribution.ts.
 */
import type { Backend, JobReport, RuntimeStats } from '../../runtime/runtime.js';
import type { GpuAdapterInfo } from '../../gpu/context.js';
import { pointBytes } from '../../math/index.js';
import type { Groth16Timings } from '../prover/prove.js';
import { attribute, chunkIntervals, hasAllEstimates } from './attribution.js';

/** The main thread, where the file reads run: no JobReport, no chunks. */
export const HOST_DEVICE = 'host';
export const HOST_LABEL = 'host (main thread)';

export interface ProfileObservations {
  /** Wall time of the proof, as measured around the prove call. */
  totalMs: number;
  timings: Groth16Timings;
  /**
   * Every job report of the proof with its stage and when it arrived (ms since the proof started),
   * and the planner's estimate for each of its chunks (same order as report.chunks), when known.
   */
  jobs: { stage: string; report: JobReport; atMs: number; estimatesMs?: number[] }[];
  /** When each stage last signalled (its progress event, else its last job report), ms since start. */
  stageEndMs: Record<string, number>;
  /** process RSS samples, ms since start. */
  rss: { atMs: number; bytes: number }[];
  statsBefore: RuntimeStats;
  statsAfter: RuntimeStats;
  backend: Backend;
  /** Worker threads of the runtime. */
  threads: number;
  /** Threads the machine offers (cgroup quota included), for "more threads" advice. */
  cpuThreads: number;
  adapter: GpuAdapterInfo | null;
  /** The adapter runs on the CPU (lavapipe, SwiftShader, WARP). */
  gpuSoftware: boolean;
  /** Whether every chunk estimate came from a measured (calibrated) model. */
  estimatesCalibrated: boolean;
}

/** A stage's share of one device. */
export interface StageOnDevice {
  device: string;
  /** The device's busy time attributed to this stage (split by estimated cost while stages overlap). */
  ms: number;
  /** ms over the device's attributed busy time during the proof; a device's shares add up to 1. */
  share: number;
  /** Sum of the stage's chunk times there, queueing included (null on the host). */
  chunkMs: number | null;
  chunks: number;
  elements: number;
  /** Derived from element counts and sizes, as runtime.stats() counts them (null on the host). */
  bytesIn: number | null;
  bytesOut: number | null;
}

export interface ProfileStage {
  stage: string;
  /** "G2 MSM", "coset NTT", "read .zkey", ... */
  what: string;
  /** HOST_LABEL, or the backend ids its chunks ran on joined by '+' ("webgpu+wasm"). */
  device: string;
  devices: string[];
  /** From the stage's start to its result, waiting included (Groth16Timings). */
  wallMs: number;
  /** wallMs over the proof's total wall time (stages overlap: these do not add up to 1). */
  wallShare: number;
  /** Window of the stage, ms since the proof started (end - wallMs .. end); null when unknown. */
  startMs: number | null;
  endMs: number | null;
  /** Sum of `on[].ms`. */
  deviceMs: number;
  on: StageOnDevice[];
  bytesIn: number | null;
  bytesOut: number | null;
  /** Highest RSS sampled in the stage's window (the whole process, workers included). */
  peakRssBytes: number | null;
  jobs: number;
}

export interface ProfileDevice {
  id: string;
  label: string;
  kind: 'host' | 'wasm' | 'webgpu';
  /** Busy time during the proof: runtime.stats() difference, or the host stages' wall times. */
  busyMs: number;
  /** busyMs over the proof's wall time (0..1). */
  utilisation: number;
  bytesIn: number | null;
  bytesOut: number | null;
  chunks: number | null;
  failures: number | null;
  source: string;
}

export interface ProfileVerdict {
  /** Device id with the highest utilisation. */
  device: string;
  label: string;
  utilisation: number;
  /** The stage with the most time on that device. */
  stage: string | null;
  stageWhat: string | null;
  /** Its share of the device's busy time. */
  stageShare: number;
  advice: string;
  line: string;
}

/** How overlapping stages' device time was split. */
export interface ProfileAttribution {
  /** 'cost-weighted': by the planner's chunk estimates; 'equal': some estimate was missing. */
  method: 'cost-weighted' | 'equal';
  /** The estimates came from models measured on this machine (zkgpu calibrate). */
  calibrated: boolean;
}

export interface ProfileAnalysis {
  circuit: { curve: string | null; domainSize: number | null; variables: number | null };
  attribution: ProfileAttribution;
  stages: ProfileStage[];
  devices: ProfileDevice[];
  verdict: ProfileVerdict;
  notes: string[];
}

/** Row order: the prover's order of work; stages not listed here follow in the order seen. */
const STAGE_ORDER = [
  'witness',
  'readKey',
  'readWitness',
  'qap',
  'buildABC',
  'ifftA',
  'fftA',
  'ifftB',
  'fftB',
  'ifftC',
  'fftC',
  'quotient',
  'msmA',
  'msmB1',
  'msmB2',
  'msmC',
  'msmH',
  'finalize',
];
/** Timings that cover other stages, not stages of their own. */
const AGGREGATES = new Set(['ntt', 'total']);

const HOST_WHAT: Record<string, string> = {
  witness: 'witness (.wasm)',
  readKey: 'read .zkey',
  readWitness: 'read .wtns',
  qap: 'QAP: A, B, C -> coset NTTs -> A*B - C',
  buildABC: 'QAP: A, B, C',
  quotient: 'QAP: A*B - C',
};

/**
 * Stages that run as one worker task outside the planner (prover/qap-wasm.ts): they have no
 * job report and are not in runtime.stats(), so they get a pseudo-device of their own.
 */
const WORKER_TASK_STAGES = new Set(['qap', 'buildABC', 'quotient']);
export const WORKER_TASK_DEVICE = 'wasm-task';
const WORKER_TASK_LABEL = 'wasm (one task)';

export const COLUMN_NOTES = [
  "wall ms: from the stage's start to its result, waiting included; stages overlap (the MSMs and NTTs share the devices), so they do not add up to the total.",
  "% total: wall ms over the proof's wall time.",
  "device ms: the device's busy time spent on the stage; while several stages have work on one device, each moment is split among them in proportion to the planner's cost estimate for their chunks (an estimate), so a device's column adds up to its busy time.",
  "% device: device ms over that device's busy time in the proof (adds up to 100% per device).",
  "chunk ms: the stage's chunk times as the runtime reports them, queueing behind other stages included.",
  'bytes in/out: sent to / read back from the device, derived from element counts and sizes (points + scalars for an MSM, field elements for an NTT), as runtime.stats() counts them.',
  "peak RSS: highest resident set size sampled in the stage's window (whole process, workers included); sampled every 20 ms while the main thread is free and at each stage's end, so a host stage shows its value at its end.",
  "utilisation: busy time over the proof's wall time; a worker pool is busy while at least one of its chunks is in flight, however many threads that chunk uses.",
  "not in any device's busy time: the check that the key's points are on the curve (it runs on the workers; it is in the MSMs' wall ms), and the QAP stages (qap, or buildABC and quotient), one wasm task each on a worker (device \"wasm (one task)\": its device ms is its wall ms, queueing included).",
];

function stageWhat(stage: string, reports: JobReport[]): string {
  if (reports.length === 0) return HOST_WHAT[stage] ?? 'main thread work';
  if (stage === 'finalize') return 'blinding MSMs';
  const r = reports[0];
  if (r.op === 'msm') return `${(r.group ?? 'g1').toUpperCase()} MSM`;
  if (stage.startsWith('ifft')) return 'inverse NTT';
  if (stage.startsWith('fft')) return 'coset NTT';
  return 'NTT';
}

/** Bytes the runtime's kernels count for a chunk (their bytesIn/bytesOut: src/runtime/kernels.ts). */
function chunkBytes(r: JobReport, count: number): { bytesIn: number; bytesOut: number } {
  if (r.op === 'msm' && r.curve) {
    const size = pointBytes(r.curve, r.group ?? 'g1');
    return { bytesIn: count * (size + 32), bytesOut: size };
  }
  // An NTT chunk is the whole transform, sent and read back: 32-byte Fr, 4-byte BabyBear elements.
  const element = r.field === 'babybear' ? 4 : 32;
  return { bytesIn: count * element, bytesOut: count * element };
}

function peakIn(rss: ProfileObservations['rss'], start: number | null, end: number | null): number | null {
  if (start === null || end === null) return null;
  let peak: number | null = null;
  for (const s of rss) if (s.atMs >= start && s.atMs <= end) peak = Math.max(peak ?? 0, s.bytes);
  return peak;
}

function stageNames(obs: ProfileObservations): string[] {
  const seen = [
    ...Object.keys(obs.timings).filter((k) => !AGGREGATES.has(k) && typeof (obs.timings as unknown as Record<string, unknown>)[k] === 'number'),
    ...obs.jobs.map((j) => j.stage),
  ];
  const known = STAGE_ORDER.filter((s) => seen.includes(s));
  return [...known, ...[...new Set(seen)].filter((s) => !STAGE_ORDER.includes(s))];
}

/** "llvmpipe: Mesa 25.0.7 (LLVM 15.0.6) 0.0.1" -> "llvmpipe" (the header line has the full name). */
function adapterName(obs: ProfileObservations): string {
  return obs.adapter ? (obs.adapter.description || obs.adapter.vendor).split(/[:(]/)[0].trim().slice(0, 32) : '';
}

function deviceLabel(id: string, obs: ProfileObservations): string {
  if (id === HOST_DEVICE) return HOST_LABEL;
  if (id === 'wasm') return `wasm workers (${obs.threads} thread${obs.threads === 1 ? '' : 's'})`;
  const name = adapterName(obs);
  return name ? `${id} (${name}${obs.gpuSoftware ? ', software' : ''})` : id;
}

function buildStages(obs: ProfileObservations, weighted: boolean): ProfileStage[] {
  const attributed = attribute(chunkIntervals(obs.jobs, obs.totalMs, weighted));
  const deviceTotal = new Map<string, number>();
  for (const [device, perStage] of attributed)
    deviceTotal.set(
      device,
      [...perStage.values()].reduce((a, b) => a + b, 0),
    );
  const timings = obs.timings as unknown as Record<string, number | undefined>;
  const rows = stageNames(obs).map((stage): ProfileStage => {
    const jobs = obs.jobs.filter((j) => j.stage === stage);
    const reports = jobs.map((j) => j.report);
    const endMs = obs.stageEndMs[stage] ?? null;
    const wallMs = timings[stage] ?? (endMs !== null && jobs.length > 0 ? endMs - Math.min(...jobs.map((j) => j.atMs - j.report.ms)) : 0);
    const startMs = endMs === null ? null : Math.max(0, endMs - wallMs);
    const base = {
      stage,
      what: stageWhat(stage, reports),
      wallMs,
      wallShare: obs.totalMs > 0 ? wallMs / obs.totalMs : 0,
      startMs,
      endMs,
      jobs: jobs.length,
      peakRssBytes: peakIn(obs.rss, startMs, endMs),
    };
    if (reports.length === 0 && WORKER_TASK_STAGES.has(stage)) {
      const on: StageOnDevice = { device: WORKER_TASK_DEVICE, ms: wallMs, share: 0, chunkMs: null, chunks: 1, elements: 0, bytesIn: null, bytesOut: null };
      return { ...base, device: WORKER_TASK_LABEL, devices: [WORKER_TASK_DEVICE], deviceMs: wallMs, on: [on], bytesIn: null, bytesOut: null };
    }
    if (reports.length === 0) {
      const on: StageOnDevice = { device: HOST_DEVICE, ms: wallMs, share: 0, chunkMs: null, chunks: 0, elements: 0, bytesIn: null, bytesOut: null };
      return { ...base, device: HOST_LABEL, devices: [HOST_DEVICE], deviceMs: wallMs, on: [on], bytesIn: null, bytesOut: null };
    }
    const on = new Map<string, StageOnDevice>();
    const slot = (device: string) => {
      if (!on.has(device)) on.set(device, { device, ms: 0, share: 0, chunkMs: 0, chunks: 0, elements: 0, bytesIn: 0, bytesOut: 0 });
      return on.get(device)!;
    };
    for (const r of reports) {
      // A job whose scalars were all zero ran no chunk: it still names the engine it was given.
      if (r.chunks.length === 0) slot(r.backend);
      for (const c of r.chunks) {
        const s = slot(c.backend);
        const bytes = chunkBytes(r, c.count);
        s.chunkMs! += c.ms;
        s.chunks++;
        s.elements += c.count;
        s.bytesIn! += bytes.bytesIn;
        s.bytesOut! += bytes.bytesOut;
      }
    }
    for (const s of on.values()) {
      s.ms = attributed.get(s.device)?.get(stage) ?? 0;
      const total = deviceTotal.get(s.device) ?? 0;
      s.share = total > 0 ? s.ms / total : 0;
    }
    // GPU first, so a split reads "webgpu+wasm" whichever lane finished first.
    const list = [...on.values()].sort((a, b) => (a.device === 'wasm' ? 1 : 0) - (b.device === 'wasm' ? 1 : 0));
    return {
      ...base,
      device: list.map((s) => s.device).join('+'),
      devices: list.map((s) => s.device),
      deviceMs: list.reduce((a, s) => a + s.ms, 0),
      on: list,
      bytesIn: list.reduce((a, s) => a + (s.bytesIn ?? 0), 0),
      bytesOut: list.reduce((a, s) => a + (s.bytesOut ?? 0), 0),
    };
  });
  const hostTotal = rows.filter((r) => r.devices[0] === HOST_DEVICE).reduce((a, r) => a + r.wallMs, 0);
  for (const r of rows) if (r.devices[0] === HOST_DEVICE) r.on[0].share = hostTotal > 0 ? r.wallMs / hostTotal : 0;
  const taskTotal = rows.filter((r) => r.devices[0] === WORKER_TASK_DEVICE).reduce((a, r) => a + r.wallMs, 0);
  for (const r of rows) if (r.devices[0] === WORKER_TASK_DEVICE) r.on[0].share = taskTotal > 0 ? r.wallMs / taskTotal : 0;
  return rows;
}

function buildDevices(obs: ProfileObservations, stages: ProfileStage[]): ProfileDevice[] {
  const hostBusy = stages.filter((s) => s.devices[0] === HOST_DEVICE).reduce((a, s) => a + s.wallMs, 0);
  const util = (ms: number) => (obs.totalMs > 0 ? Math.min(1, ms / obs.totalMs) : 0);
  const host: ProfileDevice = {
    id: HOST_DEVICE,
    label: HOST_LABEL,
    kind: 'host',
    busyMs: hostBusy,
    utilisation: util(hostBusy),
    bytesIn: null,
    bytesOut: null,
    chunks: null,
    failures: null,
    source: "sum of the host stages' wall times (they run one after another on the main thread)",
  };
  const before = new Map(obs.statsBefore.devices.map((d) => [d.id, d]));
  const devices = obs.statsAfter.devices.map((d): ProfileDevice => {
    const b = before.get(d.id);
    const busyMs = d.busyMs - (b?.busyMs ?? 0);
    return {
      id: d.id,
      label: deviceLabel(d.id, obs),
      kind: d.kind,
      busyMs,
      utilisation: util(busyMs),
      bytesIn: d.bytesIn - (b?.bytesIn ?? 0),
      bytesOut: d.bytesOut - (b?.bytesOut ?? 0),
      chunks: d.chunks - (b?.chunks ?? 0),
      failures: d.failures - (b?.failures ?? 0),
      source: 'runtime.stats() after the proof minus before',
    };
  });
  return [host, ...devices];
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The device as the verdict names it: "the main thread", "2 wasm workers", "GPU llvmpipe (...)". */
function shortName(d: ProfileDevice, obs: ProfileObservations): string {
  if (d.kind === 'host') return 'the main thread';
  if (d.kind === 'wasm') return `${obs.threads} wasm worker${obs.threads === 1 ? '' : 's'}`;
  return adapterName(obs) ? `GPU ${adapterName(obs)}` : d.id;
}

/** What would shorten a proof bound by `device` whose largest stage there is `stage`: from the run's own facts. */
function advise(obs: ProfileObservations, device: ProfileDevice, stage: ProfileStage | null): string {
  const moreThreads = obs.threads < obs.cpuThreads ? ` (this run used ${obs.threads} of the ${obs.cpuThreads} threads here: --threads ${obs.cpuThreads})` : '';
  if (device.kind === 'host') {
    if (stage?.stage === 'readKey' || stage?.stage === 'readWitness') return 'reading the files bounds it: faster storage (or the key in the page cache) would help most';
    return 'main-thread BigInt work bounds it: a faster CPU core would help most; more threads or a GPU would not';
  }
  if (device.kind === 'webgpu') {
    return obs.gpuSoftware ? `the GPU is a software adapter running on the CPU: a hardware GPU would help most (or --backend wasm)` : 'a faster GPU would help most';
  }
  const isG2 = stage?.what === 'G2 MSM';
  if (isG2 && gpuUsableForG2(obs)) return `--backend auto or webgpu would let the planner give the G2 MSM to the GPU here; more CPU threads would help too${moreThreads}`;
  if (isG2) return `a hardware GPU (G2 MSMs run there too) or more CPU threads would help most${moreThreads}`;
  const gpuUsable = obs.adapter !== null && !obs.gpuSoftware;
  if (gpuUsable && obs.backend === 'wasm') return `--backend auto or webgpu would move G1 MSMs and NTTs to the GPU here; more CPU threads would help too${moreThreads}`;
  if (gpuUsable) return `the planner kept this work on the workers (too small for the GPU to win): more CPU threads would help most${moreThreads}`;
  return `a hardware GPU (G1 MSMs and NTTs run there) or more CPU threads would help most${moreThreads}`;
}

/**
 * "throttled (power cap, thermal slowdown)" when nvidia-smi's last sample of this GPU device (in
 * runtime.stats() after the proof) had a clock-lowering reason active; null otherwise, and for
 * the host and the workers. A throttled GPU runs below its clocks: the fix is cooling or power, not code.
 */
export function throttleNote(stats: Pick<RuntimeStats, 'devices'>, deviceId: string): string | null {
  const sample = stats.devices.find((d) => d.id === deviceId)?.gpuTelemetry;
  if (!sample?.throttled) return null;
  const reasons = (sample.throttleReasons ?? []).join(', ');
  return `throttled${reasons ? ` (${reasons})` : ''}`;
}

/** A hardware GPU that a wasm-pinned proof left idle: the G2 MSM could have gone there. */
function gpuUsableForG2(obs: ProfileObservations): boolean {
  return obs.adapter !== null && !obs.gpuSoftware && obs.backend === 'wasm';
}

function buildVerdict(obs: ProfileObservations, stages: ProfileStage[], devices: ProfileDevice[]): ProfileVerdict {
  const busy = devices.filter((d) => d.busyMs > 0);
  const bound = (busy.length > 0 ? busy : devices).reduce((a, b) => (b.utilisation > a.utilisation ? b : a));
  let top: { stage: ProfileStage; share: number } | null = null;
  for (const s of stages) {
    const on = s.on.find((o) => o.device === bound.id);
    if (on && on.ms > 0 && (top === null || on.ms > top.stage.on.find((o) => o.device === bound.id)!.ms)) top = { stage: s, share: on.share };
  }
  const throttled = throttleNote(obs.statsAfter, bound.id);
  const advice = throttled
    ? `the GPU was ${throttled} while it proved: its clocks were lowered, so better cooling or power limits would help before any other change`
    : advise(obs, bound, top?.stage ?? null);
  const noun = bound.kind === 'host' ? 'main-thread' : bound.kind === 'wasm' ? 'worker' : 'GPU';
  // Host shares are exact (one stage at a time); device shares are estimates where stages overlap.
  const about = bound.kind === 'host' ? '' : 'about ';
  const largest = top ? `, largest stage ${top.stage.stage} (${top.stage.what} on ${bound.id}, ${about}${pct(top.share)} of ${noun} time)` : '';
  // Below half, no device is the bottleneck on its own: the proof mostly waits on hand-offs.
  const idle = bound.utilisation < 0.5 ? '; no device was busy for half the proof, so hand-offs and waiting weigh as much' : '';
  return {
    device: bound.id,
    label: bound.label,
    utilisation: bound.utilisation,
    stage: top?.stage.stage ?? null,
    stageWhat: top?.stage.what ?? null,
    stageShare: top?.share ?? 0,
    advice,
    line: `bound by: ${shortName(bound, obs)}${throttled ? `, ${throttled}` : ''} (${pct(bound.utilisation)} busy)${largest}; ${advice}${idle}`,
  };
}

function circuitOf(obs: ProfileObservations): ProfileAnalysis['circuit'] {
  const reports = obs.jobs.map((j) => j.report);
  const curve = reports.find((r) => r.curve)?.curve ?? null;
  const ntt = reports.filter((r) => r.op === 'ntt').map((r) => r.n);
  // msmA's points are the circuit's variables (one per witness value); msmH's, the domain's
  // points (there are no transform jobs when the QAP ran as one task).
  const a = obs.jobs.find((j) => j.stage === 'msmA')?.report.n ?? null;
  const h = obs.jobs.find((j) => j.stage === 'msmH')?.report.n ?? null;
  return { curve, domainSize: ntt.length > 0 ? Math.max(...ntt) : h, variables: a };
}

export function analyseProof(obs: ProfileObservations): ProfileAnalysis {
  const weighted = hasAllEstimates(obs.jobs);
  const stages = buildStages(obs, weighted);
  const devices = buildDevices(obs, stages);
  const attribution: ProfileAttribution = { method: weighted ? 'cost-weighted' : 'equal', calibrated: weighted && obs.estimatesCalibrated };
  const how = !weighted
    ? 'device ms of overlapping stages: split equally (no cost estimate for every chunk).'
    : attribution.calibrated
      ? 'device ms of overlapping stages: weighted by the cost models measured here (zkgpu calibrate).'
      : 'device ms of overlapping stages: weighted by the default cost models, not measured here (their ratios come from large sizes; zkgpu calibrate measures them on this machine).';
  return { circuit: circuitOf(obs), attribution, stages, devices, verdict: buildVerdict(obs, stages, devices), notes: [...COLUMN_NOTES, how] };
}
