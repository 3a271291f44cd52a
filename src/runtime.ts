/**
 * The runtime: owns the CPU worker pool (and, in later versions, GPU devices), checks every
 * request at the boundary, and routes it to an engine.
 */
import { ZkgpuError } from './errors.js';
import { CURVES, encodeScalar, invMod, type CurveName, type GroupName } from './math/index.js';
import { compileWasm, type WasmSource } from './cpu/wasm-engine.js';
import { WorkerPool, abortError } from './cpu/pool.js';
import { msmOnPool } from './cpu/msm.js';
import { nttOnPool } from './cpu/ntt.js';
import { defaultThreadCount } from './cpu/threads.js';
import { splitRange } from './cpu/split.js';
import { checkBelow, checkBytes, checkCurve, checkGroup, checkSignal, pointBytes, SCALAR_BYTES } from './validate.js';

export type NttOrder = 'natural' | 'bit-reversed';

/** Which engine runs a job: 'auto' picks the GPU when one exists and the job is big enough. */
export type Backend = 'webgpu' | 'wasm' | 'auto';

export interface RuntimeOptions {
  /** CPU worker threads; defaults to the machine's available parallelism. */
  threads?: number;
  /** Where the engine's .wasm comes from (bytes, URL, path or compiled Module); defaults to the packaged file. */
  wasm?: WasmSource;
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
  signal?: AbortSignal;
}

export interface SamplePointsRequest {
  curve: CurveName;
  group: GroupName;
  n: number;
  seed?: number;
}

/** Largest transform accepted: 2^24 values are 512 MiB, within one wasm32 instance's 4 GiB. */
export const MAX_NTT_LOG_N = 24;

export class Runtime {
  private disposed = false;

  private constructor(private readonly pool: WorkerPool) {}

