/**
 * runtime.msm end to end (validation, worker split, partial-sum combination) against the BigInt
 * oracle (small n) and @noble/curves (n large enough to split across workers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../../src/index.js';
import {
  CURVES,
  CURVE_NAMES,
  GROUP_NAMES,
  decodePoint,
  encodePoint,
  encodePoints,
  encodeScalars,
  g1,
  g2,
  msmNaive,
  pointBytes,
  type AnyPoint,
  type CurveName,
  type GroupName,
} from '../../../src/math/index.js';
import { MIN_POINTS_PER_WORKER } from '../../../src/msm/cpu.js';
import { nobleMsm, zkgpuAsNoble } from '../../support/noble.js';
import { rngFor } from '../../support/seed.js';

let runtime: Runtime;
beforeAll(async () => {
  // Unit suite: no GPU adapter is opened ('auto' keeps a software adapter off these jobs anyway;
  // test/integration/runtime/backend.test.ts covers the runtime beside lavapipe).
  runtime = await createRuntime({ threads: 2, gpu: false });
});
afterAll(async () => {
  await runtime.dispose();
});

const group = (curve: CurveName, g: GroupName) =>
  (g === 'g1' ? g1(curve) : g2(curve)) as unknown as {
    generator: AnyPoint;
    mul(p: AnyPoint, k: bigint): AnyPoint;
    neg(p: AnyPoint): AnyPoint;
    isOnCurve(p: AnyPoint): boolean;
  };

function randomScalars(curve: CurveName, n: number, name: string): bigint[] {
  const rng = rngFor(name);
  return Array.from({ length: n }, () => rng.nextBigInt(CURVES[curve].r));
}

/** Points made by the oracle (random multiples of the generator), independent of the engine. */
function oraclePoints(curve: CurveName, g: GroupName, n: number, name: string): AnyPoint[] {
  const G = group(curve, g);
  return randomScalars(curve, n, `${name}:points`).map((k) => G.mul(G.generator, k));
}

