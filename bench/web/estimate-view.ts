/**
 * Estimates at a size the visitor types, labelled as estimates with the range they were fitted
 * on: an MSM or NTT per machine and engine (a power law through its measured medians, and the
 * calibration's cost model where the report carries one), and a Groth16 proof at a number of constraints (the
 * models' work for that circuit, anchored to the proof the machine measured).
 */
import { costPerOp, estimateMs, families, fitPowerLaw, formatMoney, formatMs, seriesByEngine } from './analysis.js';
import { $, el, table, tableWrap } from './dom.js';
import { type FittedRange, engineEstimates, estimateGroth16 } from './estimates.js';
import { machines } from './machines.js';

const pow2 = (n: number) => (Number.isInteger(Math.log2(n)) ? `2^${Math.log2(n)}` : String(n));
const rangeText = (r: FittedRange) => `n ${pow2(r.minN)}–${pow2(r.maxN)}${r.extrapolated ? ', extrapolated' : ''}`;

export function renderEstimates(): void {
  fillSelect($('est-family') as HTMLSelectElement, families(machines.map((m) => m.report)));
  fillSelect($('g16-circuit') as HTMLSelectElement, [...new Set(machines.flatMap((m) => (m.report.groth16 ?? []).map((s) => s.config.circuit)))]);
  renderOpEstimate();
  renderGroth16Estimate();
}

function fillSelect(select: HTMLSelectElement, values: readonly string[]): void {
  const current = select.value;
  select.replaceChildren(...values.map((v) => el('option', { value: v, textContent: v })));
  if (values.includes(current)) select.value = current;
}

export function renderOpEstimate(): void {
  const family = ($('est-family') as HTMLSelectElement).value;
  const logN = Number(($('est-logn') as HTMLInputElement).value);
  const out = $('estimate-body');
  if (!family || !Number.isInteger(logN) || logN < 1 || logN > 30) {
    out.textContent = machines.length === 0 ? 'Load or run a report first.' : 'Choose an operation and a whole log2 n from 1 to 30.';
    return;
  }
  const rows: string[][] = [];
  for (const m of machines) {
    // Per engine: on a software adapter WebGPU runs other sizes than the workers, so a line through
    // "the fastest engine at each size" would join two engines.
    for (const s of seriesByEngine(m.report, family).filter((x) => x.label.startsWith('zkgpu'))) {
      const fit = fitPowerLaw(s.points);
      if (!fit) continue;
      const ms = estimateMs(fit, logN);
      const outside = logN < fit.minLogN || logN > fit.maxLogN;
      rows.push([
        m.machine,
        s.label,
        `≈ ${formatMs(ms)}`,
        `power law through ${fit.count} measured size${fit.count > 1 ? 's' : ''} (2^${fit.minLogN}–2^${fit.maxLogN}${outside ? ', extrapolated' : ''}), time ∝ n^${fit.b.toFixed(2)}`,
        formatMoney(costPerOp(ms, m.hourly) * 1e6),
      ]);
    }
    for (const e of engineEstimates(m.report, family, logN)) {
      rows.push([
        m.machine,
        e.engine,
        `≈ ${formatMs(e.ms)}`,
        `calibration cost model${e.quick ? ' (quick)' : ''}, ${rangeText(e.range)}`,
        formatMoney(costPerOp(e.ms, m.hourly) * 1e6),
      ]);
    }
  }
  out.classList.remove('muted');
  out.replaceChildren(
    el('p', {
      className: 'estimate-label',
      textContent:
        "Estimates, not measurements: per machine and engine a power law through the measured medians, and the cost model zkgpu's calibration fitted on that machine (fixed cost + cost per element, what its scheduler plans with). Outside the fitted range they extrapolate; memory limits and engine changes at large sizes are not in them.",
    }),
    tableWrap(table(`${family} at 2^${logN}: estimates`, ['machine', 'engine', 'estimate', 'fitted on', 'cost per 1M ops'], rows)),
  );
}

export function renderGroth16Estimate(): void {
  const circuit = ($('g16-circuit') as HTMLSelectElement).value;
  const constraints = Number(($('g16-constraints') as HTMLInputElement).value);
  const out = $('g16-estimate-body');
  if (!circuit) {
    out.textContent = 'Run a suite (or load a report from this page) first: the estimate starts from a measured proof.';
    return;
  }
  if (!Number.isInteger(constraints) || constraints < 1 || constraints > 2 ** 28) {
    out.textContent = 'Type a whole number of constraints from 1 to 2^28.';
    return;
  }
  const rows: (string | Node)[][] = [];
  const notes: string[] = [];
  for (const m of machines) {
    const section = (m.report.groth16 ?? []).find((s) => s.config.circuit === circuit);
    if (!section) continue;
    const e = estimateGroth16(m.report, section, constraints);
    if (typeof e === 'string') {
      notes.push(`${m.machine}: no estimate: ${e}`);
      continue;
    }
    const breakdown = el(
      'details',
      {},
      el('summary', { textContent: `≈ ${formatMs(e.ms)}` }),
      el('ul', {}, ...e.items.map((i) => el('li', { textContent: `${i.label}: ${i.count} × n ${i.n} ≈ ${formatMs(i.ms)} (model ${rangeText(i.range)})` }))),
    );
    rows.push([
      m.machine,
      e.engine,
      breakdown,
      `domain ${pow2(e.shape.domainSize)}, ${e.shape.nVars} variables`,
      `${formatMs(e.measuredMs)} measured at ${section.config.constraints} constraints = models × ${e.anchor.toFixed(2)}${e.extrapolated ? '; models extrapolated' : ''}`,
      formatMoney(costPerOp(e.ms, m.hourly)),
      formatMoney(costPerOp(e.ms, m.hourly) * 1e6),
    ]);
  }
  out.classList.remove('muted');
  out.replaceChildren(
    el('p', {
      className: 'estimate-label',
      textContent: `Estimates, not measurements: the MSMs and transforms a proof of ${constraints} constraints runs (4 G1 MSMs, 1 G2 MSM, 6 NTTs), timed by each machine's calibrated cost models, then scaled by how the proof it measured compares with the same models at its own size. Beyond the sizes the models were fitted on they extrapolate; memory limits are not in them.`,
    }),
    tableWrap(
      table(
        `Groth16 ${circuit}-shaped circuit at ${constraints} constraints: estimate per machine`,
        ['machine', 'prover', 'estimate (open for the work)', 'proof size', 'anchored on', 'cost per proof', 'cost per 1M proofs'],
        rows,
      ),
    ),
    ...notes.map((n) => el('p', { className: 'muted', textContent: n })),
  );
}
