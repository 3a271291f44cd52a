/// <reference types="@webgpu/types" />
/**
 * Fr NTT on WebGPU (BN254 and BLS12-381), same semantics as the WASM engine's runtime.ntt.
 *
 * Shape: ntt_prep (bytes -> Montgomery, coset factor g^j for forward, permute to bit-reversed),
 * one ntt_tile pass running stages 1..8 on 256-element
 * tiles in workgroup memory, then logN - 8 global radix-2 DIT passes (ntt_stage, ping-pong between two buffers, twiddles ω_{2h}^k at
 * table[h + k]), ntt_post (inverse: multiply by g^-j n^-1; from Montgomery; permute to the
 * requested output order). All passes go into one command buffer.
 * Elements are 16 limbs of 16 bits packed two per u32 = 32 bytes, the input encoding unchanged.
 *
 * Tables (twiddles ω_{2h}^k, coset factors g^j, inverse scale g^-j n^-1) are built on the device by
 * ntt_powers from O(log n) BigInt bases and cached per context; callers must not run two NTTs on
 * one context at once (the runtime queues GPU jobs), since a cached table can be evicted.
 *
 * Not done yet: tiling the outer stages too (e.g. a four-step / transposed layout), and values
 * larger than one storage binding (n is capped by maxStorageBufferBindingSize / 32 bytes: 2^22 at
 * the 128 MiB default, more with the adapter's own limits).
 */
import { ZkgpuError } from '../core/errors.js';
import { CURVES, invMod, mod, rootOfUnity, toMont, type CurveName } from '../math/index.js';
import type { GpuContext } from '../gpu/context.js';
import { fieldPrelude } from '../gpu/field.js';
import { loadShader, stripStandalone, type Program } from '../gpu/program.js';
import { readBuffer, stagedOnce, submitPasses, uploadBuffer, uploadInputs, type Pass, type StagedGpu } from '../gpu/runner.js';

export type GpuNttOrder = 'natural' | 'bit-reversed';

export interface GpuNttRequest {
  curve: CurveName;
  /** n = 2^logN Fr elements, 32-byte little-endian standard form. */
  values: Uint8Array;
  logN: number;
  inverse: boolean;
  shift: bigint | null;
  inputOrder: GpuNttOrder;
  outputOrder: GpuNttOrder;
  /** Testing aid: stop after this pass and return its raw buffer (Montgomery form, bit-reversed order). */
  debugStopAfter?: 'prep' | 'tile';
}

const ELEMENT_BYTES = 32;
/** log2 of the workgroup tile (shaders/ntt.wgsl TILE_LOG): 256 elements * 32 B = 8 KiB of workgroup memory. */
export const TILE_LOG = 8;

function montBytes(xs: readonly bigint[], curve: CurveName): Uint8Array {
  const params = fieldPrelude(CURVES[curve].r).params;
  const out = new Uint8Array(xs.length * ELEMENT_BYTES);
  xs.forEach((x, i) => {
    let v = toMont(x, params);
    for (let b = 0; b < ELEMENT_BYTES; b++, v >>= 8n) out[i * ELEMENT_BYTES + b] = Number(v & 0xffn);
  });
  return out;
}

/**
 * Twiddle, coset and scale tables live on the device, built there by ntt_powers from O(log n)
 * bases, and are cached per context (a 2^20 BN254 table is 32 MiB; at most TABLE_CACHE_ENTRIES
 * are kept, oldest evicted first).
 */
const TABLE_CACHE_ENTRIES = 6;
const tableCaches = new WeakMap<GpuContext, Map<string, GPUBuffer>>();

async function deviceTable(
  ctx: GpuContext,
  progs: NttPrograms,
  key: string,
  count: number,
  mode: 'twiddles' | 'powers',
  bases: readonly bigint[],
  curve: CurveName,
): Promise<GPUBuffer> {
  let cache = tableCaches.get(ctx);
  if (!cache) tableCaches.set(ctx, (cache = new Map()));
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit); // most recently used last
    return hit;
  }
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const table = ctx.pool.acquire(count * ELEMENT_BYTES, usage, `ntt-table:${key}`);
  const basesBuf = uploadBuffer(ctx, montBytes(bases, curve), `ntt-table:${key}:bases`);
  const params = uploadBuffer(ctx, new Uint8Array(new Uint32Array([count, 0, 0, mode === 'twiddles' ? 0 : 1]).buffer), `ntt-table:${key}:params`);
  try {
    await submitPasses(
      ctx,
      [{ program: progs.powers, buffers: [basesBuf, table, basesBuf, params], workgroups: workgroups(count, ctx.limits.maxComputeWorkgroupsPerDimension) }],
      `ntt-table:${key}`,
    );
  } catch (e) {
    await ctx.pool.release([table]);
    throw e;
  } finally {
    await ctx.pool.release([basesBuf, params]);
  }
  cache.set(key, table);
  while (cache.size > TABLE_CACHE_ENTRIES) {
    const [oldKey, old] = cache.entries().next().value as [string, GPUBuffer];
    cache.delete(oldKey);
    await ctx.pool.release([old]);
  }
  return table;
}

