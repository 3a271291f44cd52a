/**
 * The wasm CPU engine on one instance, checked against @noble/curves, a naive double-and-add,
 * a BigInt O(n^2) DFT and ffjavascript's Fr.fft; the BabyBear NTT against src/math/babybear.ts
 * (also through a one-worker pool). Random inputs come from a logged seed: replay a failure with
 * ZKGPU_SEED=<seed>.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { fileURLToPath } from 'node:url';
import { WasmEngine, compileWasm, defaultWasmUrl } from '../../../src/cpu/wasm-engine.js';
import { pointBytes, type CurveName, type GroupName } from '../../../src/core/sizes.js';
import { WorkerPool } from '../../../src/cpu/pool.js';
import { babybearNttOnPool, type BabyBearNttJob } from '../../../src/ntt/babybear-cpu.js';
import { BABYBEAR_GENERATOR, BABYBEAR_P, babybearNttNaive, babybearNttReference } from '../../../src/math/index.js';
import { CURVES, concat, decodePoint, encodePoint, fromLE, mod, modInv, modPow, naiveMul, prng, randomBelow, toLE } from '../../support/wasm-codec.js';

const SEED = Number(process.env.ZKGPU_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`wasm-engine.test seed: ${SEED} (replay with ZKGPU_SEED=${SEED})`);

const WASM_PATH = fileURLToPath(new URL('../../../wasm/pkg/zkgpu.wasm', import.meta.url));
let engine: WasmEngine;
beforeAll(async () => {
  engine = await WasmEngine.create(WASM_PATH);
});

describe('loading', () => {
  it('create() defaults to wasm/pkg/zkgpu.wasm; bytes, URLs and modules work too', async () => {
    const { readFile } = await import('node:fs/promises');
    const bytes = new Uint8Array(await readFile(WASM_PATH));
    const module = await compileWasm(bytes);
    for (const src of [undefined, bytes, bytes.buffer.slice(0), new URL('../../../wasm/pkg/zkgpu.wasm', import.meta.url), module, defaultWasmUrl()]) {
      const e = await WasmEngine.create(src);
      expect(e.memoryBytes()).toBeGreaterThan(0);
      expect(e.pointAdd('bn254', 'g1', new Uint8Array(64), new Uint8Array(64))).toEqual(new Uint8Array(64));
    }
  });

  it('throws naming the export and the code on a negative return', () => {
    expect(() => engine.msm('bn254', 'g1', new Uint8Array(64), new Uint8Array(32), { windowBits: 21 })).toThrow(/zk_msm.*-2/);
  });
});

const CURVE_IDS: CurveName[] = ['bn254', 'bls12-381'];
const GROUP_IDS: GroupName[] = ['g1', 'g2'];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyPoint = any;

const scalarBytes = (ks: bigint[]) => concat(ks.map((k) => toLE(k, 32)));

function expectedMsm(curve: CurveName, group: GroupName, pts: AnyPoint[], ks: bigint[]): AnyPoint {
  let acc = CURVES[curve].groups[group].ZERO;
  for (let i = 0; i < pts.length; i++) if (ks[i] !== 0n) acc = acc.add(pts[i].multiplyUnsafe(ks[i]));
  return acc;
}

for (const curve of CURVE_IDS) {
  for (const group of GROUP_IDS) {
    describe(`msm ${curve} ${group}`, () => {
      const c = CURVES[curve];
      const pb = pointBytes(curve, group);
      const Point = c.groups[group];
      const rng = prng(SEED ^ (curve.length * 31 + group.length));
      let pool: Uint8Array; // 1000 engine-generated points
      let poolPts: AnyPoint[];

      beforeAll(() => {
        pool = engine.generatePoints(curve, group, 1000, SEED);
        poolPts = [];
        for (let i = 0; i < 1000; i++) poolPts.push(decodePoint(curve, group, pool.subarray(i * pb, (i + 1) * pb)));
      });

      const pts = (n: number) => pool.subarray(0, n * pb);
      const run = (p: Uint8Array, ks: bigint[], windowBits?: number) => decodePoint(curve, group, engine.msm(curve, group, p, scalarBytes(ks), { windowBits }));

      it('generatePoints: valid, distinct, deterministic in the seed', () => {
        const seen = new Set<string>();
        for (let i = 0; i < 1000; i++) seen.add(Buffer.from(pool.subarray(i * pb, (i + 1) * pb)).toString('hex'));
        expect(seen.size).toBe(1000);
        expect(engine.validatePoints(curve, group, pool)).toBe(-1);
        expect(engine.generatePoints(curve, group, 5, SEED)).toEqual(pool.subarray(0, 5 * pb));
        expect(engine.generatePoints(curve, group, 5, SEED + 1)).not.toEqual(pool.subarray(0, 5 * pb));
      });

      for (const n of [1, 2, 3, 17, 100, 1000]) {
        it(`random scalars, n=${n}`, () => {
          const ks = Array.from({ length: n }, () => randomBelow(rng, c.r));
          const got = run(pts(n), ks);
          expect(got.equals(expectedMsm(curve, group, poolPts.slice(0, n), ks))).toBe(true);
        });
      }

      it('agrees with a naive double-and-add', () => {
        const ks = [randomBelow(rng, c.r), randomBelow(rng, c.r)];
        const want = naiveMul(poolPts[0], ks[0]).add(naiveMul(poolPts[1], ks[1]));
        expect(run(pts(2), ks).equals(want)).toBe(true);
      });

      it('n = 0 and all-zero scalars give infinity', () => {
        expect(engine.msm(curve, group, new Uint8Array(0), new Uint8Array(0))).toEqual(new Uint8Array(pb));
        expect(engine.msm(curve, group, pts(20), new Uint8Array(20 * 32))).toEqual(new Uint8Array(pb));
      });

      it('scalars 1 and r-1', () => {
        expect(run(pts(1), [1n]).equals(poolPts[0])).toBe(true);
        expect(run(pts(1), [c.r - 1n]).equals(poolPts[0].negate())).toBe(true);
        expect(run(pts(2), [c.r - 1n, 1n]).equals(poolPts[1].subtract(poolPts[0]))).toBe(true);
        expect(run(pts(2), [c.r - 1n, c.r - 1n]).equals(poolPts[0].add(poolPts[1]).negate())).toBe(true);
      });

      it('the same point 50 times (equal and random scalars)', () => {
        const P = pool.subarray(0, pb);
        const rep = concat(Array.from({ length: 50 }, () => P));
        const k = randomBelow(rng, c.r);
        expect(run(rep, Array(50).fill(k)).equals(poolPts[0].multiplyUnsafe(mod(50n * k, c.r)))).toBe(true);
        const ks = Array.from({ length: 50 }, () => randomBelow(rng, c.r));
        const sum = ks.reduce((a, b) => a + b, 0n);
        expect(run(rep, ks).equals(poolPts[0].multiplyUnsafe(mod(sum, c.r)))).toBe(true);
        // small scalars: every addition lands in the same few buckets
        const small = Array.from({ length: 50 }, (_, i) => BigInt(i % 3) + 1n);
        expect(run(rep, small).equals(poolPts[0].multiplyUnsafe(small.reduce((a, b) => a + b, 0n)))).toBe(true);
      });

      it('P and -P cancel; infinity among inputs is skipped', () => {
        const P = poolPts[3];
        const k = randomBelow(rng, c.r);
        const k2 = randomBelow(rng, c.r);
        const inputs = concat([encodePoint(curve, group, P), encodePoint(curve, group, P.negate()), new Uint8Array(pb), pool.subarray(4 * pb, 5 * pb)]);
        const got = run(inputs, [k, k, randomBelow(rng, c.r), k2]);
        expect(got.equals(poolPts[4].multiplyUnsafe(k2))).toBe(true);
        expect(run(inputs.subarray(0, 2 * pb), [k, k]).is0()).toBe(true);
        // -P with scalar k and P with scalar r - k sum to 2(r-k)P
        expect(run(inputs.subarray(0, 2 * pb), [c.r - k, k]).equals(P.multiplyUnsafe(mod(2n * (c.r - k), c.r)))).toBe(true);
      });

      it('window_bits overrides give the same answer (n = 37, not a power of two)', () => {
        const ks = Array.from({ length: 37 }, () => randomBelow(rng, c.r));
        const want = expectedMsm(curve, group, poolPts.slice(0, 37), ks);
        for (const wb of group === 'g1' ? [0, 1, 2, 5, 8, 11, 13, 16] : [0, 1, 3, 7, 12]) expect(run(pts(37), ks, wb).equals(want)).toBe(true);
      });

      it('validatePoints finds the first bad point', () => {
        const bad = pool.slice(0, 10 * pb);
        bad.set(new Uint8Array(pb), 2 * pb); // infinity is valid
        expect(engine.validatePoints(curve, group, bad)).toBe(-1);
        bad[6 * pb + pb - 1] ^= 1; // y no longer on the curve
        bad[8 * pb] ^= 4;
        expect(engine.validatePoints(curve, group, bad)).toBe(6);
        // a coordinate >= p (raw bytes p + 1), other coordinates from a valid point
        const big = pool.slice(0, 3 * pb);
        big.set(toLE(c.p + 1n, c.fpBytes), pb);
        expect(engine.validatePoints(curve, group, big)).toBe(1);
        big.set(toLE(c.p, c.fpBytes), pb);
        expect(engine.validatePoints(curve, group, big)).toBe(1);
        expect(engine.validatePoints(curve, group, new Uint8Array(0))).toBe(-1);
      });

      it('pointAdd: generic, doubling, P + -P, infinity', () => {
        const [P, Q] = [poolPts[5], poolPts[6]];
        const e = (X: AnyPoint) => encodePoint(curve, group, X);
        const add = (A: AnyPoint, B: AnyPoint) => decodePoint(curve, group, engine.pointAdd(curve, group, e(A), e(B)));
        expect(add(P, Q).equals(P.add(Q))).toBe(true);
        expect(add(P, P).equals(P.double())).toBe(true);
        expect(add(P, P.negate()).is0()).toBe(true);
        expect(add(P, Point.ZERO).equals(P)).toBe(true);
        expect(add(Point.ZERO, Q).equals(Q)).toBe(true);
        expect(add(Point.ZERO, Point.ZERO).is0()).toBe(true);
      });
    });
  }
}

// ---------------- NTT ----------------

// Roots of unity 5^((r-1)/n) on both curves: ffjavascript's Fr.w (wasm/README.md, src/math/ntt.ts FR_ROOT_BASE).
const ROOT_BASE: Record<CurveName, bigint> = { bn254: 5n, 'bls12-381': 5n };
const root = (curve: CurveName, logN: number) => modPow(ROOT_BASE[curve], (CURVES[curve].r - 1n) >> BigInt(logN), CURVES[curve].r);
const frBytes = (xs: bigint[]) => concat(xs.map((x) => toLE(x, 32)));
const frRead = (b: Uint8Array) => Array.from({ length: b.length / 32 }, (_, i) => fromLE(b.subarray(32 * i, 32 * i + 32)));
function bitrev<T>(a: T[]): T[] {
  const n = a.length;
  const lg = Math.log2(n);
  return a.map((_, i) => a[lg === 0 ? 0 : parseInt(i.toString(2).padStart(lg, '0').split('').reverse().join(''), 2)]);
}

/** Forward: out[k] = sum_j in[j] g^j w^{jk}; inverse: out[j] = g^-j n^-1 sum_k in[k] w^{-jk}. */
function naiveNtt(curve: CurveName, a: bigint[], inverse: boolean, g: bigint | null): bigint[] {
  const r = CURVES[curve].r;
  const n = a.length;
  let w = root(curve, Math.log2(n));
  if (inverse) w = modInv(w, r);
  const out: bigint[] = [];
  for (let k = 0; k < n; k++) {
    let acc = 0n;
    for (let j = 0; j < n; j++) {
      const x = !inverse && g !== null ? (a[j] * modPow(g, BigInt(j), r)) % r : a[j];
      acc += x * modPow(w, BigInt(j * k), r);
    }
    acc %= r;
    if (inverse) acc = (acc * modInv(BigInt(n), r) * (g !== null ? modInv(modPow(g, BigInt(k), r), r) : 1n)) % r;
    out.push(acc);
  }
  return out;
}

