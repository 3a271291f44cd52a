/**
 * The BabyBear field (shaders/babybear_field.wgsl) and NTT (shaders/babybear.wgsl) on WebGPU,
 * checked against BigInt arithmetic, the src/math oracle and the WASM engine. The field code runs
 * exhaustively on small primes (every pair) and on BabyBear at the edges (0, 1, p-1, 2^16 and 2^27
 * boundaries) plus random pairs; mulhi on any u32 pairs around 2^16 and 2^32 boundaries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BABYBEAR_GENERATOR, BABYBEAR_P, babybearNttNaive, babybearNttReference, mont32Params } from '../../../src/math/index.js';
import { acquireGpu, type GpuContext } from '../../../src/gpu/index.js';
import { BABYBEAR_TILE_LOG, gpuBabyBearNtt, gpuMont31Ops, type GpuBabyBearOrder } from '../../../src/ntt/babybear-gpu.js';
import { WasmEngine } from '../../../src/cpu/wasm-engine.js';
import { rngFor, SEED } from '../../support/seed.js';

let ctx: GpuContext;
let engine: WasmEngine;
beforeAll(async () => {
  const c = await acquireGpu();
  if (!c) throw new Error('no WebGPU adapter: the GPU suites need one (lavapipe works)');
  ctx = c;
  engine = await WasmEngine.create();
  console.log(`[gpu babybear] ${ctx.info.vendor} ${ctx.info.description} seed ${SEED}`);
});
afterAll(() => ctx?.dispose());

const P = BABYBEAR_P;
const big = BigInt;
const R = 1n << 32n;

/** Checks the four outputs of gpuMont31Ops for pairs (a[i], b[i]) against BigInt, modulus p. */
function expectOps(p: number, a: Uint32Array, b: Uint32Array, got: Uint32Array, modOps: boolean): void {
  const pb = big(p);
  const rInv = (() => {
    // 2^-32 mod p by Fermat
    let r = 1n;
    let x = R % pb;
    for (let e = pb - 2n; e > 0n; e >>= 1n, x = (x * x) % pb) if (e & 1n) r = (r * x) % pb;
    return r;
  })();
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [big(a[i]), big(b[i])];
    const where = `p=${p} a=${a[i]} b=${b[i]}`;
    if (got[4 * i] !== Number((x * y) >> 32n)) expect(got[4 * i], `mulhi ${where}`).toBe(Number((x * y) >> 32n));
    if (!modOps) continue;
    const want = [Number((x * y * rInv) % pb), Number((x + y) % pb), Number((x - y + pb) % pb)];
    for (let j = 0; j < 3; j++) if (got[4 * i + 1 + j] !== want[j]) expect(got[4 * i + 1 + j], `op ${j} ${where}`).toBe(want[j]);
  }
}

describe('babybear_field.wgsl', () => {
  it('every pair on small primes 3, 257 and 769 (mont mul, add, sub), R = 2^32', async () => {
    for (const p of [3, 257, 769]) {
      const n = p * p;
      const a = new Uint32Array(n);
      const b = new Uint32Array(n);
      for (let i = 0; i < n; i++) [a[i], b[i]] = [Math.floor(i / p), i % p];
      const before = ctx.dispatchCount;
      expectOps(p, a, b, await gpuMont31Ops(ctx, p, a, b), true);
      expect(ctx.dispatchCount).toBe(before + 1);
    }
  });

  it('BabyBear: every pair of edge values, and 20000 random pairs', async () => {
    const edges = [
      0,
      1,
      2,
      3,
      P - 1,
      P - 2,
      P - 3,
      (P - 1) / 2,
      (P + 1) / 2,
      0xfffe,
      0xffff,
      0x10000,
      0x10001,
      0x1ffff,
      0x20000,
      2 ** 27 - 1,
      2 ** 27,
      2 ** 27 + 1,
      2 ** 30 - 1,
      2 ** 30,
      2 ** 30 + 1,
      0x77ffffff,
      0x7fff0000 % P,
      0xffff0000 % P,
      mont32Params(P).rModP,
    ];
    const rng = rngFor('gpu-bb-field');
    const pairs: [number, number][] = [];
    for (const x of edges) for (const y of edges) pairs.push([x, y]);
    for (let i = 0; i < 20000; i++) pairs.push([Number(rng.nextBigInt(big(P))), Number(rng.nextBigInt(big(P)))]);
    const a = Uint32Array.from(pairs, ([x]) => x);
    const b = Uint32Array.from(pairs, ([, y]) => y);
    expectOps(P, a, b, await gpuMont31Ops(ctx, P, a, b), true);
  });

  it('mulhi on any u32 pairs around 2^16 and 2^32 boundaries', async () => {
    const edges = [
      0,
      1,
      2,
      0xfffe,
      0xffff,
      0x10000,
      0x10001,
      0xffff_0000,
      0xffff_0001,
      0xfffe_ffff,
      0x7fff_ffff,
      0x8000_0000,
      0x8000_0001,
      0xffff_fffe,
      0xffff_ffff,
      0x1234_5678,
      0xdead_beef,
      P,
      P - 1,
    ];
    const pairs: [number, number][] = [];
    for (const x of edges) for (const y of edges) pairs.push([x, y]);
    const a = Uint32Array.from(pairs, ([x]) => x);
    const b = Uint32Array.from(pairs, ([, y]) => y);
    expectOps(P, a, b, await gpuMont31Ops(ctx, P, a, b), false);
  });
});

