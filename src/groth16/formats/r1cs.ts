/**
 * circom's .r1cs reader (magic "r1cs", version 1, the iden3 container of binfile.ts). Sections:
 *   1 header: n8 u32, prime (n8 bytes LE), nWires u32, nPubOut u32, nPubIn u32, nPrvIn u32,
 *     nLabels u64, nConstraints u32
 *   2 constraints: nConstraints x (A, B, C), each linear combination = nTerms u32, then nTerms x
 *     (wireId u32, coefficient n8 bytes LE, standard form, < prime)
 *   3 wire -> label map: nWires u64 (read only for its size)
 *   4, 5 custom gates (circom's PLONK extensions): refused when present, Groth16 cannot use them
 * Wire 0 is the constant 1, then nPubOut outputs, nPubIn public inputs, the private inputs and the
 * internal signals: circom's witness order, which the .zkey and .wtns share.
 *
 * Every structural problem is a FILE_FORMAT ZkgpuError naming the file, the section and the byte
 * offset; a constraint term is checked where it is read (wire below nWires, coefficient below the
 * prime), so a corrupt file never reaches the setup's arithmetic.
 */
import { ZkgpuError } from '../../core/errors.js';
import type { CurveName } from '../../math/index.js';
import { BinFile, SectionCursor } from './binfile.js';
import { curveFromScalarField, KNOWN_CURVES_TEXT } from './curve-id.js';
import { readFr, viewOf } from './fr.js';
import { openSource, type BinSource } from './source.js';

export const R1CS_SECTION = { header: 1, constraints: 2, wireToLabel: 3, customGatesList: 4, customGatesUses: 5 } as const;

const SECTION_NAMES: Record<number, string> = {
  1: 'header',
  2: 'constraints',
  3: 'wire-to-label map',
  4: 'custom gates list',
  5: 'custom gates uses',
};

export interface R1csHeader {
  curve: CurveName;
  n8: number;
  prime: bigint;
  /** Wires, the constant 1 included: the .zkey's nVars. */
  nWires: number;
  nPubOut: number;
  nPubIn: number;
  nPrvIn: number;
  nLabels: number;
  nConstraints: number;
}

/** Which linear combination of a constraint a term belongs to: A * B = C. */
export type R1csMatrix = 0 | 1 | 2;

/** Called for every term of every constraint, in file order (A terms, then B, then C). */
export type R1csTermVisitor = (constraint: number, matrix: R1csMatrix, wire: number, coefficient: bigint) => void;

export interface R1csFile {
  readonly name: string;
  readonly header: R1csHeader;
  /** Walks section 2 once, checking every term; FILE_FORMAT on the first bad byte. */
  forEachTerm(visit: R1csTermVisitor): Promise<void>;
  close(): Promise<void>;
}

export async function openR1cs(source: BinSource): Promise<R1csFile> {
  const file = await openSource(source, 'r1cs');
  try {
    const bin = await BinFile.open(file, 'r1cs', 1, SECTION_NAMES);
    const header = await readHeader(bin);
    for (const id of [R1CS_SECTION.customGatesList, R1CS_SECTION.customGatesUses]) {
      if (bin.has(id)) {
        const s = bin.section(id);
        throw new ZkgpuError(
          'FILE_FORMAT',
          `${bin.name}: ${bin.label(id)} is present: the circuit uses custom gates (circom --O2 PLONK extensions), which Groth16 cannot prove (byte offset ${s.offset - 12})`,
          { details: { file: bin.name, section: id, offset: s.offset - 12 } },
        );
      }
    }
    // Section 3 is optional for the setup, but when present it must match the header.
    if (bin.has(R1CS_SECTION.wireToLabel)) bin.expectSize(R1CS_SECTION.wireToLabel, header.nWires * 8, `nWires = ${header.nWires} labels of 8 bytes`);
    bin.section(R1CS_SECTION.constraints);
    return {
      name: bin.name,
      header,
      forEachTerm: (visit) => walkConstraints(bin, header, visit),
      close: () => bin.close(),
    };
  } catch (e) {
    await file.close().catch(() => {});
    throw e;
  }
}

/** Just the header, checked; the file is closed again. */
export async function readR1csHeader(source: BinSource): Promise<R1csHeader> {
  const r1cs = await openR1cs(source);
  await r1cs.close();
  return r1cs.header;
}

