/**
 * Checks a submitted input against its circuit before the job is accepted, so a client learns at
 * once (400 INPUT_INVALID, naming the signal) that its input cannot fit, instead of from a failed
 * job later: every value an integer in the field, every signal one of the circuit's inputs with
 * the right number of values, and no input value missing. Values are normalised to decimal strings
 * (they are stored as JSON and turned into BigInts in the helper thread).
 *
 * The signal table comes from the circuit's own .wasm (circom 2 exports getInputSignalSize over the
 * FNV-1a 64 hash of a name, and getInputSize, the count of all input values), instantiated once per
 * circuit on this thread only for those two lookups (~2-3 MiB, 13-43 ms for the test and 2^16 bench
 * circuits here).
 */
import { ServeError } from './errors.js';

export interface SignalTable {
  signalSize(name: string): number;
  totalValues: number;
}

/** What registration checks a circuit's .wasm against its key with. */
export interface CalculatorFacts {
  /** The field the calculator computes in (the key's r). */
  prime: bigint;
  /** Witness values it writes (the key's nVars). */
  witnessSize: number;
  /** null for a calculator without the lookups (circom before 2.1): inputs are then checked when the witness is computed. */
  table: SignalTable | null;
}

interface CircomInstanceExports {
  getInputSignalSize?: (hi: number, lo: number) => number;
  getInputSize?: () => number;
}

const CIRCOM_RUNTIME = 'circom_runtime';

/** Instantiates a circom 2 witness calculator and reads its field, witness size and input table. */
export async function loadCalculatorFacts(wasm: Uint8Array): Promise<CalculatorFacts> {
  const { WitnessCalculatorBuilder } = (await import(CIRCOM_RUNTIME)) as {
    WitnessCalculatorBuilder(code: Uint8Array): Promise<{ instance?: { exports?: CircomInstanceExports }; circom_version(): number; prime: bigint; witnessSize: number }>;
  };
  const calculator = await WitnessCalculatorBuilder(wasm);
  if (calculator.circom_version() < 2) throw new Error('compiled by circom 1, which zkgpu does not support (recompile with circom 2)');
  const exports = calculator.instance?.exports;
  const size = exports?.getInputSignalSize;
  const total = exports?.getInputSize;
  const table: SignalTable | null =
    typeof size !== 'function' || typeof total !== 'function'
      ? null
      : {
          signalSize: (name) => {
            const h = fnv1a64(name);
            return size(Number(h >> 32n), Number(h & 0xffffffffn));
          },
          totalValues: total(),
        };
  return { prime: calculator.prime, witnessSize: calculator.witnessSize, table };
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

const DECIMAL = /^-?[0-9]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;

function bad(message: string): never {
  throw new ServeError('INPUT_INVALID', message);
}

/**
 * The input with every value as a decimal string in [0, r) (negative values taken mod r, as circom
 * does), checked against the circuit's table when there is one.
 */
export function normaliseInput(input: Record<string, unknown>, r: bigint, table: SignalTable | null, circuit: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let values = 0;
  for (const [name, value] of Object.entries(input)) {
    const normalised = normaliseValue(value, name, r);
    const given = countValues(normalised);
    if (table) {
      const expected = table.signalSize(name);
      if (expected <= 0) bad(`input signal "${name}" is not an input of the circuit "${circuit}"`);
      if (given !== expected) bad(`input signal "${name}": the circuit "${circuit}" takes ${expected} value${expected === 1 ? '' : 's'}, the input gives ${given}`);
    }
    values += given;
    out[name] = normalised;
  }
  if (table && values < table.totalValues) {
    // The compiled circuit keeps only hashes of signal names, so the missing one cannot be named.
    bad(`the input sets ${values} of the ${table.totalValues} input values of the circuit "${circuit}": a signal (or part of an array signal) is missing`);
  }
  return out;
}

function countValues(v: unknown): number {
  return Array.isArray(v) ? v.reduce((n: number, x) => n + countValues(x), 0) : 1;
}

function normaliseValue(value: unknown, path: string, r: bigint): unknown {
  if (Array.isArray(value)) return value.map((v, i) => normaliseValue(v, `${path}[${i}]`, r));
  let n: bigint;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) bad(`input signal "${path}": ${value} is not a safe integer (pass large values as decimal strings)`);
    n = BigInt(value);
  } else if (typeof value === 'string') {
    const s = value.trim();
    if (!DECIMAL.test(s) && !HEX.test(s)) bad(`input signal "${path}": ${JSON.stringify(value).slice(0, 80)} is not a decimal or 0x-hex integer`);
    n = BigInt(s);
  } else {
    bad(`input signal "${path}": expected a number, a numeric string or an array, got ${value === null ? 'null' : typeof value}`);
  }
  if (n >= r || n <= -r) bad(`input signal "${path}": ${n} is outside the circuit's field (|value| must be below r = ${r})`);
  return (((n % r) + r) % r).toString();
}
