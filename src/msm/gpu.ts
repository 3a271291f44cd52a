/// <reference types="@webgpu/types" />
/**
 * G1 and G2 MSM on WebGPU (BN254 and BLS12-381), Pippenger with signed windows; same input and
 * output encodings as the WASM engine (points in the .zkey layout, 32-byte LE scalars, one affine
 * point back, all zero for infinity).
 *
 * One chunk is one submission of these passes (shaders/msm_*.wgsl):
 *   msm_clear, msm_decompose (digits + bucket histogram), msm_scan_block/add (offsets, 3 levels at
 *   most), msm_scatter (csr), msm_accumulate (fixed-size csr segments, mixed XYZZ additions),
 *   msm_combine (buckets split over segments), msm_reduce_groups/windows/final (running sums,
 *   Horner over windows). Then one XYZZ point is read back and made affine with one BigInt
 *   inversion. Inputs above maxChunkPoints or one storage binding run as chunks one after the
 *   other; their partial sums are added on the host (one affine addition per chunk).
 *
 * Witness-aware: the terms whose scalar is 1 run apart as a 1-bit MSM (one window, one bucket)
 * when they are many (compact.ts splitOnes, zeros dropped in the same copy), and every chunk runs
 * only the windows its largest scalar needs (plan.ts planChunk on scalarBitLength): a chunk of
 * scalars below 2^8 runs one window instead of ~20.
 *
 * The coordinates upload unchanged: the .zkey Montgomery radix 2^(8 fpBytes) is the GPU's
 * 2^(16 limbs) (checked in prelude.ts).
 *
 * G2 runs the same passes and buffers with the msm_g2_* kernels: the curve passes' point
 * arithmetic is the step table of point-program.ts (curve_g2.wgsl), bound as one more uniform
 * buffer, because lavapipe took 130-1076 s to compile the inlined Fp2 formulas.
 */
import { ZkgpuError } from '../core/errors.js';
import { abortError } from '../core/abort.js';
import { SCALAR_BYTES } from '../core/sizes.js';
import { encodePoint, g1, g2, isCurveName, isGroupName, type CurveName, type G1Point, type G2Point, type GroupName } from '../math/index.js';
import type { GpuContext } from '../gpu/context.js';
import { loadShader, stripStandalone, type Program } from '../gpu/program.js';
import { readBuffer, stagedOnce, submitPasses, uploadBuffer, uploadInputs, type Pass, type StagedGpu } from '../gpu/runner.js';
import { curveG2Prelude, curvePrelude, stepTableWords } from './prelude.js';
import { chunkPoints, DEFAULT_MAX_CHUNK_POINTS, gpuPointBytes, planChunk, SCAN_BLOCK, type MsmChunkPlan } from './plan.js';
import { scalarBitLength, splitOnes } from './compact.js';
import { decodeXyzz, xyzzToAffine } from './xyzz.js';
import { decodeXyzzG2, xyzzG2ToAffine } from './xyzz-g2.js';

/** Stages gpuMsm can stop after (testing aid): the raw buffer of that stage comes back. */
export type MsmDebugStage = 'digits' | 'offsets' | 'csr' | 'buckets' | 'windows';

export interface GpuMsmRequest {
  curve: CurveName;
  /** Default 'g1'. */
  group?: GroupName;
  /** n affine points, .zkey encoding (G1 64 / 96 bytes each, G2 128 / 192; all zero = infinity). */
  points: Uint8Array;
  /** n scalars, 32-byte little-endian standard form, below r (the caller checks). */
  scalars: Uint8Array;
  /** Window width c (clamped to 1..16 and to what fits one binding); default from n. */
  windowBits?: number;
  /** Largest chunk; default 2^22, and never more than one storage binding holds. */
  maxChunkPoints?: number;
  signal?: AbortSignal;
  /**
   * Testing aid: stop after a stage of the first (only) chunk and return its raw buffer:
   * 'digits' (W n u32), 'offsets' (W B + 1 u32), 'csr' (W n u32, the first offsets[W B] used),
   * 'buckets' (W B XYZZ points), 'windows' (W XYZZ window sums); XYZZ points as xyzz.ts (G1) or
   * xyzz-g2.ts (G2) decode them.
   */
  debugStopAfter?: MsmDebugStage;
}

const SORT_WG = 256;
const CURVE_WG = 64;

