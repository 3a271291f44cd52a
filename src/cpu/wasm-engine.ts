/**
 * Loader and typed wrapper for the zkgpu CPU engine (wasm/pkg/zkgpu.wasm, built from the Rust
 * crate in wasm/). One WasmEngine = one WebAssembly instance = one thread of work.
 *
 * Every call copies its inputs into wasm memory, runs one export and copies the result out, so
 * no view of wasm memory outlives a call (memory may grow during any export). Inputs are checked
 * for sizes only; value ranges (scalars < r, points on the curve) are the public API's job.
 * Encodings and error codes: wasm/README.md. Works unchanged in Node and in browsers: the only
 * Node module, node:fs/promises, is imported lazily and only for file paths.
 */

import { ZkgpuError } from '../core/errors.js';
import { showValue } from '../core/show.js';
import { pointBytes, SCALAR_BYTES, type CurveName, type GroupName } from '../core/sizes.js';

/** A compiled module, its bytes, a URL, or a string (file path in Node, URL otherwise). */
export type WasmSource = WebAssembly.Module | Uint8Array | ArrayBuffer | URL | string;

const CURVE_CODE: Record<CurveName, number> = { bn254: 0, 'bls12-381': 1 };
const GROUP_CODE: Record<GroupName, number> = { g1: 1, g2: 2 };
const MAX_LOG_N: Record<CurveName, number> = { bn254: 28, 'bls12-381': 32 };

/** zkgpu.wasm next to the package root; the build copies wasm/ to dist/wasm so this holds from src/ and dist/src/. */
export function defaultWasmUrl(): URL {
  return new URL('../../wasm/pkg/zkgpu.wasm', import.meta.url);
}

function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node;
}

async function readFileBytes(path: string | URL): Promise<Uint8Array> {
  const fs = await import('node:fs/promises');
  return new Uint8Array(await fs.readFile(path));
}

async function fetchModule(url: URL | string): Promise<WebAssembly.Module> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`zkgpu: cannot load wasm from ${String(url)}: HTTP ${res.status}`);
  if (typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(res.clone());
    } catch {
      // Served without application/wasm: fall back to compiling the bytes.
    }
  }
  return WebAssembly.compile(await res.arrayBuffer());
}

/** Compiles the engine from any source; defaults to defaultWasmUrl(). */
export async function compileWasm(source: WasmSource = defaultWasmUrl()): Promise<WebAssembly.Module> {
  let module: WebAssembly.Module;
  try {
    module = await compileFrom(source);
  } catch (e) {
    throw wasmSourceError(source, e);
  }
  // Checked here, once, so a wrong module fails createRuntime with its name rather than every worker.
  const exported = new Set(WebAssembly.Module.exports(module).map((x) => x.name));
  const missing = REQUIRED_EXPORTS.filter((name) => !exported.has(name));
  if (missing.length > 0) {
    throw new ZkgpuError('WASM_ERROR', `wasm option (${describeSource(source)}) is a WebAssembly module but not zkgpu's engine: it lacks ${missing.join(', ')}`);
  }
  return module;
}

async function compileFrom(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof Uint8Array) return WebAssembly.compile(source as Uint8Array<ArrayBuffer>);
  if (source instanceof ArrayBuffer) return WebAssembly.compile(source);
  if (source instanceof URL) {
    if (source.protocol === 'file:' && isNode()) return WebAssembly.compile((await readFileBytes(source)) as Uint8Array<ArrayBuffer>);
    return fetchModule(source);
  }
  if (typeof source === 'string') {
    if (isNode() && !/^(https?|data|blob):/i.test(source)) {
      const path = source.startsWith('file:') ? new URL(source) : source;
      return WebAssembly.compile((await readFileBytes(path)) as Uint8Array<ArrayBuffer>);
    }
    return fetchModule(source);
  }
  throw new ZkgpuError('INVALID_ARGUMENT', `wasm must be bytes, a URL, a path or a WebAssembly.Module, got ${showValue(source)}`);
}

function describeSource(source: WasmSource): string {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.href;
  if (source instanceof WebAssembly.Module) return 'a WebAssembly.Module';
  return `${source.byteLength} bytes`;
}

/** A source that cannot be read is FILE_READ_ERROR, one that does not compile WASM_ERROR; both name it. */
function wasmSourceError(source: WasmSource, e: unknown): ZkgpuError {
  if (e instanceof ZkgpuError) return e;
  const reason = e instanceof Error ? e.message : String(e);
  const what = `wasm option (${describeSource(source)})`;
  if (e instanceof WebAssembly.CompileError) return new ZkgpuError('WASM_ERROR', `${what} is not a valid WebAssembly module: ${reason}`, { cause: e });
  return new ZkgpuError('FILE_READ_ERROR', `${what} could not be read: ${reason}`, { cause: e });
}

