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
 * Not done yet: tiling the outer stages too (e.g. a four-step / transposed layout), and values larger than one storage binding (n is capped by maxStorageBufferBindingSize / 32 bytes:
 * 2^22 at the 128 MiB default, more with the adapter's own limits). Twiddle and coset tables are
 * computed with BigInt on the host (O(n) multiplications; cached per (curve, logN, direction)).
 */
import { ZkgpuError } from '../errors.js';
import { CURVES, invMod, mod, rootOfUnity, toMont, type CurveName } from '../math/index.js';
import type { GpuContext } from '../gpu/context.js';
import { fieldPrelude } from '../gpu/field.js';
import { loadShader, stripStandalone, type Program } from '../gpu/program.js';
import { readBuffer, submitPasses, uploadBuffer, type Pass } from '../gpu/runner.js';

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

function powers(base: bigint, n: number, scale: bigint, p: bigint): bigint[] {
  const out = new Array<bigint>(n);
  let x = mod(scale, p);
  for (let i = 0; i < n; i++) (out[i] = x), (x = (x * base) % p);
  return out;
}

const tableCache = new Map<string, Uint8Array>();
function cached(key: string, make: () => Uint8Array): Uint8Array {
  let t = tableCache.get(key);
  if (!t) {
    t = make();
    if (tableCache.size > 32) tableCache.clear();
    tableCache.set(key, t);
  }
  return t;
}

/** table[h + k] = ω_{2h}^k for h = 1, 2, 4, ..., n/2 (ω inverted for the inverse transform). */
function twiddles(curve: CurveName, logN: number, inverse: boolean): Uint8Array {
  return cached(`tw:${curve}:${logN}:${inverse}`, () => {
    const p = CURVES[curve].r;
    const n = 1 << logN;
    const all = new Array<bigint>(Math.max(n, 2)).fill(0n);
    for (let s = 1; s <= logN; s++) {
      const h = 1 << (s - 1);
      let w = rootOfUnity(curve, s);
      if (inverse) w = invMod(w, p);
      powers(w, h, 1n, p).forEach((x, k) => (all[h + k] = x));
    }
    return montBytes(all, curve);
  });
}

async function nttPrograms(ctx: GpuContext, curve: CurveName): Promise<Record<'prep' | 'stage' | 'tile' | 'post', Program>> {
  const pre = fieldPrelude(CURVES[curve].r);
  const sources = [pre.code, stripStandalone(await loadShader('field')), stripStandalone(await loadShader('ntt'))];
  const get = (entry: string) => ctx.programs.get({ name: `ntt_${entry}:${curve}`, entryPoint: `ntt_${entry}`, key: pre.key, sources });
  const [prep, stage, tile, post] = await Promise.all([get('prep'), get('stage'), get('tile'), get('post')]);
  return { prep, stage, tile, post };
}

function workgroups(threads: number, maxPerDim: number): [number, number] {
  const groups = Math.max(1, Math.ceil(threads / 64));
  const x = Math.min(groups, maxPerDim);
  return [x, Math.ceil(groups / x)];
}

/** Runs one NTT on the GPU; resolves to n 32-byte LE standard-form values. */
export async function gpuNtt(ctx: GpuContext, req: GpuNttRequest): Promise<Uint8Array> {
  const { curve, values, logN, inverse } = req;
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
    throw new ZkgpuError('NTT_SIZE_TOO_LARGE', `gpuNtt: 2^${logN} values (${bytes} bytes) exceed this GPU's storage binding limit (${ctx.limits.maxStorageBufferBindingSize} bytes)`);
  }
  const p = CURVES[curve].r;
  const shift = req.shift === null || req.shift === 1n ? null : mod(req.shift, p);
  const progs = await nttPrograms(ctx, curve);
  const label = `ntt:${curve}:2^${logN}`;

  // Coset factor before (forward: g^j) or scale after (inverse: g^-j n^-1), indexed by natural j.
  let preTable: Uint8Array | null = null;
  let postTable: Uint8Array | null = null;
  if (!inverse && shift !== null) preTable = cached(`cos:${curve}:${logN}:${shift}`, () => montBytes(powers(shift, n, 1n, p), curve));
  if (inverse && (shift !== null || n > 1)) {
    const gInv = shift === null ? 1n : invMod(shift, p);
    postTable = cached(`scale:${curve}:${logN}:${shift}`, () => montBytes(powers(gInv, n, invMod(BigInt(n), p), p), curve));
  }
  const dummy = new Uint8Array(ELEMENT_BYTES);
  const param = (half: number, flags: number) => uploadBuffer(ctx, new Uint8Array(new Uint32Array([n, logN, half, flags]).buffer), label);

  const bufs: GPUBuffer[] = [];
  const keep = (b: GPUBuffer) => (bufs.push(b), b);
  try {
    const input = keep(uploadBuffer(ctx, values, `${label}:in`));
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const bufA = keep(ctx.pool.acquire(bytes, usage, `${label}:a`));
    const b = keep(ctx.pool.acquire(bytes, usage, `${label}:b`));
    const tw = keep(uploadBuffer(ctx, twiddles(curve, logN, inverse), `${label}:twiddles`));
    const preT = keep(uploadBuffer(ctx, preTable ?? dummy, `${label}:coset`));
    const postT = keep(uploadBuffer(ctx, postTable ?? dummy, `${label}:scale`));
    const maxDim = ctx.limits.maxComputeWorkgroupsPerDimension;
    const inFlags = req.inputOrder === 'bit-reversed' ? 1 : 0;
    const passes: Pass[] = [
      { program: progs.prep, buffers: [input, bufA, preT, keep(param(0, inFlags | (preTable ? 2 : 0)))], workgroups: workgroups(n, maxDim) },
    ];
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
