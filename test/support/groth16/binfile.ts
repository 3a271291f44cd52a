/**
 * Test-side view of the iden3 binary container (.zkey / .wtns), written independently of
 * src/groth16 so the reader tests do not check the reader against itself: section table lookup
 * and a .wtns encoder for hand-made witnesses.
 */
export const BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

export interface SectionInfo {
  id: number;
  /** Offset of the 12-byte section header. */
  headerAt: number;
  /** Offset of the payload. */
  at: number;
  size: number;
}

export function sectionTable(bytes: Uint8Array): SectionInfo[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(8, true);
  const out: SectionInfo[] = [];
  let pos = 12;
  for (let i = 0; i < count; i++) {
    const id = view.getUint32(pos, true);
    const size = Number(view.getBigUint64(pos + 4, true));
    out.push({ id, headerAt: pos, at: pos + 12, size });
    pos += 12 + size;
  }
  return out;
}

export function section(bytes: Uint8Array, id: number): SectionInfo {
  const s = sectionTable(bytes).find((x) => x.id === id);
  if (!s) throw new Error(`test fixture has no section ${id}`);
  return s;
}

function le(x: bigint, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++, x >>= 8n) out.push(Number(x & 0xffn));
  return out;
}

/** A version-2 .wtns with 32-byte values. */
export function encodeWtns(q: bigint, values: readonly bigint[]): Uint8Array {
  const bytes: number[] = [...'wtns'].map((c) => c.charCodeAt(0));
  bytes.push(...le(2n, 4), ...le(2n, 4));
  bytes.push(...le(1n, 4), ...le(40n, 8), ...le(32n, 4), ...le(q, 32), ...le(BigInt(values.length), 4));
  bytes.push(...le(2n, 4), ...le(BigInt(values.length * 32), 8));
  for (const v of values) bytes.push(...le(v, 32));
  return new Uint8Array(bytes);
}
