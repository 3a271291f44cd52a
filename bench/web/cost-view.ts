/** Prices: one row per machine with its hourly price (typed, or an example preset) and a remove button. */
import { PRICE_PRESETS } from './analysis.js';
import { $, el } from './dom.js';
import { machines, removeMachine, setPrice } from './machines.js';

export function renderMachines(): void {
  const box = $('machines');
  box.replaceChildren();
  machines.forEach((m, i) => {
    const price = el('input', { type: 'number', min: '0', step: '0.01', value: String(m.hourly) });
    price.id = `price-${i}`;
    price.addEventListener('change', () => setPrice(m, Number(price.value)));
    const preset = el(
      'select',
      {},
      el('option', { value: '', textContent: 'presets (examples)…' }),
      ...PRICE_PRESETS.map((p) => el('option', { value: String(p.hourly), textContent: p.label })),
    );
    preset.setAttribute('aria-label', `price preset for ${m.machine}`);
    preset.addEventListener('change', () => {
      if (preset.value !== '') setPrice(m, Number(preset.value));
    });
    const remove = el('button', { type: 'button', textContent: 'Remove' });
    remove.setAttribute('aria-label', `remove ${m.machine}`);
    remove.addEventListener('click', () => removeMachine(i));
    const label = el('label', { textContent: 'price per hour' });
    label.htmlFor = price.id;
    box.append(
      el(
        'div',
        { className: 'machine' },
        el('span', { className: 'name', textContent: m.machine }),
        el('span', { className: 'muted', textContent: `${m.source}, ${m.report.createdAt.slice(0, 10)}` }),
        label,
        price,
        preset,
        remove,
      ),
    );
  });
}
