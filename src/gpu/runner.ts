/// <reference types="@webgpu/types" />
/**
 * Dispatch + readback. Buffers come from the context's pool and return to it only after the
 * submission that used them has completed. Validation / out-of-memory errors are captured with
 * error scopes around each submission and thrown as GpuError. Readback: mapAsync inside
 * try/finally, the bytes are copied before unmap (the mapped range is invalid after unmap).
 */
import { ZkgpuError } from '../core/errors.js';
import type { GpuContext } from './context.js';
import { GpuError, errorKind } from './errors.js';
import type { Program } from './program.js';

export interface Pass {
  program: Program;
  /** Buffers for @group(0) @binding(i), in order. */
  buffers: GPUBuffer[];
  workgroups: [number, number?, number?];
}

/** Encodes passes into one command buffer and submits it, with error scopes; resolves when done. */
export async function submitPasses(ctx: GpuContext, passes: readonly Pass[], label: string): Promise<void> {
  ctx.assertUsable();
  const device = ctx.device;
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const enc = device.createCommandEncoder({ label });
  const timer = ctx.timestamps && ctx.canTimestamp && passes.length > 0 ? startTimer(ctx, label) : null;
  for (const [i, pass] of passes.entries()) {
    const bind = device.createBindGroup({
      label: pass.program.name,
      layout: pass.program.pipeline.getBindGroupLayout(0),
      entries: pass.buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const timestampWrites =
      timer && (i === 0 || i === passes.length - 1)
        ? {
            querySet: timer.querySet,
            ...(i === 0 ? { beginningOfPassWriteIndex: 0 } : {}),
            ...(i === passes.length - 1 ? { endOfPassWriteIndex: 1 } : {}),
          }
        : undefined;
    const cp = enc.beginComputePass({ label: pass.program.name, ...(timestampWrites ? { timestampWrites } : {}) });
    cp.setPipeline(pass.program.pipeline);
    cp.setBindGroup(0, bind);
    cp.dispatchWorkgroups(pass.workgroups[0], pass.workgroups[1] ?? 1, pass.workgroups[2] ?? 1);
    cp.end();
    ctx.dispatchCount++;
  }
  if (timer) {
    enc.resolveQuerySet(timer.querySet, 0, 2, timer.resolve, 0);
    enc.copyBufferToBuffer(timer.resolve, 0, timer.readback, 0, 16);
  }
  device.queue.submit([enc.finish()]);
  // Both scopes are popped in this tick: another chunk's upload (device-queue.ts lets it run while
  // this one computes) can then never land inside them and be blamed on this submission.
  const [v, oom] = await Promise.all([device.popErrorScope(), device.popErrorScope()]);
  const err = v ?? oom;
  if (err) {
    if (timer) await timer.release();
    throw new GpuError(errorKind(err), `${label}: ${err.message}`);
  }
  await device.queue.onSubmittedWorkDone();
  if (timer) await timer.finish();
}

interface SubmissionTimer {
  querySet: GPUQuerySet;
  resolve: GPUBuffer;
  readback: GPUBuffer;
  finish(): Promise<void>;
  release(): Promise<void>;
}

/** Two timestamps (start of the first pass, end of the last) for one submission. */
function startTimer(ctx: GpuContext, label: string): SubmissionTimer {
  const querySet = ctx.device.createQuerySet({ label: `${label}:timestamps`, type: 'timestamp', count: 2 });
  const resolve = ctx.pool.acquire(16, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, `${label}:timestamps`);
  const readback = ctx.pool.acquire(16, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `${label}:timestamps:readback`);
  const release = async () => {
    querySet.destroy();
    await ctx.pool.release([resolve, readback]);
  };
  return {
    querySet,
    resolve,
    readback,
    release,
    async finish() {
      let mapped = false;
      try {
        await readback.mapAsync(GPUMapMode.READ, 0, 16);
        mapped = true;
        const [begin, end] = new BigUint64Array(readback.getMappedRange(0, 16).slice(0));
        // Some implementations quantise or reset timestamps; a negative span is dropped, not summed.
        if (end > begin) ctx.gpuTimeNs += Number(end - begin);
      } finally {
        if (mapped) readback.unmap();
        await release();
      }
    },
  };
}

/** Creates a pooled storage buffer holding `data` (padded to 4 bytes). */
export function uploadBuffer(ctx: GpuContext, data: Uint8Array, label: string, extraUsage = 0): GPUBuffer {
  const size = Math.max(4, (data.byteLength + 3) & ~3);
  const buf = ctx.pool.acquire(size, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | extraUsage, label);
  if (data.byteLength % 4 === 0) ctx.device.queue.writeBuffer(buf, 0, data as Uint8Array<ArrayBuffer>);
  else {
    const padded = new Uint8Array(size);
    padded.set(data);
    ctx.device.queue.writeBuffer(buf, 0, padded);
  }
  return buf;
}

/**
 * A chunk whose inputs are on the device (the upload half of a kernel), so the scheduler can
 * upload the next chunk while this one computes: `run` computes and frees the inputs; `release`
 * frees them when it will never run.
 */
export interface StagedGpu<T> {
  run(): Promise<T>;
  release(): Promise<void>;
}

/**
 * A StagedGpu around inputs already uploaded: `run` hands them to `compute` (once: a second run
 * throws, naming `what`), `release` returns their buffers to the pool unless `run` took them.
 */
export function stagedOnce<S, T>(ctx: GpuContext, staged: S, buffersOf: (s: S) => GPUBuffer[], what: string, compute: (s: S) => Promise<T>): StagedGpu<T> {
  let held: S | null = staged;
  const take = () => {
    const s = held;
    held = null;
    return s;
  };
  return {
    release: async () => {
      const s = take();
      if (s !== null) await ctx.pool.release(buffersOf(s));
    },
    run: async () => {
      const s = take();
      if (s === null) throw new ZkgpuError('INVALID_ARGUMENT', `${what} runs once`);
      return compute(s);
    },
  };
}

/**
 * Uploads several inputs as pooled storage buffers inside their own error scopes, pushed and
 * popped in one tick (no other chunk's call can land in them): an out-of-memory here is this
 * chunk's, and its half-made buffers are destroyed, not pooled.
 */
export async function uploadInputs(ctx: GpuContext, inputs: readonly { data: Uint8Array; label: string }[]): Promise<GPUBuffer[]> {
  ctx.assertUsable();
  const device = ctx.device;
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const buffers = inputs.map(({ data, label }) => uploadBuffer(ctx, data, label));
  const [v, oom] = await Promise.all([device.popErrorScope(), device.popErrorScope()]);
  const err = v ?? oom;
  if (err) {
    ctx.pool.drop(buffers);
    throw new GpuError(errorKind(err), `${inputs.map((i) => i.label).join(', ')}: upload failed: ${err.message}`);
  }
  return buffers;
}

/** Copies `byteLength` bytes of `src` back to the host. */
export async function readBuffer(ctx: GpuContext, src: GPUBuffer, byteLength: number, label: string): Promise<Uint8Array> {
  ctx.assertUsable();
  const size = (byteLength + 3) & ~3;
  const staging = ctx.pool.acquire(size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `${label}:readback`);
  const enc = ctx.device.createCommandEncoder({ label: `${label}:readback` });
  enc.copyBufferToBuffer(src, 0, staging, 0, size);
  ctx.device.queue.submit([enc.finish()]);
  let mapped = false;
  try {
    await staging.mapAsync(GPUMapMode.READ, 0, size);
    mapped = true;
    return new Uint8Array(staging.getMappedRange(0, size).slice(0, byteLength));
  } catch (e) {
    if (e instanceof GpuError) throw e;
    ctx.assertUsable();
    throw new GpuError('internal', `${label}: readback failed: ${(e as Error).message}`, { cause: e });
  } finally {
    if (mapped) staging.unmap();
    await ctx.pool.release([staging]);
  }
}
