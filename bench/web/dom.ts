/** The page's small DOM vocabulary: find, make, tabulate, tell the visitor. */

export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

export function showError(message: string): void {
  $('errors').append(el('div', { className: 'error', textContent: message }));
}

export function notice(message: string): void {
  $('notices').append(el('div', { className: 'notice', textContent: message }));
}

export function kv(pairs: [string, string][]): HTMLDListElement {
  const dl = el('dl', { className: 'kv' });
  for (const [k, v] of pairs) dl.append(el('dt', { textContent: k }), el('dd', { textContent: v }));
  return dl;
}

/** A table in a focusable, labelled scroll region (wide tables scroll on a phone; the keyboard reaches them). */
export function tableWrap(table: HTMLTableElement): HTMLDivElement {
  const wrap = el('div', { className: 'table-wrap' }, table);
  wrap.tabIndex = 0;
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-label', table.caption?.textContent ?? 'table');
  return wrap;
}

export function table(caption: string, head: string[], rows: (string | Node)[][], rowClass?: (i: number) => string): HTMLTableElement {
  const t = el('table', {}, el('caption', { textContent: caption }));
  t.append(el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col', textContent: h })))));
  const body = el('tbody');
  rows.forEach((r, i) => {
    body.append(el('tr', { className: rowClass?.(i) ?? '' }, ...r.map((c) => el('td', {}, c))));
  });
  t.append(body);
  return t;
}