interface Exports {
  memory: WebAssembly.Memory;
  zk_alloc(len: number): number;
  zk_free(ptr: number, len: number): void;
  zk_msm(curve: number, group: number, points: number, scalars: number, n: number, windowBits: number, out: number): number;
  zk_validate_points(curve: number, group: number, points: number, n: number): number;
  zk_point_add(curve: number, group: number, a: number, b: number, out: number): number;
  zk_generate_points(curve: number, group: number, seedLo: number, seedHi: number, n: number, out: number): number;
  zk_ntt(curve: number, values: number, logN: number, flags: number, shift: number): number;
  zk_ntt_rows(curve: number, values: number, logM: number, count: number, flags: number, twiddleLogN: number, rowOffset: number): number;
  zk_mul_powers(curve: number, values: number, count: number, base: number, startExp: number): number;
  zk_scale(curve: number, values: number, count: number, factor: number): number;
  zk_bb_ntt(values: number, logN: number, flags: number, shift: number): number;
  zk_fixed_base_mul(curve: number, group: number, base: number, scalars: number, n: number, out: number): number;
  zk_build_abc(curve: number, coefs: number, count: number, witness: number, nVars: number, domain: number, rInv2: number, a: number, b: number, c: number): number;
  zk_quotient(curve: number, a: number, b: number, c: number, count: number, out: number): number;
  zk_h_scalars(curve: number, coefs: number, count: number, witness: number, nVars: number, domain: number, rInv2: number, shift: number, out: number): number;
}

const REQUIRED_EXPORTS: readonly (keyof Exports)[] = [
  'memory',
  'zk_alloc',
  'zk_free',
  'zk_msm',
  'zk_validate_points',
  'zk_point_add',
  'zk_generate_points',
  'zk_ntt',
  'zk_ntt_rows',
  'zk_mul_powers',
  'zk_scale',
  'zk_bb_ntt',
  'zk_fixed_base_mul',
  'zk_build_abc',
  'zk_quotient',
  'zk_h_scalars',
];

/** BabyBear p = 2^31 - 2^27 + 1 (src/math/babybear.ts) and its 2-adicity: sizes 2^0..2^27. */
const BABYBEAR_P = 0x78000001;
export const BABYBEAR_MAX_LOG_N = 27;

type NttOrder = 'natural' | 'bit-reversed';

export interface BabyBearNttCallOptions {
  inverse?: boolean;
  /** Coset shift g, an integer in [1, p); null or omitted = none. */
  shift?: number | null;
  inputOrder?: NttOrder;
  outputOrder?: NttOrder;
}

function log2Exact(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1 || (n & (n - 1)) !== 0) throw new RangeError(`${what}: length ${n} is not a power of two`);
  return 31 - Math.clz32(n);
}

function checkLength(bytes: Uint8Array, unit: number, what: string): number {
  if (bytes.length % unit !== 0) throw new RangeError(`${what}: ${bytes.length} bytes is not a multiple of ${unit}`);
  return bytes.length / unit;
}

export class WasmEngine {
  private constructor(private readonly x: Exports) {}

  static async create(source?: WasmSource): Promise<WasmEngine> {
    const module = await compileWasm(source);
    const instance = await WebAssembly.instantiate(module, {});
    const missing = REQUIRED_EXPORTS.filter((name) => !(name in instance.exports));
    if (missing.length > 0) {
      // A stale or foreign .wasm would otherwise fail later, at the first call, far from the cause.
      throw new Error(`zkgpu wasm: the module lacks the exports ${missing.join(', ')} (wrong or outdated .wasm file?)`);
    }
    return new WasmEngine(instance.exports as unknown as Exports);
  }

  /** Current size of this instance's linear memory. */
  memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  /** Copies `inputs` into fresh wasm allocations (plus `extra` zeroed bytes), runs `fn`, frees all. */
  private call<T>(inputs: (Uint8Array | number)[], fn: (ptrs: number[]) => T): T {
    const ptrs: number[] = [];
    const lens: number[] = [];
    try {
      for (const input of inputs) {
        const len = typeof input === 'number' ? input : input.length;
        const ptr = this.x.zk_alloc(len);
        if (ptr === 0) throw new Error(`zkgpu wasm: zk_alloc(${len}) failed`);
        ptrs.push(ptr);
        lens.push(len);
        const mem = new Uint8Array(this.x.memory.buffer, ptr, len);
        if (typeof input === 'number') mem.fill(0);
        else mem.set(input);
      }
      return fn(ptrs);
    } finally {
      for (let i = 0; i < ptrs.length; i++) this.x.zk_free(ptrs[i], lens[i]);
    }
  }

