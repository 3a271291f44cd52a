/**
 * Compare machines: reports loaded from files, URLs or a permalink beside this run; one plot
 * series per machine, a table per case with the fastest marked, and each time's cost at the
 * machine's hourly price.
 */
import { errorMessage } from '../core/cases.js';
import { type CaseRow, compareRows, costPerOp, families, formatMoney, formatMs, seriesByMachine } from './analysis.js';
import { $, el, showError, table, tableWrap } from './dom.js';
import { addMachine, machines } from './machines.js';
import { linePlot, timeFormat } from './plots.js';
import { type LoadedReport, ReportLoadError } from './reports.js';

export async function loadAll(loaders: (() => Promise<LoadedReport>)[]): Promise<void> {
  for (const load of loaders) {
    try {
      addMachine(await load());
    } catch (e) {
      showError(e instanceof ReportLoadError ? e.message : `Could not load a report: ${errorMessage(e)}`);
    }
  }
}

export function renderCompare(): void {
  const body = $('compare-body');
  body.replaceChildren();
  if (machines.length === 0) return;
  const plots = el('div', { className: 'plots' });
  for (const family of families(machines.map((m) => m.report))) {
    linePlot(plots, seriesByMachine(machines, family), {
      title: `${family}: one line per machine (its zkgpu engine at the largest size it measured; log–log)`,
      yLabel: 'median',
      logY: true,
      format: timeFormat,
    });
  }
  body.append(plots);
  for (const row of compareRows(machines)) body.append(tableWrap(caseTable(row)));
  const proofs = machines.flatMap((m, i) => (m.report.groth16 ?? []).flatMap((s) => s.results.filter((r) => r.impl === 'zkgpu').map((r) => ({ i, s, r }))));
  if (proofs.length > 0) {
    body.append(
      tableWrap(
        table(
          'Groth16 proof per machine (zkgpu), with cost (★ fastest per circuit)',
          ['machine', 'circuit', 'proof', 'price per hour', 'cost per proof', 'cost per 1M proofs'],
          proofs.map(({ i, s, r }) => [
            `${fastestOf(proofs, s.config.circuit) === r.ms.median ? '★ ' : ''}${machines[i].machine}`,
            s.config.circuit,
            formatMs(r.ms.median),
            formatMoney(machines[i].hourly),
            formatMoney(costPerOp(r.ms.median, machines[i].hourly)),
            formatMoney(costPerOp(r.ms.median, machines[i].hourly) * 1e6),
          ]),
          (k) => (fastestOf(proofs, proofs[k].s.config.circuit) === proofs[k].r.ms.median ? 'fastest' : ''),
        ),
      ),
    );
  }
}

function fastestOf(proofs: readonly { s: { config: { circuit: string } }; r: { ms: { median: number } } }[], circuit: string): number {
  return Math.min(...proofs.filter((p) => p.s.config.circuit === circuit).map((p) => p.r.ms.median));
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
