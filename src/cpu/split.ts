/** Splits `count` items into at most `parts` contiguous ranges whose sizes differ by at most one. */
export function splitRange(count: number, parts: number): Array<{ offset: number; count: number }> {
  const k = Math.max(1, Math.min(parts, count));
  const base = Math.floor(count / k);
  const extra = count % k;
  const ranges: Array<{ offset: number; count: number }> = [];
  let offset = 0;
  for (let i = 0; i < k; i++) {
    const size = base + (i < extra ? 1 : 0);
    ranges.push({ offset, count: size });
    offset += size;
  }
  return ranges;
}
