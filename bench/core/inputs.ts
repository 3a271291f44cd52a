import { CURVES, createRng, encodeScalars } from '../../src/math/index.js';
import type { BenchCurve } from './schema.js';

/**
 * n uniformly random Fr elements (32-byte LE standard form) from the seeded rng: used as MSM
 * scalars and as NTT values. Generated once at the largest size; smaller sizes use a prefix.
 */
export function randomFrElements(curve: BenchCurve, n: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const r = CURVES[curve].r;
  const values = new Array<bigint>(n);
  for (let i = 0; i < n; i++) values[i] = rng.nextBigInt(r);
  return encodeScalars(values);
}
