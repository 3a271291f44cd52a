/**
 * The numbers behind the plots and tables: series per case family, the fastest machine per case,
 * a power-law fit for estimates, and cost per operation from an hourly price.
 */
import type { BenchReport, BenchResult } from '../core/schema.js';
import type { LoadedReport } from './reports.js';

/** msm bn254 g1 / ntt bls12-381: cases that differ only in size. */
export function familyOf(r: { op: string; curve: string; group?: string | null }): string {
  return `${r.op} ${r.curve}${r.op === 'msm' && r.group ? ` ${r.group}` : ''}`;
}

/** zkgpu-wasm, zkgpu-webgpu, ffjavascript. */
export function engineOf(r: BenchResult): string {
  return r.backend ? `${r.impl}-${r.backend}` : r.impl;
}

export function families(reports: readonly BenchReport[]): string[] {
  return [...new Set(reports.flatMap((rep) => rep.results.map(familyOf)))];
}

export interface Series {
  label: string;
  /** logN -> median ms. */
  points: Map<number, number>;
}

/** One report: one series per engine. */
export function seriesByEngine(report: BenchReport, family: string): Series[] {
  const out = new Map<string, Series>();
  for (const r of report.results) {
    if (familyOf(r) !== family) continue;
    const label = engineOf(r);
    const s = out.get(label) ?? { label, points: new Map() };
    s.points.set(r.logN, r.ms.median);
    out.set(label, s);
  }
  return [...out.values()];
}

/**
 * Several reports: one series per machine, of one zkgpu engine: the one measured at the machine's
 * largest size (the fastest there when several were). Not the fastest engine at each size: on a
 * software adapter the page times WebGPU at smaller sizes than the workers, and a line through
 * both would fall with n.
 */
export function seriesByMachine(reports: readonly LoadedReport[], family: string): Series[] {
  const out: Series[] = [];
  for (const l of reports) {
    const engines = new Map<string, Map<number, number>>();
    for (const r of l.report.results) {
      if (familyOf(r) !== family || r.impl !== 'zkgpu') continue;
      const points = engines.get(engineOf(r)) ?? new Map<number, number>();
      points.set(r.logN, r.ms.median);
      engines.set(engineOf(r), points);
    }
    let best: { engine: string; logN: number; ms: number } | null = null;
    for (const [engine, points] of engines) {
      const logN = Math.max(...points.keys());
      const ms = points.get(logN)!;
      if (!best || logN > best.logN || (logN === best.logN && ms < best.ms)) best = { engine, logN, ms };
    }
    if (best) out.push({ label: `${l.machine} — ${best.engine}`, points: engines.get(best.engine)! });
  }
  return out;
}

/** Speed-up of zkgpu (fastest engine) over each peer, per size: from the report's comparisons. */
export function speedupSeries(report: BenchReport, family: string): Series[] {
  const out = new Map<string, Series>();
  for (const c of report.comparisons) {
    if (familyOf(c) !== family) continue;
    const s = out.get(c.peer) ?? { label: `vs ${c.peer}`, points: new Map() };
    s.points.set(c.logN, c.speedup);
    out.set(c.peer, s);
  }
  return [...out.values()];
}

/** time = a · n^b, least squares on log time against log n. */
export interface PowerFit {
  a: number;
  b: number;
  minLogN: number;
  maxLogN: number;
  count: number;
}

export function fitPowerLaw(points: ReadonlyMap<number, number>): PowerFit | null {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [logN, ms] of points) {
    if (ms <= 0) continue;
    xs.push(logN * Math.LN2);
    ys.push(Math.log(ms));
  }
  if (xs.length === 0) return null;
  const logNs = [...points.keys()];
  const range = { minLogN: Math.min(...logNs), maxLogN: Math.max(...logNs), count: xs.length };
  // One size: no slope to fit. MSM and NTT grow about linearly (n log n, and Pippenger's n / log n), so b = 1.
  if (xs.length === 1) return { a: Math.exp(ys[0] - xs[0]), b: 1, ...range };
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
  const my = ys.reduce((s, y) => s + y, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const b = sxx > 0 ? sxy / sxx : 1;
  return { a: Math.exp(my - b * mx), b, ...range };
}

export function estimateMs(fit: PowerFit, logN: number): number {
  return fit.a * 2 ** (logN * fit.b);
}

/** Cost of one operation taking `ms` on a machine billed `hourly` (any currency) per hour. */
export function costPerOp(ms: number, hourly: number): number {
  return (hourly / 3_600_000) * ms;
}

/** Examples only: list prices drift and differ by region and commitment; the visitor types their own. */
export const PRICE_PRESETS: readonly { label: string; hourly: number }[] = [
  { label: 'example: own laptop/phone (no hourly bill)', hourly: 0 },
  { label: 'example: small cloud VM, 2 vCPU (~$0.08/h)', hourly: 0.08 },
  { label: 'example: cloud GPU VM, NVIDIA L4 (~$0.80/h)', hourly: 0.8 },
  { label: 'example: cloud GPU VM, NVIDIA A100 (~$3.00/h)', hourly: 3 },
  { label: 'example: cloud GPU VM, NVIDIA H100 (~$4.50/h)', hourly: 4.5 },
];

/** Per case (family and size): every machine's fastest zkgpu time, and which machine is fastest. */
export interface CaseRow {
  family: string;
  logN: number;
  times: (number | null)[];
  fastest: number;
}

export function compareRows(reports: readonly LoadedReport[]): CaseRow[] {
  const keys = new Map<string, { family: string; logN: number }>();
  for (const l of reports) for (const r of l.report.results) if (r.impl === 'zkgpu') keys.set(`${familyOf(r)}|${r.logN}`, { family: familyOf(r), logN: r.logN });
  const rows: CaseRow[] = [];
  for (const { family, logN } of keys.values()) {
    const times = reports.map((l) => {
      const ms = l.report.results.filter((r) => r.impl === 'zkgpu' && familyOf(r) === family && r.logN === logN).map((r) => r.ms.median);
      return ms.length > 0 ? Math.min(...ms) : null;
    });
    let fastest = -1;
    times.forEach((t, i) => {
      if (t !== null && (fastest === -1 || t < (times[fastest] as number))) fastest = i;
    });
    rows.push({ family, logN, times, fastest });
  }
  return rows.sort((a, b) => a.family.localeCompare(b.family) || a.logN - b.logN);
}

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toPrecision(2)} ms`;
}

export function formatMoney(x: number): string {
  if (x === 0) return '0';
  if (x >= 100) return x.toFixed(0);
  if (x >= 0.01) return x.toFixed(2);
  return x.toPrecision(2);
}
