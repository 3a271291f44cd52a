/**
 * The proving key as one proof reads it (prove.ts): the .zkey opened for that proof and read
 * section by section between queued work, or a prepared prover's sections, read once and kept
 * (groth16.prover: prepared.ts). Both carry the opened file's header, name and section table,
 * which the error messages and the QAP's coefficient context use.
 */
import { openZkey, ZKEY_SECTION, type ZkeyFile } from '../formats/zkey.js';
import type { BinSource } from '../formats/source.js';
import { pointBytes, type GroupName } from '../../core/sizes.js';
import type { PointSection } from './proof-jobs.js';
import { verificationData } from './verify.js';

/** The sections a proof reads: the QAP's coefficients and the five MSMs' points. */
export type KeySection = PointSection | 'coefficients';

export const PROOF_SECTIONS: readonly KeySection[] = ['coefficients', 'pointsA', 'pointsB1', 'pointsB2', 'pointsC', 'pointsH'];

export interface ProofKey extends ZkeyFile {
  /** The sections' bytes, in the order asked. */
  readSections(sections: readonly KeySection[]): Promise<Uint8Array[]>;
  /** Points [from, from + count) of a point section (a streamed proof's piece: memory-plan.ts). */
  readPiece(section: PointSection, from: number, count: number): Promise<Uint8Array>;
}

/** The key of one proof, opened now and closed by the proof (close()). */
export async function openProofKey(source: BinSource): Promise<ProofKey> {
  const file = await openZkey(source);
  return {
    ...file,
    readSections: (sections) => readSections(file, sections),
    readPiece: (section, from, count) => {
      const { offset } = file.bin.section(ZKEY_SECTION[section]);
      const size = pointBytes(file.header.curve, sectionGroup(section));
      return file.bin.file.read(offset + from * size, count * size);
    },
  };
}

/**
 * Every section a proof reads, read now, with the file closed again: the key a prepared prover
 * keeps. Its section table stays (offsets for error messages); close() is a no-op, the sections
 * living as long as the returned object.
 */
export async function readProofKey(source: BinSource): Promise<{ key: ProofKey; byteLength: number }> {
  const file = await openZkey(source);
  let bytes: Uint8Array[];
  try {
    bytes = await readSections(file, PROOF_SECTIONS);
    // The proof check's data (verify.ts: IC section and header points), read while the file is
    // open; later proofs find it by this header, which the prepared key shares.
    await verificationData(file);
  } finally {
    await file.close();
  }
  const held = new Map(PROOF_SECTIONS.map((s, i) => [s, bytes[i]]));
  const byteLength = bytes.reduce((n, b) => n + b.byteLength, 0);
  const key: ProofKey = {
    name: file.name,
    header: file.header,
    bin: file.bin,
    close: async () => {},
    readSections: async (sections) => sections.map((s) => held.get(s)!),
    readPiece: async (section, from, count) => {
      const size = pointBytes(file.header.curve, sectionGroup(section));
      return held.get(section)!.subarray(from * size, (from + count) * size);
    },
  };
  return { key, byteLength };
}

/** The group of a point section's points. */
export function sectionGroup(section: PointSection): GroupName {
  return section === 'pointsB2' ? 'g2' : 'g1';
}

/** The sections, read one after the other (a multi-GiB key is never read whole: source.ts). */
async function readSections(key: ZkeyFile, sections: readonly KeySection[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const section of sections) out.push(await key.bin.readSection(ZKEY_SECTION[section]));
  return out;
}
