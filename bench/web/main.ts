/**
 * The benchmark page: run a suite here, see this device's hardware and results, compare reports
 * from other machines, estimate at another size, price it. The contract for automation:
 * `?run=quick|full` starts a suite on load; `document.documentElement.dataset.benchState` is
 * 'running', then 'done' or 'error'; `window.zkgpuBenchReport` holds the report (zkgpu-bench v1);
 * `?compare=URL[,URL]` loads reports on start; `#report=…` (a permalink) loads the report it carries.
 */
import { errorMessage } from '../core/cases.js';
import type { BenchReport, Groth16Section } from '../core/schema.js';
import {
  type CaseRow,
  PRICE_PRESETS,
  compareRows,
  costPerOp,
  engineOf,
  estimateMs,
  families,
  familyOf,
  fitPowerLaw,
  formatMoney,
  formatMs,
  seriesByEngine,
  seriesByMachine,
  speedupSeries,
} from './analysis.js';
import { type PanelInfo, panelInfo } from './hardware.js';
import { linePlot, speedupFormat, stageBars, timeFormat } from './plots.js';
import { type LoadedReport, ReportLoadError, downloadJson, fetchReport, machineName, permalink, readFile, reportFromHash } from './reports.js';
import { runInBrowser } from './runner.js';
import { ParamError, type SuiteName, planFromParams, plannedCases } from './suites.js';
import type { Runtime } from '../../src/index.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

type BenchState = 'idle' | 'running' | 'done' | 'error';

function setState(state: BenchState, text: string): void {
  document.documentElement.dataset.benchState = state;
  $('run-state').textContent = text;
}

function showError(message: string): void {
  $('errors').append(el('div', { className: 'error', textContent: message }));
}

function notice(message: string): void {
  $('notices').append(el('div', { className: 'notice', textContent: message }));
}

// ---- state

interface Machine extends LoadedReport {
  hourly: number;
}

const machines: Machine[] = [];
let own: BenchReport | null = null;
let controller: AbortController | null = null;

function addMachine(loaded: LoadedReport): void {
  machines.push({ ...loaded, hourly: 0 });
  renderCompare();
}

// ---- running

