/**
 * Shared by the math suites: one seed per run, logged, replayable with ZKGPU_SEED=<seed>.
 * The same seed drives our rng (createRng) and fast-check's.
 */
import fc from 'fast-check';
import { createRng, randomSeed, type Rng } from '../../src/math/index.js';

function pickSeed(): number {
  const env = process.env.ZKGPU_SEED;
  if (env !== undefined && env.trim() !== '') {
    const n = Number(env);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`ZKGPU_SEED must be a non-negative integer, got ${env}`);
    return n;
  }
  return randomSeed();
}

export const SEED = pickSeed();
// Printed once per suite file: a failing run is replayed with ZKGPU_SEED=<seed> npx vitest run
console.log(`[zkgpu tests] seed ${SEED} (replay with ZKGPU_SEED=${SEED})`);
fc.configureGlobal({ seed: SEED | 0, numRuns: 100 });

/** A generator for one test, derived from the run seed and the test's name (independent streams). */
export function rngFor(name: string): Rng {
  return createRng(`${SEED}:${name}`);
}

/** Miller-Rabin with fixed bases (deterministic below 3.3e24) plus random bases above. */
export function isProbablePrime(n: bigint, rounds = 24): boolean {
  if (n < 2n) return false;
  const small = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n, 41n];
  for (const q of small) {
    if (n === q) return true;
    if (n % q === 0n) return false;
  }
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  const rng = createRng(`mr:${n}`);
  const bases = [...small];
  for (let i = 0; i < rounds; i++) bases.push(2n + rng.nextBigInt(n - 3n));
  const pow = (b: bigint, e: bigint): bigint => {
    let r = 1n;
    b %= n;
    while (e > 0n) {
      if (e & 1n) r = (r * b) % n;
      b = (b * b) % n;
      e >>= 1n;
    }
    return r;
  };
  outer: for (const a of bases) {
    let x = pow(a, d);
    if (x === 1n || x === n - 1n) continue;
    for (let i = 1; i < s; i++) {
      x = (x * x) % n;
      if (x === n - 1n) continue outer;
    }
    return false;
  }
  return true;
}

/** Limb-boundary values 2^(w i) - 1, 2^(w i), 2^(w i) + 1 below `below`, plus 0, 1, below - 1. */
export function boundaryValues(below: bigint, widths: readonly number[] = [16, 32]): bigint[] {
  const out = new Set<bigint>([0n, 1n, 2n, below - 1n, below - 2n]);
  for (const w of widths) {
    for (let i = 1; BigInt(w * i) <= BigInt(below.toString(2).length); i++) {
      const b = 1n << BigInt(w * i);
      for (const v of [b - 1n, b, b + 1n]) if (v >= 0n && v < below) out.add(v);
    }
  }
  return [...out];
}