const orders: GpuBabyBearOrder[] = ['natural', 'bit-reversed'];
const passesFor = (logN: number) => Math.max(1, Math.ceil(logN / BABYBEAR_TILE_LOG));

function randomValues(n: number, name: string): Uint32Array {
  const rng = rngFor(name);
  const v = Uint32Array.from({ length: n }, () => Number(rng.nextBigInt(big(P))));
  const edges = [0, 1, P - 1, 0xffff, 0x10000, 2 ** 27];
  for (let i = 0; i < Math.min(n, edges.length); i++) v[(i * 101) % n] = edges[i];
  return v;
}

async function run(values: Uint32Array, logN: number, inverse: boolean, shift: number | null, inputOrder: GpuBabyBearOrder, outputOrder: GpuBabyBearOrder) {
  const before = ctx.dispatchCount;
  const got = await gpuBabyBearNtt(ctx, { values, logN, inverse, shift, inputOrder, outputOrder });
  // the GPU path really ran: one dispatch per 11 stages
  expect(ctx.dispatchCount - before).toBe(passesFor(logN));
  return got;
}

describe('GPU BabyBear NTT vs the oracle', () => {
  it('n = 2^0..2^8: every direction, coset and order vs babybearNttNaive', async () => {
    for (let logN = 0; logN <= 8; logN++) {
      const values = randomValues(1 << logN, `gpu-bb-small-${logN}`);
      for (const inverse of [false, true]) {
        for (const shift of [null, BABYBEAR_GENERATOR, P - 1]) {
          for (const inputOrder of orders) {
            for (const outputOrder of orders) {
              const opts = { inverse, shift, inputOrder, outputOrder };
              const got = await run(values, logN, inverse, shift, inputOrder, outputOrder);
              expect(got, JSON.stringify({ logN, ...opts })).toEqual(babybearNttNaive(values, opts));
            }
          }
        }
      }
    }
  });

  it('n = 2^9..2^16 (one, two passes; 2^11 / 2^12 at the tile boundary) vs babybearNttReference and the WASM engine', async () => {
    for (let logN = 9; logN <= 16; logN++) {
      const values = randomValues(1 << logN, `gpu-bb-${logN}`);
      const cases = [
        { inverse: false, shift: null, inputOrder: 'natural', outputOrder: 'natural' },
        { inverse: false, shift: BABYBEAR_GENERATOR, inputOrder: 'bit-reversed', outputOrder: 'natural' },
        { inverse: true, shift: 7, inputOrder: 'natural', outputOrder: 'bit-reversed' },
        { inverse: true, shift: null, inputOrder: 'bit-reversed', outputOrder: 'bit-reversed' },
      ] as const;
      for (const c of cases) {
        const got = await run(values, logN, c.inverse, c.shift, c.inputOrder, c.outputOrder);
        const where = `2^${logN} ${JSON.stringify(c)}`;
        expect(got, where).toEqual(babybearNttReference(values, c));
        expect(got, `${where} vs wasm`).toEqual(engine.babybearNtt(values, c));
      }
    }
  });

  it('inverse(forward(x)) = x at 2^14 with a coset, and bad input is rejected', async () => {
    const values = randomValues(1 << 14, 'gpu-bb-roundtrip');
    const fwd = await run(values, 14, false, 5, 'natural', 'bit-reversed');
    expect(await run(fwd, 14, true, 5, 'bit-reversed', 'natural')).toEqual(values);
    const bad = values.slice(0, 16);
    bad[9] = P;
    await expect(gpuBabyBearNtt(ctx, { values: bad, logN: 4, inverse: false, shift: null, inputOrder: 'natural', outputOrder: 'natural' })).rejects.toMatchObject({
      code: 'FIELD_ELEMENT_OUT_OF_RANGE',
      message: expect.stringMatching(/index 9/),
    });
    await expect(gpuBabyBearNtt(ctx, { values: bad, logN: 5, inverse: false, shift: null, inputOrder: 'natural', outputOrder: 'natural' })).rejects.toMatchObject({
      code: 'LENGTH_MISMATCH',
    });
  });

  it('timing: 2^16 and 2^20 forward (warm; 2^20 checked against the WASM engine), no leaked buffers', async () => {
    for (const logN of [16, 20]) {
      const values = randomValues(1 << logN, `gpu-bb-timing-${logN}`);
      const req = { values, logN, inverse: false, shift: null, inputOrder: 'natural', outputOrder: 'natural' } as const;
      const first = await gpuBabyBearNtt(ctx, req);
      expect(first).toEqual(engine.babybearNtt(values));
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await gpuBabyBearNtt(ctx, req);
        times.push(performance.now() - t0);
      }
      console.log(`[gpu babybear] 2^${logN} forward on ${ctx.info.description}: ${times.map((t) => t.toFixed(1)).join(', ')} ms`);
    }
    expect(ctx.pool.stats().inUseBytes).toBe(0);
  });
});