/** Releases this context's cached NTT tables (they are otherwise kept until dispose). */
export async function releaseNttTables(ctx: GpuContext): Promise<number> {
  const cache = tableCaches.get(ctx);
  if (!cache) return 0;
  const buffers = [...cache.values()];
  cache.clear();
  await ctx.pool.release(buffers);
  return buffers.length;
}

/** Bases for the twiddle table: ω_{2^s} for s = 1..logN (inverted for the inverse transform). */
function twiddleBases(curve: CurveName, logN: number, inverse: boolean): bigint[] {
  const p = CURVES[curve].r;
  return Array.from({ length: Math.max(logN, 1) }, (_, b) => {
    const w = rootOfUnity(curve, b + 1);
    return inverse ? invMod(w, p) : w;
  });
}

type NttPrograms = Record<'prep' | 'stage' | 'tile' | 'post' | 'powers', Program>;

async function nttPrograms(ctx: GpuContext, curve: CurveName): Promise<NttPrograms> {
  const pre = fieldPrelude(CURVES[curve].r);
  const sources = [pre.code, stripStandalone(await loadShader('field')), stripStandalone(await loadShader('ntt'))];
  const get = (entry: string) => ctx.programs.get({ name: `ntt_${entry}:${curve}`, entryPoint: `ntt_${entry}`, key: pre.key, sources });
  const [prep, stage, tile, post, powers] = await Promise.all([get('prep'), get('stage'), get('tile'), get('post'), get('powers')]);
  return { prep, stage, tile, post, powers };
}

function workgroups(threads: number, maxPerDim: number): [number, number] {
  const groups = Math.max(1, Math.ceil(threads / 64));
  const x = Math.min(groups, maxPerDim);
  return [x, Math.ceil(groups / x)];
}

/** Runs one NTT on the GPU; resolves to n 32-byte LE standard-form values. */
export async function gpuNtt(ctx: GpuContext, req: GpuNttRequest): Promise<Uint8Array> {
  return (await stageGpuNtt(ctx, req)).run();
}

/**
 * gpuNtt in two halves, for the scheduler's device queue: this compiles the pipelines and uploads
 * the values (what may run while the device computes another chunk); `run` builds or finds the
 * tables, computes, reads back and frees the buffers. Tables are looked up in `run` only, so two
 * NTTs' table work never interleaves (runs are one at a time per device).
 */
export async function stageGpuNtt(ctx: GpuContext, req: GpuNttRequest): Promise<StagedGpu<Uint8Array>> {
  const { curve, values, logN } = req;
  if (!(curve in CURVES)) throw new ZkgpuError('UNKNOWN_CURVE', `gpuNtt: unknown curve ${String(curve)}`);
  if (!Number.isInteger(logN) || logN < 0 || logN > CURVES[curve].frTwoAdicity) {
    throw new ZkgpuError('NTT_SIZE_TOO_LARGE', `gpuNtt: logN ${logN} outside 0..${CURVES[curve].frTwoAdicity}`);
  }
  const n = 1 << logN;
  if (values.byteLength !== n * ELEMENT_BYTES) {
    throw new ZkgpuError('LENGTH_MISMATCH', `gpuNtt: expected ${n * ELEMENT_BYTES} bytes for 2^${logN} values, got ${values.byteLength}`);
  }
  const bytes = n * ELEMENT_BYTES;
  if (bytes > ctx.limits.maxStorageBufferBindingSize) {
    throw new ZkgpuError(
      'NTT_SIZE_TOO_LARGE',
      `gpuNtt: 2^${logN} values (${bytes} bytes) exceed this GPU's storage binding limit (${ctx.limits.maxStorageBufferBindingSize} bytes)`,
    );
  }
  const progs = await nttPrograms(ctx, curve);
  const label = `ntt:${curve}:2^${logN}`;
  const [input] = await uploadInputs(ctx, [{ data: values, label: `${label}:in` }]);
  return stagedOnce(
    ctx,
    input,
    (b) => [b],
    'gpuNtt: a staged NTT',
    async (b) => {
      try {
        return await computeNtt(ctx, progs, req, b);
      } finally {
        await ctx.pool.release([b]); // also when a table build failed first (a second release is a no-op)
      }
    },
  );
}

