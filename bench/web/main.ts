/**
 * The benchmark page: run a suite here, see this device's hardware and results, compare reports
 * from other machines, price them, estimate at another size. The contract for automation:
 * `?run=quick|full` starts a suite on load; `document.documentElement.dataset.benchState` is
 * 'running', then 'done' or 'error'; `window.zkgpuBenchReport` holds the report (zkgpu-bench v1);
 * `?compare=URL[,URL]` loads reports on start; `#report=…` (a permalink) loads the report it carries.
 * This file wires the views (run-view, compare-view, cost-view, estimate-view) to the page.
 */
import { loadAll, renderCompare } from './compare-view.js';
import { renderMachines } from './cost-view.js';
import { $, notice, showError } from './dom.js';
import { renderEstimates, renderGroth16Estimate, renderOpEstimate } from './estimate-view.js';
import { onMachinesChange } from './machines.js';
import { type LoadedReport, downloadJson, fetchReport, permalink, readFile, reportFromHash } from './reports.js';
import { cancelRun, ownReport, setState, startRun } from './run-view.js';

function wire(): void {
  onMachinesChange(() => {
    renderMachines();
    renderCompare();
    renderEstimates();
  });
  $('run-quick').addEventListener('click', () => void startRun('quick'));
  $('run-full').addEventListener('click', () => void startRun('full'));
  $('cancel').addEventListener('click', cancelRun);
  $('download').addEventListener('click', () => {
    const own = ownReport();
    if (own) downloadJson(own, `zkgpu-bench-${own.createdAt.replace(/[:.]/g, '-')}.json`);
  });
  $('make-link').addEventListener('click', async () => {
    const own = ownReport();
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
    renderOpEstimate();
  });
  $('g16-form').addEventListener('submit', (e) => {
    e.preventDefault();
    renderGroth16Estimate();
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
  const urls = (compare ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  await loadAll(urls.map((url) => () => fetchReport(new URL(url, location.href).href)));
  // The permalink's report, when the hash carries one.
  if (location.hash.includes('report=')) await loadAll([async () => (await reportFromHash()) as LoadedReport]);
  if (compare !== null || location.hash.includes('report=')) document.documentElement.dataset.compareState = 'loaded';
  const run = params.get('run');
  if (run === 'quick' || run === 'full') await startRun(run);
  else if (run !== null) {
    setState('error', 'Not started.');
    showError(`?run=${run}: expected quick or full`);
  }
}

void start();
