/// <reference types="@webgpu/types" />
/**
 * Element-wise G1 operations of shaders/curve.wgsl on the GPU (shaders/msm_curve_test.wgsl), for
 * the tests against the BigInt oracle: out[i] = a[i] + b[i], a[i] + affine(b[i]), 2 a[i]; and the
 * same for G2's step table (shaders/msm_g2_curve_test.wgsl).
 */
import type { CurveName } from '../math/index.js';
import type { GpuContext } from '../gpu/context.js';
import { loadShader, stripStandalone } from '../gpu/program.js';
import { readBuffer, submitPasses, uploadBuffer } from '../gpu/runner.js';
import { curveG2Prelude, curvePrelude, stepTableWords } from './prelude.js';
import { decodeXyzz, encodeXyzz, type XyzzPoint } from './xyzz.js';
import { decodeXyzzG2, encodeXyzzG2, type XyzzG2Point } from './xyzz-g2.js';

export type CurveOp = 'add' | 'addAffine' | 'double';
const OPS: Record<CurveOp, number> = { add: 0, addAffine: 1, double: 2 };

/**
 * For 'addAffine', b[i] is read as the affine point (X, Y) (X = Y = 0: infinity), so pass
 * { X: x, Y: y, ZZ: 1, ZZZ: 1 } or all zeros.
 */
export async function gpuCurveOp(ctx: GpuContext, curve: CurveName, op: CurveOp, a: readonly XyzzPoint[], b: readonly XyzzPoint[]): Promise<XyzzPoint[]> {
  const pre = curvePrelude(curve);
  const src = async (f: string) => stripStandalone(await loadShader(f));
  const program = await ctx.programs.get({
    name: `msm_curve_test:${curve}`,
    entryPoint: 'msm_curve_test',
    key: pre.key,
    sources: [pre.field.code, await src('field'), pre.code, await src('curve'), await src('msm_curve_test')],
  });
  const count = a.length;
  const label = `msm_curve_test:${curve}:${op}`;
  const bufA = uploadBuffer(ctx, encodeXyzz(curve, a), label);
  const bufB = uploadBuffer(ctx, encodeXyzz(curve, b.length ? b : a), label);
  const out = uploadBuffer(ctx, new Uint8Array(Math.max(4, count * pre.xyzzBytes)), label);
  const params = uploadBuffer(ctx, new Uint8Array(new Uint32Array([count, OPS[op], 0, 0]).buffer), label);
  const buffers = [bufA, bufB, out, params];
  try {
    await submitPasses(ctx, [{ program, buffers, workgroups: [Math.max(1, Math.ceil(count / 64))] }], label);
    const bytes = await readBuffer(ctx, out, count * pre.xyzzBytes, label);
    return Array.from({ length: count }, (_, i) => decodeXyzz(curve, bytes, i));
  } finally {
    await ctx.pool.release(buffers);
  }
}

export type CurveG2Op = CurveOp | 'subAffine';
const G2_OPS: Record<CurveG2Op, number> = { add: 0, addAffine: 1, double: 2, subAffine: 3 };

/**
 * The G2 step table's operations element-wise (shaders/msm_g2_curve_test.wgsl): out[i] = a[i] + b[i],
 * a[i] + affine(b[i]), 2 a[i], a[i] - affine(b[i]). For the affine ops b[i] is read as (X, Y)
 * (X = Y = 0: infinity), as for gpuCurveOp.
 */
export async function gpuCurveG2Op(ctx: GpuContext, curve: CurveName, op: CurveG2Op, a: readonly XyzzG2Point[], b: readonly XyzzG2Point[]): Promise<XyzzG2Point[]> {
  const pre = curveG2Prelude(curve);
  const src = async (f: string) => stripStandalone(await loadShader(f));
  const program = await ctx.programs.get({
    name: `msm_g2_curve_test:${curve}`,
    entryPoint: 'msm_g2_curve_test',
    key: pre.key,
    sources: [pre.field.code, await src('field'), pre.code, await src('curve_g2'), await src('msm_g2_curve_test')],
  });
  const count = a.length;
  const label = `msm_g2_curve_test:${curve}:${op}`;
  const buffers = [
    uploadBuffer(ctx, encodeXyzzG2(curve, a), label),
    uploadBuffer(ctx, encodeXyzzG2(curve, b.length ? b : a), label),
    uploadBuffer(ctx, new Uint8Array(Math.max(16, count * pre.xyzzBytes)), label),
    uploadBuffer(ctx, new Uint8Array(new Uint32Array([count, G2_OPS[op], 0, 0]).buffer), label),
    uploadBuffer(ctx, stepTableWords(curve), label, GPUBufferUsage.UNIFORM),
  ];
  try {
    await submitPasses(ctx, [{ program, buffers, workgroups: [Math.max(1, Math.ceil(count / 64))] }], label);
    const bytes = await readBuffer(ctx, buffers[2], count * pre.xyzzBytes, label);
    return Array.from({ length: count }, (_, i) => decodeXyzzG2(curve, bytes, i));
  } finally {
    await ctx.pool.release(buffers);
  }
}
