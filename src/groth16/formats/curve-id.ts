/**
 * Naming between the files and zkgpu: a .zkey names its curve by the base-field prime q, a .wtns
 * by the scalar-field prime r, snarkjs's proofs by ffjavascript's names ('bn128', 'bls12381').
 */
import { CURVES, type CurveName } from '../../math/index.js';

export type SnarkjsCurveName = 'bn128' | 'bls12381';

export const SNARKJS_CURVE_NAME: Readonly<Record<CurveName, SnarkjsCurveName>> = { bn254: 'bn128', 'bls12-381': 'bls12381' };

export function curveFromBaseField(q: bigint): CurveName | null {
  if (q === CURVES.bn254.p) return 'bn254';
  if (q === CURVES['bls12-381'].p) return 'bls12-381';
  return null;
}

export function curveFromScalarField(r: bigint): CurveName | null {
  if (r === CURVES.bn254.r) return 'bn254';
  if (r === CURVES['bls12-381'].r) return 'bls12-381';
  return null;
}

export const KNOWN_CURVES_TEXT = 'bn128 (BN254) or bls12381 (BLS12-381)';
