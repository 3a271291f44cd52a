import type { BenchComparison, BenchFailure, BenchResult } from './schema.js';

interface Column {
  title: string;
  width: number;
  right: boolean;
}

const COLUMNS: Column[] = [
  { title: 'op', width: 3, right: false },
  { title: 'curve', width: 9, right: false },
  { title: 'grp', width: 3, right: false },
  { title: 'logN', width: 4, right: true },
  { title: 'impl', width: 12, right: false },
  { title: 'thr', width: 3, right: true },
  { title: 'median ms', width: 10, right: true },
  { title: 'min ms', width: 10, right: true },
  { title: 'max ms', width: 10, right: true },
  { title: 'first ms', width: 10, right: true },
  { title: 'gpu ms', width: 9, right: true },
  { title: 'peak RSS', width: 9, right: true },
  { title: 'zkgpu x', width: 8, right: true },
  { title: 'checked against', width: 0, right: false },
];

function cell(text: string, c: Column): string {
  return c.right ? text.padStart(c.width) : text.padEnd(c.width);
}

function line(cells: string[]): string {
  return cells
    .map((t, i) => cell(t, COLUMNS[i]))
    .join('  ')
    .trimEnd();
}

/** Milliseconds with 3 significant-ish digits: 0.123, 12.3, 1234. */
export function formatMs(ms: number): string {
  if (ms < 1) return ms.toFixed(3);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

export function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1024 ? `${(mib / 1024).toFixed(2)} GiB` : `${mib.toFixed(0)} MiB`;
}

export function formatSpeedup(s: number): string {
  if (!Number.isFinite(s)) return 'inf';
  return s >= 0.1 ? `${s.toFixed(2)}x` : `${s.toPrecision(2)}x`;
}

export function tableHeader(): string {
  const head = line(COLUMNS.map((c) => c.title));
  return `${head}\n${'-'.repeat(head.length)}`;
}

/**
 * One row. `speedup` is peer median / zkgpu median for a peer row ("zkgpu x": how many times
 * faster zkgpu is); blank on zkgpu's own row. The last column says what the row's output was
 * checked against (bench/core/schema.ts, checkedAgainst).
 */
export function tableRow(r: BenchResult, speedup?: number): string {
  return line([
    r.op,
    r.curve,
    r.group ?? '-',
    String(r.logN),
    r.backend === null ? r.impl : `${r.impl}-${r.backend}`,
    String(r.threads),
    formatMs(r.ms.median),
    formatMs(r.ms.min),
    formatMs(r.ms.max),
    formatMs(r.firstRunMs),
    r.gpuMs ? formatMs(r.gpuMs.median) : '-',
    formatBytes(r.peakRssBytes),
    speedup === undefined ? '' : formatSpeedup(speedup),
    r.checkedAgainst?.join(', ') ?? '',
  ]);
}

export function speedupFor(r: BenchResult, comparisons: readonly BenchComparison[]): number | undefined {
  if (r.impl === 'zkgpu') return undefined;
  return comparisons.find((c) => c.op === r.op && c.curve === r.curve && c.group === (r.group ?? null) && c.logN === r.logN && c.peer === r.impl)?.speedup;
}

export function formatTable(results: readonly BenchResult[], comparisons: readonly BenchComparison[]): string {
  return [tableHeader(), ...results.map((r) => tableRow(r, speedupFor(r, comparisons)))].join('\n');
}

export function formatFailure(f: BenchFailure): string {
  const what = `${f.op} ${f.curve}${f.group ? ` ${f.group}` : ''} 2^${f.logN}`;
  const kind = f.kind === 'mismatch' ? `MISMATCH zkgpu vs ${f.impl}` : `ERROR in ${f.impl}`;
  return `!!! ${kind}: ${what}: ${f.message}`;
}
