/**
 * Seeded pseudo-random numbers for tests and benchmarks: reproducible inputs, not secrets.
 *
 * xoshiro128** (Blackman and Vigna) on four 32-bit words: only 32-bit integer operations, so it
 * runs the same in Node, browsers and workers, and a sequence can be replayed from its seed.
 * The seed is expanded into the state with splitmix64 so nearby seeds (1, 2, 3...) give unrelated
 * streams. Never use it for keys or blinding factors.
 */

export interface Rng {
  /** The seed this generator was created from, as given (for logging and replay). */
  readonly seed: number | bigint | string;
  /** Uniform integer in [0, 2^32). */
  nextU32(): number;
  /** Uniform bigint in [0, below); below must be positive. Rejection sampling, so no modulo bias. */
  nextBigInt(below: bigint): bigint;
}

const MASK64 = (1n << 64n) - 1n;

/** splitmix64 step: returns [next state, output]. */
function splitmix64(state: bigint): [bigint, bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [next, z ^ (z >> 31n)];
}

function seedToBigInt(seed: number | bigint | string): bigint {
  if (typeof seed === 'bigint') return seed & MASK64;
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`invalid seed ${seed}: expected a non-negative safe integer`);
    }
    return BigInt(seed);
  }
  const trimmed = seed.trim();
  if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(trimmed)) return BigInt(trimmed) & MASK64;
  // Any other string: hash it (FNV-1a 64) so names like 'msm-g2' can serve as seeds.
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < trimmed.length; i++) {
    h ^= BigInt(trimmed.charCodeAt(i));
    h = (h * 0x100000001b3n) & MASK64;
  }
  return h;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Creates a reproducible generator; the same seed always gives the same sequence. */
export function createRng(seed: number | bigint | string): Rng {
  let st = seedToBigInt(seed);
  const s = new Uint32Array(4);
  for (let i = 0; i < 2; i++) {
    const [next, out] = splitmix64(st);
    st = next;
    s[2 * i] = Number(out & 0xffffffffn);
    s[2 * i + 1] = Number(out >> 32n);
  }
  // The all-zero state is a fixed point of xoshiro; splitmix64 cannot produce it for both
  // outputs, but guard anyway since the cost is nil.
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;

  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };

  const nextBigInt = (below: bigint): bigint => {
    if (typeof below !== 'bigint' || below <= 0n) {
      throw new RangeError(`nextBigInt: bound must be a positive bigint, got ${String(below)}`);
    }
    const bits = below.toString(2).length;
    const words = Math.ceil(bits / 32);
    const topMask = bits % 32 === 0 ? 0xffffffff : 2 ** (bits % 32) - 1;
    // Draw exactly `bits` bits and retry when >= below: at most 2 draws expected.
    for (;;) {
      let x = 0n;
      for (let i = 0; i < words; i++) {
        let w = nextU32();
        if (i === words - 1) w = (w & topMask) >>> 0;
        x |= BigInt(w) << BigInt(32 * i);
      }
      if (x < below) return x;
    }
  };

  return { seed, nextU32, nextBigInt };
}

/** A fresh seed in [0, 2^32) from crypto.getRandomValues; log it so a failing run can be replayed. */
export function randomSeed(): number {
  const buf = new Uint32Array(1);
  globalThis.crypto.getRandomValues(buf);
  return buf[0];
}
