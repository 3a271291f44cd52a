/**
 * What callers hand the runtime (options and requests) and their checks: each request is parsed
 * once, at the boundary, into a plain record the rest of the runtime trusts. Pure and synchronous
 * (test/unit/runtime/requests.test.ts covers every rejection).
 */
import { abortError } from '../core/abort.js';
import { ZkgpuError } from '../core/errors.js';
import type { GpuSelection } from './adapters.js';
import { MAX_NTT_LOG_N, MAX_WINDOW_BITS, pointBytes, SCALAR_BYTES } from '../core/sizes.js';
import { showValue } from '../core/show.js';
import { checkBelow, checkBytes, checkCurve, checkGroup, checkSignal } from '../core/validate.js';
import type { WasmSource } from '../cpu/wasm-engine.js';
import { BABYBEAR_GENERATOR } from '../math/babybear.js';
import { CURVES, type CurveName, type GroupName } from '../math/index.js';
import { checkBabyBearNttJob } from '../ntt/babybear-cpu.js';
import type { Calibration } from '../scheduler/calibration/calibration.js';
import type { FaultInjection } from '../scheduler/execute/executor.js';
import { checkByteCap } from '../scheduler/hardware/detect-host.js';
import { checkBackend, type Backend, type Engine } from '../scheduler/policy.js';
import type { JobReport } from './report.js';

export type NttOrder = 'natural' | 'bit-reversed';

export interface RuntimeOptions {
  /** CPU worker threads; defaults to the available parallelism, capped by the cgroup CPU quota. */
  threads?: number;
  /** Where the engine's .wasm comes from (bytes, URL, path or compiled Module); defaults to the packaged file. */
  wasm?: WasmSource;
  /**
   * WebGPU: a `GPU` (navigator.gpu, Dawn's create()) or a ready `GPUDevice` (left alive on
   * dispose); true/undefined finds one if it can (navigator.gpu in browsers, Dawn in Node);
   * false runs on the CPU only.
   */
  gpu?: GPU | GPUDevice | boolean;
  /**
   * Node: the GPU adapters to open, one device each ('webgpu', 'webgpu:1', ... in this order):
   * 'all' (every hardware adapter; the default), 'hardware' (the same, but none at all when there
   * is no hardware adapter), indices into Dawn's adapter list, or names (an adapter whose name
   * contains it; `zkgpu info` lists them). Software adapters (llvmpipe, SwiftShader) open only
   * when named or numbered; without any hardware adapter 'all' opens the first adapter, as before. Default from the environment variable ZKGPU_GPUS ('all', '0,1',
   * 'NVIDIA A10G'). Browsers: the one adapter the page gets. Not together with a `gpu` object.
   */
  gpus?: GpuSelection;
  /**
   * Time every GPU submission with timestamp queries (where the device has 'timestamp-query') and
   * put the GPU time in each report's gpuMs. Off by default: one extra readback per submission.
   */
  gpuTimestamps?: boolean;
  /**
   * GPU memory the chunks in flight on a GPU may hold together, in bytes (each GPU; two chunks: one
   * uploads while the other computes); always wins over the detected budget.
   */
  maxGpuBytes?: number;
  /** Host memory one job may hold, in bytes; always wins over the detected budget. */
  maxHostBytes?: number;
  /**
   * The backends 'auto' plans over. Default: the workers, and the GPU when it is a hardware
   * adapter and the job has at least AUTO_GPU_MIN_ELEMENTS elements. An explicit list naming
   * 'webgpu' drops both rules (a software adapter shares jobs; the cost models decide); one
   * without 'webgpu' keeps 'auto' on the workers. A request's `backend` pin still wins.
   */
  backends?: Engine[];
  /**
   * The cost models the planner uses. Default: the calibration cached for this host and adapter
   * (`zkgpu calibrate` writes it; IndexedDB in browsers), else the built-in defaults. A
   * Calibration object uses that one (e.g. shipped with a web app); false always uses the defaults.
   */
  calibration?: Calibration | false;
}