for (const curve of CURVE_IDS) {
  describe(`ntt ${curve}`, () => {
    const r = CURVES[curve].r;
    const rng = prng(SEED ^ (0x5eed + curve.length));
    const rand = (n: number) => Array.from({ length: n }, () => randomBelow(rng, r));

    it('matches a naive DFT for every flag combination, with and without a coset', () => {
      for (const logN of [0, 1, 2, 3, 5]) {
        const a = rand(1 << logN);
        const g = randomBelow(rng, r - 1n) + 1n;
        for (const shift of [null, g]) {
          for (const inverse of [false, true]) {
            const want = naiveNtt(curve, a, inverse, shift);
            for (const inputOrder of ['natural', 'bit-reversed'] as const) {
              for (const outputOrder of ['natural', 'bit-reversed'] as const) {
                const input = inputOrder === 'natural' ? a : bitrev(a);
                const out = frRead(engine.ntt(curve, frBytes(input), { inverse, shift: shift === null ? null : toLE(shift, 32), inputOrder, outputOrder }));
                expect(outputOrder === 'natural' ? out : bitrev(out), `logN=${logN} inv=${inverse} ${inputOrder}->${outputOrder} coset=${shift !== null}`).toEqual(want);
              }
            }
          }
        }
      }
    });

    it('inverse after forward is the identity (2^12, coset, edge values)', () => {
      const a = rand(1 << 12);
      a[0] = 0n;
      a[1] = r - 1n;
      a[2] = 1n;
      a[3] = (1n << 32n) - 1n;
      a[4] = 1n << 224n;
      const shift = toLE(7n, 32);
      const fwd = engine.ntt(curve, frBytes(a), { shift, outputOrder: 'bit-reversed' });
      expect(frRead(engine.ntt(curve, fwd, { inverse: true, shift, inputOrder: 'bit-reversed' }))).toEqual(a);
    });

    it('nttRows + transposes reproduce a full NTT (four-step, n = 2^8), forward and inverse', () => {
      const logN = 8;
      const [l1, l2] = [4, 4];
      const [n1, n2] = [1 << l1, 1 << l2];
      const a = rand(1 << logN);
      for (const inverse of [false, true]) {
        // step 1: rows j2 = (a[n2*j1 + j2])_j1, NTT of size n1, twiddle w_n^{j2*k1}; two calls test rowOffset
        const rows1: bigint[] = [];
        for (let j2 = 0; j2 < n2; j2++) for (let j1 = 0; j1 < n1; j1++) rows1.push(a[n2 * j1 + j2]);
        const half = (n2 / 2) * n1;
        const b = concat([
          engine.nttRows(curve, frBytes(rows1.slice(0, half)), l1, { inverse, twiddleLogN: logN, rowOffset: 0 }),
          engine.nttRows(curve, frBytes(rows1.slice(half)), l1, { inverse, twiddleLogN: logN, rowOffset: n2 / 2 }),
        ]);
        const B = frRead(b);
        // step 2: rows k1 = (B[j2][k1])_j2, NTT of size n2, no twiddle
        const rows2: bigint[] = [];
        for (let k1 = 0; k1 < n1; k1++) for (let j2 = 0; j2 < n2; j2++) rows2.push(B[j2 * n1 + k1]);
        let C = engine.nttRows(curve, frBytes(rows2), l2, { inverse });
        if (inverse) C = engine.scale(curve, C, toLE(modInv(BigInt(1 << logN), r), 32));
        const Cv = frRead(C);
        // X[k1 + n1*k2] = C[k1][k2]
        const X = new Array<bigint>(1 << logN);
        for (let k1 = 0; k1 < n1; k1++) for (let k2 = 0; k2 < n2; k2++) X[k1 + n1 * k2] = Cv[k1 * n2 + k2];
        expect(X).toEqual(frRead(engine.ntt(curve, frBytes(a), { inverse })));
      }
    });

    it('mulPowers and scale', () => {
      const a = rand(33);
      const base = randomBelow(rng, r);
      const start = 1_000_003;
      const got = frRead(engine.mulPowers(curve, frBytes(a), toLE(base, 32), start));
      expect(got).toEqual(a.map((x, i) => (x * modPow(base, BigInt(start + i), r)) % r));
      const f = randomBelow(rng, r);
      expect(frRead(engine.scale(curve, frBytes(a), toLE(f, 32)))).toEqual(a.map((x) => (x * f) % r));
    });

    it('rejects lengths that are not a power of two', () => {
      expect(() => engine.ntt(curve, new Uint8Array(3 * 32))).toThrow(/power of two/);
    });
  });
}

