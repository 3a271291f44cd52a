/**
 * `zkgpu bench serve`: throughput of `zkgpu serve` against proving in a loop, proofs per second
 * from an input, for a small circuit (bn128/mulchain, 2^11) and a 2^16 one (the bench circuit of
 * `node scripts/make-groth16-fixtures.mjs --bench 16 --dev-setup`), four ways, one after another so
 * they never share the CPU:
 *   service   `zkgpu serve` as a child process, --clients ProverClients submitting inputs
 *   library   groth16.fullProve on one Runtime, in a loop, in this process (the key read per proof)
 *   prepared  groth16.prover(zkey).fullProve in a loop (the key read once: the library at its best)
 *   snarkjs   snarkjs.groth16.fullProve in a loop, in this process
 * Every proof is checked with snarkjs.groth16.verify (after the timed window) before a figure is
 * printed. Each way runs --rounds rounds of --proofs proofs after a warm-up; the table gives the
 * median round and the spread. The service checks every proof itself too (issue 17's verify),
 * which the loops do not: that is part of its cost.
 *
 *   zkgpu bench serve [--only small|16] [--rounds 3] [--clients 4] [--proofs-small 40]
 *                     [--proofs-16 4] [--concurrency N] [--threads N] [--small DIR] [--large DIR]
 *                     [--json out.json]
 *   (from a clone: node --import tsx bench/node/serve.ts ...)
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createRuntime, groth16 } from '../../src/index.js';
import { ProverClient } from '../../src/client/index.js';
import { BenchUsageError } from './args.js';

export const SERVE_BENCH_USAGE = `Usage: zkgpu bench serve [options]

Proofs per second through \`zkgpu serve\` (a child process on loopback, N clients) against
groth16.fullProve in a loop, a prepared prover in a loop, and snarkjs.groth16.fullProve in a
loop, for a small circuit and a ~2^16 one. Every proof is verified with snarkjs.

Options:
  --only small|16        one of the two circuits (default both)
  --small DIR            the small circuit's folder (circuit.zkey, circuit.wasm, input.json,
                         vkey.json; default test/vectors/groth16/bn128/mulchain of a clone)
  --large DIR            the 2^16 circuit's folder (default .cache/groth16/bench/bn128-16,
                         made by node scripts/make-groth16-fixtures.mjs --bench 16 --dev-setup)
  --rounds N             timed rounds per way (default 3); the median is reported
  --proofs-small N       proofs per round, small circuit (default 40)
  --proofs-16 N          proofs per round, 2^16 circuit (default 4)
  --clients N            concurrent clients of the service (default 4)
  --concurrency N        the service's --concurrency (default: its own)
  --threads N            worker threads of every zkgpu way (default: all cores)
  --json FILE            write the figures as JSON
  -h, --help             this text`;

interface BenchIO {
  out(line: string): void;
  err(line: string): void;
}

interface Case {
  name: string;
  dir: string;
  proofs: number;
}

interface Proved {
  proof: unknown;
  publicSignals: string[];
}

interface Outcome {
  proofsPerS: number[];
  results: Proved[];
}

interface Snarkjs {
  groth16: {
    fullProve(input: unknown, wasm: string, zkey: string): Promise<Proved>;
    verify(vkey: unknown, publicSignals: unknown, proof: unknown): Promise<boolean>;
  };
  curves: { getCurveFromName(name: string): Promise<{ terminate(): Promise<void> }> };
}
const SNARKJS = 'snarkjs';

/** The package root, from src (bench/node) or from dist (dist/bench/node). */
const ROOT = [resolve(import.meta.dirname, '../..'), resolve(import.meta.dirname, '../../..')].find((d) => existsSync(join(d, 'package.json')))!;

interface Settings {
  cases: Case[];
  rounds: number;
  clients: number;
  threads: number;
  concurrency?: string;
  json?: string;
}

