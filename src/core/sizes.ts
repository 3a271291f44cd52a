/**
 * The names and byte sizes every layer agrees on, defined once: curves and groups, the 32-byte
 * scalar / Fr encoding, affine point sizes in the .zkey encoding, and the largest NTT.
 */

export type CurveName = 'bn254' | 'bls12-381';
export type GroupName = 'g1' | 'g2';

export const CURVE_NAMES: readonly CurveName[] = Object.freeze(['bn254', 'bls12-381'] as CurveName[]);
export const GROUP_NAMES: readonly GroupName[] = Object.freeze(['g1', 'g2'] as GroupName[]);

export function isCurveName(x: unknown): x is CurveName {
  return x === 'bn254' || x === 'bls12-381';
}

export function isGroupName(x: unknown): x is GroupName {
  return x === 'g1' || x === 'g2';
}

/** Scalars and Fr elements: 32-byte little-endian standard form (both curves' r is below 2^256). */
export const SCALAR_BYTES = 32;

/** Bytes of one base-field (Fp) element: BN254's p < 2^254, BLS12-381's p < 2^381. */
export const FIELD_BYTES: Readonly<Record<CurveName, 32 | 48>> = Object.freeze({ bn254: 32, 'bls12-381': 48 });

/** Byte size of one affine point in the .zkey encoding (x ‖ y, Fp2 coordinates for G2). */
export function pointBytes(curve: CurveName, group: GroupName): number {
  return FIELD_BYTES[curve] * (group === 'g1' ? 2 : 4);
}

/** Largest transform accepted: 2^24 values are 512 MiB, within one wasm32 instance's 4 GiB. */
export const MAX_NTT_LOG_N = 24;

/** Widest Pippenger window the engines take (wasm/src/lib.rs rejects more: 2^19 buckets per window). */
export const MAX_WINDOW_BITS = 20;
