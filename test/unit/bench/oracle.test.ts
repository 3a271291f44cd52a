/**
 * bench/core/oracle.ts: the zkgpu/math checks that stand in for the peers when none is installed.
 * First against the naive BigInt oracle alone (the check's own logic), then against real zkgpu
 * runs, correct and with faults put in on purpose: a check that cannot fail is no check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../../src/index.js';
import { CURVES, createRng, decodePoints, decodeScalars, encodePoint, encodeScalars, g1, msmNaive, nttReference } from '../../../src/math/index.js';
import { checkMsmByOracle, checkNttByOracle } from '../../../bench/core/oracle.js';
import type { MsmCase } from '../../../bench/core/cases.js';

const SEED = 20261207;

function frValues(curve: 'bn254' | 'bls12-381', n: number, seed: number): bigint[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.nextBigInt(CURVES[curve].r));
}

describe('NTT check by random evaluation', () => {
  for (const curve of ['bn254', 'bls12-381'] as const) {
    it(`${curve}: accepts the reference NTT, rejects one wrong element anywhere`, () => {
      const n = 64;
      const xs = frValues(curve, n, SEED);
      const values = encodeScalars(xs);
      const out = encodeScalars(nttReference(curve, xs));
      expect(checkNttByOracle({ curve, n, values }, out, SEED)).toBeNull();
      for (const k of [0, 1, 37, n - 1]) {
        const wrong = out.slice();
        wrong[k * 32] ^= 1;
        expect(checkNttByOracle({ curve, n, values }, wrong, SEED), `element ${k}`).toMatch(/not the NTT of the input/);
      }
      // the inverse transform's output is a real transform too, but not the forward one
      expect(checkNttByOracle({ curve, n, values }, encodeScalars(nttReference(curve, xs, { inverse: true })), SEED)).not.toBeNull();
    });
  }

  it('rejects an element that is not below r', () => {
    const xs = frValues('bn254', 8, SEED);
    const out = encodeScalars(nttReference('bn254', xs));
    out.fill(0xff, 3 * 32, 4 * 32);
    expect(checkNttByOracle({ curve: 'bn254', n: 8, values: encodeScalars(xs) }, out, SEED)).toMatch(/element 3 is not below r/);
  });
});

describe('MSM check through known discrete logs', () => {
  it('with the naive oracle as the engine: accepts the right sum, rejects a wrong one', async () => {
    const n = 6;
    const G = g1('bn254');
    const rng = createRng(SEED);
    const points = Array.from({ length: n }, () => G.random(rng));
    const scalars = frValues('bn254', n, SEED + 1);
    const c: MsmCase = { curve: 'bn254', group: 'g1', n, points: concat(points.map((p) => encodePoint('bn254', 'g1', p))), scalars: encodeScalars(scalars) };
    const naive = async (p: Uint8Array, s: Uint8Array) => encodePoint('bn254', 'g1', msmNaive('bn254', 'g1', decodePoints('bn254', 'g1', p), decodeScalars(s)));
    const right = await naive(c.points, c.scalars);
    expect(await checkMsmByOracle(c, right, naive, SEED)).toBeNull();
    const wrong = encodePoint('bn254', 'g1', G.add(msmNaive('bn254', 'g1', decodePoints('bn254', 'g1', c.points), scalars), G.generator));
    expect(await checkMsmByOracle(c, wrong, naive, SEED)).toMatch(/is not sum s_i P_i/);
  });
});

describe('MSM check against zkgpu runs', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await createRuntime({ threads: 2, gpu: false });
  });
  afterAll(() => rt?.dispose());

  async function msmCase(curve: 'bn254' | 'bls12-381', group: 'g1' | 'g2', n: number): Promise<MsmCase> {
    const points = await rt.samplePoints({ curve, group, n, seed: SEED });
    return { curve, group, n, points, scalars: encodeScalars(frValues(curve, n, SEED + 2)) };
  }
  const engine = (c: MsmCase) => (points: Uint8Array, scalars: Uint8Array) => rt.msm({ curve: c.curve, group: c.group, points, scalars, backend: 'wasm' });

  for (const [curve, group, n] of [
    ['bn254', 'g1', 1000],
    ['bls12-381', 'g1', 300],
    ['bn254', 'g2', 200],
    ['bls12-381', 'g2', 100],
  ] as const) {
    it(`${curve} ${group} n=${n}: zkgpu's result passes`, async () => {
      const c = await msmCase(curve, group, n);
      const claimed = await engine(c)(c.points, c.scalars);
      expect(await checkMsmByOracle(c, claimed, engine(c), SEED)).toBeNull();
    });
  }

  it('catches a result that misses one point, and an engine that drops one point or adds a constant', async () => {
    const c = await msmCase('bn254', 'g1', 1000);
    const run = engine(c);
    // the timed result without point 517 (a valid point, only not the sum)
    const scalarsWithout = c.scalars.slice();
    scalarsWithout.fill(0, 517 * 32, 518 * 32);
    expect(await checkMsmByOracle(c, await run(c.points, scalarsWithout), run, SEED)).toMatch(/is not sum s_i P_i/);
    // an engine that always drops point 517: the timed result is wrong, and so is every run
    const dropping = (p: Uint8Array, s: Uint8Array) => {
      const t = s.slice();
      t.fill(0, 517 * 32, 518 * 32);
      return run(p, t);
    };
    expect(await checkMsmByOracle(c, await dropping(c.points, c.scalars), dropping, SEED)).not.toBeNull();
    // an engine that adds G to every result: MSM(P + P') - MSM(P) is still right, MSM(P') is not
    const G = g1('bn254');
    const offset = async (p: Uint8Array, s: Uint8Array) => {
      const r = decodePoints('bn254', 'g1', await run(p, s))[0];
      return encodePoint('bn254', 'g1', G.add(r, G.generator));
    };
    expect(await checkMsmByOracle(c, await offset(c.points, c.scalars), offset, SEED)).toMatch(/known discrete logs/);
  });
});

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