describe('ntt bn254 vs ffjavascript Fr.fft', () => {
  it('natural-order forward NTT equals Fr.fft (2^4 and 2^10)', async () => {
    // @ts-expect-error ffjavascript ships no types
    const { buildBn128 } = await import('ffjavascript');
    const bn128 = await buildBn128(true);
    try {
      const rng = prng(SEED ^ 0xff7);
      const r = CURVES.bn254.r;
      for (const logN of [4, 10]) {
        const a = Array.from({ length: 1 << logN }, () => randomBelow(rng, r));
        const mont = await bn128.Fr.batchToMontgomery(frBytes(a));
        const fft = await bn128.Fr.fft(mont);
        const theirs = await bn128.Fr.batchFromMontgomery(fft);
        expect(engine.ntt('bn254', frBytes(a))).toEqual(new Uint8Array(theirs));
      }
    } finally {
      await bn128.terminate();
    }
  });
});

// ---------------- BabyBear NTT ----------------

describe('babybear ntt (zk_bb_ntt) vs the BigInt oracle', () => {
  const P = BABYBEAR_P;
  const rng = prng(SEED ^ 0xbb31);
  const rand = (n: number) => Array.from({ length: n }, () => rng() % P);
  /** Values at the edges: 0, 1, p-1, p-2, and both sides of 2^16, 2^27, 2^30. */
  const EDGES = [0, 1, 2, P - 1, P - 2, 2 ** 16 - 1, 2 ** 16, 2 ** 16 + 1, 2 ** 27 - 1, 2 ** 27, 2 ** 27 + 1, 2 ** 30, (P - 1) / 2];
  const withEdges = (n: number) => {
    const a = rand(n);
    for (let i = 0; i < Math.min(n, EDGES.length); i++) a[(i * 7919) % n] = EDGES[i];
    return a;
  };
  const bbOrders = ['natural', 'bit-reversed'] as const;

  it('every direction / coset / order combination matches babybearNttNaive (n = 2^0..2^8)', () => {
    for (let logN = 0; logN <= 8; logN++) {
      const stored = withEdges(1 << logN);
      for (const inverse of [false, true]) {
        for (const shift of [null, BABYBEAR_GENERATOR, P - 1, 1 + (rng() % (P - 1))]) {
          for (const inputOrder of bbOrders) {
            for (const outputOrder of bbOrders) {
              const opts = { inverse, shift, inputOrder, outputOrder };
              const got = engine.babybearNtt(Uint32Array.from(stored), opts);
              expect(got, JSON.stringify({ logN, ...opts })).toEqual(babybearNttNaive(stored, opts));
            }
          }
        }
      }
    }
  });

  it('2^10..2^16 match babybearNttReference (forward coset, inverse, bit-reversed orders)', () => {
    for (const logN of [10, 13, 16]) {
      const stored = withEdges(1 << logN);
      const cases = [
        { inverse: false, shift: BABYBEAR_GENERATOR, inputOrder: 'natural', outputOrder: 'natural' },
        { inverse: true, shift: null, inputOrder: 'bit-reversed', outputOrder: 'natural' },
        { inverse: true, shift: 7, inputOrder: 'natural', outputOrder: 'bit-reversed' },
      ] as const;
      for (const opts of cases) expect(engine.babybearNtt(Uint32Array.from(stored), opts), `2^${logN} ${JSON.stringify(opts)}`).toEqual(babybearNttReference(stored, opts));
    }
  });

  it('inverse after forward is the identity (2^18, coset), and the input array is left alone', () => {
    const a = Uint32Array.from(withEdges(1 << 18));
    const copy = a.slice();
    const fwd = engine.babybearNtt(a, { shift: 11, outputOrder: 'bit-reversed' });
    expect(a).toEqual(copy);
    expect(engine.babybearNtt(fwd, { inverse: true, shift: 11, inputOrder: 'bit-reversed' })).toEqual(copy);
  });

  it('all zero in, all zero out; all p-1 in gives -n at index 0 only', () => {
    expect(engine.babybearNtt(new Uint32Array(64))).toEqual(new Uint32Array(64));
    const out = engine.babybearNtt(new Uint32Array(64).fill(P - 1));
    expect(out[0]).toBe(P - 64);
    expect(out.subarray(1).every((x) => x === 0)).toBe(true);
  });

  it('rejects sizes that are not a power of two, 2^28, and shifts outside [1, p)', () => {
    expect(() => engine.babybearNtt(new Uint32Array(3))).toThrow(/power of two/);
    expect(() => engine.babybearNtt(new Uint32Array(4), { shift: P })).toThrow(/shift/);
    expect(() => engine.babybearNtt(new Uint32Array(4), { shift: 0 })).toThrow(/shift/);
    expect(() => engine.babybearNtt(new Uint32Array(4), { shift: 1.5 })).toThrow(/shift/);
  });
});

