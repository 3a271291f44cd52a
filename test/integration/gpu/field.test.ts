import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURVES, montMulLimbs, toLimbs, fromLimbs, toMont, fromMont } from '../../../src/math/index.js';
import { acquireGpu, type GpuContext } from '../../../src/gpu/index.js';
import { fieldPrelude, FIELD_LIMB_BITS } from '../../../src/gpu/field.js';
import { gpuFieldOp } from '../../../src/gpu/field-kernel.js';
import { boundaryValues, rngFor, SEED } from '../../support/seed.js';

let ctx: GpuContext;
beforeAll(async () => {
  const c = await acquireGpu();
  if (!c) throw new Error('no WebGPU adapter: the GPU suites need one (lavapipe works)');
  ctx = c;
  console.log(`[gpu] ${ctx.info.vendor} ${ctx.info.architecture} ${ctx.info.description} seed ${SEED}`);
});
afterAll(() => ctx?.dispose());

const mod = (x: bigint, p: bigint) => ((x % p) + p) % p;

describe('field prelude', () => {
  it('the standalone block of shaders/field.wgsl is the generated prelude for p = 97', () => {
    const src = readFileSync(new URL('../../../shaders/field.wgsl', import.meta.url), 'utf8');
    const block = /\/\/ @standalone-begin[^\n]*\n([\s\S]*?)\/\/ @standalone-end/.exec(src)![1];
    expect(block).toBe(fieldPrelude(97n).code.trimEnd() + '\n');
  });
});

describe('GPU field arithmetic (16-bit limbs)', () => {
  it('p = 97: every pair, every op', async () => {
    const p = 97n;
    const params = fieldPrelude(p).params;
    const rInv = params.rInv;
    const a: bigint[] = [];
    const b: bigint[] = [];
    for (let x = 0n; x < p; x++) for (let y = 0n; y < p; y++) a.push(x), b.push(y);
    const [add, sub, mul, tm, fm] = await Promise.all([
      gpuFieldOp(ctx, p, 'add', a, b),
      gpuFieldOp(ctx, p, 'sub', a, b),
      gpuFieldOp(ctx, p, 'mul', a, b),
      gpuFieldOp(ctx, p, 'toMont', a, []),
      gpuFieldOp(ctx, p, 'fromMont', a, []),
    ]);
    for (let i = 0; i < a.length; i++) {
      expect(add[i]).toBe(mod(a[i] + b[i], p));
      expect(sub[i]).toBe(mod(a[i] - b[i], p));
      expect(mul[i]).toBe(mod(a[i] * b[i] * rInv, p));
      expect(tm[i]).toBe(toMont(a[i], params));
      expect(fm[i]).toBe(mod(a[i] * rInv, p));
    }
  });

  const fields = [
    ['bn254 Fr', CURVES.bn254.r],
    ['bn254 Fp', CURVES.bn254.p],
    ['bls12-381 Fr', CURVES['bls12-381'].r],
    ['bls12-381 Fp', CURVES['bls12-381'].p],
  ] as const;

  for (const [name, p] of fields) {
    it(`${name}: random and limb-boundary values vs the BigInt oracle`, async () => {
      const pre = fieldPrelude(p);
      const params = pre.params;
      const rng = rngFor(`field:${name}`);
      const edge = boundaryValues(p, [16, 32, 64]);
      const a: bigint[] = [];
      const b: bigint[] = [];
      for (const x of edge) for (const y of edge) a.push(x), b.push(y);
      for (let i = 0; i < 256; i++) a.push(rng.nextBigInt(p)), b.push(rng.nextBigInt(p));
      const rInv = pre.params.rInv;
      const [add, sub, mul, tm, fm] = await Promise.all([
        gpuFieldOp(ctx, p, 'add', a, b),
        gpuFieldOp(ctx, p, 'sub', a, b),
        gpuFieldOp(ctx, p, 'mul', a, b),
        gpuFieldOp(ctx, p, 'toMont', a, []),
        gpuFieldOp(ctx, p, 'fromMont', a, []),
      ]);
      for (let i = 0; i < a.length; i++) {
        expect(add[i], `add #${i}`).toBe(mod(a[i] + b[i], p));
        expect(sub[i], `sub #${i}`).toBe(mod(a[i] - b[i], p));
        expect(mul[i], `mul #${i}`).toBe(mod(a[i] * b[i] * rInv, p));
        expect(tm[i], `toMont #${i}`).toBe(toMont(a[i], params));
        expect(fm[i], `fromMont #${i}`).toBe(fromMont(a[i], params));
      }
    });

    it(`${name}: carry-free bound, all-ones limbs (2^(16n) - 1) match montMulLimbs bit for bit`, async () => {
      const pre = fieldPrelude(p);
      const n = pre.params.limbCount;
      const ones = (1n << BigInt(FIELD_LIMB_BITS * n)) - 1n;
      const inputs: [bigint, bigint][] = [
        [ones, ones],
        [ones, p - 1n],
        [p - 1n, p - 1n],
      ];
      const got = await gpuFieldOp(
        ctx,
        p,
        'mul',
        inputs.map((x) => x[0]),
        inputs.map((x) => x[1]),
      );
      inputs.forEach(([x, y], i) => {
        const ref = fromLimbs(montMulLimbs(toLimbs(x, 16, n), toLimbs(y, 16, n), pre.params), 16);
        expect(got[i]).toBe(ref);
      });
    });
  }
});