export interface MsmRequest {
  curve: CurveName;
  group: GroupName;
  /** Affine points, .zkey encoding: little-endian Montgomery coordinates, infinity as zeros. */
  points: Uint8Array;
  /** 32-byte little-endian scalars in standard form, each below the group order. */
  scalars: Uint8Array;
  /** Check every point is on the curve (costs about one field multiplication per coordinate). */
  validatePoints?: boolean;
  /** Pippenger window width override, for tuning; chosen from n when absent. */
  windowBits?: number;
  /** Engine for this call; default 'auto'. */
  backend?: Backend;
  /**
   * Worker tasks the call's CPU part is split into, at most (default: every worker). A caller
   * running several MSMs at once (a prover) gives each fewer: a whole MSM on one worker does
   * ~10% less work than two halves (wider window, one bucket reduction), and the others keep
   * the remaining workers busy. The planner's CPU estimate uses this many threads.
   */
  maxWorkers?: number;
  /** Worker-pool priority of the call's CPU tasks (default 0): higher runs first; see WorkerPool.run. */
  priority?: number;
  /**
   * Default true: GPU chunks whose device is lost (or out of memory at the smallest chunk) re-run
   * on the workers, also under backend 'webgpu'. false rejects with GPU_DEVICE_LOST / GPU_OUT_OF_MEMORY.
   */
  failover?: boolean;
  /** Called with the report of this call (also dispatched as a 'job' event on the runtime). */
  onReport?: (report: JobReport) => void;
  signal?: AbortSignal;
}

export interface NttRequest {
  curve: CurveName;
  /** 2^k Fr elements, 32-byte little-endian standard form. */
  values: Uint8Array;
  inverse?: boolean;
  /** Evaluate on the coset g·H: true uses the field's multiplicative generator, a bigint sets g. */
  coset?: boolean | bigint;
  inputOrder?: NttOrder;
  outputOrder?: NttOrder;
  /** Engine for this call; default 'auto'. */
  backend?: Backend;
  /** As MsmRequest.maxWorkers: 1 runs a CPU transform whole on one worker (no four-step split). */
  maxWorkers?: number;
  /** As MsmRequest.priority. */
  priority?: number;
  /**
   * Default true: GPU chunks whose device is lost (or out of memory at the smallest chunk) re-run
   * on the workers, also under backend 'webgpu'. false rejects with GPU_DEVICE_LOST / GPU_OUT_OF_MEMORY.
   */
  failover?: boolean;
  /** Called with the report of this call (also dispatched as a 'job' event on the runtime). */
  onReport?: (report: JobReport) => void;
  signal?: AbortSignal;
}

export interface BabyBearNttRequest {
  /** 2^k elements of BabyBear (p = 2^31 - 2^27 + 1) in standard form, each below p. Not modified. */
  values: Uint32Array;
  inverse?: boolean;
  /** Evaluate on the coset g·H: true uses BabyBear's generator 31, a number sets g. */
  coset?: boolean | number;
  inputOrder?: NttOrder;
  outputOrder?: NttOrder;
  backend?: Backend;
  failover?: boolean;
  onReport?: (report: JobReport) => void;
  signal?: AbortSignal;
}

export interface SamplePointsRequest {
  curve: CurveName;
  group: GroupName;
  n: number;
  seed?: number;
}

/** The runtime's options after their checks (everything but the engines to open). */
export interface Settings {
  maxGpuBytes?: number;
  maxHostBytes?: number;
  /** The `backends` option; null when not given. */
  backends: Engine[] | null;
  gpuTimestamps: boolean;
  /** Test-only (not in RuntimeOptions): scheduler/execute/executor.ts FaultInjection. */
  faults?: FaultInjection;
}

export function parseThreads(threads: unknown): number {
  if (!Number.isInteger(threads) || (threads as number) < 1 || (threads as number) > 256) {
    throw new ZkgpuError('INVALID_ARGUMENT', `threads must be an integer from 1 to 256, got ${showValue(threads)}`);
  }
  return threads as number;
}

export function parseSettings(options: RuntimeOptions): Settings {
  return {
    gpuTimestamps: checkFlag('gpuTimestamps', options.gpuTimestamps),
    maxGpuBytes: checkByteCap('maxGpuBytes', options.maxGpuBytes),
    maxHostBytes: checkByteCap('maxHostBytes', options.maxHostBytes),
    backends: checkBackendList(options.backends),
    faults: (options as { faultInjection?: FaultInjection }).faultInjection,
  };
}

/** Fields every parsed request has. */
interface ParsedCommon {
  requested: Backend;
  failover: boolean;
  signal?: AbortSignal;
  onReport?: (report: JobReport) => void;
}

export interface ParsedMsm extends ParsedCommon {
  curve: CurveName;
  group: GroupName;
  points: Uint8Array;
  scalars: Uint8Array;
  /** Bytes per point. */
  size: number;
  n: number;
  windowBits?: number;
  validatePoints: boolean;
  /** Infinity when not given. */
  maxWorkers: number;
  priority: number;
}

