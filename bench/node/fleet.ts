/**
 * The fleet's figures: proofs per second through `zkgpu serve` on the embedded queue, through
 * Redis with one worker, and with two workers (each its own process, as on two machines), for one
 * circuit; plus the latency of one proof at a time (submit, long-poll to done) in each setup, which
 * is the per-proof overhead of the Redis path. Every proof is checked with snarkjs before it counts.
 *
 *   node --import tsx bench/node/fleet.ts [--circuit mulchain|bench16] [--jobs 12] [--clients 4] [--rounds 2]
 *
 * Starts its own redis-server (free port, AOF on) and its own servers (wasm backend); prints one
 * JSON line per measurement and a table. The machine's load average is printed with each round:
 * on a shared machine the spread between rounds says more than any one figure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    circuit: { type: 'string', default: 'mulchain' },
    jobs: { type: 'string', default: '12' },
    clients: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '2' },
    sequential: { type: 'string', default: '4' },
  },
});
const CIRCUIT_DIR = values.circuit === 'bench16' ? join(ROOT, '.cache/groth16/bench/bn128-16') : join(ROOT, 'test/vectors/groth16/bn128', values.circuit as string);
const NAME = 'c';
const FLAG = `${NAME}=${join(CIRCUIT_DIR, 'circuit.zkey')},wasm=${join(CIRCUIT_DIR, 'circuit.wasm')}`;
const INPUT = JSON.parse(readFileSync(join(CIRCUIT_DIR, 'input.json'), 'utf8'));
const VKEY = JSON.parse(readFileSync(join(CIRCUIT_DIR, 'vkey.json'), 'utf8'));
const JOBS = Number(values.jobs);
const CLIENTS = Number(values.clients);
const SEQUENTIAL = Number(values.sequential);

const snarkjs = (await import('snarkjs' as string)) as {
  groth16: { verify(v: unknown, p: unknown, q: unknown): Promise<boolean> };
  curves: { getCurveFromName(name: string): Promise<{ terminate(): Promise<void> }> };
};

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

function startServe(args: string[]): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve', '--port', '0', '--backend', 'wasm', ...args], {
    cwd: ROOT,
    env: { ...process.env, ZKGPU_API_TOKENS: undefined },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((res, rej) => {
    let buf = '';
    let listening = false;
    // Log lines are read until 'listening' (it carries the URL), then dropped.
    proc.stdout?.setEncoding('utf8').on('data', (c: string) => {
      if (listening) return;
      buf += c;
      const m = /"url":"([^"]+)"[^\n]*"msg":"listening"/.exec(buf);
      if (m) {
        listening = true;
        buf = '';
        res({ url: m[1], proc });
      }
    });
    proc.on('exit', (code) => rej(new Error(`serve exited ${code}`)));
  });
}

async function stopAll(procs: ChildProcess[]): Promise<void> {
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((res) => {
          if (p.exitCode !== null) return res();
          p.once('exit', () => res());
          p.kill('SIGTERM');
        }),
    ),
  );
}

async function prove(url: string): Promise<void> {
  const r = await fetch(`${url}/v1/proofs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ circuit: NAME, input: INPUT }) });
  if (r.status !== 202) throw new Error(`POST ${r.status}`);
  const { id } = (await r.json()) as { id: string };
  for (;;) {
    const g = (await (await fetch(`${url}/v1/proofs/${id}?wait=30`)).json()) as { status: string; proof: unknown; publicSignals: unknown };
    if (g.status === 'done') {
      if (!(await snarkjs.groth16.verify(VKEY, g.publicSignals, g.proof))) throw new Error('a proof failed snarkjs.groth16.verify');
      return;
    }
    if (g.status !== 'queued' && g.status !== 'running') throw new Error(`job ${id} ${g.status}`);
  }
}

async function measure(url: string): Promise<{ proofsPerS: number; latencyMs: number[] }> {
  await prove(url); // warm: key cache, worker wasm memory
  const latencyMs: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t = performance.now();
    await prove(url);
    latencyMs.push(performance.now() - t);
  }
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < JOBS) {
        next++;
        await prove(url);
      }
    }),
  );
  return { proofsPerS: JOBS / ((performance.now() - t0) / 1000), latencyMs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const redisPort = await freePort();
const redisDir = mkdtempSync(join(tmpdir(), 'zkgpu-bench-redis-'));
const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', redisDir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'], {
  stdio: 'ignore',
});
await new Promise((r) => setTimeout(r, 500));
const queue = `redis://127.0.0.1:${redisPort}`;

const setups: Record<string, () => Promise<{ url: string; procs: ChildProcess[] }>> = {
  embedded: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkgpu-bench-serve-'));
    const s = await startServe(['--circuit', FLAG, '--data-dir', dir]);
    return { url: s.url, procs: [s.proc] };
  },
  'redis, 1 worker': async () => {
    const [a, w] = await Promise.all([startServe(['--circuit', FLAG, '--queue', queue, '--role', 'api']), startServe(['--circuit', FLAG, '--queue', queue, '--role', 'worker'])]);
    return { url: a.url, procs: [a.proc, w.proc] };
  },
  'redis, 2 workers': async () => {
    const [a, w1, w2] = await Promise.all([
      startServe(['--circuit', FLAG, '--queue', queue, '--role', 'api']),
      startServe(['--circuit', FLAG, '--queue', queue, '--role', 'worker']),
      startServe(['--circuit', FLAG, '--queue', queue, '--role', 'worker']),
    ]);
    return { url: a.url, procs: [a.proc, w1.proc, w2.proc] };
  },
};

const results: Record<string, { proofsPerS: number[]; latencyMs: number[]; load: number[] }> = {};
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const [name, setup] of Object.entries(setups)) {
      const { url, procs } = await setup();
      const load = loadavg()[0];
      const m = await measure(url);
      await stopAll(procs);
      const r = (results[name] ??= { proofsPerS: [], latencyMs: [], load: [] });
      r.proofsPerS.push(m.proofsPerS);
      r.latencyMs.push(...m.latencyMs);
      r.load.push(load);
      console.log(
        JSON.stringify({
          round,
          setup: name,
          circuit: values.circuit,
          jobs: JOBS,
          clients: CLIENTS,
          proofsPerS: m.proofsPerS,
          latencyMs: m.latencyMs.map(Math.round),
          load1: load,
        }),
      );
    }
  }
} finally {
  redis.kill('SIGTERM');
  rmSync(redisDir, { recursive: true, force: true });
}
console.log(`\n${values.circuit}: ${JOBS} jobs, ${CLIENTS} clients; one at a time: ${SEQUENTIAL} proofs (medians over ${values.rounds} rounds)`);
for (const [name, r] of Object.entries(results)) {
  console.log(
    `${name.padEnd(18)} ${median(r.proofsPerS).toFixed(2)} proofs/s  (${r.proofsPerS.map((x) => x.toFixed(2)).join(', ')})   latency ${Math.round(median(r.latencyMs))} ms   load ${r.load.map((x) => x.toFixed(1)).join(', ')}`,
  );
}
// The checks built snarkjs's curve with worker threads: end them, or the process never exits.
await (await snarkjs.curves.getCurveFromName('bn128')).terminate();