  static async create(options: RuntimeOptions = {}): Promise<Runtime> {
    const threads = options.threads ?? defaultThreadCount();
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new ZkgpuError('INVALID_ARGUMENT', `threads must be an integer from 1 to 256, got ${threads}`);
    }
    const module = await compileWasm(options.wasm);
    return new Runtime(await WorkerPool.create({ threads, module }));
  }

  /** Number of CPU worker threads. */
  get threads(): number {
    return this.pool.size;
  }

  /** The worker pool's events (`worker-exit`). */
  get events(): EventTarget {
    return this.pool;
  }

  async msm(request: MsmRequest): Promise<Uint8Array> {
    this.checkOpen();
    const curve = checkCurve(request?.curve);
    const group = checkGroup(request.group);
    const points = checkBytes('points', request.points);
    const scalars = checkBytes('scalars', request.scalars);
    const signal = checkSignal(request.signal);
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
    if (windowBits !== undefined && (!Number.isInteger(windowBits) || windowBits < 1 || windowBits > 24)) {
      throw new ZkgpuError('INVALID_ARGUMENT', `windowBits must be an integer from 1 to 24, got ${windowBits}`);
    }
    checkBelow(scalars, CURVES[curve].r, 'scalar', 'SCALAR_OUT_OF_RANGE');
    if (signal?.aborted) throw abortError(signal);
    if (request.validatePoints) await this.validatePoints(curve, group, points, signal);
    return msmOnPool(this.pool, { curve, group, points, scalars, pointBytes: size, windowBits, signal });
  }

  async ntt(request: NttRequest): Promise<Uint8Array> {
    this.checkOpen();
    const curve = checkCurve(request?.curve);
    const values = checkBytes('values', request.values);
    const signal = checkSignal(request.signal);
    const inputOrder = checkOrder('inputOrder', request.inputOrder);
    const outputOrder = checkOrder('outputOrder', request.outputOrder);
    if (values.length % SCALAR_BYTES !== 0) {
      throw new ZkgpuError('LENGTH_MISMATCH', `values: ${values.length} bytes is not a whole number of 32-byte field elements`);
    }
    const n = values.length / SCALAR_BYTES;
    if (n === 0 || (n & (n - 1)) !== 0) {
      throw new ZkgpuError('NTT_SIZE_NOT_POWER_OF_TWO', `NTT size must be a power of two, got ${n} values`);
    }
    const logN = Math.log2(n);
    const params = CURVES[curve];
    const maxLog = Math.min(MAX_NTT_LOG_N, params.frTwoAdicity);
    if (logN > maxLog) {
      throw new ZkgpuError('NTT_SIZE_TOO_LARGE', `NTT size 2^${logN} exceeds the largest supported for ${curve}, 2^${maxLog}`);
    }
    checkBelow(values, params.r, 'field element', 'FIELD_ELEMENT_OUT_OF_RANGE');
    const shift = cosetShift(curve, request.coset);
    if (signal?.aborted) throw abortError(signal);
    const r = params.r;
    return nttOnPool(this.pool, {
      curve,
      values,
      logN,
      inverse: request.inverse === true,
      shift: shift === null ? null : encodeScalar(shift),
      shiftInverse: shift === null ? null : encodeScalar(invMod(shift, r)),
      nInverse: encodeScalar(invMod(BigInt(n), r)),
      inputOrder,
      outputOrder,
      signal,
    });
  }

  /** n distinct valid points (deterministic from the seed), for benchmarks and tests. */
  async samplePoints(request: SamplePointsRequest): Promise<Uint8Array> {
    this.checkOpen();
    const curve = checkCurve(request?.curve);
    const group = checkGroup(request.group);
    const { n, seed = 1 } = request;
    if (!Number.isInteger(n) || n < 0 || n > 1 << 26) {
      throw new ZkgpuError('INVALID_ARGUMENT', `n must be an integer from 0 to 2^26, got ${n}`);
    }
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new ZkgpuError('INVALID_ARGUMENT', `seed must be a 32-bit unsigned integer, got ${seed}`);
    }
    return this.pool.run((api) => api.generatePoints(curve, group, n, seed));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.pool.dispose();
  }

  private async validatePoints(curve: CurveName, group: GroupName, points: Uint8Array, signal?: AbortSignal): Promise<void> {
    const size = pointBytes(curve, group);
    const n = points.length / size;
    const bad = await Promise.all(
      splitRange(n, this.pool.size).map(({ offset, count }) => {
        const chunk = points.slice(offset * size, (offset + count) * size);
        return this.pool.run((api) => api.validatePoints(curve, group, chunk), signal).then((i) => (i < 0 ? -1 : offset + i));
      }),
    );
    const first = bad.find((i) => i >= 0);
    if (first !== undefined) {
      throw new ZkgpuError(
        'POINT_NOT_ON_CURVE',
        `invalid point at index ${first} (byte offset ${first * size}): a coordinate is not below p or the point is not on the ${curve} ${group} curve`,
      );
    }
  }

  private checkOpen(): void {
    if (this.disposed) throw new ZkgpuError('DISPOSED', 'the runtime has been disposed');
  }
}

function checkOrder(name: string, order: unknown): NttOrder {
  if (order === undefined || order === 'natural') return 'natural';
  if (order === 'bit-reversed') return order;
  throw new ZkgpuError('INVALID_ARGUMENT', `${name} must be 'natural' or 'bit-reversed', got ${JSON.stringify(order)}`);
}

function cosetShift(curve: CurveName, coset: unknown): bigint | null {
  if (coset === undefined || coset === false) return null;
  if (coset === true) return CURVES[curve].frGenerator;
  if (typeof coset === 'bigint' && coset > 0n && coset < CURVES[curve].r) return coset;
  throw new ZkgpuError('INVALID_ARGUMENT', `coset must be a boolean or a non-zero bigint below r, got ${String(coset)}`);
}

export async function createRuntime(options?: RuntimeOptions): Promise<Runtime> {
  return Runtime.create(options);
}
