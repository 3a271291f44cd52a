/**
 * Groth16 .zkey reader (snarkjs's proving-key container, magic "zkey"). Sections:
 *   1 header: protocol id u32 (1 Groth16; 2 PLONK and 10 FFLONK exist and are refused)
 *   2 Groth16 header: n8q u32, q, n8r u32, r, nVars u32, nPublic u32, domainSize u32,
 *     alpha1, beta1 (G1), beta2, gamma2 (G2), delta1 (G1), delta2 (G2)
 *   3 IC: nPublic + 1 G1 points (the verifying key's; the prover ignores them)
 *   4 coefficients: count u32, then count x { matrix u32 (0 A, 1 B), constraint u32, signal u32,
 *     value (n8r bytes) }; value is c R^2 mod r (R = 2^(8 n8r)), so that ffjavascript's Montgomery
 *     product with a standard-form witness value lands in Montgomery form
 *   5 A, 6 B1: nVars G1 points; 7 B2: nVars G2 points; 8 C: nVars - nPublic - 1 G1 points (private
 *     signals only); 9 H: domainSize G1 points, to be paired with A*B - C evaluated on the coset
 *     w_2n * <w_n> (the 1 / Z factor is folded into them)
 *   10 contributions (ignored)
 * Points are affine, Montgomery little-endian coordinates, infinity all zero: exactly the
 * runtime's MSM input encoding, so sections 5-9 go to runtime.msm as read.
 */
import { ZkgpuError } from '../../core/errors.js';
import { CURVES, bytesToBigIntLE, decodePoint, g1, g2, pointBytes, type CurveName, type G1Point, type G2Point, type GroupName } from '../../math/index.js';
import { MAX_NTT_LOG_N } from '../../core/sizes.js';
import { BinFile, type SectionCursor } from './binfile.js';
import { curveFromBaseField, KNOWN_CURVES_TEXT, SNARKJS_CURVE_NAME, type SnarkjsCurveName } from './curve-id.js';
import { openSource, type BinSource } from './source.js';

export const ZKEY_SECTION = {
  header: 1,
  groth16Header: 2,
  ic: 3,
  coefficients: 4,
  pointsA: 5,
  pointsB1: 6,
  pointsB2: 7,
  pointsC: 8,
  pointsH: 9,
} as const;

const SECTION_NAMES: Record<number, string> = {
  1: 'header',
  2: 'Groth16 header',
  3: 'IC points',
  4: 'coefficients',
  5: 'A points',
  6: 'B1 points',
  7: 'B2 points',
  8: 'C points',
  9: 'H points',
  10: 'contributions',
};

const PROTOCOLS: Record<number, string> = { 1: 'groth16', 2: 'plonk', 10: 'fflonk' };

/** Bytes of one coefficient record: matrix, constraint, signal (u32 each) and a 32-byte value. */
export const COEFFICIENT_BYTES = 12 + 32;

export interface ZkeyHeader {
  curve: CurveName;
  snarkjsCurve: SnarkjsCurveName;
  n8q: number;
  n8r: number;
  q: bigint;
  r: bigint;
  nVars: number;
  nPublic: number;
  domainSize: number;
  /** log2(domainSize). */
  power: number;
  /** Entries in section 4. */
  nCoefficients: number;
  alpha1: G1Point;
  beta1: G1Point;
  beta2: G2Point;
  gamma2: G2Point;
  delta1: G1Point;
  delta2: G2Point;
}

/** An open .zkey: header parsed, every section's size checked against it, points still on disk. */
export interface ZkeyFile {
  readonly name: string;
  readonly header: ZkeyHeader;
  readonly bin: BinFile;
  close(): Promise<void>;
}

export async function openZkey(source: BinSource): Promise<ZkeyFile> {
  const file = await openSource(source, 'zkey');
  try {
    const bin = await BinFile.open(file, 'zkey', 2, SECTION_NAMES);
    const header = await readHeader(bin);
    checkSectionSizes(bin, header);
    return { name: bin.name, header, bin, close: () => bin.close() };
  } catch (e) {
    await file.close().catch(() => {});
    throw e;
  }
}

