/**
 * A caller's value as an error message shows it: NaN and Infinity as themselves (JSON.stringify
 * prints them as "null"), bigints with their n, strings quoted, objects by their constructor when
 * JSON cannot say more, and long text cut with its length.
 */
export function showValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'string':
      return clip(JSON.stringify(value));
    case 'function':
      return 'a function';
    case 'symbol':
      return value.toString();
  }
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${value.byteLength} bytes`;
  if (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) {
    try {
      return clip(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
    } catch {
      // circular: fall through to the constructor's name
    }
  }
  return `a ${(value as object).constructor?.name ?? 'object'}`;
}

function clip(text: string): string {
  return text.length <= 80 ? text : `${text.slice(0, 60)}... (${text.length} characters)`;
}
