/**
 * Running a suite on this device: progress bars per case, cancel, the state the automation
 * contract reads (`dataset.benchState`, `window.zkgpuBenchReport`), and this run's results as
 * tables and plots (time per engine, speed-up over the peer, where a proof's time goes).
 */
import { errorMessage } from '../core/cases.js';
import type { BenchReport, Groth16Section } from '../core/schema.js';
import { engineOf, families, familyOf, formatMs, seriesByEngine, speedupSeries } from './analysis.js';
import { $, el, notice, showError, table, tableWrap } from './dom.js';
import { renderHardware } from './hardware-view.js';
import { addMachine } from './machines.js';
import { linePlot, speedupFormat, stageBars, timeFormat } from './plots.js';
import { machineName } from './reports.js';
import { runInBrowser } from './runner.js';
import { ParamError, type PlannedCase, type SuiteName, planFromParams } from './suites.js';

type BenchState = 'idle' | 'running' | 'done' | 'error';

export function setState(state: BenchState, text: string): void {
  document.documentElement.dataset.benchState = state;
  $('run-state').textContent = text;
}

let own: BenchReport | null = null;
let controller: AbortController | null = null;

/** This device's last report (for download and permalink), or null before a run finished. */
export function ownReport(): BenchReport | null {
  return own;
}

export function cancelRun(): void {
  controller?.abort(new DOMException('cancelled by the visitor', 'AbortError'));
}

interface Bar {
  li: HTMLLIElement;
  bar: HTMLProgressElement;
  state: HTMLSpanElement;
}

function drawBars(cases: readonly PlannedCase[]): Map<string, Bar> {
  const bars = new Map<string, Bar>();
  const list = $('progress');
  list.replaceChildren();
  for (const c of cases) {
    const bar = el('progress', { max: 1, value: 0 });
    bar.setAttribute('aria-label', c.label);
    const state = el('span', { className: 'state', textContent: 'waiting' });
    const li = el('li', {}, el('span', { textContent: c.label }), bar, state);
    bars.set(c.id, { li, bar, state });
    list.append(li);
  }
  return bars;
}

export async function startRun(name: SuiteName): Promise<void> {
  if (controller) return;
  let plan;
  try {
    plan = planFromParams(name, new URLSearchParams(location.search));
  } catch (e) {
    setState('error', 'Not started: bad URL parameter.');
    showError(e instanceof ParamError ? e.message : errorMessage(e));
    return;
  }
  controller = new AbortController();
  setButtons(true);
  setState('running', `Running the ${name} suite…`);
  $('progress').replaceChildren(el('li', { textContent: 'opening the runtime and loading snarkjs…' }));
  let bars = new Map<string, Bar>();
  const started = performance.now();
  try {
    const report = await runInBrowser(
      plan,
      {
        planned: (cases) => void (bars = drawBars(cases)),
        caseStart: (id) => {
          const b = bars.get(id);
          if (b) b.state.textContent = 'starting';
        },
        step: (id, done, total, what) => {
          const b = bars.get(id);
          if (!b) return;
          b.bar.max = total;
          b.bar.value = done;
          b.state.textContent = `${done}/${total}: ${what}`;
        },
        caseEnd: (id, outcome, detail) => {
          const b = bars.get(id);
          if (!b) return;
          b.li.className = outcome;
          if (outcome === 'ok') b.bar.value = b.bar.max;
          b.state.textContent = outcome === 'ok' ? (id === 'calibration' ? 'measured' : 'checked and timed') : `FAILED: ${detail}`;
        },
        note: (m) => notice(m),
        runtimeReady: (rt) => void renderHardware(rt),
      },
      controller.signal,
    );
    own = report;
    window.zkgpuBenchReport = report;
    const failed = report.failures.length + (report.groth16 ?? []).reduce((n, s) => n + s.failures.length, 0);
    renderResults(report);
    addMachine({ machine: `${machineName(report)} (this run)`, source: 'this run', report });
    setState(
      'done',
      `Done in ${formatMs(performance.now() - started)}${failed > 0 ? `; ${failed} case(s) failed their check and have no times` : '; every time was checked first'}.`,
    );
  } catch (e) {
    const aborted = controller.signal.aborted;
    setState('error', aborted ? 'Cancelled.' : 'The run failed.');
    if (!aborted) showError(`The run failed: ${errorMessage(e)}`);
  } finally {
    controller = null;
    setButtons(false);
  }
}

