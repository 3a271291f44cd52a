/** SharedArrayBuffer exists and may be posted to workers (always in Node; cross-origin-isolated pages in browsers). */
export function canShareMemory(): boolean {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  return typeof SharedArrayBuffer === 'function' && (isNode || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true);
}

/** One buffer holding `parts` in order (section bodies, point lists). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
