/**
 * Throughput of `zkgpu serve` against proving in a loop: proofs per second from an input, for a
 * small circuit (bn128/mulchain, 2^11) and a 2^16 one (the bench circuit of
 * `node scripts/make-groth16-fixtures.mjs --bench 16 --dev-setup`), three ways, one after another
 * so they never share the CPU:
 *   service  `zkgpu serve` as a child process, --clients ProverClients submitting inputs
 *   library  groth16.fullProve on one Runtime, in a loop, in this process
 *   snarkjs  snarkjs.groth16.fullProve in a loop, in this process
 * Every proof is checked with snarkjs.groth16.verify (after the timed window) before a figure is
 * printed. Each way runs --rounds rounds of --proofs proofs after a warm-up; the table gives the
 * median round and the spread.
 *
 *   node --import tsx bench/node/serve.ts [--only small|16] [--rounds 3] [--clients 4]
 *        [--proofs-small 40] [--proofs-16 4] [--concurrency N] [--json out.json]
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createRuntime, groth16 } from '../../src/index.js';
import { ProverClient } from '../../src/client/index.js';

const ROOT = resolve(import.meta.dirname, '../..');

interface Case {
  name: string;
  dir: string;
  proofs: number;
}

interface Snarkjs {
  groth16: {
    fullProve(input: unknown, wasm: string, zkey: string): Promise<{ proof: unknown; publicSignals: string[] }>;
    verify(vkey: unknown, publicSignals: unknown, proof: unknown): Promise<boolean>;
  };
  curves: { getCurveFromName(name: string): Promise<{ terminate(): Promise<void> }> };
}
const SNARKJS = 'snarkjs';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    clients: { type: 'string', default: '4' },
    'proofs-small': { type: 'string', default: '40' },
    'proofs-16': { type: 'string', default: '4' },
    concurrency: { type: 'string' },
    threads: { type: 'string', default: String(availableParallelism()) },
    json: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const clients = Number(values.clients);
const threads = Number(values.threads);

const cases: Case[] = [];
if (values.only !== '16') cases.push({ name: 'mulchain 2^11', dir: join(ROOT, 'test/vectors/groth16/bn128/mulchain'), proofs: Number(values['proofs-small']) });
if (values.only !== 'small') {
  const dir = join(ROOT, '.cache/groth16/bench/bn128-16');
  if (!existsSync(join(dir, 'circuit.zkey'))) {
    console.error(`no 2^16 bench circuit in ${dir}: run node scripts/make-groth16-fixtures.mjs --bench 16 --dev-setup (or --only small)`);
    process.exit(2);
  }
  cases.push({ name: 'poseidon chain 2^16', dir, proofs: Number(values['proofs-16']) });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const snarkjs = (await import(SNARKJS)) as Snarkjs;

interface Outcome {
  proofsPerS: number[];
  results: { proof: unknown; publicSignals: string[] }[];
}

async function timedRounds(n: number, run: (n: number) => Promise<{ proof: unknown; publicSignals: string[] }[]>): Promise<Outcome> {
  await run(Math.min(2, n)); // warm-up: calculators, keys, worker memory
  const proofsPerS: number[] = [];
  const results: { proof: unknown; publicSignals: string[] }[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const out = await run(n);
    proofsPerS.push(n / ((performance.now() - t0) / 1000));
    results.push(...out);
  }
  return { proofsPerS, results };
}

async function library(c: Case, input: unknown): Promise<Outcome> {
  const runtime = await createRuntime({ threads, gpu: false });
  try {
    return await timedRounds(c.proofs, async (n) => {
      const out = [];
      for (let i = 0; i < n; i++)
        out.push(await groth16.fullProve(input as Record<string, unknown>, join(c.dir, 'circuit.wasm'), join(c.dir, 'circuit.zkey'), { runtime, backend: 'wasm' }));
      return out;
    });
  } finally {
    await runtime.dispose();
  }
}

async function snarkjsLoop(c: Case, input: unknown): Promise<Outcome> {
  return timedRounds(c.proofs, async (n) => {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await snarkjs.groth16.fullProve(input, join(c.dir, 'circuit.wasm'), join(c.dir, 'circuit.zkey')));
    return out;
  });
}

async function service(c: Case, input: unknown): Promise<Outcome> {
  const args = ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve', '--port', '0', '--backend', 'wasm', '--threads', String(threads)];
  args.push('--data-dir', join(ROOT, '.cache/serve-bench', `${Date.now()}`), '--circuit', `bench=${join(c.dir, 'circuit.zkey')},wasm=${join(c.dir, 'circuit.wasm')}`);
  if (values.concurrency) args.push('--concurrency', values.concurrency);
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ZKGPU_API_TOKENS: undefined }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((res, rej) => {
    let buf = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      const m = /"url":"([^"]+)"[^\n]*"msg":"listening"/.exec(buf);
      if (m) res(m[1]);
      if (buf.length > 1e6) buf = buf.slice(-1e5);
    });
    proc.on('exit', (code) => rej(new Error(`zkgpu serve exited with ${code}`)));
  });
  proc.stdout.resume();
  try {
    const client = new ProverClient({ url });
    return await timedRounds(c.proofs, async (n) => {
      let next = 0;
      const out: { proof: unknown; publicSignals: string[] }[] = [];
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (next < n) {
            next++;
            out.push(await client.prove({ circuit: 'bench', input: input as Record<string, unknown> }, { pollS: 30 }));
          }
        }),
      );
      return out;
    });
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.on('exit', r));
  }
}

const rows: Record<string, unknown>[] = [];
console.log(`zkgpu bench serve: ${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores, ${threads} worker threads, ${clients} clients, ${rounds} rounds`);
for (const c of cases) {
  const input = JSON.parse(readFileSync(join(c.dir, 'input.json'), 'utf8'));
  const vkey = JSON.parse(readFileSync(join(c.dir, 'vkey.json'), 'utf8'));
  const ways: [string, (c: Case, input: unknown) => Promise<Outcome>][] = [
    ['service', service],
    ['library', library],
    ['snarkjs', snarkjsLoop],
  ];
  const figures: Record<string, number> = {};
  for (const [way, run] of ways) {
    const o = await run(c, input);
    for (const r of o.results) {
      if (!(await snarkjs.groth16.verify(vkey, r.publicSignals, r.proof))) throw new Error(`${way} ${c.name}: a proof failed snarkjs.groth16.verify`);
    }
    const med = median(o.proofsPerS);
    figures[way] = med;
    const spread = `${Math.min(...o.proofsPerS).toFixed(2)}-${Math.max(...o.proofsPerS).toFixed(2)}`;
    console.log(
      `${c.name.padEnd(20)} ${way.padEnd(8)} ${med.toFixed(2).padStart(7)} proofs/s  ${(1000 / med).toFixed(0).padStart(6)} ms/proof  (rounds ${spread}, ${c.proofs} proofs each, all ${o.results.length} verified)`,
    );
    rows.push({ circuit: c.name, way, proofsPerSecond: o.proofsPerS, median: med });
  }
  const overhead = figures.library / figures.service - 1;
  console.log(
    `${c.name.padEnd(20)} service vs library: ${(overhead * 100).toFixed(1)}% time per proof; service vs snarkjs loop: ${(figures.service / figures.snarkjs).toFixed(2)}x proofs/s`,
  );
}
if (values.json) writeFileSync(values.json, `${JSON.stringify({ rows, threads, clients, rounds }, null, 2)}\n`);
for (const name of ['bn128', 'bls12381']) await (await snarkjs.curves.getCurveFromName(name)).terminate().catch(() => {});
