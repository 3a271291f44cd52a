/**
 * `zkgpu setup`: an INSECURE development Groth16 key for a circom .r1cs (groth16/dev-setup.ts),
 * for tests and benchmarks. The warning goes to stderr on every run, and in the help.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_SETUP_WARNING, groth16, isZkgpuError } from '../index.js';
import type { CliIO } from './io.js';

export const SETUP_USAGE = `Usage: zkgpu setup <circuit.r1cs> <circuit.zkey> [--vkey vkey.json] [--seed N] [--threads N]

INSECURE: for testing and benchmarks only. Makes a Groth16 proving key (snarkjs's .zkey
layout) and, with --vkey, its verification key (snarkjs's JSON), with toxic waste derived
from the seed: anyone who knows the seed can forge proofs for this key. Use a real
ceremony (snarkjs powers of tau + phase 2) for anything that must be sound.

Options:
  --vkey FILE     also write the verification key JSON
  --seed N        seed of the toxic waste (a non-negative integer; default: random, printed)
  --threads N     worker threads for the point work (default: all available cores)
  --json          print sizes, seed and stage timings as JSON on stdout
  -h, --help      this text

Exit code: 0 done, 1 the .r1cs could not be read or is invalid, 2 bad usage.`;

class SetupUsageError extends Error {
  readonly code = 'USAGE';
}

interface SetupFlags {
  help: false;
  r1cs: string;
  zkey: string;
  vkey?: string;
  seed?: bigint;
  threads?: number;
  json: boolean;
}

/** The command line, checked: SetupUsageError (exit 2) for anything wrong, before any work. */
function parseSetupArgs(argv: readonly string[]): SetupFlags | { help: true } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        vkey: { type: 'string' },
        seed: { type: 'string' },
        threads: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new SetupUsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return { help: true };
  const [r1cs, zkey, ...extra] = parsed.positionals;
  if (zkey === undefined) throw new SetupUsageError(r1cs === undefined ? 'missing circuit.r1cs, circuit.zkey' : 'missing circuit.zkey');
  if (extra.length > 0) throw new SetupUsageError(`expected 2 files (circuit.r1cs, circuit.zkey), got an extra "${extra[0]}"`);
  const outputs = [zkey, ...(v.vkey !== undefined ? [v.vkey] : [])].map((p) => resolve(p));
  if (outputs.includes(resolve(r1cs))) throw new SetupUsageError(`an output is the input ${r1cs}: refusing to overwrite it`);
  if (outputs.length === 2 && outputs[0] === outputs[1]) throw new SetupUsageError(`the key and the vkey would both go to ${zkey}`);
  let seed: bigint | undefined;
  if (v.seed !== undefined) {
    if (!/^\d+$/.test(v.seed)) throw new SetupUsageError(`--seed must be a non-negative integer; got "${v.seed}"`);
    seed = BigInt(v.seed);
  }
  let threads: number | undefined;
  if (v.threads !== undefined) {
    if (!/^\d+$/.test(v.threads) || Number(v.threads) < 1 || Number(v.threads) > 256) throw new SetupUsageError(`--threads must be an integer from 1 to 256; got "${v.threads}"`);
    threads = Number(v.threads);
  }
  return { help: false, r1cs, zkey, vkey: v.vkey, seed, threads, json: v.json === true };
}

export async function runSetup(argv: readonly string[], io: CliIO): Promise<number> {
  const flags = parseSetupArgs(argv);
  if (flags.help) {
    io.out(SETUP_USAGE);
    return 0;
  }
  const { r1cs, zkey, vkey, seed, threads } = flags;
  io.err(`zkgpu setup: WARNING: ${DEV_SETUP_WARNING}`);
  let result;
  try {
    result = await groth16.devSetup(r1cs, { output: zkey, seed, threads });
  } catch (e) {
    if (isZkgpuError(e)) {
      io.err(`zkgpu setup: ${e.message} [${e.code}]`);
      return 1;
    }
    throw e;
  }
  if (vkey !== undefined) {
    // Temporary name, then rename: a failed write never leaves half a JSON file behind.
    const tmp = `${vkey}.zkgpu-${process.pid}.tmp`;
    try {
      await writeFile(tmp, `${JSON.stringify(result.vkey, null, 1)}\n`);
      await rename(tmp, vkey);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  const t = result.timings;
  if (flags.json) {
    io.out(
      JSON.stringify({
        command: 'setup',
        insecure: true,
        warning: DEV_SETUP_WARNING,
        zkey,
        vkey: vkey ?? null,
        seed: result.seed.toString(),
        curve: result.vkey.curve,
        constraints: result.nConstraints,
        nVars: result.nVars,
        nPublic: result.nPublic,
        domainSize: result.domainSize,
        timings: t,
      }),
    );
  } else {
    io.out(
      `wrote ${zkey}${vkey !== undefined ? ` and ${vkey}` : ''}: INSECURE dev key (seed ${result.seed}), ${result.vkey.curve}, ` +
        `${result.nConstraints} constraints, ${result.nVars} signals, ${result.nPublic} public, domain 2^${Math.log2(result.domainSize)}; ` +
        `${t.total.toFixed(0)} ms (points ${(t.points ?? 0).toFixed(0)} ms)`,
    );
  }
  return 0;
}