function setButtons(running: boolean): void {
  ($('run-quick') as HTMLButtonElement).disabled = running;
  ($('run-full') as HTMLButtonElement).disabled = running;
  ($('cancel') as HTMLButtonElement).disabled = !running;
}

function renderResults(report: BenchReport): void {
  $('results').hidden = false;
  const body = $('results-body');
  body.replaceChildren();
  const rows = report.results.map((r) => {
    const cmp = report.comparisons.find((c) => c.peer === r.impl && familyOf(c) === familyOf(r) && c.logN === r.logN);
    return [
      familyOf(r),
      `2^${r.logN}`,
      engineOf(r),
      String(r.threads),
      formatMs(r.ms.median),
      `${formatMs(r.ms.min)}–${formatMs(r.ms.max)}`,
      formatMs(r.firstRunMs),
      r.gpuMs ? formatMs(r.gpuMs.median) : '',
      cmp ? speedupFormat(cmp.speedup) : '',
      (r.checkedAgainst ?? []).join(', '),
    ];
  });
  body.append(
    tableWrap(
      table(
        'MSM and NTT: median of the timed runs (the first run was the checked one)',
        ['case', 'n', 'engine', 'threads', 'median', 'min–max', 'first run', 'GPU time', 'zkgpu faster by', 'checked against'],
        rows,
      ),
    ),
  );
  for (const f of report.failures) body.append(el('p', { className: 'error', textContent: `${familyOf(f)} 2^${f.logN}: ${f.impl} ${f.kind}: ${f.message} (no times)` }));
  const plots = el('div', { className: 'plots' });
  for (const family of families([report])) {
    linePlot(plots, seriesByEngine(report, family), { title: `${family}: time against size (log–log), one line per engine`, yLabel: 'median', logY: true, format: timeFormat });
    const speed = speedupSeries(report, family);
    if (speed.length > 0)
      linePlot(plots, speed, { title: `${family}: zkgpu's speed-up over the peer (above 1: zkgpu faster)`, yLabel: 'speed-up', logY: false, format: speedupFormat });
  }
  body.append(plots);
  for (const s of report.groth16 ?? []) body.append(groth16View(s));
}

function groth16View(s: Groth16Section): HTMLElement {
  const box = el('div');
  const rows = s.results.map((r) => [
    r.impl + (r.backend ? `-${r.backend}` : ''),
    String(r.threads),
    formatMs(r.ms.median),
    `${formatMs(r.ms.min)}–${formatMs(r.ms.max)}`,
    formatMs(r.firstRunMs),
    'verified by snarkjs',
  ]);
  const title = `Groth16 ${s.config.circuit} (${s.config.constraints ?? '?'} constraints, domain ${s.config.domainSize ?? '?'})${s.speedup !== null ? `: zkgpu ${speedupFormat(s.speedup)} snarkjs` : ''}`;
  box.append(tableWrap(table(title, ['prover', 'threads', 'median', 'min–max', 'first run', 'checked'], rows)));
  for (const f of s.failures) box.append(el('p', { className: 'error', textContent: `${f.impl} ${f.kind}: ${f.message}` }));
  const zk = s.results.find((r) => r.impl === 'zkgpu');
  if (zk?.stageMedians) {
    const { total, ...stages } = zk.stageMedians;
    stageBars(box, `Where zkgpu's proof time goes (median per stage, ${s.config.circuit})`, stages, total ?? zk.ms.median);
  }
  return box;
}