/** Just the header (protocol and Groth16 header) of a .zkey, checked; the file is closed again. */
export async function readZkeyHeader(source: BinSource): Promise<ZkeyHeader> {
  const key = await openZkey(source);
  await key.close();
  return key.header;
}

async function readHeader(bin: BinFile): Promise<ZkeyHeader> {
  await checkProtocol(bin);
  const { curve, n8q, n8r, q, r, nVars, nPublic, domainSize, power, ...points } = await readGroth16Header(bin);
  const nCoefficients = await readCoefficientCount(bin);
  return { curve, snarkjsCurve: SNARKJS_CURVE_NAME[curve], n8q, n8r, q, r, nVars, nPublic, domainSize, power, nCoefficients, ...points };
}

/** Section 1: protocol id 1 (Groth16), else PROTOCOL_MISMATCH naming the protocol the key is for. */
async function checkProtocol(bin: BinFile): Promise<void> {
  const h1 = await bin.cursor(ZKEY_SECTION.header);
  const protocolAt = h1.offset;
  const protocol = h1.u32('protocol id');
  h1.end();
  if (protocol !== 1) {
    const name = PROTOCOLS[protocol];
    throw new ZkgpuError(
      'PROTOCOL_MISMATCH',
      `${bin.name}: this is a ${name ? `${name.toUpperCase()} proving key (protocol id ${protocol})` : `proving key for an unknown protocol (id ${protocol})`}, not Groth16 (protocol id 1) (section 1, byte offset ${protocolAt})`,
      { details: { file: bin.name, section: ZKEY_SECTION.header, offset: protocolAt, field: 'protocol id' } },
    );
  }
}

/** Section 2, every field checked where it is read. */
async function readGroth16Header(bin: BinFile): Promise<Omit<ZkeyHeader, 'snarkjsCurve' | 'nCoefficients'>> {
  const c = await bin.cursor(ZKEY_SECTION.groth16Header);
  const n8qAt = c.offset;
  const n8q = c.u32('n8q');
  if (n8q !== 32 && n8q !== 48) c.fail(`n8q is ${n8q}: expected 32 (bn128) or 48 (bls12381)`, n8qAt, { field: 'n8q' });
  const qAt = c.offset;
  const q = bytesToBigIntLE(c.take(n8q, 'q'));
  const curve = curveFromBaseField(q);
  if (curve === null) {
    throw new ZkgpuError('UNKNOWN_CURVE', `${bin.name}: section 2 (Groth16 header): base field q = ${q} is not ${KNOWN_CURVES_TEXT} (byte offset ${qAt})`, {
      details: { file: bin.name, section: ZKEY_SECTION.groth16Header, offset: qAt, field: 'q' },
    });
  }
  const params = CURVES[curve];
  if (n8q !== params.fpBytes) c.fail(`n8q is ${n8q} but ${curve} needs ${params.fpBytes}`, n8qAt, { field: 'n8q' });
  const n8rAt = c.offset;
  const n8r = c.u32('n8r');
  if (n8r !== 32) c.fail(`n8r is ${n8r}, expected 32`, n8rAt, { field: 'n8r' });
  const rAt = c.offset;
  const r = bytesToBigIntLE(c.take(n8r, 'r'));
  if (r !== params.r) c.fail(`r = ${r} is not the group order of ${curve} (${params.r})`, rAt, { field: 'r' });
  const nVarsAt = c.offset;
  const nVars = c.u32('nVars');
  const nPublicAt = c.offset;
  const nPublic = c.u32('nPublic');
  const domainAt = c.offset;
  const domainSize = c.u32('domainSize');
  if (nVars < 1) c.fail(`nVars is 0: a circuit has at least the constant signal`, nVarsAt, { field: 'nVars' });
  if (nPublic >= nVars) c.fail(`nPublic (${nPublic}) must be below nVars (${nVars})`, nPublicAt, { field: 'nPublic' });
  if (domainSize < 1 || (domainSize & (domainSize - 1)) !== 0) c.fail(`domainSize ${domainSize} is not a power of two`, domainAt, { field: 'domainSize' });
  const power = Math.log2(domainSize);
  const maxPower = Math.min(MAX_NTT_LOG_N, params.frTwoAdicity - 1);
  if (power > maxPower) {
    throw new ZkgpuError('NTT_SIZE_TOO_LARGE', `${bin.name}: domainSize 2^${power} exceeds the largest zkgpu proves, 2^${maxPower} (section 2, byte offset ${domainAt})`, {
      details: { file: bin.name, section: ZKEY_SECTION.groth16Header, offset: domainAt, field: 'domainSize' },
    });
  }
  const alpha1 = readPoint(c, curve, 'g1', 'alpha1') as G1Point;
  const beta1 = readPoint(c, curve, 'g1', 'beta1') as G1Point;
  const beta2 = readPoint(c, curve, 'g2', 'beta2') as G2Point;
  const gamma2 = readPoint(c, curve, 'g2', 'gamma2') as G2Point;
  const delta1 = readPoint(c, curve, 'g1', 'delta1') as G1Point;
  const delta2 = readPoint(c, curve, 'g2', 'delta2') as G2Point;
  c.end();
  return { curve, n8q, n8r, q, r, nVars, nPublic, domainSize, power, alpha1, beta1, beta2, gamma2, delta1, delta2 };
}

