/**
 * The `zkgpu` command line: a table of subcommands, each loaded only when it runs (so `zkgpu --help`
 * does not start workers or load peers). Exit codes: 0 success, 1 the command failed, 2 bad usage.
 */
import { realpathSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { applyGpusOption, GPU_VERBS, GPUS_USAGE, takeGpusOption, threadsValue } from './options.js';

import type { CliIO, Command } from './io.js';

export type { CliIO, Command } from './io.js';

// The bench code lives in bench/ (compiled to dist/bench/); it uses only zkgpu's public API.
const benchModule = () => import('../../bench/node/run.js');
const benchArgs = () => import('../../bench/node/args.js');
const groth16Cli = (): Promise<typeof import('./groth16.js')> => import(/* @vite-ignore */ groth16Module());
const infoCli = () => import('./info.js');

/**
 * The proving verbs' module: in a build, its bundle (scripts/bundle-cli.mjs: one file instead of
 * ~130, ~80 ms of a small proof's start-up) when it is at least as new as the compiled
 * groth16.js, so a bundle left from an older build is never run; from sources, groth16.ts.
 */
function groth16Module(): string {
  const plain = './groth16.js';
  if (import.meta.url.endsWith('.ts')) return plain;
  try {
    const bundle = new URL('./groth16.bundle.js', import.meta.url);
    return statSync(bundle).mtimeMs >= statSync(new URL(plain, import.meta.url)).mtimeMs ? bundle.href : plain;
  } catch {
    return plain;
  }
}

/** Verbs that run from the proving module (groth16Cli), whose library copy they use. */
const PROVING_MODULE_VERBS = new Set(['prove', 'fullprove', 'verify']);

export const COMMANDS: Readonly<Record<string, Command>> = {
  bench: {
    summary: 'MSM/NTT checked, then timed beside peers; "bench groth16": proofs beside snarkjs; "bench serve": the service vs loops (--help)',
    usage: async () => (await benchArgs()).BENCH_USAGE,
    run: async (argv, io) => (await benchModule()).runBench(argv, io),
  },
  prove: {
    summary: 'Groth16 proof from a .zkey and a .wtns, as snarkjs groth16 prove (zkgpu prove --help)',
    usage: async () => (await groth16Cli()).PROVE_USAGE,
    run: async (argv, io) => (await groth16Cli()).runProve(argv, io),
  },
  fullprove: {
    summary: 'witness from input.json + circuit .wasm, then prove, as snarkjs groth16 fullprove',
    usage: async () => (await groth16Cli()).FULLPROVE_USAGE,
    run: async (argv, io) => (await groth16Cli()).runFullProve(argv, io),
  },
  verify: {
    summary: 'check a Groth16 proof with snarkjs.groth16.verify (exit 0 valid, 1 invalid)',
    usage: async () => (await groth16Cli()).VERIFY_USAGE,
    run: async (argv, io) => (await groth16Cli()).runVerify(argv, io),
  },
  info: {
    summary: 'CPU threads, memory budget and GPUs zkgpu detects, with sources (--json)',
    usage: async () => (await infoCli()).INFO_USAGE,
    run: async (argv, io) => (await infoCli()).runInfo(argv, io),
  },
  setup: {
    summary: 'INSECURE dev Groth16 key (.zkey + vkey) from a .r1cs, for tests and benchmarks only',
    usage: async () => (await import('./setup.js')).SETUP_USAGE,
    run: async (argv, io) => (await import('./setup.js')).runSetup(argv, io),
  },
  profile: {
    summary: 'prove once and show per stage and device where the time goes, and what bounds it (--json)',
    usage: async () => (await import('./profile.js')).PROFILE_USAGE,
    run: async (argv, io) => (await import('./profile.js')).runProfile(argv, io),
  },
  calibrate: {
    summary: 'time MSM/NTT on each backend here and cache the cost models the planner uses (--quick)',
    usage: async () => (await import('./calibrate.js')).CALIBRATE_USAGE,
    run: async (argv, io) => (await import('./calibrate.js')).runCalibrate(argv, io),
  },
  serve: {
    summary: 'prover service: HTTP API, durable queue in --data-dir, metrics, auth (zkgpu serve --help)',
    usage: async () => (await import('./serve.js')).SERVE_USAGE,
    run: async (argv, io) => (await import('./serve.js')).runServe(argv, io),
  },
  page: {
    summary: 'serve the benchmark page (run on any device, compare machines, cost per proof) on 127.0.0.1 (--port, --host)',
    usage: async () => (await import('./page.js')).PAGE_USAGE,
    run: async (argv, io) => (await import('./page.js')).runPage(argv, io),
  },
  submit: {
    summary: 'send one proof job to a zkgpu serve and write proof.json and public.json when it is done',
    usage: async () => (await import('./submit.js')).SUBMIT_USAGE,
    run: async (argv, io) => (await import('./submit.js')).runSubmit(argv, io),
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const list = Object.entries(COMMANDS)
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
    .join('\n');
  return `Usage: zkgpu <command> [options]

Commands:
${list}

Options:
  -h, --help     show this help (or "zkgpu <command> --help")
  --version      print the zkgpu version

After ${[...GPU_VERBS].join(', ')}:
${GPUS_USAGE}`;
}

const stdio: CliIO = {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
};

/** A command's usage error carries code 'USAGE' (duck-typed: bench/ cannot import from src/cli). */
function isUsageError(e: unknown): e is Error {
  return e instanceof Error && (e as { code?: unknown }).code === 'USAGE';
}

export async function main(argv: readonly string[], io: CliIO = stdio): Promise<number> {
  // Global options are the ones before the command name; everything after it is the command's.
  const { tokens } = parseArgs({
    args: [...argv],
    options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const first = tokens.find((t) => t.kind === 'positional');
  const globals = tokens.filter((t) => first === undefined || t.index < first.index);
  for (const t of globals) {
    if (t.kind !== 'option') continue;
    if (t.name === 'help') {
      io.out(usage());
      return 0;
    }
    if (t.name === 'version') {
      io.out((await import('../index.js')).version);
      return 0;
    }
    io.err(`zkgpu: unknown option ${t.rawName}\n\n${usage()}`);
    return 2;
  }
  if (first === undefined || first.kind !== 'positional') {
    io.err(usage());
    return 2;
  }
  const name = first.value;
  if (name === 'help') {
    io.out(usage());
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.err(`zkgpu: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    // A person reads this terminal: Dawn's known start-up warnings are noise to them. (Loaded
    // here, not earlier: `zkgpu --help` should not load the library.)
    let args = argv.slice(first.index + 1);
    if (io.ownProcess === true && PRESTART_VERBS.has(name)) await prestartWorkers(args);
    if (filterDawnForTerminal) (PROVING_MODULE_VERBS.has(name) ? await groth16Cli() : await import('../index.js')).filterDawnStderr();
    if (GPU_VERBS.has(name)) {
      const taken = takeGpusOption(args);
      args = taken.argv;
      applyGpusOption(taken.gpus);
    }
    return await command.run(args, io);
  } catch (e) {
    if (isUsageError(e)) {
      io.err(`zkgpu ${name}: ${e.message}\n\n${await command.usage()}`);
      return 2;
    }
    io.err(`zkgpu ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  }
}

/**
 * Verbs that prove in this process: their worker threads start before the library loads, so
 * each worker's Node start-up (~100 ms) overlaps the ~150 ms of loading it and reading the key
 * rather than following them (a one-shot proof of a small circuit is mostly such fixed costs).
 */
const PRESTART_VERBS = new Set(['prove', 'fullprove']);

/** As many workers as the runtime will make: --threads N, else every available core (the runtime may take fewer under a CPU quota; the CLI ends the rest). */
async function prestartWorkers(args: readonly string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) return;
  const at = args.findIndex((a) => a === '--threads' || a.startsWith('--threads='));
  const given = at < 0 ? undefined : args[at].startsWith('--threads=') ? args[at].slice('--threads='.length) : args[at + 1];
  // A bad value is refused by the command's own parser; here it only falls back to the default.
  const threads = (given === undefined ? null : threadsValue(given)) ?? availableParallelism();
  (await import('../cpu/spawn.js')).prestartCpuWorkers(threads);
}

/** Set by runCli (the real process, its own terminal), not by main() alone (tests, embedders). */
let filterDawnForTerminal = false;

/**
 * Entry for bin/zkgpu.js and `tsx src/cli/main.ts`. Sets the exit code and lets Node exit by
 * itself; if something (a worker pool, a GPU device) still holds the event loop after the command
 * finished, that is a leak: say so and exit anyway rather than hang.
 */
export async function runCli(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  // `zkgpu info | head`: the reader left, so the rest of the output is unwanted. Exit quietly
  // instead of dying on an unhandled EPIPE.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  filterDawnForTerminal = true;
  const code = await main(argv, { ...stdio, ownProcess: true });
  process.exitCode = code;
  const guard = setTimeout(() => {
    process.stderr.write('zkgpu: warning: something kept the process alive after the command finished; exiting\n');
    process.exit(code);
  }, 5000);
  guard.unref();
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) await runCli();