export function parseServeBenchArgs(argv: readonly string[]): Settings | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        only: { type: 'string' },
        small: { type: 'string' },
        large: { type: 'string' },
        rounds: { type: 'string', default: '3' },
        clients: { type: 'string', default: '4' },
        'proofs-small': { type: 'string', default: '40' },
        'proofs-16': { type: 'string', default: '4' },
        concurrency: { type: 'string' },
        threads: { type: 'string', default: String(availableParallelism()) },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    throw new BenchUsageError((e as Error).message);
  }
  if (values.help) return 'help';
  const count = (name: string) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1) throw new BenchUsageError(`--${name} must be a positive integer, got "${values[name]}"`);
    return n;
  };
  if (values.only !== undefined && values.only !== 'small' && values.only !== '16') throw new BenchUsageError(`--only must be small or 16, got "${values.only}"`);
  const cases: Case[] = [];
  const circuit = (dir: string, what: string) => {
    for (const file of ['circuit.zkey', 'circuit.wasm', 'input.json', 'vkey.json']) {
      if (!existsSync(join(dir, file)))
        throw new BenchUsageError(
          `${what}: no ${file} in ${dir}${what === 'the 2^16 circuit' ? ' (make it with node scripts/make-groth16-fixtures.mjs --bench 16 --dev-setup, or pass --only small)' : ''}`,
        );
    }
    return dir;
  };
  if (values.only !== '16')
    cases.push({
      name: 'mulchain 2^11',
      dir: circuit(resolve((values.small as string) ?? join(ROOT, 'test/vectors/groth16/bn128/mulchain')), 'the small circuit'),
      proofs: count('proofs-small'),
    });
  if (values.only !== 'small')
    cases.push({
      name: 'poseidon chain 2^16',
      dir: circuit(resolve((values.large as string) ?? join(ROOT, '.cache/groth16/bench/bn128-16')), 'the 2^16 circuit'),
      proofs: count('proofs-16'),
    });
  if (values.concurrency !== undefined) count('concurrency');
  return {
    cases,
    rounds: count('rounds'),
    clients: count('clients'),
    threads: count('threads'),
    concurrency: values.concurrency as string | undefined,
    json: values.json as string | undefined,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timedRounds(rounds: number, n: number, run: (n: number) => Promise<Proved[]>): Promise<Outcome> {
  await run(Math.min(2, n)); // warm-up: calculators, keys, worker memory
  const proofsPerS: number[] = [];
  const results: Proved[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const out = await run(n);
    proofsPerS.push(n / ((performance.now() - t0) / 1000));
    results.push(...out);
  }
  return { proofsPerS, results };
}

type Way = (c: Case, input: Record<string, unknown>, s: Settings, snarkjs: Snarkjs) => Promise<Outcome>;

const library: Way = async (c, input, s) => {
  const runtime = await createRuntime({ threads: s.threads, gpu: false });
  try {
    return await timedRounds(s.rounds, c.proofs, async (n) => {
      const out = [];
      for (let i = 0; i < n; i++) out.push(await groth16.fullProve(input, join(c.dir, 'circuit.wasm'), join(c.dir, 'circuit.zkey'), { runtime, backend: 'wasm' }));
      return out;
    });
  } finally {
    await runtime.dispose();
  }
};

const prepared: Way = async (c, input, s) => {
  const runtime = await createRuntime({ threads: s.threads, gpu: false });
  try {
    const prover = await groth16.prover(join(c.dir, 'circuit.zkey'), { runtime, backend: 'wasm' });
    return await timedRounds(s.rounds, c.proofs, async (n) => {
      const out = [];
      for (let i = 0; i < n; i++) out.push(await prover.fullProve(input, join(c.dir, 'circuit.wasm')));
      return out;
    });
  } finally {
    await runtime.dispose();
  }
};

const snarkjsLoop: Way = (c, input, s, snarkjs) =>
  timedRounds(s.rounds, c.proofs, async (n) => {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await snarkjs.groth16.fullProve(input, join(c.dir, 'circuit.wasm'), join(c.dir, 'circuit.zkey')));
    return out;
  });

/** `zkgpu serve` as users start it: the installed CLI (bin/zkgpu.js), or the sources through tsx in a clone without dist/. */
function serveCommand(): string[] {
  const bin = join(ROOT, 'bin/zkgpu.js');
  if (existsSync(join(ROOT, 'dist/src/cli/main.js'))) return [bin];
  return ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];
}