/** Section 4's leading count word (the records themselves are read at prove time). */
async function readCoefficientCount(bin: BinFile): Promise<number> {
  const coef = bin.section(ZKEY_SECTION.coefficients);
  if (coef.size < 4) {
    throw new ZkgpuError('FILE_FORMAT', `${bin.name}: section 4 (coefficients) holds ${coef.size} bytes, less than its 4-byte count (byte offset ${coef.offset - 12})`, {
      details: { file: bin.name, section: ZKEY_SECTION.coefficients, offset: coef.offset - 12, field: 'section size' },
    });
  }
  const countBytes = await bin.file.read(coef.offset, 4);
  return new DataView(countBytes.buffer, countBytes.byteOffset, 4).getUint32(0, true);
}

/** A header point: coordinates below q and on the curve, or FILE_FORMAT naming it. */
function readPoint(c: SectionCursor, curve: CurveName, group: GroupName, name: string): G1Point | G2Point {
  const at = c.offset;
  const bytes = c.take(pointBytes(curve, group), name);
  let point: G1Point | G2Point;
  try {
    point = decodePoint(curve, group, bytes);
  } catch {
    return c.fail(`${name}: a coordinate is not below q`, at, { field: name });
  }
  const onCurve = group === 'g1' ? g1(curve).isOnCurve(point as G1Point) : g2(curve).isOnCurve(point as G2Point);
  if (!onCurve) c.fail(`${name} is not a point of the ${curve} ${group.toUpperCase()} curve`, at, { field: name });
  return point;
}

function checkSectionSizes(bin: BinFile, h: ZkeyHeader): void {
  const g1Bytes = pointBytes(h.curve, 'g1');
  const g2Bytes = pointBytes(h.curve, 'g2');
  bin.expectSize(ZKEY_SECTION.ic, (h.nPublic + 1) * g1Bytes, `nPublic + 1 = ${h.nPublic + 1} G1 points`);
  bin.expectSize(ZKEY_SECTION.coefficients, 4 + h.nCoefficients * COEFFICIENT_BYTES, `its count says ${h.nCoefficients} coefficients of ${COEFFICIENT_BYTES} bytes`);
  bin.expectSize(ZKEY_SECTION.pointsA, h.nVars * g1Bytes, `nVars = ${h.nVars} G1 points`);
  bin.expectSize(ZKEY_SECTION.pointsB1, h.nVars * g1Bytes, `nVars = ${h.nVars} G1 points`);
  bin.expectSize(ZKEY_SECTION.pointsB2, h.nVars * g2Bytes, `nVars = ${h.nVars} G2 points`);
  bin.expectSize(ZKEY_SECTION.pointsC, (h.nVars - h.nPublic - 1) * g1Bytes, `nVars - nPublic - 1 = ${h.nVars - h.nPublic - 1} G1 points`);
  bin.expectSize(ZKEY_SECTION.pointsH, h.domainSize * g1Bytes, `domainSize = ${h.domainSize} G1 points`);
}
