/**
 * snarkjs's proof JSON: affine points in projective-looking arrays of decimal strings, as
 * ffjavascript's G.toObject(G.toAffine(P)) prints them:
 *   G1 [x, y, "1"], infinity ["0", "1", "0"]
 *   G2 [[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]], infinity [["0","0"], ["1","0"], ["0","0"]]
 */
import type { G1Point, G2Point } from '../../math/index.js';
import type { SnarkjsCurveName } from './curve-id.js';

export type G1Json = [string, string, string];
export type G2Json = [[string, string], [string, string], [string, string]];

export interface Groth16Proof {
  pi_a: G1Json;
  pi_b: G2Json;
  pi_c: G1Json;
  protocol: 'groth16';
  curve: SnarkjsCurveName;
}

export function g1ToJson(p: G1Point): G1Json {
  if (p.infinity) return ['0', '1', '0'];
  return [p.x.toString(), p.y.toString(), '1'];
}

export function g2ToJson(p: G2Point): G2Json {
  if (p.infinity)
    return [
      ['0', '0'],
      ['1', '0'],
      ['0', '0'],
    ];
  return [
    [p.x.c0.toString(), p.x.c1.toString()],
    [p.y.c0.toString(), p.y.c1.toString()],
    ['1', '0'],
  ];
}
