/**
 * Whether the GPU may take part in one call (the scheduler's planner then decides how much):
 * - 'wasm' and 'webgpu' are obeyed ('webgpu' without a device is an error, not a silent fallback);
 * - 'auto' lets the GPU in only when it is a hardware adapter and the job is large enough to repay
 *   its fixed costs (upload, pipeline dispatch, readback). Software adapters (lavapipe, SwiftShader)
 *   run our kernels 10-100x slower than the WASM workers on the same cores (README figures: NTT
 *   2^20 1.4 s on lavapipe vs 0.65 s on 2 workers), so 'auto' never picks them, unless the runtime
 *   was created with an explicit `backends` list naming 'webgpu' (`explicitGpu`): then both rules
 *   are left to the planner's cost models.
 */
import { ZkgpuError } from '../core/errors.js';
import { GpuError, type GpuAdapterInfo, type GpuContext } from '../gpu/context.js';

export type Backend = 'webgpu' | 'wasm' | 'auto';
export type Engine = 'webgpu' | 'wasm';

/** Below 2^14 elements a GPU round trip (a few ms of submission and readback) beats no CPU run. */
export const AUTO_GPU_MIN_ELEMENTS = 1 << 14;

export interface BackendChoice {
  engine: Engine;
  /** One line saying why, for the job report. */
  reason: string;
}

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|software|basic render|warp/i;

export function isSoftwareAdapter(info: GpuAdapterInfo): boolean {
  return SOFTWARE_ADAPTER.test(`${info.vendor} ${info.architecture} ${info.description} ${info.device}`);
}

export function checkBackend(backend: unknown): Backend {
  if (backend === undefined) return 'auto';
  if (backend === 'webgpu' || backend === 'wasm' || backend === 'auto') return backend;
  throw new ZkgpuError('INVALID_ARGUMENT', `backend must be 'webgpu', 'wasm' or 'auto', got ${JSON.stringify(backend)}`);
}

export interface ChoiceInput {
  requested: Backend;
  gpu: GpuContext | null;
  /** Elements in the job (points or field elements). */
  n: number;
  /** Why the GPU cannot take this job at all (no kernel, too large for a binding), or null. */
  gpuCannot: string | null;
  /** The runtime's `backends` option lists 'webgpu': no software or size rule under 'auto'. */
  explicitGpu?: boolean;
}

export function chooseBackend({ requested, gpu, n, gpuCannot, explicitGpu }: ChoiceInput): BackendChoice {
  if (requested === 'wasm') return { engine: 'wasm', reason: 'backend: wasm requested' };
  if (requested === 'webgpu') {
    if (!gpu) throw new ZkgpuError('GPU_UNAVAILABLE', "backend 'webgpu' requested but this runtime has no GPU device (no adapter found, or created with gpu: false)");
    if (gpu.lost || gpu.disposed) throw new ZkgpuError('GPU_DEVICE_LOST', `backend 'webgpu' requested but the GPU device is gone: ${gpu.lost?.message ?? 'disposed'}`);
    if (gpuCannot) throw new ZkgpuError('INVALID_ARGUMENT', `backend 'webgpu' cannot run this job: ${gpuCannot}`);
    return { engine: 'webgpu', reason: 'backend: webgpu requested' };
  }
  if (!gpu) return { engine: 'wasm', reason: 'auto: no GPU device' };
  if (gpu.lost || gpu.disposed) return { engine: 'wasm', reason: 'auto: the GPU device is lost' };
  if (gpuCannot) return { engine: 'wasm', reason: `auto: ${gpuCannot}` };
  if (explicitGpu) return { engine: 'webgpu', reason: "auto: 'webgpu' is in the runtime's backends list" };
  if (isSoftwareAdapter(gpu.info)) return { engine: 'wasm', reason: `auto: ${gpu.info.description || 'the adapter'} is a software adapter` };
  if (n < AUTO_GPU_MIN_ELEMENTS) return { engine: 'wasm', reason: `auto: ${n} elements is below the GPU threshold ${AUTO_GPU_MIN_ELEMENTS}` };
  return { engine: 'webgpu', reason: `auto: hardware adapter and ${n} >= ${AUTO_GPU_MIN_ELEMENTS} elements` };
}

/** Turns a GpuError (or anything thrown by a GPU path) into a ZkgpuError with a GPU code. */
export function gpuFailure(e: unknown, what: string): ZkgpuError {
  if (e instanceof ZkgpuError) return e;
  if (e instanceof GpuError) {
    const code = e.kind === 'lost' ? 'GPU_DEVICE_LOST' : e.kind === 'out-of-memory' ? 'GPU_OUT_OF_MEMORY' : 'GPU_ERROR';
    return new ZkgpuError(code, `${what} on the GPU failed: ${e.message}`, { cause: e });
  }
  return new ZkgpuError('GPU_ERROR', `${what} on the GPU failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}

/** Whether a failed GPU call may be re-run on the CPU when the caller asked for 'auto'. */
export function isRecoverableOnCpu(e: ZkgpuError): boolean {
  return e.code === 'GPU_DEVICE_LOST' || e.code === 'GPU_OUT_OF_MEMORY' || e.code === 'GPU_ERROR';
}