async function startRun(name: SuiteName): Promise<void> {
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
  const bars = new Map<string, { li: HTMLLIElement; bar: HTMLProgressElement; state: HTMLSpanElement }>();
  const list = $('progress');
  list.replaceChildren();
  for (const c of plannedCases(plan)) {
    const bar = el('progress', { max: 1, value: 0 });
    bar.setAttribute('aria-label', c.label);
    const state = el('span', { className: 'state', textContent: 'waiting' });
    const li = el('li', {}, el('span', { textContent: c.label }), bar, state);
    bars.set(c.id, { li, bar, state });
    list.append(li);
  }
  const started = performance.now();
  try {
    const report = await runInBrowser(
      plan,
      {
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
          b.state.textContent = outcome === 'ok' ? 'checked and timed' : `FAILED: ${detail}`;
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

// ---- hardware panel

async function renderHardware(rt: Runtime | null): Promise<void> {
  const info = await panelInfo(rt, []);
  $('hw-body').replaceChildren(hardwareView(info));
  $('hw-body').classList.remove('muted');
}

function kv(pairs: [string, string][]): HTMLDListElement {
  const dl = el('dl', { className: 'kv' });
  for (const [k, v] of pairs) dl.append(el('dt', { textContent: k }), el('dd', { textContent: v }));
  return dl;
}

function hardwareView(info: PanelInfo): HTMLElement {
  const box = el('div');
  const gpu = info.gpu;
  box.append(
    kv([
      [
        'WebGPU',
        gpu
          ? `${gpu.description || gpu.device || '(no description)'} — vendor ${gpu.vendor || '?'}, architecture ${gpu.architecture || '?'}`
          : info.webgpuApi
            ? 'the browser has the API but gave no adapter'
            : 'not available in this browser',
      ],
      ['hardwareConcurrency', String(info.hardwareConcurrency ?? 'unknown')],
      ['deviceMemory', info.deviceMemoryGiB === null ? 'not reported' : `${info.deviceMemoryGiB} GiB (rounded and capped by the browser)`],
      ['crossOriginIsolated', info.crossOriginIsolated ? 'yes' : 'no (SharedArrayBuffer unavailable: serve the page with COOP/COEP, e.g. npx zkgpu page)'],
      ['user agent', info.userAgent],
      ...(info.detected
        ? ([
            ['scheduler: CPU threads', `${info.detected.cpu.threads} (${info.detected.cpu.source})`],
            ['scheduler: memory budget', `${Math.round(info.detected.memory.budgetBytes / 2 ** 20)} MiB (${info.detected.memory.source})`],
          ] as [string, string][])
        : []),
      ...info.plans.map(
        (p) =>
          [
            `plan: ${p.job}`,
            `${p.plan.chunks.map((c) => `${c.backend} ${c.count}`).join(' + ')}, estimate ${formatMs(p.plan.estimateMs)}${p.plan.calibrated ? '' : ' (uncalibrated defaults)'}: ${p.plan.reason}`,
          ] as [string, string],
      ),
    ]),
  );
  if (gpu) {
    const limits = el('details', {}, el('summary', { textContent: `adapter limits (${Object.keys(gpu.limits).length}) and features (${gpu.features.length})` }));
    limits.append(
      el('pre', {
        textContent: `${Object.entries(gpu.limits)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n')}\n\nfeatures: ${gpu.features.join(', ')}`,
      }),
    );
    box.append(limits);
  }
  if (info.detected)
    box.append(el('details', {}, el('summary', { textContent: 'runtime.hardware() as detected' }), el('pre', { textContent: JSON.stringify(info.detected, null, 2) })));
  for (const n of info.notes) box.append(el('p', { className: 'muted', textContent: n }));
  return box;
}

// ---- results of this run

function tableWrap(table: HTMLTableElement): HTMLDivElement {
  const wrap = el('div', { className: 'table-wrap' }, table);
  wrap.tabIndex = 0;
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-label', table.caption?.textContent ?? 'table');
  return wrap;
}

function table(caption: string, head: string[], rows: (string | Node)[][], rowClass?: (i: number) => string): HTMLTableElement {
  const t = el('table', {}, el('caption', { textContent: caption }));
  t.append(el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col', textContent: h })))));
  const body = el('tbody');
  rows.forEach((r, i) => {
    const tr = el('tr', { className: rowClass?.(i) ?? '' }, ...r.map((c) => el('td', {}, c)));
    body.append(tr);
  });
  t.append(body);
  return t;
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

// ---- compare

function renderCompare(): void {
  renderMachines();
  const body = $('compare-body');
  body.replaceChildren();
  fillEstimateFamilies();
  if (machines.length === 0) return;
  const plots = el('div', { className: 'plots' });
  for (const family of families(machines.map((m) => m.report))) {
    linePlot(plots, seriesByMachine(machines, family), {
      title: `${family}: zkgpu's fastest engine, one line per machine (log–log)`,
      yLabel: 'median',
      logY: true,
      format: timeFormat,
    });
  }
  body.append(plots);
  for (const row of compareRows(machines)) body.append(tableWrap(caseTable(row)));
  const proofs = machines.flatMap((m, i) => (m.report.groth16 ?? []).flatMap((s) => s.results.filter((r) => r.impl === 'zkgpu').map((r) => ({ i, s, r }))));
  if (proofs.length > 0) {
    const fastest = Math.min(...proofs.map((p) => p.r.ms.median));
    body.append(
      tableWrap(
        table(
          'Groth16 proof per machine (zkgpu), with cost',
          ['machine', 'circuit', 'proof', 'price per hour', 'cost per proof', 'cost per 1M proofs'],
          proofs.map(({ i, s, r }) => [
            `${r.ms.median === fastest ? '★ ' : ''}${machines[i].machine}`,
            s.config.circuit,
            formatMs(r.ms.median),
            formatMoney(machines[i].hourly),
            formatMoney(costPerOp(r.ms.median, machines[i].hourly)),
            formatMoney(costPerOp(r.ms.median, machines[i].hourly) * 1e6),
          ]),
          (k) => (proofs[k].r.ms.median === fastest ? 'fastest' : ''),
        ),
      ),
    );
  }
  renderEstimate();
}

function caseTable(row: CaseRow): HTMLTableElement {
  const rows = machines.map((m, i) => {
    const t = row.times[i];
    const cost = t === null ? null : costPerOp(t, m.hourly);
    return [
      `${i === row.fastest ? '★ ' : ''}${m.machine}`,
      t === null ? '—' : formatMs(t),
      formatMoney(m.hourly),
      cost === null ? '—' : formatMoney(cost),
      cost === null ? '—' : formatMoney(cost * 1e6),
    ];
  });
  const t = table(
    `${row.family} 2^${row.logN}: zkgpu's fastest engine per machine (★ fastest)`,
    ['machine', 'median', 'price per hour', 'cost per op', 'cost per 1M ops'],
    rows,
    (i) => (i === row.fastest ? 'fastest' : ''),
  );
  t.className = 'case-table';
  return t;
}

function renderMachines(): void {
  const box = $('machines');
  box.replaceChildren();
  machines.forEach((m, i) => {
    const price = el('input', { type: 'number', min: '0', step: '0.01', value: String(m.hourly) });
    price.id = `price-${i}`;
    price.addEventListener('change', () => {
      const v = Number(price.value);
      m.hourly = Number.isFinite(v) && v >= 0 ? v : 0;
      renderCompare();
    });
    const preset = el(
      'select',
      {},
      el('option', { value: '', textContent: 'presets (examples)…' }),
      ...PRICE_PRESETS.map((p) => el('option', { value: String(p.hourly), textContent: p.label })),
    );
    preset.setAttribute('aria-label', `price preset for ${m.machine}`);
    preset.addEventListener('change', () => {
      if (preset.value === '') return;
      m.hourly = Number(preset.value);
      renderCompare();
    });
    const remove = el('button', { type: 'button', textContent: 'Remove' });
    remove.setAttribute('aria-label', `remove ${m.machine}`);
    remove.addEventListener('click', () => {
      machines.splice(i, 1);
      renderCompare();
    });
    const label = el('label', { textContent: 'price per hour' });
    label.htmlFor = price.id;
    box.append(
      el(
        'div',
        { className: 'machine' },
        el('span', { className: 'name', textContent: `${m.machine}` }),
        el('span', { className: 'muted', textContent: `${m.source}, ${m.report.createdAt.slice(0, 10)}` }),
        label,
        price,
        preset,
        remove,
      ),
    );
  });
}

async function loadAll(loaders: (() => Promise<LoadedReport>)[]): Promise<void> {
  for (const load of loaders) {
    try {
      addMachine(await load());
    } catch (e) {
      showError(e instanceof ReportLoadError ? e.message : `Could not load a report: ${errorMessage(e)}`);
    }
  }
}

// ---- estimate

function fillEstimateFamilies(): void {
  const select = $('est-family') as HTMLSelectElement;
  const current = select.value;
  const list = families(machines.map((m) => m.report));
  select.replaceChildren(...list.map((f) => el('option', { value: f, textContent: f })));
  if (list.includes(current)) select.value = current;
}

function renderEstimate(): void {
  const family = ($('est-family') as HTMLSelectElement).value;
  const logN = Number(($('est-logn') as HTMLInputElement).value);
  const out = $('estimate-body');
  if (!family || !Number.isInteger(logN) || logN < 1 || logN > 30) {
    out.textContent = machines.length === 0 ? 'Load or run a report first.' : 'Choose an operation and a whole log2 n from 1 to 30.';
    return;
  }
  const rows = seriesByMachine(machines, family).map((s) => {
    const m = machines.find((x) => x.machine === s.label)!;
    const fit = fitPowerLaw(s.points)!;
    const ms = estimateMs(fit, logN);
    const outside = logN < fit.minLogN || logN > fit.maxLogN;
    return [
      s.label,
      `≈ ${formatMs(ms)}`,
      `2^${fit.minLogN}–2^${fit.maxLogN} (${fit.count} size${fit.count > 1 ? 's' : ''})${outside ? ', extrapolated' : ''}`,
      `time ∝ n^${fit.b.toFixed(2)}`,
      formatMoney(costPerOp(ms, m.hourly) * 1e6),
    ];
  });
  out.classList.remove('muted');
  out.replaceChildren(
    el('p', {
      className: 'estimate-label',
      textContent: `Estimates, not measurements: a power law fitted to each machine's measured medians (zkgpu's fastest engine). Beyond the fitted range they extrapolate; memory limits and engine changes at large sizes are not in them.`,
    }),
    tableWrap(table(`${family} at 2^${logN}: estimate per machine`, ['machine', 'estimate', 'fitted on', 'fit', 'cost per 1M ops'], rows)),
  );
}

// ---- wiring

function wire(): void {
  $('run-quick').addEventListener('click', () => void startRun('quick'));
  $('run-full').addEventListener('click', () => void startRun('full'));
  $('cancel').addEventListener('click', () => controller?.abort(new DOMException('cancelled by the visitor', 'AbortError')));
  $('download').addEventListener('click', () => own && downloadJson(own, `zkgpu-bench-${own.createdAt.replace(/[:.]/g, '-')}.json`));
  $('make-link').addEventListener('click', async () => {
    if (!own) return;
    const input = $('permalink') as HTMLInputElement;
    input.value = await permalink(own);
    input.select();
    await navigator.clipboard?.writeText(input.value).catch(() => {});
  });
  const file = $('file') as HTMLInputElement;
  file.addEventListener('change', () => void loadAll(Array.from(file.files ?? []).map((f) => () => readFile(f))).then(() => (file.value = '')));
  const drop = $('drop');
  drop.addEventListener('click', () => file.click());
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    void loadAll(Array.from(e.dataTransfer?.files ?? []).map((f) => () => readFile(f)));
  });
  $('url-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const url = ($('url') as HTMLInputElement).value.trim();
    if (url) void loadAll([() => fetchReport(url)]);
  });
  $('estimate-form').addEventListener('submit', (e) => {
    e.preventDefault();
    renderEstimate();
  });
}

function environmentNotices(): void {
  if (!('gpu' in navigator)) notice('This browser has no WebGPU: zkgpu runs on the WebAssembly workers only, and only those are timed here.');
  if (!globalThis.crossOriginIsolated) notice('This page is not cross-origin isolated (no COOP/COEP headers): SharedArrayBuffer is unavailable. Serve it with `npx zkgpu page`.');
}

async function start(): Promise<void> {
  document.documentElement.dataset.benchState = 'idle';
  wire();
  environmentNotices();
  const params = new URLSearchParams(location.search);
  const compare = params.get('compare');
  const loaders: (() => Promise<LoadedReport>)[] = [];
  if (compare)
    for (const url of compare
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      loaders.push(() => fetchReport(new URL(url, location.href).href));
  loaders.push(async () => {
    const r = await reportFromHash();
    if (r === null) throw new Error('no report');
    return r;
  });
  // The permalink loader is last and silent when the hash carries nothing.
  const fromHash = loaders.pop()!;
  await loadAll(loaders);
  if (location.hash.includes('report=')) await loadAll([fromHash]);
  if (compare || location.hash.includes('report=')) document.documentElement.dataset.compareState = 'loaded';
  const run = params.get('run');
  if (run === 'quick' || run === 'full') await startRun(run);
  else if (run !== null) {
    setState('error', 'Not started.');
    showError(`?run=${run}: expected quick or full`);
  }
}

void start();
