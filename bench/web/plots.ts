/**
 * Plots with uPlot (canvas, 50 KiB): time against size on log-log axes, speed-up against size, and
 * the per-stage breakdown of a proof as plain HTML bars. Each plot keeps its series names in
 * data-series, so a reader (and the page test) can tell how many it drew.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Series } from './analysis.js';
import { formatMs } from './analysis.js';

/** Colour-blind-safe (Okabe-Ito), in order. */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

const charts = new Set<uPlot>();
let observer: ResizeObserver | null = null;

function widthOf(el: HTMLElement): number {
  return Math.max(260, Math.min(el.clientWidth || 600, 900));
}

export interface LinePlotOptions {
  title: string;
  yLabel: string;
  /** Log scale on y too (time); linear for speed-up. */
  logY: boolean;
  format(v: number): string;
}

export function linePlot(container: HTMLElement, series: readonly Series[], options: LinePlotOptions): void {
  const figure = document.createElement('figure');
  figure.className = 'plot';
  figure.dataset.series = JSON.stringify(series.map((s) => s.label));
  const caption = document.createElement('figcaption');
  caption.textContent = options.title;
  figure.append(caption);
  container.append(figure);
  const logNs = [...new Set(series.flatMap((s) => [...s.points.keys()]))].sort((a, b) => a - b);
  if (logNs.length === 0) {
    figure.append(Object.assign(document.createElement('p'), { textContent: 'no data', className: 'muted' }));
    return;
  }
  const data: uPlot.AlignedData = [logNs.map((k) => 2 ** k), ...series.map((s) => logNs.map((k) => s.points.get(k) ?? null))];
  const chart = new uPlot(
    {
      width: widthOf(container),
      height: 260,
      scales: { x: { distr: 3, log: 2 }, y: options.logY ? { distr: 3, log: 10 } : {} },
      axes: [
        // Log scales hand over null for the ticks they leave unlabelled.
        { label: 'n (log scale)', values: (_, ticks) => ticks.map((t) => (t == null ? '' : `2^${Math.round(Math.log2(t))}`)) },
        { label: options.yLabel, size: 70, values: (_, ticks) => ticks.map((t) => (t == null ? '' : options.format(t))) },
      ],
      series: [
        { label: 'n', value: (_, v) => (v == null ? '' : `2^${Math.round(Math.log2(v))}`) },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          spanGaps: true,
          points: { size: 7, fill: COLOURS[i % COLOURS.length] },
          value: (_: uPlot, v: number | null) => (v == null ? '' : options.format(v)),
        })),
      ],
    },
    data,
    figure,
  );
  charts.add(chart);
  observer ??= new ResizeObserver(() => {
    for (const c of charts) {
      if (!c.root.isConnected) {
        charts.delete(c);
        c.destroy();
        continue;
      }
      const parent = c.root.parentElement?.parentElement;
      if (parent) c.setSize({ width: widthOf(parent), height: 260 });
    }
  });
  observer.observe(container);
}

export const timeFormat = (v: number) => formatMs(v);
export const speedupFormat = (v: number) => `${v.toFixed(v >= 10 ? 0 : 2)}x`;

/** Stage medians of one proof as bars (the stages overlap in time: each bar is its own wall time). */
export function stageBars(container: HTMLElement, title: string, stages: Record<string, number>, total: number): void {
  const figure = document.createElement('figure');
  figure.className = 'plot stages';
  const entries = Object.entries(stages)
    .filter(([name]) => name !== 'total')
    .sort((a, b) => b[1] - a[1]);
  figure.dataset.series = JSON.stringify(entries.map(([n]) => n));
  const caption = document.createElement('figcaption');
  caption.textContent = title;
  figure.append(caption);
  const max = Math.max(total, ...entries.map(([, ms]) => ms), 1e-9);
  for (const [name, ms] of entries) {
    const row = document.createElement('div');
    row.className = 'bar-row';
    const label = Object.assign(document.createElement('span'), { className: 'bar-label', textContent: name });
    const track = Object.assign(document.createElement('span'), { className: 'bar-track' });
    const bar = Object.assign(document.createElement('span'), { className: 'bar' });
    bar.style.width = `${(100 * ms) / max}%`;
    track.append(bar);
    const value = Object.assign(document.createElement('span'), { className: 'bar-value', textContent: formatMs(ms) });
    row.append(label, track, value);
    figure.append(row);
  }
  const note = Object.assign(document.createElement('p'), {
    className: 'muted',
    textContent: `total ${formatMs(total)}; MSMs and transforms overlap, so the bars add up to more than the total.`,
  });
  figure.append(note);
  container.append(figure);
}
