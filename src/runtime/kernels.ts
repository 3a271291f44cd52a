/**
 * The kernels as the executor runs them (scheduler/execute/executor.ts Kernel): an MSM split into
 * ranges over the GPU and the worker pool, and the NTTs, which run whole on one engine. Also the
 * plan's chunks in the executor's shape.
 */
import type { WorkerPool } from '../cpu/pool.js';
import { SCALAR_BYTES } from '../core/sizes.js';
import type { GpuContext } from '../gpu/context.js';
import type { StagedGpu } from '../gpu/runner.js';
import { encodeScalar, invMod, CURVES } from '../math/index.js';
import type { CompactedMsm } from '../msm/compact.js';
import { addOnPool, msmOnPool } from '../msm/cpu.js';
import { gpuMsm, stageGpuMsm } from '../msm/gpu.js';
import { gpuBabyBearNtt } from '../ntt/babybear-gpu.js';
import { babybearNttOnPool } from '../ntt/babybear-cpu.js';
import { nttOnPool } from '../ntt/cpu.js';
import { stageGpuNtt } from '../ntt/gpu.js';
import type { ExecChunk, FaultInjection, Kernel } from '../scheduler/execute/executor.js';
import { defaultBytesPerElement } from '../scheduler/models.js';
import type { Plan } from '../scheduler/plan.js';
import type { ParsedBabyBearNtt, ParsedMsm, ParsedNtt } from './requests.js';

/** The plan's chunks as the executor takes them (a backend id 'webgpu', 'webgpu:1', ... is a GPU). */
export function planChunks(p: Plan): ExecChunk[] {
  return p.chunks.map((c) => ({ backend: c.backend, kind: c.backend === 'wasm' ? 'wasm' : 'webgpu', offset: c.offset, count: c.count, overlap: c.overlap }));
}

/**
 * A kernel that runs the whole input in one piece (NTTs: never split, so never halved). `gpu`
 * stages it (uploads the input; `run` computes), so the device queue can upload it while
 * another chunk computes.
 */
export function wholeKernel<T>(
  bytes: number,
  deviceBytesPerElement: number,
  cpu: (signal?: AbortSignal) => Promise<T>,
  gpu: (ctx: GpuContext) => Promise<StagedGpu<T>>,
): Kernel<T> {
  return {
    splittable: false,
    gpu: async (ctx) => (await gpu(ctx)).run(),
    gpuStage: (ctx) => gpu(ctx),
    wasm: (_r, signal) => cpu(signal),
    combine: async (parts) => parts[0],
    bytesIn: () => bytes,
    bytesOut: bytes,
    deviceBytesPerElement,
  };
}

export interface MsmKernelInput {
  request: ParsedMsm;
  /** The terms left after zero scalars were dropped: the ranges index these. */
  terms: CompactedMsm;
  /** Each worker checks its points in the MSM task itself (no separate validation pass ran). */
  validateInTask: boolean;
  faults?: FaultInjection;
}

/** The MSM over ranges of its terms: GPU chunks, worker chunks (split again over the workers), partial sums added on the pool. */
export function msmKernel(pool: WorkerPool, { request, terms, validateInTask, faults }: MsmKernelInput): Kernel<Uint8Array> {
  const { curve, group, size, windowBits, maxWorkers, priority } = request;
  const slice = (r: { offset: number; count: number }) => ({
    points: terms.points.subarray(r.offset * size, (r.offset + r.count) * size),
    scalars: terms.scalars.subarray(r.offset * SCALAR_BYTES, (r.offset + r.count) * SCALAR_BYTES),
  });
  return {
    splittable: true,
    gpu: (ctx, r, sig) => gpuMsm(ctx, { curve, group, ...slice(r), windowBits, signal: sig }),
    gpuStage: (ctx, r, sig) => stageGpuMsm(ctx, { curve, group, ...slice(r), windowBits, signal: sig }),
    wasm: (r, sig, attempt) =>
      msmOnPool(pool, {
        curve,
        group,
        ...slice(r),
        pointBytes: size,
        windowBits,
        ...(validateInTask ? { validate: { firstIndex: r.offset } } : {}),
        signal: sig,
        maxWorkers,
        priority,
        beforeTask: faults?.workerTask ? (api) => faults.workerTask!({ ...attempt, crash: () => void api.crash() }) : undefined,
      }),
    combine: (parts, sig) => addOnPool(pool, curve, group, parts, size, sig, priority),
    bytesIn: (count) => count * (size + SCALAR_BYTES),
    bytesOut: size,
    deviceBytesPerElement: defaultBytesPerElement({ op: 'msm', curve, group }, 'webgpu').device,
  };
}

/** An Fr NTT, whole on the workers (four-step over maxWorkers) or on the GPU. */
export function nttKernel(pool: WorkerPool, request: ParsedNtt): Kernel<Uint8Array> {
  const { curve, values, n, logN, inverse, shift, inputOrder, outputOrder, maxWorkers, priority } = request;
  const r = CURVES[curve].r;
  const cpu = (signal: AbortSignal | undefined) =>
    nttOnPool(pool, {
      curve,
      values,
      logN,
      inverse,
      shift: shift === null ? null : encodeScalar(shift),
      shiftInverse: shift === null ? null : encodeScalar(invMod(shift, r)),
      nInverse: encodeScalar(invMod(BigInt(n), r)),
      inputOrder,
      outputOrder,
      signal,
      maxWorkers,
      priority,
    });
  return wholeKernel(values.length, 5 * SCALAR_BYTES, cpu, (gpu) => stageGpuNtt(gpu, { curve, values, logN, inverse, shift, inputOrder, outputOrder }));
}

/** A BabyBear NTT, whole on one worker or on the GPU. */
export function babyBearNttKernel(pool: WorkerPool, { job }: ParsedBabyBearNtt): Kernel<Uint32Array> {
  return wholeKernel(
    job.values.byteLength,
    2 * job.values.BYTES_PER_ELEMENT,
    (signal) => babybearNttOnPool(pool, { ...job, signal }),
    // Not split into upload and compute: it all runs as the compute, alone on the device.
    async (gpu) => ({ run: () => gpuBabyBearNtt(gpu, job), release: async () => {} }),
  );
}