/** Checks an MSM request: shapes, lengths, every scalar below r; rejects at once if already aborted. */
export function parseMsmRequest(request: MsmRequest): ParsedMsm {
  const curve = checkCurve(request?.curve);
  const group = checkGroup(request.group);
  const points = checkBytes('points', request.points);
  const scalars = checkBytes('scalars', request.scalars);
  const signal = checkSignal(request.signal);
  const requested = checkBackend(request.backend);
  const size = pointBytes(curve, group);
  if (points.length % size !== 0) {
    throw new ZkgpuError('LENGTH_MISMATCH', `points: ${points.length} bytes is not a whole number of ${curve} ${group} points (${size} bytes each)`);
  }
  if (scalars.length % SCALAR_BYTES !== 0) {
    throw new ZkgpuError('LENGTH_MISMATCH', `scalars: ${scalars.length} bytes is not a whole number of 32-byte scalars`);
  }
  const n = points.length / size;
  if (scalars.length / SCALAR_BYTES !== n) {
    throw new ZkgpuError('LENGTH_MISMATCH', `${n} points but ${scalars.length / SCALAR_BYTES} scalars`);
  }
  const windowBits = request.windowBits;
  if (windowBits !== undefined && (!Number.isInteger(windowBits) || windowBits < 1 || windowBits > MAX_WINDOW_BITS)) {
    throw new ZkgpuError('INVALID_ARGUMENT', `windowBits must be an integer from 1 to ${MAX_WINDOW_BITS}, got ${showValue(windowBits)}`);
  }
  checkBelow(scalars, CURVES[curve].r, 'scalar', 'SCALAR_OUT_OF_RANGE');
  if (signal?.aborted) throw abortError(signal);
  return {
    curve,
    group,
    points,
    scalars,
    size,
    n,
    windowBits,
    validatePoints: checkFlag('validatePoints', request.validatePoints),
    requested,
    signal,
    failover: checkFailover(request.failover),
    maxWorkers: checkMaxWorkers(request.maxWorkers),
    priority: checkPriority(request.priority),
    onReport: checkCallback('onReport', request.onReport),
  };
}

export interface ParsedNtt extends ParsedCommon {
  curve: CurveName;
  values: Uint8Array;
  n: number;
  logN: number;
  inverse: boolean;
  /** The coset shift g, or null for the plain transform. */
  shift: bigint | null;
  inputOrder: NttOrder;
  outputOrder: NttOrder;
  maxWorkers: number;
  priority: number;
}

/** Checks an NTT request: a power-of-two size the curve's Fr supports, every value below r. */
export function parseNttRequest(request: NttRequest): ParsedNtt {
  const curve = checkCurve(request?.curve);
  const values = checkBytes('values', request.values);
  const signal = checkSignal(request.signal);
  const inputOrder = checkOrder('inputOrder', request.inputOrder);
  const outputOrder = checkOrder('outputOrder', request.outputOrder);
  const requested = checkBackend(request.backend);
  if (values.length % SCALAR_BYTES !== 0) {
    throw new ZkgpuError('LENGTH_MISMATCH', `values: ${values.length} bytes is not a whole number of 32-byte field elements`);
  }
  const n = values.length / SCALAR_BYTES;
  const logN = checkPowerOfTwo(n);
  const params = CURVES[curve];
  const maxLog = Math.min(MAX_NTT_LOG_N, params.frTwoAdicity);
  if (logN > maxLog) {
    throw new ZkgpuError('NTT_SIZE_TOO_LARGE', `NTT size 2^${logN} exceeds the largest supported for ${curve}, 2^${maxLog}`);
  }
  checkBelow(values, params.r, 'field element', 'FIELD_ELEMENT_OUT_OF_RANGE');
  return {
    curve,
    values,
    n,
    logN,
    shift: cosetShift(curve, request.coset),
    inverse: checkFlag('inverse', request.inverse),
    inputOrder,
    outputOrder,
    requested,
    signal,
    failover: checkFailover(request.failover),
    maxWorkers: checkMaxWorkers(request.maxWorkers),
    priority: checkPriority(request.priority),
    onReport: checkCallback('onReport', request.onReport),
  };
}

export interface ParsedBabyBearNtt extends ParsedCommon {
  /** The job as the BabyBear CPU and GPU kernels take it. */
  job: { values: Uint32Array; logN: number; inverse: boolean; shift: number | null; inputOrder: NttOrder; outputOrder: NttOrder };
  n: number;
}