const service: Way = async (c, input, s) => {
  const args = [...serveCommand(), 'serve', '--port', '0', '--backend', 'wasm', '--threads', String(s.threads)];
  args.push(
    '--data-dir',
    join(ROOT, '.cache/serve-bench', `${process.pid}-${Date.now()}`),
    '--circuit',
    `bench=${join(c.dir, 'circuit.zkey')},wasm=${join(c.dir, 'circuit.wasm')}`,
  );
  if (s.concurrency) args.push('--concurrency', s.concurrency);
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ZKGPU_API_TOKENS: undefined }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((res, rej) => {
    let buf = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      const m = /"url":"([^"]+)"[^\n]*"msg":"listening"/.exec(buf);
      if (m) res(m[1]);
      if (buf.length > 1e6) buf = buf.slice(-1e5);
    });
    proc.on('exit', (code) => rej(new Error(`zkgpu serve exited with ${code} before listening`)));
  });
  proc.stdout.resume();
  try {
    const client = new ProverClient({ url });
    return await timedRounds(s.rounds, c.proofs, async (n) => {
      let next = 0;
      const out: Proved[] = [];
      await Promise.all(
        Array.from({ length: s.clients }, async () => {
          while (next < n) {
            next++;
            out.push(await client.prove({ circuit: 'bench', input }, { pollS: 30 }));
          }
        }),
      );
      return out;
    });
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.on('exit', r));
  }
};

const WAYS: [string, Way][] = [
  ['service', service],
  ['library', library],
  ['prepared', prepared],
  ['snarkjs', snarkjsLoop],
];

/** The command: exit code 0 when every proof verified, 1 when one did not. */
export async function runServeBench(argv: readonly string[], io: BenchIO): Promise<number> {
  const s = parseServeBenchArgs(argv);
  if (s === 'help') {
    io.out(SERVE_BENCH_USAGE);
    return 0;
  }
  const snarkjs = (await import(SNARKJS)) as Snarkjs;
  const rows: Record<string, unknown>[] = [];
  io.out(
    `zkgpu bench serve: ${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores, ${s.threads} worker threads, ${s.clients} clients, ${s.rounds} rounds, load ${loadavg()[0].toFixed(1)}`,
  );
  try {
    for (const c of s.cases) {
      const input = JSON.parse(readFileSync(join(c.dir, 'input.json'), 'utf8')) as Record<string, unknown>;
      const vkey = JSON.parse(readFileSync(join(c.dir, 'vkey.json'), 'utf8'));
      const figures: Record<string, number> = {};
      for (const [way, run] of WAYS) {
        const o = await run(c, input, s, snarkjs);
        for (const r of o.results) {
          if (!(await snarkjs.groth16.verify(vkey, r.publicSignals, r.proof))) {
            io.err(`${way} ${c.name}: a proof failed snarkjs.groth16.verify`);
            return 1;
          }
        }
        const med = median(o.proofsPerS);
        figures[way] = med;
        const spread = `${Math.min(...o.proofsPerS).toFixed(2)}-${Math.max(...o.proofsPerS).toFixed(2)}`;
        io.out(
          `${c.name.padEnd(20)} ${way.padEnd(9)} ${med.toFixed(2).padStart(7)} proofs/s ${(1000 / med).toFixed(0).padStart(6)} ms/proof  (rounds ${spread}, ${c.proofs} proofs each, all ${o.results.length} verified)`,
        );
        rows.push({ circuit: c.name, way, proofsPerSecond: o.proofsPerS, median: med });
      }
      const overhead = (best: number) => `${((best / figures.service - 1) * 100).toFixed(1)}%`;
      io.out(
        `${c.name.padEnd(20)} service time per proof vs library ${overhead(figures.library)}, vs prepared ${overhead(figures.prepared)}; service vs snarkjs loop ${(figures.service / figures.snarkjs).toFixed(2)}x proofs/s`,
      );
    }
  } finally {
    for (const name of ['bn128', 'bls12381']) await (await snarkjs.curves.getCurveFromName(name)).terminate().catch(() => {});
  }
  if (s.json) writeFileSync(s.json, `${JSON.stringify({ rows, threads: s.threads, clients: s.clients, rounds: s.rounds, load: loadavg() }, null, 2)}\n`);
  return 0;
}

// Run as a script from a clone: node --import tsx bench/node/serve.ts ...
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const io: BenchIO = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };
  runServeBench(process.argv.slice(2), io).then(
    (code) => process.exit(code),
    (e: unknown) => {
      io.err(e instanceof BenchUsageError ? `${e.message}\n\n${SERVE_BENCH_USAGE}` : String((e as Error)?.stack ?? e));
      process.exit(e instanceof BenchUsageError ? 2 : 1);
    },
  );
}
