import { parseArgs } from 'node:util';
import {
  BENCH_BACKENDS,
  BENCH_CURVES,
  BENCH_GROUPS,
  BENCH_OPS,
  BENCH_PEERS,
  type BenchBackend,
  type BenchConfig,
  type BenchCurve,
  type BenchGroup,
  type BenchOp,
  type BenchPeer,
} from '../core/schema.js';

/** A bad command line. The CLI prints the message and the usage, and exits with code 2. */
export class BenchUsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

export type PeerName = BenchPeer;

export const OPS: readonly BenchOp[] = BENCH_OPS;
export const CURVES: readonly BenchCurve[] = BENCH_CURVES;
export const GROUPS: readonly BenchGroup[] = BENCH_GROUPS;
export const PEERS: readonly PeerName[] = BENCH_PEERS;
export const BACKENDS: readonly BenchBackend[] = BENCH_BACKENDS;

export const DEFAULT_SIZES = [12, 14, 16];
export const DEFAULT_RUNS = 5;
export const QUICK_SIZES = [12, 14];
export const QUICK_RUNS = 3;
/**
 * runtime.samplePoints makes at most 2^26 points (and 2^26 BN254 G1 inputs are already 6 GiB with
 * the peers' copies); the runtime's own NTT limit (MAX_NTT_LOG_N, 24 today) is reported by it.
 */
export const MAX_LOG_N = 26;
export const MAX_SEED = 0xffffffff;

export const BENCH_USAGE = `Usage: zkgpu bench [msm] [ntt] [options]

Checks zkgpu's MSM/NTT result against each peer on the same random input, then times
zkgpu (wasm workers and/or WebGPU) and the peers. With no op, runs both. A WebGPU row's
"first ms" includes shader compilation; its median is warm.

Options:
  --curve bn254|bls12-381     curve (default bn254)
  --group g1|g2               MSM group (default g1; NTT ignores it)
  --sizes 12,14,16            log2 of the input sizes (default ${DEFAULT_SIZES.join(',')})
  --runs N                    timed runs after the warm-up/check run (default ${DEFAULT_RUNS})
  --backend wasm,webgpu       zkgpu engines to time (default: wasm, plus webgpu when an adapter
                              exists); the first is checked against the peers, the others
                              against it
  --threads N                 zkgpu worker threads (default: the runtime's choice)
  --peers ffjavascript,noble  peers to check and time against, or "none" (default both);
                              a peer that is not installed is skipped with a note
  --seed N                    input seed, 0..4294967295 (default: random, printed)
  --json FILE                 also write the report as JSON (schema zkgpu-bench v1)
  --quick                     small set: sizes ${QUICK_SIZES.join(',')}, ${QUICK_RUNS} runs (explicit options win)
  -h, --help                  this text

noble (pure BigInt) is run only up to 2^14 points for G1 and 2^12 for G2; it has no NTT peer here.
ffjavascript checks every size even when it is not timed; where it is not installed, zkgpu's
result is checked against zkgpu/math, the BigInt reference (the last column names the check).
Exit code: 0 all checked, 1 a result mismatched or an implementation failed, 2 bad usage.

Groth16 proofs against snarkjs: zkgpu bench groth16 --help
The prover service against proving in a loop: zkgpu bench serve --help`;

export interface ParsedBenchArgs {
  help: boolean;
  /** Everything of the config except the seed, which the runner settles (`null` = pick one). */
  config: Omit<BenchConfig, 'seed'>;
  seed: string | null;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], option: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new BenchUsageError(`--${option} must be one of ${allowed.join(', ')}; got "${value}"`);
}

function integer(value: string, option: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim())) throw new BenchUsageError(`--${option} must be an integer; got "${value}"`);
  const n = Number(value.trim());
  if (n < min || n > max) throw new BenchUsageError(`--${option} must be between ${min} and ${max}; got ${n}`);
  return n;
}

function parseSizes(value: string): number[] {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) throw new BenchUsageError('--sizes needs at least one log2 size, e.g. 12,14,16');
  const sizes = parts.map((p, i) => {
    if (!/^\d+$/.test(p)) throw new BenchUsageError(`--sizes entry ${i + 1} ("${p}") is not an integer log2 size`);
    const n = Number(p);
    if (n < 1 || n > MAX_LOG_N) {
      throw new BenchUsageError(`--sizes entry ${i + 1} (${n}) must be between 1 and ${MAX_LOG_N} (log2 of n)`);
    }
    return n;
  });
  return [...new Set(sizes)].sort((a, b) => a - b);
}

function parsePeers(value: string): PeerName[] {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 1 && parts[0] === 'none') return [];
  if (parts.length === 0) throw new BenchUsageError('--peers needs a list (ffjavascript,noble) or "none"');
  return [...new Set(parts.map((p) => oneOf(p, PEERS, 'peers')))];
}

function parseBackends(value: string): BenchBackend[] {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) throw new BenchUsageError('--backend needs a list: wasm, webgpu or wasm,webgpu');
  return [...new Set(parts.map((p) => oneOf(p, BACKENDS, 'backend')))];
}

export function parseBenchArgs(argv: readonly string[]): ParsedBenchArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        curve: { type: 'string' },
        group: { type: 'string' },
        sizes: { type: 'string' },
        runs: { type: 'string' },
        threads: { type: 'string' },
        backend: { type: 'string' },
        peers: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'string' },
        quick: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    // node:util throws TypeErrors with codes like ERR_PARSE_ARGS_UNKNOWN_OPTION; keep its message.
    throw new BenchUsageError((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  const ops: BenchOp[] = [];
  for (const p of positionals) {
    if (!(OPS as readonly string[]).includes(p)) throw new BenchUsageError(`unknown op "${p}"; expected ${OPS.join(' and/or ')}`);
    const op = p as BenchOp;
    if (!ops.includes(op)) ops.push(op);
  }
  const quick = v.quick === true;
  let seed: string | null = null;
  if (v.seed !== undefined) {
    // 32 bits: runtime.samplePoints takes a uint32 seed, and one seed drives all inputs.
    seed = String(integer(v.seed, 'seed', 0, MAX_SEED));
  }
  const json = v.json ?? null;
  if (json !== null && json.trim() === '') throw new BenchUsageError('--json needs a file name');
  return {
    help: v.help === true,
    seed,
    config: {
      ops: ops.length > 0 ? ops.sort((a, b) => OPS.indexOf(a) - OPS.indexOf(b)) : [...OPS],
      curve: v.curve !== undefined ? oneOf(v.curve, CURVES, 'curve') : 'bn254',
      group: v.group !== undefined ? oneOf(v.group, GROUPS, 'group') : 'g1',
      sizes: v.sizes !== undefined ? parseSizes(v.sizes) : quick ? [...QUICK_SIZES] : [...DEFAULT_SIZES],
      runs: v.runs !== undefined ? integer(v.runs, 'runs', 1, 1000) : quick ? QUICK_RUNS : DEFAULT_RUNS,
      threads: v.threads !== undefined ? integer(v.threads, 'threads', 1, 1024) : null,
      backends: v.backend !== undefined ? parseBackends(v.backend) : null,
      peers: v.peers !== undefined ? parsePeers(v.peers) : [...PEERS],
      json,
      quick,
    },
  };
}