interface MsmPrograms {
  group: GroupName;
  clear: Program;
  decompose: Program;
  scatter: Program;
  scanBlock: Program;
  scanAdd: Program;
  accumulate: Program;
  combine: Program;
  reduceGroups: Program;
  reduceWindows: Program;
  reduceFinal: Program;
}

async function msmPrograms(ctx: GpuContext, curve: CurveName, group: GroupName): Promise<MsmPrograms> {
  const g2 = group === 'g2';
  const pre = g2 ? curveG2Prelude(curve) : curvePrelude(curve);
  const files = g2 ? ['curve_g2', 'msm_g2_bucket', 'msm_g2_reduce'] : ['curve', 'msm_bucket', 'msm_reduce'];
  const [field, curveSrc, sort, scan, bucket, reduce] = await Promise.all(
    ['field', files[0], 'msm_sort', 'msm_scan', files[1], files[2]].map(async (f) => stripStandalone(await loadShader(f))),
  );
  const curveBase = [pre.field.code, field, pre.code, curveSrc];
  const prefix = g2 ? 'msm_g2_' : 'msm_';
  // The sort and scan passes have no field code: one pipeline each serves both curves and groups.
  const plain = (file: string, src: string, entry: string) => ctx.programs.get({ name: `${entry}`, entryPoint: entry, key: file, sources: [src] });
  const onCurve = (src: string, stage: string) =>
    ctx.programs.get({ name: `${prefix}${stage}:${curve}`, entryPoint: `${prefix}${stage}`, key: pre.key, sources: [...curveBase, src] });
  const [clear, decompose, scatter, scanBlock, scanAdd, accumulate, combine, reduceGroups, reduceWindows, reduceFinal] = await Promise.all([
    plain('msm_sort', sort, 'msm_clear'),
    plain('msm_sort', sort, 'msm_decompose'),
    plain('msm_sort', sort, 'msm_scatter'),
    plain('msm_scan', scan, 'msm_scan_block'),
    plain('msm_scan', scan, 'msm_scan_add'),
    onCurve(bucket, 'accumulate'),
    onCurve(bucket, 'combine'),
    onCurve(reduce, 'reduce_groups'),
    onCurve(reduce, 'reduce_windows'),
    onCurve(reduce, 'reduce_final'),
  ]);
  return { group, clear, decompose, scatter, scanBlock, scanAdd, accumulate, combine, reduceGroups, reduceWindows, reduceFinal };
}

/** Compiles (or finds cached) every MSM pipeline of a curve and group; lets callers pay compile time up front. */
export async function warmGpuMsm(ctx: GpuContext, curve: CurveName, group: GroupName = 'g1'): Promise<void> {
  await msmPrograms(ctx, curve, group);
}

function workgroups(threads: number, size: number, maxPerDim: number): [number, number] {
  const groups = Math.max(1, Math.ceil(threads / size));
  const x = Math.min(groups, maxPerDim);
  return [x, Math.ceil(groups / x)];
}

function u32Bytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(new Uint32Array(values).buffer);
}

function checkRequest(req: GpuMsmRequest): { curve: CurveName; group: GroupName; n: number; pointBytes: number } {
  if (!isCurveName(req?.curve)) throw new ZkgpuError('UNKNOWN_CURVE', `gpuMsm: unknown curve ${String(req?.curve)}`);
  const curve = req.curve;
  const group = req.group ?? 'g1';
  if (!isGroupName(group)) throw new ZkgpuError('INVALID_ARGUMENT', `gpuMsm: group must be 'g1' or 'g2', got ${String(group)}`);
  const pointBytes = gpuPointBytes(curve, group).affine;
  if (!(req.points instanceof Uint8Array) || req.points.length % pointBytes !== 0) {
    throw new ZkgpuError('LENGTH_MISMATCH', `gpuMsm: points must be a Uint8Array of whole ${curve} ${group.toUpperCase()} points (${pointBytes} bytes each)`);
  }
  if (!(req.scalars instanceof Uint8Array) || req.scalars.length % SCALAR_BYTES !== 0) {
    throw new ZkgpuError('LENGTH_MISMATCH', 'gpuMsm: scalars must be a Uint8Array of whole 32-byte scalars');
  }
  const n = req.points.length / pointBytes;
  if (req.scalars.length / SCALAR_BYTES !== n) {
    throw new ZkgpuError('LENGTH_MISMATCH', `gpuMsm: ${n} points but ${req.scalars.length / SCALAR_BYTES} scalars`);
  }
  if (req.maxChunkPoints !== undefined && (!Number.isInteger(req.maxChunkPoints) || req.maxChunkPoints < 1)) {
    throw new ZkgpuError('INVALID_ARGUMENT', `gpuMsm: maxChunkPoints must be a positive integer, got ${req.maxChunkPoints}`);
  }
  if (req.windowBits !== undefined && (!Number.isInteger(req.windowBits) || req.windowBits < 1)) {
    throw new ZkgpuError('INVALID_ARGUMENT', `gpuMsm: windowBits must be a positive integer, got ${req.windowBits}`);
  }
  return { curve, group, n, pointBytes };
}