async function readHeader(bin: BinFile): Promise<R1csHeader> {
  const c = await bin.cursor(R1CS_SECTION.header);
  const n8At = c.offset;
  const n8 = c.u32('n8');
  if (n8 !== 32) c.fail(`n8 is ${n8}: the field elements of ${KNOWN_CURVES_TEXT} circuits are 32 bytes`, n8At, { field: 'n8' });
  const primeAt = c.offset;
  let prime = 0n;
  const primeBytes = c.take(n8, 'prime');
  for (let i = n8 - 1; i >= 0; i--) prime = (prime << 8n) | BigInt(primeBytes[i]);
  const curve = curveFromScalarField(prime);
  if (curve === null) c.fail(`prime ${prime} is not the scalar field of ${KNOWN_CURVES_TEXT} (compile with circom --prime bn128 or bls12381)`, primeAt, { field: 'prime' });
  const nWiresAt = c.offset;
  const nWires = c.u32('nWires');
  const nPubOut = c.u32('nPubOut');
  const nPubIn = c.u32('nPubIn');
  const nPrvIn = c.u32('nPrvIn');
  const lo = c.u32('nLabels (low word)');
  const hi = c.u32('nLabels (high word)');
  const nLabels = lo + hi * 2 ** 32;
  const nConstraintsAt = c.offset;
  const nConstraints = c.u32('nConstraints');
  c.end();
  if (nWires < 1) c.fail('nWires is 0: a circuit has at least the constant wire', nWiresAt, { field: 'nWires' });
  if (1 + nPubOut + nPubIn + nPrvIn > nWires) {
    c.fail(`1 + nPubOut + nPubIn + nPrvIn = ${1 + nPubOut + nPubIn + nPrvIn} wires exceed nWires = ${nWires}`, nWiresAt + 4, { field: 'nPubOut' });
  }
  if (nConstraints < 1) c.fail('nConstraints is 0: nothing to prove', nConstraintsAt, { field: 'nConstraints' });
  return { curve: curve as CurveName, n8, prime, nWires, nPubOut, nPubIn, nPrvIn, nLabels, nConstraints };
}

async function walkConstraints(bin: BinFile, h: R1csHeader, visit: R1csTermVisitor): Promise<void> {
  const bytes = await bin.readSection(R1CS_SECTION.constraints);
  const section = bin.section(R1CS_SECTION.constraints);
  const c = new SectionCursor(bin.name, R1CS_SECTION.constraints, bin.label(R1CS_SECTION.constraints), section.offset, bytes);
  const view = viewOf(bytes);
  const { nWires, nConstraints, prime } = h;
  const termBytes = 4 + h.n8;
  const matrixName = ['A', 'B', 'C'] as const;
  let pos = 0;
  for (let k = 0; k < nConstraints; k++) {
    for (let m = 0; m < 3; m++) {
      const what = `constraint ${k} ${matrixName[m]}`;
      const at = section.offset + pos;
      if (pos + 4 > bytes.length)
        c.fail(`${what}: term count runs past the end of the section: truncated? (the header promises ${nConstraints} constraints)`, at, { index: k, field: 'nTerms' });
      const nTerms = view.getUint32(pos, true);
      if (pos + 4 + nTerms * termBytes > bytes.length) {
        c.fail(`${what}: ${nTerms} terms of ${termBytes} bytes run past the end of the section (${bytes.length} bytes)`, at, { index: k, field: 'nTerms' });
      }
      pos += 4;
      for (let t = 0; t < nTerms; t++) {
        const wire = view.getUint32(pos, true);
        if (wire >= nWires) c.fail(`${what} term ${t}: wire ${wire} is not below nWires = ${nWires}`, section.offset + pos, { index: k, field: 'wire' });
        const coefficient = readFr(view, pos + 4);
        if (coefficient >= prime) c.fail(`${what} term ${t}: coefficient is not below the prime`, section.offset + pos + 4, { index: k, field: 'coefficient' });
        visit(k, m as R1csMatrix, wire, coefficient);
        pos += termBytes;
      }
    }
  }
  if (pos !== bytes.length) c.fail(`${bytes.length - pos} unexpected bytes after the last of ${nConstraints} constraints`, section.offset + pos);
}

/** nPubOut + nPubIn: the public signals, which follow the constant wire. */
export function publicCount(h: R1csHeader): number {
  return h.nPubOut + h.nPubIn;
}