async function expectMsmMatchesOracle(curve: CurveName, g: GroupName, points: AnyPoint[], scalars: bigint[]) {
  const result = await runtime.msm({
    curve,
    group: g,
    points: encodePoints(curve, g, points),
    scalars: encodeScalars(scalars),
  });
  const expected = encodePoint(curve, g, msmNaive(curve, g, points, scalars));
  expect(Buffer.from(result).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
}

describe.each(CURVE_NAMES)('runtime.msm on %s', (curve) => {
  describe.each(GROUP_NAMES)('%s', (g) => {
    it.each([1, 2, 7, 33])('matches the BigInt oracle on %i random points', async (n) => {
      const name = `${curve}:${g}:random:${n}`;
      await expectMsmMatchesOracle(curve, g, oraclePoints(curve, g, n, name), randomScalars(curve, n, name));
    });

    it('edge inputs: zero, one, r-1, repeated points, P and -P, infinity among the inputs', async () => {
      const G = group(curve, g);
      const [P, Q] = oraclePoints(curve, g, 2, `${curve}:${g}:edges`);
      const infinity = decodePoint(curve, g, new Uint8Array(pointBytes(curve, g)));
      const r = CURVES[curve].r;
      const points = [P, P, P, G.neg(P), Q, infinity, Q, P, Q, Q, infinity];
      const scalars = [1n, r - 1n, 5n, 7n, 0n, 3n, 2n, r - 1n, 1n, 1n, 0n];
      await expectMsmMatchesOracle(curve, g, points, scalars);
      // The same point 50 times: every bucket addition is a doubling.
      await expectMsmMatchesOracle(curve, g, Array(50).fill(P), randomScalars(curve, 50, `${curve}:${g}:repeat`));
      // P and -P with equal scalars cancel to infinity.
      await expectMsmMatchesOracle(curve, g, [P, G.neg(P)], [12345n, 12345n]);
      // All-zero scalars give infinity.
      await expectMsmMatchesOracle(curve, g, [P, Q, P], [0n, 0n, 0n]);
    });

    it('n = 0 gives the point at infinity (all zero bytes)', async () => {
      const result = await runtime.msm({ curve, group: g, points: new Uint8Array(0), scalars: new Uint8Array(0) });
      expect(result).toEqual(new Uint8Array(pointBytes(curve, g)));
    });
  });
});

describe('runtime.msm split across workers', () => {
  // Not a power of two, and large enough that both workers get a chunk.
  const n = 2 * MIN_POINTS_PER_WORKER + 5;

  it.each([
    ['bn254', 'g1'],
    ['bls12-381', 'g1'],
    ['bn254', 'g2'],
  ] as const)(`%s %s with ${n} points matches @noble/curves`, async (curve, g) => {
    const points = await runtime.samplePoints({ curve, group: g, n, seed: 11 });
    const scalars = randomScalars(curve, n, `${curve}:${g}:split`);
    // A few duplicates across the chunk boundary and some zero scalars.
    points.copyWithin((n >> 1) * pointBytes(curve, g), 0, 4 * pointBytes(curve, g));
    scalars[3] = 0n;
    scalars[n - 1] = CURVES[curve].r - 1n;
    const result = await runtime.msm({ curve, group: g, points, scalars: encodeScalars(scalars) });
    expect(zkgpuAsNoble(curve, g, result)).toEqual(nobleMsm(curve, g, points, scalars));
  });

  it('maxWorkers, priority and SharedArrayBuffer inputs give the same sum; shared inputs are read in place, not detached', async () => {
    const curve = 'bn254';
    const points = await runtime.samplePoints({ curve, group: 'g1', n, seed: 13 });
    const scalarList = randomScalars(curve, n, 'bn254:g1:shared');
    const scalars = encodeScalars(scalarList);
    const want = nobleMsm(curve, 'g1', points, scalarList);
    const share = (a: Uint8Array) => {
      const out = new Uint8Array(new SharedArrayBuffer(a.length));
      out.set(a);
      return out;
    };
    const sharedPoints = share(points);
    const sharedScalars = share(scalars);
    for (const maxWorkers of [1, 2, undefined]) {
      const tasks: number[] = [];
      const counting = await createRuntime({ threads: 2, gpu: false, faultInjection: { workerTask: () => void tasks.push(1) } } as Parameters<typeof createRuntime>[0]);
      try {
        const fromShared = await counting.msm({ curve, group: 'g1', points: sharedPoints, scalars: sharedScalars, maxWorkers, priority: 1 });
        expect(zkgpuAsNoble(curve, 'g1', fromShared)).toEqual(want);
        // One worker task per worker the call may use: maxWorkers 1 runs it whole.
        expect(tasks.length).toBe(maxWorkers ?? 2);
      } finally {
        await counting.dispose();
      }
      const fromPlain = await runtime.msm({ curve, group: 'g1', points, scalars, maxWorkers });
      expect(zkgpuAsNoble(curve, 'g1', fromPlain)).toEqual(want);
    }
    expect(sharedPoints).toEqual(points);
    expect(sharedScalars).toEqual(scalars);
    expect(points.length).toBe(n * 64); // the caller's plain arrays were copied, not transferred
  });

  it('rejects a bad maxWorkers or priority', async () => {
    const points = await runtime.samplePoints({ curve: 'bn254', group: 'g1', n: 2, seed: 1 });
    const scalars = encodeScalars([1n, 2n]);
    for (const maxWorkers of [0, 1.5, -1, '2']) {
      await expect(runtime.msm({ curve: 'bn254', group: 'g1', points, scalars, maxWorkers: maxWorkers as number })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('maxWorkers'),
      });
    }
    for (const priority of [Infinity, NaN, '1']) {
      await expect(runtime.msm({ curve: 'bn254', group: 'g1', points, scalars, priority: priority as number })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('priority'),
      });
    }
    await expect(runtime.ntt({ curve: 'bn254', values: new Uint8Array(64), maxWorkers: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('validatePoints names the first point that is not on the curve', async () => {
    const curve = 'bn254';
    const points = await runtime.samplePoints({ curve, group: 'g1', n, seed: 5 });
    const bad = n - 3; // in the second worker's chunk
    points[bad * 64 + 1] ^= 1;
    const scalars = encodeScalars(randomScalars(curve, n, 'validate'));
    await expect(runtime.msm({ curve, group: 'g1', points, scalars, validatePoints: true })).rejects.toMatchObject({
      code: 'POINT_NOT_ON_CURVE',
      message: expect.stringContaining(`index ${bad}`),
    });
  });

  it('validatePoints also finds a bad point whose scalar is zero (terms dropped before the MSM)', async () => {
    const curve = 'bn254';
    const points = await runtime.samplePoints({ curve, group: 'g1', n, seed: 6 });
    const ks = randomScalars(curve, n, 'validate-zero');
    for (let i = 0; i < n; i += 4) ks[i] = 0n; // a quarter zero: the zero terms are dropped
    const bad = 8; // zero scalar
    points[bad * 64 + 1] ^= 1;
    await expect(runtime.msm({ curve, group: 'g1', points, scalars: encodeScalars(ks), validatePoints: true })).rejects.toMatchObject({
      code: 'POINT_NOT_ON_CURVE',
      message: expect.stringContaining(`index ${bad} `),
    });
  });

  it("validatePoints inside a many-chunk plan names the index in the caller's array", async () => {
    // A host budget of ~n/3 points makes several wasm chunks; the check runs inside each chunk's MSM task.
    const rt = await createRuntime({ threads: 2, gpu: false, maxHostBytes: Math.ceil(n / 3) * 5 * 96 });
    try {
      const curve = 'bn254';
      const points = await rt.samplePoints({ curve, group: 'g1', n, seed: 7 });
      const scalars = encodeScalars(randomScalars(curve, n, 'validate-chunks'));
      expect((await rt.plan({ op: 'msm', curve, group: 'g1', n })).chunks.length).toBeGreaterThan(2);
      const good = await rt.msm({ curve, group: 'g1', points, scalars, validatePoints: true });
      expect(good).toEqual(await rt.msm({ curve, group: 'g1', points, scalars }));
      const bad = n - 2; // in the last chunk
      points[bad * 64 + 5] ^= 4;
      await expect(rt.msm({ curve, group: 'g1', points, scalars, validatePoints: true })).rejects.toMatchObject({
        code: 'POINT_NOT_ON_CURVE',
        message: expect.stringContaining(`index ${bad} `),
      });
    } finally {
      await rt.dispose();
    }
  });

  it('rejects with AbortError when the signal aborts mid-run, and the runtime still works after', async () => {
    const points = await runtime.samplePoints({ curve: 'bn254', group: 'g1', n: 1 << 15, seed: 2 });
    const scalars = encodeScalars(randomScalars('bn254', 1 << 15, 'abort'));
    const controller = new AbortController();
    const pending = runtime.msm({ curve: 'bn254', group: 'g1', points, scalars, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    const small = await runtime.samplePoints({ curve: 'bn254', group: 'g1', n: 3, seed: 2 });
    const sum = await runtime.msm({ curve: 'bn254', group: 'g1', points: small, scalars: encodeScalars([1n, 2n, 3n]) });
    expect(zkgpuAsNoble('bn254', 'g1', sum)).toEqual(nobleMsm('bn254', 'g1', small, [1n, 2n, 3n]));
  });
});

describe('runtime.msm bad input', () => {
  const points = () => encodePoints('bn254', 'g1', [g1('bn254').generator, g1('bn254').generator]);

  it('rejects an unknown curve or group', async () => {
    await expect(runtime.msm({ curve: 'secp256k1' as CurveName, group: 'g1', points: points(), scalars: new Uint8Array(64) })).rejects.toMatchObject({ code: 'UNKNOWN_CURVE' });
    await expect(runtime.msm({ curve: 'bn254', group: 'g3' as GroupName, points: points(), scalars: new Uint8Array(64) })).rejects.toMatchObject({ code: 'UNKNOWN_GROUP' });
  });

  it('rejects mismatched lengths, naming both counts', async () => {
    await expect(runtime.msm({ curve: 'bn254', group: 'g1', points: points(), scalars: new Uint8Array(96) })).rejects.toMatchObject({
      code: 'LENGTH_MISMATCH',
      message: '2 points but 3 scalars',
    });
    await expect(runtime.msm({ curve: 'bn254', group: 'g1', points: points().subarray(1), scalars: new Uint8Array(64) })).rejects.toMatchObject({ code: 'LENGTH_MISMATCH' });
    await expect(runtime.msm({ curve: 'bn254', group: 'g1', points: points(), scalars: new Uint8Array(63) })).rejects.toMatchObject({ code: 'LENGTH_MISMATCH' });
  });

  it('rejects a scalar not below the group order, naming its index', async () => {
    const r = CURVES.bn254.r;
    for (const bad of [r, r + 1n, (1n << 256n) - 1n]) {
      const scalars = encodeScalars([1n, 0n]);
      const big = new Uint8Array(32);
      for (let i = 0, x = bad; i < 32; i++, x >>= 8n) big[i] = Number(x & 0xffn);
      scalars.set(big, 32);
      await expect(runtime.msm({ curve: 'bn254', group: 'g1', points: points(), scalars })).rejects.toMatchObject({
        code: 'SCALAR_OUT_OF_RANGE',
        message: expect.stringContaining('index 1'),
      });
    }
    // r - 1 is accepted.
    await expect(runtime.msm({ curve: 'bn254', group: 'g1', points: points(), scalars: encodeScalars([r - 1n, 1n]) })).resolves.toBeInstanceOf(Uint8Array);
  });

  it('rejects non-byte inputs and a bad window size', async () => {
    await expect(runtime.msm({ curve: 'bn254', group: 'g1', points: [1, 2] as unknown as Uint8Array, scalars: new Uint8Array(0) })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(runtime.msm({ curve: 'bn254', group: 'g1', points: points(), scalars: new Uint8Array(64), windowBits: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