/** Checks a BabyBear NTT request: a Uint32Array of 2^k elements below p, a valid coset shift. */
export function parseBabyBearNttRequest(request: BabyBearNttRequest): ParsedBabyBearNtt {
  const values = request?.values;
  if (!(values instanceof Uint32Array)) throw new ZkgpuError('INVALID_ARGUMENT', 'values must be a Uint32Array of BabyBear elements');
  const signal = checkSignal(request.signal);
  const inputOrder = checkOrder('inputOrder', request.inputOrder);
  const outputOrder = checkOrder('outputOrder', request.outputOrder);
  const requested = checkBackend(request.backend);
  const n = values.length;
  const logN = checkPowerOfTwo(n);
  const coset = request.coset;
  let shift: number | null;
  if (coset === undefined || coset === false) shift = null;
  else if (coset === true) shift = BABYBEAR_GENERATOR;
  else if (typeof coset === 'number') shift = coset;
  else throw new ZkgpuError('INVALID_ARGUMENT', `coset must be a boolean or a number, got ${showValue(coset)}`);
  const job = { values, logN, inverse: checkFlag('inverse', request.inverse), shift, inputOrder, outputOrder };
  checkBabyBearNttJob('nttBabyBear', job);
  return { job, n, requested, signal, failover: checkFailover(request.failover), onReport: checkCallback('onReport', request.onReport) };
}

/** Checks a samplePoints request; `seed` defaults to 1. */
export function parseSamplePointsRequest(request: SamplePointsRequest): { curve: CurveName; group: GroupName; n: number; seed: number } {
  const curve = checkCurve(request?.curve);
  const group = checkGroup(request.group);
  const { n, seed = 1 } = request;
  if (!Number.isInteger(n) || n < 0 || n > 1 << 26) {
    throw new ZkgpuError('INVALID_ARGUMENT', `n must be an integer from 0 to 2^26, got ${showValue(n)}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new ZkgpuError('INVALID_ARGUMENT', `seed must be a 32-bit unsigned integer, got ${showValue(seed)}`);
  }
  return { curve, group, n, seed };
}

/** log2(n) for a power of two n >= 1; NTT_SIZE_NOT_POWER_OF_TWO otherwise. */
function checkPowerOfTwo(n: number): number {
  if (n === 0 || (n & (n - 1)) !== 0) {
    throw new ZkgpuError('NTT_SIZE_NOT_POWER_OF_TWO', `NTT size must be a power of two, got ${n} values`);
  }
  return Math.log2(n);
}

export function checkOrder(name: string, order: unknown): NttOrder {
  if (order === undefined || order === 'natural') return 'natural';
  if (order === 'bit-reversed') return order;
  throw new ZkgpuError('INVALID_ARGUMENT', `${name} must be 'natural' or 'bit-reversed', got ${showValue(order)}`);
}

export function cosetShift(curve: CurveName, coset: unknown): bigint | null {
  if (coset === undefined || coset === false) return null;
  if (coset === true) return CURVES[curve].frGenerator;
  if (typeof coset === 'bigint' && coset > 0n && coset < CURVES[curve].r) return coset;
  throw new ZkgpuError('INVALID_ARGUMENT', `coset must be a boolean or a non-zero bigint below r, got ${showValue(coset)}`);
}

export function checkMaxWorkers(maxWorkers: unknown): number {
  if (maxWorkers === undefined) return Infinity;
  if (typeof maxWorkers === 'number' && Number.isInteger(maxWorkers) && maxWorkers >= 1) return maxWorkers;
  throw new ZkgpuError('INVALID_ARGUMENT', `maxWorkers must be a positive integer, got ${showValue(maxWorkers)}`);
}

export function checkPriority(priority: unknown): number {
  if (priority === undefined) return 0;
  if (typeof priority === 'number' && Number.isFinite(priority)) return priority;
  throw new ZkgpuError('INVALID_ARGUMENT', `priority must be a finite number, got ${showValue(priority)}`);
}

/** An optional boolean option: absent is false; anything but a boolean is refused, not read as false. */
export function checkFlag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  throw new ZkgpuError('INVALID_ARGUMENT', `${name} must be a boolean, got ${showValue(value)}`);
}

/** An optional callback, checked before any work (a bad one would only fail after the job ran). */
export function checkCallback<F extends (...args: never[]) => unknown>(name: string, value: F | undefined): F | undefined {
  if (value === undefined || typeof value === 'function') return value;
  throw new ZkgpuError('INVALID_ARGUMENT', `${name} must be a function, got ${showValue(value)}`);
}

export function checkFailover(failover: unknown): boolean {
  if (failover === undefined) return true;
  if (typeof failover === 'boolean') return failover;
  throw new ZkgpuError('INVALID_ARGUMENT', `failover must be a boolean, got ${showValue(failover)}`);
}

export function checkBackendList(backends: unknown): Engine[] | null {
  if (backends === undefined) return null;
  const ok = Array.isArray(backends) && backends.length > 0 && backends.every((b) => b === 'webgpu' || b === 'wasm') && new Set(backends).size === backends.length;
  if (!ok) throw new ZkgpuError('INVALID_ARGUMENT', `backends must be a non-empty list of distinct 'webgpu' and 'wasm', got ${showValue(backends)}`);
  return backends as Engine[];
}
