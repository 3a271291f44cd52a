/**
 * Comparing NTTs that use different roots of unity. Any two primitive n-th roots (n = 2^logN) are
 * powers of each other: w_ours = w_peer^k with k odd. Then
 *   ours[j] = sum_i x_i w_ours^(ij) = sum_i x_i w_peer^(i*jk) = peer[j*k mod n],
 * so re-indexing the peer's output makes the two comparable element by element, still byte for byte.
 * Needed for BLS12-381: zkgpu derives its roots from the generator 7, ffjavascript from 5 (the
 * smallest non-residue, not a generator); for BN254 both use 5 and k = 1.
 */
import { modPow } from './codec.js';

/**
 * k in [0, n) with base^k = target, where base has order exactly n = 2^logN modulo the prime r;
 * null when target is not in the subgroup base generates. Pohlig-Hellman for a 2-power order: one
 * bit of k per step, logN exponentiations in all.
 */
export function discreteLogPow2(base: bigint, target: bigint, logN: number, r: bigint): bigint | null {
  const n = 1n << BigInt(logN);
  if (modPow(base, n, r) !== 1n) return null;
  if (logN > 0 && modPow(base, n >> 1n, r) === 1n) return null; // base not of order exactly n
  const baseInv = modPow(base, r - 2n, r);
  let k = 0n;
  for (let i = 0; i < logN; i++) {
    // (target * base^-k)^(2^(logN-1-i)) is 1 or -1: -1 means bit i of k is set.
    const rest = (target * modPow(baseInv, k, r)) % r;
    const probe = modPow(rest, 1n << BigInt(logN - 1 - i), r);
    if (probe === r - 1n) k |= 1n << BigInt(i);
    else if (probe !== 1n) return null;
  }
  return (target * modPow(baseInv, k, r)) % r === 1n ? k : null;
}

/** out[j] = values[(j*k) mod n] for n elements of `size` bytes. */
export function reindex(values: Uint8Array, k: bigint, n: number, size = 32): Uint8Array {
  if (values.length !== n * size) throw new RangeError(`expected ${n * size} bytes, got ${values.length}`);
  const out = new Uint8Array(values.length);
  // Walk idx = j*k mod n by repeated addition: j*k itself can pass 2^53 at n = 2^28.
  const kn = Number(k % BigInt(n));
  for (let j = 0, idx = 0; j < n; j++, idx = (idx + kn) % n) {
    out.set(values.subarray(idx * size, idx * size + size), j * size);
  }
  return out;
}