/**
 * Σ scalars[i] · points[i] on the GPU: one affine point of the request's group in the points'
 * encoding (all zero for infinity), byte-identical to the WASM engine's zk_msm.
 */
export async function gpuMsm(ctx: GpuContext, req: GpuMsmRequest): Promise<Uint8Array> {
  return (await stageGpuMsm(ctx, req)).run();
}

interface ChunkInputs {
  plan: MsmChunkPlan;
  points: GPUBuffer;
  scalars: GPUBuffer;
}

/**
 * gpuMsm in two halves, for the scheduler's device queue: this compiles the pipelines and uploads
 * the first chunk's points and scalars (what may run while the device computes another job's
 * chunk); `run` computes (uploading any further chunk in turn) and frees the inputs.
 */
export async function stageGpuMsm(ctx: GpuContext, req: GpuMsmRequest): Promise<StagedGpu<Uint8Array>> {
  const { curve, group, n, pointBytes } = checkRequest(req);
  const signal = req.signal;
  if (signal?.aborted) throw abortError(signal);
  if (n === 0) {
    if (req.debugStopAfter) throw new ZkgpuError('INVALID_ARGUMENT', 'gpuMsm: debugStopAfter needs at least one point');
    return { run: async () => new Uint8Array(pointBytes), release: async () => {} };
  }
  // The pool rounds every buffer up to a power of two and binds it whole, so the usable binding
  // is the largest power of two under the limits (a 4 GiB - 4 limit allows 2 GiB buffers).
  const limit = Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize);
  const limits = {
    maxBinding: 2 ** Math.floor(Math.log2(limit)),
    maxChunkPoints: req.maxChunkPoints ?? DEFAULT_MAX_CHUNK_POINTS,
  };
  const chunks = chunkSources(req, pointBytes, (count) => chunkPoints(curve, count, limits, req.windowBits, group));
  if (req.debugStopAfter && chunks.length > 1) throw new ZkgpuError('INVALID_ARGUMENT', 'gpuMsm: debugStopAfter needs a single chunk');
  const progs = await msmPrograms(ctx, curve, group);
  if (signal?.aborted) throw abortError(signal);
  const upload = async (source: ChunkSource): Promise<ChunkInputs> => {
    const plan = planChunk(curve, source.count, limits, req.windowBits, group, source.bits());
    const label = `msm:${curve}:${group}:n${source.count}:c${plan.c}:w${plan.windows}`;
    const [points, scalars] = await uploadInputs(ctx, [
      { data: source.points, label: `${label}:points` },
      { data: source.scalars(), label: `${label}:scalars` },
    ]);
    return { plan, points, scalars };
  };
  return stagedOnce(
    ctx,
    await upload(chunks[0]),
    (f) => [f.points, f.scalars],
    'gpuMsm: a staged MSM',
    async (first) => {
      const partials: Uint8Array[] = [];
      let staged: ChunkInputs | null = first;
      // Chunks after the first (the ones' run, inputs over one binding) upload in turn: one chunk's buffers at a time.
      for (const source of chunks) {
        const inputs = staged ?? (await upload(source));
        staged = null;
        try {
          const raw = await runChunk(ctx, progs, curve, inputs, { signal, stop: req.debugStopAfter });
          if (req.debugStopAfter) return raw;
          partials.push(raw);
        } finally {
          await ctx.pool.release([inputs.points, inputs.scalars]);
        }
      }
      return sumXyzz(curve, group, partials);
    },
  );
}

/** One chunk's terms before upload; scalars and their bit length are computed when it uploads. */
interface ChunkSource {
  count: number;
  points: Uint8Array;
  scalars(): Uint8Array;
  bits(): number;
}

/**
 * The request's terms as GPU chunks: the points whose scalar is 1 as a 1-bit MSM of their own
 * (compact.ts splitOnes; zero terms dropped with them), then the other terms, each chunk planned
 * on its largest scalar's bit length. A debug stop keeps the terms as given.
 */
