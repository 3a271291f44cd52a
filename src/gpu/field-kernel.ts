/**
 * Element-wise field operations on the GPU (add, sub, Montgomery mul, to/from Montgomery), used by
 * the field tests and as the smallest end-to-end user of the runtime. Values travel as 16-bit
 * limbs, one per u32 (see field.ts for the limb choice).
 */
import { toLimbs, fromLimbs } from '../math/index.js';
import type { GpuContext } from './context.js';
import { fieldPrelude, FIELD_LIMB_BITS } from './field.js';
import { loadShader, stripStandalone } from './program.js';
import { readBuffer, submitPasses, uploadBuffer } from './runner.js';

export type FieldOp = 'add' | 'sub' | 'mul' | 'toMont' | 'fromMont';
const OPS: Record<FieldOp, number> = { add: 0, sub: 1, mul: 2, toMont: 3, fromMont: 4 };

/** out[i] = op(a[i], b[i]) mod `modulus` on the GPU; for 'mul' this is a*b*R^-1 (Montgomery). */
export async function gpuFieldOp(ctx: GpuContext, modulus: bigint, op: FieldOp, a: readonly bigint[], b: readonly bigint[]): Promise<bigint[]> {
  const pre = fieldPrelude(modulus);
  const n = pre.params.limbCount;
  const count = a.length;
  const program = await ctx.programs.get({
    name: 'field_test',
    key: pre.key,
    sources: [pre.code, stripStandalone(await loadShader('field')), stripStandalone(await loadShader('field_test'))],
  });
  const pack = (xs: readonly bigint[]) => {
    const u = new Uint32Array(Math.max(1, count * n));
    xs.forEach((x, i) => u.set(toLimbs(x, FIELD_LIMB_BITS, n), i * n));
    return new Uint8Array(u.buffer);
  };
  const bufA = uploadBuffer(ctx, pack(a), 'field_test');
  const bufB = uploadBuffer(ctx, pack(b.length ? b : a.map(() => 0n)), 'field_test');
  const out = uploadBuffer(ctx, new Uint8Array(Math.max(4, count * n * 4)), 'field_test');
  const params = uploadBuffer(ctx, new Uint8Array(new Uint32Array([count, OPS[op]]).buffer), 'field_test');
  const buffers = [bufA, bufB, out, params];
  try {
    const groups = Math.ceil(count / 64);
    const x = Math.min(groups, 65535);
    await submitPasses(ctx, [{ program, buffers, workgroups: [x, Math.ceil(groups / 65535)] }], 'field_test');
    const bytes = await readBuffer(ctx, out, count * n * 4, 'field_test');
    const u = new Uint32Array(bytes.buffer, bytes.byteOffset, count * n);
    const res: bigint[] = [];
    for (let i = 0; i < count; i++) res.push(fromLimbs(Array.from(u.subarray(i * n, (i + 1) * n)), FIELD_LIMB_BITS));
    return res;
  } finally {
    await ctx.pool.release(buffers);
  }
}
