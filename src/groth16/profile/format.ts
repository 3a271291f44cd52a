/**
 * The text form of a ProfileReport (what `zkgpu profile` prints without --json): a header, one
 * row per stage, one per device, memory, the verdict, and what each column means.
 */
import type { ProfileReport } from './profile.js';

const dash = '-';

function ms(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`;
}

function bytes(n: number | null): string {
  if (n === null) return dash;
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

/** Columns padded to their widest cell; `numeric` ones right-aligned. */
function table(head: string[], rows: string[][], numeric: ReadonlySet<number>): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}

function header(r: ProfileReport): string {
  const c = r.circuit;
  const circuit = [c.curve ?? 'unknown curve', c.variables !== null ? `${c.variables} variables` : null, c.domainSize !== null ? `domain 2^${Math.log2(c.domainSize)}` : null]
    .filter(Boolean)
    .join(', ');
  const gpu = r.adapter ? `GPU ${r.adapter.description || r.adapter.vendor}` : 'no GPU';
  return `zkgpu profile: ${circuit}; backend ${r.backend}; ${r.threads} worker thread${r.threads === 1 ? '' : 's'}; ${gpu}`;
}

export function formatProfile(r: ProfileReport): string[] {
  const stageRows = r.stages.map((s) => [
    s.stage,
    s.what,
    s.device,
    ms(s.wallMs),
    pct(s.wallShare),
    ms(s.deviceMs),
    s.on.map((o) => pct(o.share)).join('+'),
    s.on.some((o) => o.chunkMs !== null) ? ms(s.on.reduce((a, o) => a + (o.chunkMs ?? 0), 0)) : dash,
    bytes(s.bytesIn),
    bytes(s.bytesOut),
    s.peakRssBytes === null ? dash : bytes(s.peakRssBytes),
  ]);
  const deviceRows = r.devices.map((d) => [
    d.label,
    ms(d.busyMs),
    pct(d.utilisation),
    bytes(d.bytesIn),
    bytes(d.bytesOut),
    d.chunks === null ? dash : String(d.chunks),
    d.failures === null ? dash : String(d.failures),
  ]);
  const msmRows = (r.msms ?? []).map((x) => [
    x.stage,
    String(x.terms),
    String(x.zeros),
    String(x.ones),
    String(x.dense),
    x.dense > 0 ? String(x.maxBits) : dash,
    String(x.effectiveElements),
    ms(x.estimateMs) + (x.calibrated ? '' : '*'),
    x.measuredMs === null ? dash : ms(x.measuredMs),
  ]);
  const msmTable =
    msmRows.length === 0
      ? []
      : [
          '',
          ...table(['msm', 'terms', 'zero', 'one', 'dense', 'bits', 'as uniform', 'estimate ms', 'measured ms'], msmRows, new Set([1, 2, 3, 4, 5, 6, 7, 8])),
          ...(r.msms.some((x) => !x.calibrated) ? ['  * uncalibrated default model (zkgpu calibrate measures this machine)'] : []),
        ];
  const workerLine =
    (r.workers ?? []).length === 0
      ? []
      : [`workers: ${r.workers.map((w) => `#${w.worker} busy ${ms(w.busyMs)} ms, idle ${ms(w.idleMs)} ms (${pct(w.idleMs / Math.max(1e-9, r.totalMs))})`).join('; ')}`];
  const m = r.memory;
  const peak = m.peakRssBytes === null ? 'not sampled' : `${bytes(m.peakRssBytes)} during the proof (${bytes(m.startRssBytes)} at its start, ${m.samples} samples)`;
  const lifetime = m.processMaxRssBytes === null ? '' : `; process max RSS ${bytes(m.processMaxRssBytes)} (whole process lifetime)`;
  return [
    header(r),
    `proof: ${ms(r.totalMs)} ms wall`,
    '',
    ...table(
      ['stage', 'what', 'device', 'wall ms', '% total', 'device ms', '% device', 'chunk ms', 'bytes in', 'bytes out', 'peak RSS'],
      stageRows,
      new Set([3, 4, 5, 6, 7, 8, 9, 10]),
    ),
    ...msmTable,
    '',
    ...workerLine,
    ...table(['device', 'busy ms', 'utilisation', 'bytes in', 'bytes out', 'chunks', 'failures'], deviceRows, new Set([1, 2, 3, 4, 5, 6])),
    '',
    `memory: peak RSS ${peak}${lifetime}`,
    `GPU memory: ${m.peakGpuBytes === null ? m.gpuNote : `peak ${bytes(m.peakGpuBytes)} in buffers`}`,
    r.verdict.line,
    '',
    'columns:',
    ...r.notes.map((n) => `  ${n}`),
  ];
}