function chunkSources(req: GpuMsmRequest, pointBytes: number, chunkFor: (count: number) => number): ChunkSource[] {
  const split = req.debugStopAfter ? null : splitOnes(req.points, req.scalars, pointBytes);
  const out: ChunkSource[] = [];
  const addRun = (points: Uint8Array, scalars: Uint8Array | null, count: number) => {
    const chunk = chunkFor(count);
    for (let start = 0; start < count; start += chunk) {
      const size = Math.min(chunk, count - start);
      const slice = scalars?.subarray(start * SCALAR_BYTES, (start + size) * SCALAR_BYTES);
      out.push({
        count: size,
        points: points.subarray(start * pointBytes, (start + size) * pointBytes),
        // The ones' scalars are made at upload: 32 bytes a point, only one chunk's at a time.
        scalars: () => slice ?? oneScalars(size),
        bits: () => (slice ? scalarBitLength(slice) : 1),
      });
    }
  };
  if (!split) {
    addRun(req.points, req.scalars, req.points.length / pointBytes);
    return out;
  }
  // Summing affine points on the GPU here is the chunk machinery as a 1-bit MSM: one window of
  // c = 2, every point in bucket 1, which msm_accumulate spreads over n / seg threads of seg =
  // sqrt(n) additions (plan.ts) and msm_combine closes in as many; no kernel of its own. 20,000
  // ones on lavapipe: 44 ms median with seg = sqrt(n) = 142, 51 ms with the default seg = 16.
  // The rest runs on the windows its own bit length needs: 20,000 scalars below 2^8 took 25 ms
  // in one window against 36 ms in the 20 windows of full-width scalars.
  if (split.onesCount > 0) addRun(split.ones, null, split.onesCount);
  if (split.rest.n > 0) addRun(split.rest.points, split.rest.scalars, split.rest.n);
  return out;
}

/** count scalars equal to 1, 32-byte little-endian. */
function oneScalars(count: number): Uint8Array {
  const bytes = new Uint8Array(count * SCALAR_BYTES);
  for (let i = 0; i < count; i++) bytes[i * SCALAR_BYTES] = 1;
  return bytes;
}

/** The chunks' XYZZ sums added as affine points (one inversion each), in the request's encoding. */
function sumXyzz(curve: CurveName, group: GroupName, partials: readonly Uint8Array[]): Uint8Array {
  if (group === 'g2') {
    const G = g2(curve);
    let sum: G2Point = G.infinity;
    for (const raw of partials) sum = G.add(sum, xyzzG2ToAffine(curve, decodeXyzzG2(curve, raw)));
    return encodePoint(curve, 'g2', sum);
  }
  const G = g1(curve);
  let sum: G1Point = G.infinity;
  for (const raw of partials) sum = G.add(sum, xyzzToAffine(curve, decodeXyzz(curve, raw)));
  return encodePoint(curve, 'g1', sum);
}

interface ChunkInput {
  signal?: AbortSignal;
  stop?: MsmDebugStage;
}

