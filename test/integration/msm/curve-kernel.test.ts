import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURVES, fpField, g1, type CurveName, type G1Point } from '../../../src/math/index.js';
import { acquireGpu, type GpuContext } from '../../../src/gpu/index.js';
import { curvePrelude, gpuCurveOp, xyzzFromAffine, xyzzToAffine, type XyzzPoint } from '../../../src/msm/index.js';
import { rngFor, SEED } from '../../support/seed.js';

let ctx: GpuContext;
beforeAll(async () => {
  const c = await acquireGpu();
  if (!c) throw new Error('no WebGPU adapter: the GPU suites need one (lavapipe works)');
  ctx = c;
  console.log(`[gpu curve] ${ctx.info.vendor} ${ctx.info.description} seed ${SEED}`);
});
afterAll(() => ctx?.dispose());

const curves: CurveName[] = ['bn254', 'bls12-381'];
const INF_AFFINE: XyzzPoint = { X: 0n, Y: 0n, ZZ: 0n, ZZZ: 0n };

describe('shaders are valid WGSL on their own', () => {
  for (const name of ['curve', 'msm_sort', 'msm_scan', 'msm_bucket', 'msm_reduce', 'msm_curve_test']) {
    it(`shaders/${name}.wgsl`, async () => {
      const code = readFileSync(new URL(`../../../shaders/${name}.wgsl`, import.meta.url), 'utf8');
      const module = ctx.device.createShaderModule({ label: `standalone:${name}`, code });
      const info = await module.getCompilationInfo();
      expect(info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}: ${m.message}`)).toEqual([]);
    });
  }
});

describe('curve prelude', () => {
  for (const curve of curves) {
    it(`${curve}: CURVE_B is b in Montgomery form, radix matches the .zkey encoding`, () => {
      const pre = curvePrelude(curve);
      const limbs = /CURVE_B: Fe = Fe\(([^)]*)\)/
        .exec(pre.code)![1]
        .split(',')
        .map((s) => BigInt(parseInt(s, 10)));
      const v = limbs.reduceRight((acc, l) => (acc << 16n) | l, 0n);
      const { p, fpBytes, g1: g } = CURVES[curve];
      expect(v).toBe((g.b << BigInt(8 * fpBytes)) % p);
      expect(pre.xyzzBytes).toBe(4 * fpBytes);
    });
  }
});

describe('G1 XYZZ arithmetic on the GPU vs the BigInt oracle', () => {
  for (const curve of curves) {
    it(`${curve}: add, mixed add, double with every edge`, async () => {
      const G = g1(curve);
      const F = fpField(curve);
      const rng = rngFor(`curve:${curve}`);
      const rz = () => 1n + rng.nextBigInt(CURVES[curve].p - 1n);
      const P: G1Point[] = Array.from({ length: 6 }, () => G.random(rng));
      const inf = G.infinity;
      const before = ctx.dispatchCount;
      const affineOf = (xs: XyzzPoint[]) => xs.map((x) => xyzzToAffine(curve, x));

      // pairs (left, right): random, P + P (different z), P + (-P), infinity on either side or both
      const pairs: [G1Point, G1Point][] = [
        [P[0], P[1]],
        [P[2], P[3]],
        [P[4], P[4]],
        [P[5], G.neg(P[5])],
        [inf, P[0]],
        [P[1], inf],
        [inf, inf],
        [G.generator, G.double(G.generator)],
      ];
      const a = pairs.map(([l]) => xyzzFromAffine(curve, l, rz()));
      const bFull = pairs.map(([, r]) => xyzzFromAffine(curve, r, rz()));
      const want = pairs.map(([l, r]) => G.add(l, r));
      expect(affineOf(await gpuCurveOp(ctx, curve, 'add', a, bFull))).toEqual(want);

      const bAff = pairs.map(([, r]) => (r.infinity ? INF_AFFINE : { X: r.x, Y: r.y, ZZ: 1n, ZZZ: 1n }));
      expect(affineOf(await gpuCurveOp(ctx, curve, 'addAffine', a, bAff))).toEqual(want);

      const dbl = [P[0], P[1], inf, G.generator];
      expect(
        affineOf(
          await gpuCurveOp(
            ctx,
            curve,
            'double',
            dbl.map((p) => xyzzFromAffine(curve, p, rz())),
            [],
          ),
        ),
      ).toEqual(dbl.map((p) => G.double(p)));

      // the canonical infinity the kernels return has ZZ = ZZZ = 0
      const [infSum] = await gpuCurveOp(ctx, curve, 'add', [xyzzFromAffine(curve, P[5])], [xyzzFromAffine(curve, G.neg(P[5]), rz())]);
      expect(F.isZero(infSum.ZZ) && F.isZero(infSum.ZZZ)).toBe(true);
      expect(ctx.dispatchCount - before).toBe(4);
    });
  }
});