/** The passes of one NTT over its uploaded values `input`, which it frees (it also holds the output). */
async function computeNtt(ctx: GpuContext, progs: NttPrograms, req: GpuNttRequest, input: GPUBuffer): Promise<Uint8Array> {
  const { curve, logN, inverse } = req;
  const n = 1 << logN;
  const bytes = n * ELEMENT_BYTES;
  const label = `ntt:${curve}:2^${logN}`;
  const bufs: GPUBuffer[] = [input];
  const keep = (b: GPUBuffer) => (bufs.push(b), b);
  const p = CURVES[curve].r;
  const shift = req.shift === null || req.shift === 1n ? null : mod(req.shift, p);

  // Coset factor before (forward: g^j) or scale after (inverse: g^-j n^-1), indexed by natural j.
  const tableSize = Math.max(n, 2);
  const tw = await deviceTable(ctx, progs, `tw:${curve}:${logN}:${inverse}`, tableSize, 'twiddles', twiddleBases(curve, logN, inverse), curve);
  let preTable: GPUBuffer | null = null;
  let postTable: GPUBuffer | null = null;
  if (!inverse && shift !== null) preTable = await deviceTable(ctx, progs, `cos:${curve}:${logN}:${shift}`, n, 'powers', [shift, 1n], curve);
  if (inverse && (shift !== null || n > 1)) {
    const gInv = shift === null ? 1n : invMod(shift, p);
    postTable = await deviceTable(ctx, progs, `scale:${curve}:${logN}:${shift}`, n, 'powers', [gInv, invMod(BigInt(n), p)], curve);
  }
  const dummy = new Uint8Array(ELEMENT_BYTES);
  const param = (half: number, flags: number) => uploadBuffer(ctx, new Uint8Array(new Uint32Array([n, logN, half, flags]).buffer), label);

  try {
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const bufA = keep(ctx.pool.acquire(bytes, usage, `${label}:a`));
    const b = keep(ctx.pool.acquire(bytes, usage, `${label}:b`));
    const preT = preTable ?? keep(uploadBuffer(ctx, dummy, `${label}:coset`));
    const postT = postTable ?? keep(uploadBuffer(ctx, dummy, `${label}:scale`));
    const maxDim = ctx.limits.maxComputeWorkgroupsPerDimension;
    const inFlags = req.inputOrder === 'bit-reversed' ? 1 : 0;
    const passes: Pass[] = [{ program: progs.prep, buffers: [input, bufA, preT, keep(param(0, inFlags | (preTable ? 2 : 0)))], workgroups: workgroups(n, maxDim) }];
    let src = bufA;
    let dst = b;
    if (req.debugStopAfter === 'prep') {
      await submitPasses(ctx, passes, label);
      return await readBuffer(ctx, src, bytes, label);
    }
    // stages 1..TILE_LOG inside workgroup memory (one pass), the rest as global passes
    const tileStages = Math.min(logN, TILE_LOG);
    if (tileStages > 0) {
      passes.push({ program: progs.tile, buffers: [src, dst, tw, keep(param(tileStages, 0))], workgroups: workgroups(Math.max(1, n >> TILE_LOG) * 64, maxDim) });
      [src, dst] = [dst, src];
    }
    if (req.debugStopAfter === 'tile') {
      await submitPasses(ctx, passes, label);
      return await readBuffer(ctx, src, bytes, label);
    }
    for (let s = tileStages + 1; s <= logN; s++) {
      passes.push({ program: progs.stage, buffers: [src, dst, tw, keep(param(1 << (s - 1), 0))], workgroups: workgroups(n / 2, maxDim) });
      [src, dst] = [dst, src];
    }
    // post writes into the input buffer (no longer needed) so src stays intact
    const outFlags = (postTable ? 2 : 0) | (req.outputOrder === 'bit-reversed' ? 4 : 0);
    passes.push({ program: progs.post, buffers: [src, input, postT, keep(param(0, outFlags))], workgroups: workgroups(n, maxDim) });
    await submitPasses(ctx, passes, label);
    return await readBuffer(ctx, input, bytes, label);
  } finally {
    await ctx.pool.release(bufs);
  }
}