describe('babybearNttOnPool', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await WorkerPool.create({ threads: 1, module: await compileWasm(WASM_PATH) });
  });
  afterAll(async () => {
    await pool.dispose();
  });
  const job = (values: Uint32Array, extra: Partial<BabyBearNttJob> = {}): BabyBearNttJob => ({
    values,
    logN: Math.log2(values.length),
    inverse: false,
    shift: null,
    inputOrder: 'natural',
    outputOrder: 'natural',
    ...extra,
  });

  it('runs on a worker and matches the reference (2^12, coset, bit-reversed out; inverse back)', async () => {
    const rng = prng(SEED ^ 0xbb32);
    const values = Uint32Array.from({ length: 1 << 12 }, () => rng() % BABYBEAR_P);
    const opts = { shift: 31, outputOrder: 'bit-reversed' } as const;
    const fwd = await babybearNttOnPool(pool, job(values, opts));
    expect(fwd).toEqual(babybearNttReference(values, opts));
    expect(await babybearNttOnPool(pool, job(fwd, { inverse: true, shift: 31, inputOrder: 'bit-reversed' }))).toEqual(values);
  });

  it('rejects bad input with ZkgpuError codes naming the place', async () => {
    const bad = new Uint32Array(8);
    bad[5] = BABYBEAR_P;
    await expect(babybearNttOnPool(pool, job(bad))).rejects.toMatchObject({ code: 'FIELD_ELEMENT_OUT_OF_RANGE', message: expect.stringMatching(/index 5/) });
    await expect(babybearNttOnPool(pool, job(new Uint32Array(8), { logN: 4 }))).rejects.toMatchObject({ code: 'LENGTH_MISMATCH' });
    await expect(babybearNttOnPool(pool, job(new Uint32Array(8), { logN: 28 }))).rejects.toMatchObject({ code: 'NTT_SIZE_TOO_LARGE' });
    await expect(babybearNttOnPool(pool, job(new Uint32Array(8), { shift: 0 }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('an aborted signal rejects with an AbortError', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(babybearNttOnPool(pool, job(new Uint32Array(1 << 10), { signal: ac.signal }))).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED' });
  });
});