/** Runs one uploaded chunk in one submission; resolves to its XYZZ sum (or a debug stage's raw buffer). */
async function runChunk(ctx: GpuContext, progs: MsmPrograms, curve: CurveName, inputs: ChunkInputs, input: ChunkInput): Promise<Uint8Array> {
  const { points, scalars, plan } = inputs;
  const { n, windows, buckets, bucketCount: K, seg, threads, groups, groupLen, c } = plan;
  const g2 = progs.group === 'g2';
  const xyzzBytes = gpuPointBytes(curve, progs.group).xyzz;
  const label = `msm:${curve}:${progs.group}:n${n}:c${c}`;
  const maxDim = ctx.limits.maxComputeWorkgroupsPerDimension;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const held: GPUBuffer[] = [];
  const keep = (b: GPUBuffer) => (held.push(b), b);
  const scratch = (bytes: number, name: string) => keep(ctx.pool.acquire(Math.max(4, bytes), usage, `${label}:${name}`));
  const params = (values: readonly number[], name: string) => keep(uploadBuffer(ctx, u32Bytes(values), `${label}:${name}`));
  const finish = async (passes: Pass[], out: GPUBuffer, bytes: number): Promise<Uint8Array> => {
    await submitPasses(ctx, passes, label);
    if (input.signal?.aborted) throw abortError(input.signal);
    const result = await readBuffer(ctx, out, bytes, label);
    if (input.signal?.aborted) throw abortError(input.signal);
    return result;
  };
  try {
    const digits = scratch(windows * n * 4, 'digits');
    const counts = scratch((K + 1) * 4, 'counts');
    const offsets = scratch((K + 1) * 4, 'offsets');
    const csr = scratch(windows * n * 4, 'csr');
    const sortParams = params([n, c, windows, buckets, K + 1, 0, 0, 0], 'sort-params');
    const sortBuffers = [scalars, digits, counts, offsets, csr, sortParams];
    const passes: Pass[] = [
      { program: progs.clear, buffers: sortBuffers, workgroups: workgroups(K + 1, SORT_WG, maxDim) },
      { program: progs.decompose, buffers: sortBuffers, workgroups: workgroups(n, SORT_WG, maxDim) },
    ];
    if (input.stop === 'digits') return await finish(passes, digits, windows * n * 4);
    pushScan(passes, progs, counts, offsets, K + 1, { scratch, params, maxDim });
    if (input.stop === 'offsets') return await finish(passes, offsets, (K + 1) * 4);
    passes.push({ program: progs.scatter, buffers: sortBuffers, workgroups: workgroups(n, SORT_WG, maxDim) });
    if (input.stop === 'csr') return await finish(passes, csr, windows * n * 4);

    // G2's kernels read their step table from one more (uniform) binding.
    const stepTable = g2 ? [keep(uploadBuffer(ctx, stepTableWords(curve), `${label}:steps`, GPUBufferUsage.UNIFORM))] : [];
    const bucketSums = scratch(K * xyzzBytes, 'buckets');
    const parts = scratch(2 * threads * xyzzBytes, 'parts');
    const bucketBuffers = [points, csr, offsets, bucketSums, parts, params([K, seg, threads, 0], 'bucket-params'), ...stepTable];
    passes.push(
      { program: progs.accumulate, buffers: bucketBuffers, workgroups: workgroups(threads, CURVE_WG, maxDim) },
      { program: progs.combine, buffers: bucketBuffers, workgroups: workgroups(K, CURVE_WG, maxDim) },
    );
    if (input.stop === 'buckets') return await finish(passes, bucketSums, K * xyzzBytes);

    const groupSums = scratch(2 * windows * groups * xyzzBytes, 'groups');
    const windowSums = scratch(windows * xyzzBytes, 'windows');
    const reduceBuffers = [bucketSums, groupSums, windowSums, params([windows, buckets, groups, groupLen, c, 0, 0, 0], 'reduce-params'), ...stepTable];
    passes.push(
      { program: progs.reduceGroups, buffers: reduceBuffers, workgroups: workgroups(windows * groups, CURVE_WG, maxDim) },
      { program: progs.reduceWindows, buffers: reduceBuffers, workgroups: workgroups(windows, CURVE_WG, maxDim) },
    );
    if (input.stop === 'windows') return await finish(passes, windowSums, windows * xyzzBytes);
    passes.push({ program: progs.reduceFinal, buffers: reduceBuffers, workgroups: [1] });
    return await finish(passes, windowSums, xyzzBytes);
  } finally {
    await ctx.pool.release(held);
  }
}

interface ScanTools {
  scratch(bytes: number, name: string): GPUBuffer;
  params(values: readonly number[], name: string): GPUBuffer;
  maxDim: number;
}

/** dst = exclusive prefix sum of src[0 .. count): block scans, recursing on the block totals. */
function pushScan(passes: Pass[], progs: MsmPrograms, src: GPUBuffer, dst: GPUBuffer, count: number, tools: ScanTools, level = 0): void {
  const blocks = Math.ceil(count / SCAN_BLOCK);
  const sums = tools.scratch(blocks * 4, `scan${level}-sums`);
  const p = tools.params([count, 0, 0, 0], `scan${level}-params`);
  const [x, y] = workgroups(blocks, 1, tools.maxDim);
  passes.push({ program: progs.scanBlock, buffers: [src, dst, sums, p], workgroups: [x, y] });
  if (blocks === 1) return;
  const scanned = tools.scratch(blocks * 4, `scan${level}-scanned`);
  pushScan(passes, progs, sums, scanned, blocks, tools, level + 1);
  passes.push({ program: progs.scanAdd, buffers: [sums, dst, scanned, p], workgroups: workgroups(count, SORT_WG, tools.maxDim) });
}
