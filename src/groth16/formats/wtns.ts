/**
 * .wtns reader (circom's witness container, magic "wtns", version 2):
 *   1 header: n8 u32, q (n8 bytes: the circuit's prime, i.e. the curve's scalar field r), nWitness u32
 *   2 values: nWitness x n8-byte little-endian standard-form field elements; value 0 is the constant 1
 * The values section is exactly the runtime's MSM scalar encoding (32-byte LE, below r), so it is
 * handed to runtime.msm as read, after the range check here.
 */
import { ZkgpuError } from '../../core/errors.js';
import { bytesToBigIntLE, type CurveName } from '../../math/index.js';
import { BinFile } from './binfile.js';
import { curveFromScalarField, KNOWN_CURVES_TEXT } from './curve-id.js';
import { readFr, viewOf } from './fr.js';
import { openSource, type BinSource } from './source.js';
import { firstNotBelow } from '../../core/validate.js';

export const WTNS_SECTION = { header: 1, values: 2 } as const;

const SECTION_NAMES: Record<number, string> = { [WTNS_SECTION.header]: 'header', [WTNS_SECTION.values]: 'witness values' };

export interface Witness {
  /** The path or URL, or 'bytes'. */
  name: string;
  curve: CurveName;
  /** The circuit's prime: the curve's scalar field order r. */
  q: bigint;
  n8: number;
  nWitness: number;
  /** nWitness x 32 bytes, little-endian standard form, each below q. */
  bytes: Uint8Array;
  /** The same values as BigInts, converted on first use (the prover reads only the public ones). */
  readonly values: bigint[];
}

export async function readWtns(source: BinSource): Promise<Witness> {
  const file = await openSource(source, 'wtns');
  try {
    const bin = await BinFile.open(file, 'wtns', 2, SECTION_NAMES);
    const h = await bin.cursor(WTNS_SECTION.header);
    const n8At = h.offset;
    const n8 = h.u32('n8');
    if (n8 !== 32) h.fail(`n8 is ${n8}: zkgpu's curves have 32-byte scalars`, n8At, { field: 'n8' });
    const qAt = h.offset;
    const q = bytesToBigIntLE(h.take(n8, 'q'));
    const curve = curveFromScalarField(q);
    if (curve === null) {
      throw new ZkgpuError('UNKNOWN_CURVE', `${bin.name}: section 1 (header): prime q = ${q} is the scalar field of neither ${KNOWN_CURVES_TEXT} (byte offset ${qAt})`, {
        details: { file: bin.name, section: WTNS_SECTION.header, offset: qAt, field: 'q' },
      });
    }
    const nWitness = h.u32('nWitness');
    h.end();
    const section = bin.expectSize(WTNS_SECTION.values, nWitness * n8, `nWitness = ${nWitness} values of ${n8} bytes`);
    const bytes = await file.read(section.offset, section.size);
    // Word compares, not BigInts: converting every value took ~30 ms per 2^16 witness.
    const bad = firstNotBelow(bytes, q);
    if (bad >= 0) {
      throw new ZkgpuError('FILE_FORMAT', `${bin.name}: section 2 (witness values): value ${bad} is not below q (byte offset ${section.offset + bad * 32})`, {
        details: { file: bin.name, section: WTNS_SECTION.values, index: bad, offset: section.offset + bad * 32 },
      });
    }
    let values: bigint[] | undefined;
    return {
      name: bin.name,
      curve,
      q,
      n8,
      nWitness,
      bytes,
      get values() {
        if (!values) {
          const view = viewOf(bytes);
          values = Array.from({ length: nWitness }, (_, i) => readFr(view, i * 32));
        }
        return values;
      },
    };
  } finally {
    await file.close();
  }
}
