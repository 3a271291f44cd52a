/**
 * groth16.fullProve: input JSON -> witness (circom's compiled .wasm, run by circom_runtime's
 * WitnessCalculatorBuilder exactly as snarkjs's wtns_calculate does) -> groth16.prove.
 * Inputs are checked first, so a bad value is reported with the signal's name and position
 * instead of surfacing as a BigInt SyntaxError from inside the calculator.
 */
import type { WitnessCalculator } from 'circom_runtime';
import { ZkgpuError } from '../../core/errors.js';
import { abortError } from '../../core/abort.js';
import { proveOn, proveStageCount, withRuntime, type Groth16ProveResult, type ProveOptions } from './prove.js';
import { readWhole, type BinSource } from '../formats/source.js';
import { callUser } from './proof-run.js';
import type { ProofKey } from './proof-key.js';
import type { Runtime } from '../../runtime/runtime.js';

/** A circuit input: signal name -> value or (nested) array of values; decimal or 0x-hex strings, integers or bigints. */
export type CircuitInput = Record<string, unknown>;

export async function fullProve(input: CircuitInput, wasmSource: BinSource, zkeySource: BinSource, options: ProveOptions = {}): Promise<Groth16ProveResult> {
  const parsed = parseInput(input);
  return withRuntime(options, (runtime) => fullProveOn(runtime, parsed, wasmSource, zkeySource, options));
}

/** fullProve on a runtime, with the key as proveOn takes it (a source, or a prepared prover's key). */
export async function fullProveOn(
  runtime: Runtime,
  parsed: CircuitInput,
  wasmSource: BinSource,
  zkey: BinSource | { prepared: ProofKey },
  options: ProveOptions,
): Promise<Groth16ProveResult> {
  const start = performance.now();
  const { name, bytes: wasm } = await readWhole(wasmSource, 'circuit wasm');
  if (options.signal?.aborted) throw abortError(options.signal);
  const wtns = await computeWitness(parsed, wasm, name);
  const witnessMs = performance.now() - start;
  callUser(runtime, 'onProgress', options.onProgress, { stage: 'witness', done: 1, total: proveStageCount(runtime, options) + 1 });
  return proveOn(runtime, zkey, wtns, options, { witness: witnessMs, stagesBefore: 1, wtnsName: `the witness computed by ${name}` });
}

/** Runs the circuit's witness calculator; returns a complete .wtns file. */
export async function computeWitness(input: CircuitInput, wasm: Uint8Array, wasmName: string): Promise<Uint8Array> {
  // Loaded on first use: circom_runtime pulls in ffjavascript, which MSM/NTT-only users never need.
  const { WitnessCalculatorBuilder } = await import('circom_runtime');
  let calculator: WitnessCalculator;
  try {
    calculator = await WitnessCalculatorBuilder(wasm);
  } catch (e) {
    throw new ZkgpuError('FILE_FORMAT', `${wasmName}: not a circom witness-calculator .wasm: ${(e as Error).message}`, { cause: e });
  }
  // circom 1 (2020) calculators return bare values in another layout; every current circuit is circom 2.
  if (calculator.circom_version() < 2) {
    throw new ZkgpuError('FILE_FORMAT', `${wasmName}: compiled by circom 1, which zkgpu does not support (recompile with circom 2)`);
  }
  checkInputShape(input, calculator, wasmName);
  try {
    return await calculator.calculateWTNSBin(input);
  } catch (e) {
    throw calculatorError(e, wasmName);
  }
}

/**
 * Checks each given signal against the circuit's own table (circom 2 exports
 * getInputSignalSize(hash) over the FNV-1a 64 hash of the name): an unknown name reports size 0 or
 * -1, which circom_runtime would call "too many values"; we say what it is.
 */
function checkInputShape(input: CircuitInput, calculator: WitnessCalculator, wasmName: string): void {
  const size = calculator.instance?.exports?.getInputSignalSize;
  if (typeof size !== 'function') return;
  for (const [name, value] of Object.entries(input)) {
    const hash = fnv1a64(name);
    const expected = size(Number(hash >> 32n), Number(hash & 0xffffffffn));
    const given = countValues(value);
    if (expected <= 0) throw new ZkgpuError('INPUT_INVALID', `input signal "${name}" is not an input of the circuit ${wasmName}`);
    if (given !== expected) {
      throw new ZkgpuError('INPUT_INVALID', `input signal "${name}": the circuit ${wasmName} takes ${expected} value${expected === 1 ? '' : 's'}, the input gives ${given}`);
    }
  }
}

function countValues(v: unknown): number {
  return Array.isArray(v) ? v.reduce((n: number, x) => n + countValues(x), 0) : 1;
}

/** FNV-1a, 64-bit: how circom 2 keys input signal names. */
function fnv1a64(s: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

/** The calculator's messages name the signal when it knows it; we keep them and add the code. */
function calculatorError(e: unknown, wasmName: string): ZkgpuError {
  const message = String((e as Error)?.message ?? e).trim();
  let m = /Signal (\S+) (?:not found|is not an input of the circuit)/.exec(message);
  if (m) return new ZkgpuError('INPUT_INVALID', `input signal "${m[1]}" is not an input of the circuit ${wasmName}`, { cause: e });
  m = /(Not enough|Too many) values for input signal (\S+)/.exec(message);
  if (m) return new ZkgpuError('INPUT_INVALID', `input signal "${m[2]}": ${m[1].toLowerCase()} values for the circuit ${wasmName}`, { cause: e });
  m = /Not all inputs have been set\. Only (\d+) out of (\d+)/.exec(message);
  if (m) {
    // The compiled circuit keeps only hashes of signal names, so the missing one cannot be named.
    return new ZkgpuError('INPUT_INVALID', `the input sets ${m[1]} of the ${m[2]} input values of ${wasmName}: a signal (or part of an array signal) is missing`, { cause: e });
  }
  return new ZkgpuError('INPUT_INVALID', `the circuit ${wasmName} rejected the input: ${message}`, { cause: e });
}

/** Converts every value to a BigInt (as snarkjs's unstringifyBigInts + circom_runtime accept), naming the first bad one. */
export function parseInput(input: unknown): CircuitInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ZkgpuError(
      'INPUT_INVALID',
      `the input must be an object of signal names to values, got ${Array.isArray(input) ? 'an array' : input === null ? 'null' : typeof input}`,
    );
  }
  const out: CircuitInput = {};
  for (const [name, value] of Object.entries(input)) out[name] = parseValue(value, name);
  return out;
}

const DECIMAL = /^-?[0-9]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;

function parseValue(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => parseValue(v, `${path}[${i}]`));
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return BigInt(value);
    throw new ZkgpuError('INPUT_INVALID', `input signal "${path}": ${value} is not an integer (pass large values as decimal strings)`);
  }
  if (typeof value === 'string') {
    const s = value.trim();
    if (DECIMAL.test(s) || HEX.test(s)) return BigInt(s);
    throw new ZkgpuError('INPUT_INVALID', `input signal "${path}": ${JSON.stringify(value)} is not a decimal or 0x-hex integer`);
  }
  throw new ZkgpuError('INPUT_INVALID', `input signal "${path}": expected a number, a numeric string or an array, got ${value === null ? 'null' : typeof value}`);
}