  private read(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, ptr, len).slice();
  }

  private static check(name: string, rc: number): void {
    if (rc < 0) throw new Error(`zkgpu wasm: ${name} failed with code ${rc}`);
  }

  msm(curve: CurveName, group: GroupName, points: Uint8Array, scalars: Uint8Array, opts: { windowBits?: number } = {}): Uint8Array {
    return (this.runMsm(curve, group, points, scalars, opts.windowBits, false) as { point: Uint8Array }).point;
  }

  /**
   * The MSM with the points checked first, on the copy already in wasm memory (one copy and one
   * message instead of two): `{ invalidIndex }` for the first point off the curve or with a
   * coordinate not below p, else the sum.
   */
  msmValidated(curve: CurveName, group: GroupName, points: Uint8Array, scalars: Uint8Array, opts: { windowBits?: number } = {}): { point: Uint8Array } | { invalidIndex: number } {
    return this.runMsm(curve, group, points, scalars, opts.windowBits, true);
  }

  private runMsm(
    curve: CurveName,
    group: GroupName,
    points: Uint8Array,
    scalars: Uint8Array,
    windowBits: number | undefined,
    validate: boolean,
  ): { point: Uint8Array } | { invalidIndex: number } {
    const pb = pointBytes(curve, group);
    const n = checkLength(points, pb, 'msm points');
    const ns = checkLength(scalars, SCALAR_BYTES, 'msm scalars');
    if (n !== ns) throw new RangeError(`msm: ${n} points but ${ns} scalars`);
    return this.call([points, scalars, pb], ([p, s, out]) => {
      if (validate) {
        const rc = this.x.zk_validate_points(CURVE_CODE[curve], GROUP_CODE[group], p, n);
        if (rc < -1) WasmEngine.check('zk_validate_points', rc);
        if (rc >= 0) return { invalidIndex: rc };
      }
      WasmEngine.check('zk_msm', this.x.zk_msm(CURVE_CODE[curve], GROUP_CODE[group], p, s, n, windowBits ?? 0, out));
      return { point: this.read(out, pb) };
    });
  }

  /**
   * [k_i] base for every 32-byte scalar k_i (standard form, < r): n affine points in the points'
   * encoding, infinity (zero scalar) as zeros. One base, many scalars: the setup's point work.
   */
  fixedBaseMul(curve: CurveName, group: GroupName, base: Uint8Array, scalars: Uint8Array): Uint8Array {
    const pb = pointBytes(curve, group);
    if (base.length !== pb) throw new RangeError(`fixedBaseMul: base must be ${pb} bytes`);
    const n = checkLength(scalars, SCALAR_BYTES, 'fixedBaseMul scalars');
    return this.call([base, scalars, n * pb], ([b, s, out]) => {
      WasmEngine.check('zk_fixed_base_mul', this.x.zk_fixed_base_mul(CURVE_CODE[curve], GROUP_CODE[group], b, s, n, out));
      return this.read(out, n * pb);
    });
  }

  /**
   * Groth16's A, B and C = A B over the domain (standard form) from the .zkey's section-4
   * coefficients (44 bytes each, values c R^2 mod r) and the witness (32-byte standard form);
   * `rInv2` is R^-2 mod r (R = 2^256). A bad coefficient gives `{ badCoefficient: { index, field } }`
   * (field 0 matrix, 1 constraint, 2 signal, 3 value not below r).
   */
  buildAbc(
    curve: CurveName,
    coefficients: Uint8Array,
    witness: Uint8Array,
    domain: number,
    rInv2: Uint8Array,
  ): { a: Uint8Array; b: Uint8Array; c: Uint8Array } | { badCoefficient: { index: number; field: number } } {
    const count = checkLength(coefficients, 44, 'buildAbc coefficients');
    const nVars = checkLength(witness, SCALAR_BYTES, 'buildAbc witness');
    if (rInv2.length !== SCALAR_BYTES) throw new RangeError('buildAbc: rInv2 must be 32 bytes');
    const bytes = domain * SCALAR_BYTES;
    return this.call([coefficients, witness, rInv2, bytes, bytes, bytes], ([co, w, k, a, b, c]) => {
      const rc = this.x.zk_build_abc(CURVE_CODE[curve], co, count, w, nVars, domain, k, a, b, c);
      if (rc <= -16) return { badCoefficient: { index: Math.floor((-rc - 16) / 4), field: (-rc - 16) % 4 } };
      WasmEngine.check('zk_build_abc', rc);
      return { a: this.read(a, bytes), b: this.read(b, bytes), c: this.read(c, bytes) };
    });
  }

  /**
   * Groth16's H MSM scalars in one call: buildAbc's inputs, then A, B and C each from the domain to
   * the coset `shift` <w> (inverse NTT, coset NTT) and A B - C there. Same as buildAbc, the
   * transforms and quotient in sequence, without their copies; bad coefficients as buildAbc.
   */
  hScalars(
    curve: CurveName,
    coefficients: Uint8Array,
    witness: Uint8Array,
    domain: number,
    rInv2: Uint8Array,
    shift: Uint8Array,
  ): { h: Uint8Array } | { badCoefficient: { index: number; field: number } } {
    const count = checkLength(coefficients, 44, 'hScalars coefficients');
    const nVars = checkLength(witness, SCALAR_BYTES, 'hScalars witness');
    log2Exact(domain, 'hScalars domain');
    if (rInv2.length !== SCALAR_BYTES) throw new RangeError('hScalars: rInv2 must be 32 bytes');
    if (shift.length !== SCALAR_BYTES) throw new RangeError('hScalars: shift must be 32 bytes');
    const bytes = domain * SCALAR_BYTES;
    return this.call([coefficients, witness, rInv2, shift, bytes], ([co, w, k, g, out]) => {
      const rc = this.x.zk_h_scalars(CURVE_CODE[curve], co, count, w, nVars, domain, k, g, out);
      if (rc <= -16) return { badCoefficient: { index: Math.floor((-rc - 16) / 4), field: (-rc - 16) % 4 } };
      WasmEngine.check('zk_h_scalars', rc);
      return { h: this.read(out, bytes) };
    });
  }

  /** a_k b_k - c_k mod r for three arrays of 32-byte standard-form values. */
  quotient(curve: CurveName, a: Uint8Array, b: Uint8Array, c: Uint8Array): Uint8Array {
    const n = checkLength(a, SCALAR_BYTES, 'quotient a');
    if (b.length !== a.length || c.length !== a.length) throw new RangeError('quotient: a, b and c must have the same length');
    return this.call([a, b, c, a.length], ([pa, pb, pc, out]) => {
      WasmEngine.check('zk_quotient', this.x.zk_quotient(CURVE_CODE[curve], pa, pb, pc, n, out));
      return this.read(out, a.length);
    });
  }

  /** -1 when all points are valid; else the index of the first invalid point. */
  validatePoints(curve: CurveName, group: GroupName, points: Uint8Array): number {
    const n = checkLength(points, pointBytes(curve, group), 'validatePoints');
    return this.call([points], ([p]) => {
      const rc = this.x.zk_validate_points(CURVE_CODE[curve], GROUP_CODE[group], p, n);
      if (rc < -1) WasmEngine.check('zk_validate_points', rc);
      return rc;
    });
  }

  pointAdd(curve: CurveName, group: GroupName, a: Uint8Array, b: Uint8Array): Uint8Array {
    const pb = pointBytes(curve, group);
    if (a.length !== pb || b.length !== pb) throw new RangeError(`pointAdd: points must be ${pb} bytes`);
    return this.call([a, b, pb], ([pa, pq, out]) => {
      WasmEngine.check('zk_point_add', this.x.zk_point_add(CURVE_CODE[curve], GROUP_CODE[group], pa, pq, out));
      return this.read(out, pb);
    });
  }

  /** n distinct valid points, deterministic in `seed` (a non-negative integer below 2^53). */
  generatePoints(curve: CurveName, group: GroupName, n: number, seed: number): Uint8Array {
    const pb = pointBytes(curve, group);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError('generatePoints: seed must be a non-negative safe integer');
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    return this.call([n * pb], ([out]) => {
      WasmEngine.check('zk_generate_points', this.x.zk_generate_points(CURVE_CODE[curve], GROUP_CODE[group], lo, hi, n, out));
      return this.read(out, n * pb);
    });
  }

  ntt(
    curve: CurveName,
    values: Uint8Array,
    opts: { inverse?: boolean; shift?: Uint8Array | null; inputOrder?: 'natural' | 'bit-reversed'; outputOrder?: 'natural' | 'bit-reversed' } = {},
  ): Uint8Array {
    const n = checkLength(values, SCALAR_BYTES, 'ntt');
    const logN = log2Exact(n, 'ntt');
    if (logN > MAX_LOG_N[curve]) throw new RangeError(`ntt: 2^${logN} exceeds the 2-adicity of ${curve}`);
    const flags = (opts.inverse ? 1 : 0) | (opts.inputOrder === 'bit-reversed' ? 2 : 0) | (opts.outputOrder === 'bit-reversed' ? 4 : 0);
    const shift = opts.shift ?? null;
    if (shift && shift.length !== SCALAR_BYTES) throw new RangeError('ntt: shift must be 32 bytes');
    return this.call(shift ? [values, shift] : [values], ([v, s]) => {
      WasmEngine.check('zk_ntt', this.x.zk_ntt(CURVE_CODE[curve], v, logN, flags, shift ? s : 0));
      return this.read(v, values.length);
    });
  }

  /** Four-step NTT rows: see zk_ntt_rows in wasm/README.md. */
  nttRows(curve: CurveName, values: Uint8Array, logM: number, opts: { inverse?: boolean; twiddleLogN?: number; rowOffset?: number } = {}): Uint8Array {
    const total = checkLength(values, SCALAR_BYTES, 'nttRows');
    const m = 2 ** logM;
    if (!Number.isInteger(logM) || logM < 0 || logM > MAX_LOG_N[curve] || total % m !== 0) {
      throw new RangeError(`nttRows: ${total} values do not split into rows of 2^${logM}`);
    }
    return this.call([values], ([v]) => {
      const rc = this.x.zk_ntt_rows(CURVE_CODE[curve], v, logM, total / m, opts.inverse ? 1 : 0, opts.twiddleLogN ?? 0, opts.rowOffset ?? 0);
      WasmEngine.check('zk_ntt_rows', rc);
      return this.read(v, values.length);
    });
  }

  /** values[i] *= base^(startExp + i); base is a 32-byte LE standard Fr element. */
  mulPowers(curve: CurveName, values: Uint8Array, base: Uint8Array, startExp: number): Uint8Array {
    const count = checkLength(values, SCALAR_BYTES, 'mulPowers');
    if (base.length !== SCALAR_BYTES) throw new RangeError('mulPowers: base must be 32 bytes');
    if (!Number.isInteger(startExp) || startExp < 0 || startExp > 0xffffffff) throw new RangeError('mulPowers: startExp must be a u32');
    return this.call([values, base], ([v, b]) => {
      WasmEngine.check('zk_mul_powers', this.x.zk_mul_powers(CURVE_CODE[curve], v, count, b, startExp >>> 0));
      return this.read(v, values.length);
    });
  }

  /**
   * In-place BabyBear NTT (zk_bb_ntt) of 2^logN u32 values in standard form; values must be < p
   * (not checked here: the public API does it). Memory: 4 bytes per value plus a 4-byte twiddle
   * per value per direction, kept for later calls (1 GiB in the instance at 2^27 one way).
   */
  babybearNtt(values: Uint32Array, opts: BabyBearNttCallOptions = {}): Uint32Array {
    const logN = log2Exact(values.length, 'babybearNtt');
    if (logN > BABYBEAR_MAX_LOG_N) throw new RangeError(`babybearNtt: 2^${logN} exceeds the 2-adicity of BabyBear (2^${BABYBEAR_MAX_LOG_N})`);
    const shift = opts.shift ?? 0;
    if (opts.shift != null && (!Number.isInteger(shift) || shift < 1 || shift >= BABYBEAR_P)) {
      throw new RangeError(`babybearNtt: shift must be an integer in [1, p), got ${String(opts.shift)}`);
    }
    const flags = (opts.inverse ? 1 : 0) | (opts.inputOrder === 'bit-reversed' ? 2 : 0) | (opts.outputOrder === 'bit-reversed' ? 4 : 0);
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    return this.call([bytes], ([v]) => {
      WasmEngine.check('zk_bb_ntt', this.x.zk_bb_ntt(v, logN, flags, shift >>> 0));
      return new Uint32Array(this.read(v, bytes.length).buffer);
    });
  }

  /** values[i] *= factor (e.g. 1/n after a split inverse NTT). */
  scale(curve: CurveName, values: Uint8Array, factor: Uint8Array): Uint8Array {
    const count = checkLength(values, SCALAR_BYTES, 'scale');
    if (factor.length !== SCALAR_BYTES) throw new RangeError('scale: factor must be 32 bytes');
    return this.call([values, factor], ([v, f]) => {
      WasmEngine.check('zk_scale', this.x.zk_scale(CURVE_CODE[curve], v, count, f));
      return this.read(v, values.length);
    });
  }
}
