/**
 * `zkgpu bench groth16`: zkgpu's groth16.prove against snarkjs.groth16.prove (and a rapidsnark
 * binary, when given) on the same .zkey and .wtns, for one circuit or for each circuit class
 * (groth16-classes.ts). Every prover's proofs are verified by snarkjs (and their public signals
 * compared) before a time is printed.
 *
 * Each prover runs alone in a fresh Node process (this file, started with --child): one warm-up
 * proof, then --runs timed proofs, then `process.resourceUsage().maxRSS`. In one shared process
 * the two could not be told apart in memory (both keep worker pools and WASM heaps alive), and
 * their pools would compete for the cores. Uses only zkgpu's public API.
 *
 * With --cli it times whole command lines instead (groth16-cli.ts): `zkgpu prove` against
 * `snarkjs groth16 prove` (and rapidsnark), each proof a fresh process, every proof verified.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { JobEvent, createRuntime, groth16, version, type Groth16Timings } from '../../src/index.js';
import {
  SCHEMA_NAME,
  SCHEMA_VERSION,
  type Groth16BenchReport,
  type Groth16BenchResult,
  type Groth16Impl,
  type HardwareInfo,
  type ProverBackend,
  validateReport,
} from '../core/schema.js';
import { median, summarize } from '../core/stats.js';
import { formatBytes, formatMs, formatSpeedup } from '../core/table.js';
import { BenchUsageError } from './args.js';
import { type CliProvers, cliProvers } from './groth16-cli.js';
import { CIRCUIT_CLASSES, classSummaryLines, resolveClasses } from './groth16-classes.js';
import { collectHardware } from './hardware.js';
import { createSnarkjsPeer } from './peers/snarkjs.js';
import { type ProofProcessRun, type ProofProcessSeries, proveInFreshProcess, proveSeries, proveSeriesInterleaved } from './proof-process.js';
import { RAPIDSNARK_HOWTO, RAPIDSNARK_THREADS_NOTE, proveWithRapidsnark, rapidsnarkPathProblem, rapidsnarkThreads } from './rapidsnark.js';
import { processMaxRssBytes } from './rss.js';

export type { Groth16BenchReport, Groth16BenchResult, Groth16Impl } from '../core/schema.js';

export interface Groth16BenchIO {
  out(line: string): void;
  err(line: string): void;
}

const defaultIO: Groth16BenchIO = {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
};

export const DEFAULT_GROTH16_RUNS = 5;

export const GROTH16_BENCH_USAGE = `Usage: zkgpu bench groth16 [options]

Proves the same witness with zkgpu (groth16.prove) and snarkjs (groth16.prove), checks that
snarkjs verifies both proofs and that their public signals agree, then times both. Each prover
runs alone in a fresh process (1 warm-up proof + --runs timed), so its peak RSS is its own.

Options:
  --circuit NAME|DIR      a fixture (mulchain, poseidon, manypublic, bits, tiny; or
                          bn128/NAME, bls12381/NAME) or a directory holding circuit.zkey and
                          witness.wtns (and vkey.json, else it is exported from the key)
                          (default bn128/mulchain)
  --bench-size K          the generated ~2^K-constraint bench circuit in .cache/groth16/bench/
                          (make it first: node scripts/make-groth16-fixtures.mjs --bench K)
  --circuit-class LIST    circuit classes (circom2 + circomlib, BN254), each run in turn, then a
                          table of all: ${CIRCUIT_CLASSES.join(', ')} or all; a size suffix
                          (sha256-<bytes>, merkle-<depth>, bits-<values>, manypublic-<inputs>)
                          picks another build. Make them first, once, into .cache/groth16/classes/:
                          node scripts/make-groth16-fixtures.mjs --classes all
  --classes LIST|all      the same as --circuit-class
  --rapidsnark PATH       also time a rapidsnark prover binary (PATH circuit.zkey witness.wtns
                          proof.json public.json), one process per proof; not a dependency
  --cli                   time whole command lines instead, each proof a fresh process (1 untimed
                          warm-up for the file cache + --runs timed, the provers taking turns
                          round by round): \`zkgpu prove\` (this package's
                          bin/zkgpu.js, --backend and --threads passed on) against \`snarkjs groth16
                          prove\` (snarkjs's CLI: every core, it has no thread option), and
                          --rapidsnark's binary; every proof verified; peak RSS from /proc
  --curve bn128|bls12381  curve of a fixture name or of --bench-size (default bn128)
  --runs N                timed proofs per prover after the warm-up (default ${DEFAULT_GROTH16_RUNS})
  --threads N             zkgpu worker threads (default: the runtime's choice); snarkjs always
                          uses one thread per core (os.cpus()), or one thread with --threads 1
  --backend wasm|webgpu|auto   zkgpu engine (default wasm)
  --json FILE             also write the report as JSON (schema zkgpu-bench v1, kind "groth16")
  -h, --help              this text

Exit code: 0 every prover checked and timed, 1 a proof failed verification or a prover failed,
2 bad usage.`;

export interface Groth16BenchCircuit {
  /** The name given (fixture id, "bench-K", "class/<spec>" or the directory). */
  name: string;
  /** The circuit directory, as resolved. */
  dir: string;
  /** The class spec ("sha256", "merkle-4") of a --circuit-class run; null otherwise. */
  class: string | null;
}

export interface Groth16BenchConfig {
  /** The first (with --circuit or --bench-size, the only) circuit's directory, as resolved. */
  circuitDir: string;
  /** The first circuit's name. */
  circuit: string;
  /** Every circuit to run, in order. */
  circuits: Groth16BenchCircuit[];
  runs: number;
  threads: number | null;
  backend: ProverBackend;
  json: string | null;
  /** A rapidsnark prover binary to time as well; null: not timed. */
  rapidsnark: string | null;
  /** --cli: whole command lines (`zkgpu prove`, `snarkjs groth16 prove`), not the in-process API. */
  cli: boolean;
}

const CURVE_NAMES = ['bn128', 'bls12381'] as const;

/** Repository root: the nearest directory above this file with a package.json (bench/ or dist/bench/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

export function parseGroth16BenchArgs(argv: readonly string[], root = repoRoot()): Groth16BenchConfig & { help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        circuit: { type: 'string' },
        'bench-size': { type: 'string' },
        'circuit-class': { type: 'string' },
        classes: { type: 'string' },
        rapidsnark: { type: 'string' },
        curve: { type: 'string' },
        runs: { type: 'string' },
        threads: { type: 'string' },
        backend: { type: 'string' },
        json: { type: 'string' },
        cli: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new BenchUsageError((e as Error).message);
  }
  const v = parsed.values;
  const int = (value: string, option: string, min: number, max: number): number => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new BenchUsageError(`--${option} must be an integer from ${min} to ${max}; got "${value}"`);
    }
    return Number(value);
  };
  const curve = v.curve ?? 'bn128';
  if (!(CURVE_NAMES as readonly string[]).includes(curve)) throw new BenchUsageError(`--curve must be bn128 or bls12381; got "${curve}"`);
  const classList = v['circuit-class'] ?? v.classes;
  const given = [v.circuit !== undefined && '--circuit', v['bench-size'] !== undefined && '--bench-size', classList !== undefined && '--circuit-class'].filter(Boolean);
  if (given.length > 1)
    throw new BenchUsageError(`${given.join(' and ')}: give only one of --circuit, --bench-size and --circuit-class, not ${given.length === 2 ? 'both' : 'all three'}`);
  if (v['circuit-class'] !== undefined && v.classes !== undefined) throw new BenchUsageError('give --circuit-class or --classes (the same option), not both');
  if (classList !== undefined && curve !== 'bn128')
    throw new BenchUsageError(`the circuit classes are BN254 circuits (circomlib's Poseidon has no other constants); --curve ${curve} does not apply`);
  let rapidsnark: string | null = null;
  if (v.rapidsnark !== undefined) {
    const problem = rapidsnarkPathProblem(v.rapidsnark);
    if (problem !== null) throw new BenchUsageError(problem);
    rapidsnark = resolve(v.rapidsnark);
  }
  const backend = v.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'webgpu' && backend !== 'auto') throw new BenchUsageError(`--backend must be wasm, webgpu or auto; got "${backend}"`);
  if (v.json !== undefined && v.json.trim() === '') throw new BenchUsageError('--json needs a file name');

  let circuits: Groth16BenchCircuit[] | null = null;
  let circuit: string;
  let circuitDir: string;
  if (classList !== undefined) {
    const resolved = resolveClasses(classList, root);
    if (typeof resolved === 'string') throw new BenchUsageError(resolved);
    circuits = resolved.map((c) => ({ name: `class/${c.spec}`, dir: c.dir, class: c.spec }));
    ({ name: circuit, dir: circuitDir } = circuits[0]);
  } else if (v['bench-size'] !== undefined) {
    const k = int(v['bench-size'], 'bench-size', 10, 22);
    circuit = `${curve}/bench-${k}`;
    circuitDir = join(root, '.cache/groth16/bench', `${curve}-${k}`);
    if (!existsSync(join(circuitDir, 'circuit.zkey'))) {
      throw new BenchUsageError(`no bench circuit for 2^${k} on ${curve} in ${circuitDir}: make it with node scripts/make-groth16-fixtures.mjs --bench ${k} --curve ${curve}`);
    }
  } else {
    const name = v.circuit ?? 'mulchain';
    const asFixture = name.includes('/') && (CURVE_NAMES as readonly string[]).includes(name.split('/')[0]) ? name : `${curve}/${name}`;
    const fixtureDir = join(root, 'test/vectors/groth16', asFixture);
    if (!name.startsWith('.') && !name.startsWith('/') && existsSync(join(fixtureDir, 'circuit.zkey'))) {
      circuit = asFixture;
      circuitDir = fixtureDir;
    } else if (existsSync(join(name, 'circuit.zkey'))) {
      circuit = name;
      circuitDir = resolve(name);
    } else {
      throw new BenchUsageError(`--circuit ${name}: neither a fixture (${fixtureDir}) nor a directory with circuit.zkey and witness.wtns`);
    }
  }
  if (!existsSync(join(circuitDir, 'witness.wtns'))) throw new BenchUsageError(`${circuitDir} has no witness.wtns`);
  return {
    help: v.help === true,
    circuit,
    circuitDir,
    circuits: circuits ?? [{ name: circuit, dir: circuitDir, class: null }],
    rapidsnark,
    runs: v.runs !== undefined ? int(v.runs, 'runs', 1, 1000) : DEFAULT_GROTH16_RUNS,
    threads: v.threads !== undefined ? int(v.threads, 'threads', 1, 1024) : null,
    backend,
    json: v.json ?? null,
    cli: v.cli === true,
  };
}

// ---------------------------------------------------------------------------------------------
// Child process: one prover, warm-up + timed runs, then its own peak RSS.

export interface ChildRequest {
  /** rapidsnark is not run through a child of ours: each of its proofs is already its own process. */
  impl: Exclude<Groth16Impl, 'rapidsnark'>;
  zkey: string;
  wtns: string;
  runs: number;
  threads: number | null;
  backend: ProverBackend;
}

export interface ChildResult {
  impl: Groth16Impl;
  threads: number;
  /** The engine zkgpu's runtime chose (from its job reports); null for the peers. */
  engines: string[] | null;
  firstRunMs: number;
  times: number[];
  /** zkgpu only: the per-stage timings of each timed run. */
  stages: Groth16Timings[] | null;
  /** The warm-up proof and the last timed proof, for the parent to verify. */
  first: { proof: unknown; publicSignals: string[] };
  last: { proof: unknown; publicSignals: string[] };
  /** A prover run one process per proof: every proof, warm-up first, all verified; absent for a prover loop. */
  all?: { proof: unknown; publicSignals: string[] }[];
  maxRssBytes: number | null;
}

/** Runs one prover N + 1 times in this process. Exported for tests; the bench calls it in a child. */
export async function runProverLoop(req: ChildRequest): Promise<ChildResult> {
  const times: number[] = [];
  if (req.impl === 'zkgpu') {
    const runtime = await createRuntime({ ...(req.threads !== null ? { threads: req.threads } : {}), gpu: req.backend === 'wasm' ? false : undefined });
    const engines = new Set<string>();
    runtime.addEventListener('job', (e) => {
      if (e instanceof JobEvent) engines.add(e.report.backend);
    });
    try {
      const opts = { runtime, backend: req.backend };
      let t0 = performance.now();
      const first = await groth16.prove(req.zkey, req.wtns, opts);
      const firstRunMs = performance.now() - t0;
      let last = first;
      const stages: Groth16Timings[] = [];
      for (let i = 0; i < req.runs; i++) {
        t0 = performance.now();
        last = await groth16.prove(req.zkey, req.wtns, opts);
        times.push(performance.now() - t0);
        stages.push(last.timings);
      }
      const pick = (r: typeof first) => ({ proof: r.proof, publicSignals: r.publicSignals });
      return { impl: 'zkgpu', threads: runtime.threads, engines: [...engines], firstRunMs, times, stages, first: pick(first), last: pick(last), maxRssBytes: processMaxRssBytes() };
    } finally {
      await runtime.dispose();
    }
  }
  const peer = createSnarkjsPeer({ singleThread: req.threads === 1 });
  try {
    let t0 = performance.now();
    const first = await peer.prove(req.zkey, req.wtns);
    const firstRunMs = performance.now() - t0;
    let last = first;
    for (let i = 0; i < req.runs; i++) {
      t0 = performance.now();
      last = await peer.prove(req.zkey, req.wtns);
      times.push(performance.now() - t0);
    }
    const threads = await peer.threads(first.proof.curve);
    return { impl: 'snarkjs', threads, engines: null, firstRunMs, times, stages: null, first, last, maxRssBytes: processMaxRssBytes() };
  } finally {
    await peer.close();
  }
}

const CHILD_FLAG = '--groth16-bench-child';

/** Starts this file in a fresh Node (same loader flags, so it works under tsx and from dist/). */
function runChild(req: ChildRequest): Promise<ChildResult> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolvePromise, reject) => {
    // From source (bench/groth16.ts) the child needs a TypeScript loader: the parent's own when it
    // has one (tsx), else tsx's (test runners start us without it).
    const loader = self.endsWith('.ts') && !process.execArgv.some((a) => a.includes('tsx')) ? ['--import', 'tsx'] : [];
    const child = spawn(process.execPath, [...process.execArgv, ...loader, self, CHILD_FLAG, JSON.stringify(req)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`the ${req.impl} prover process exited with code ${code}: ${stderr.trim().split('\n').slice(-6).join('\n')}`));
        return;
      }
      resolvePromise(JSON.parse(line) as ChildResult);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Report.

const MEMORY_NOTE =
  'peakRssBytes is process.resourceUsage().maxRSS of a process that ran only this prover ' + '(1 warm-up + the timed runs): file buffers, worker threads and WASM heaps included.';

interface CircuitInfo {
  curve: string;
  constraints: number | null;
  nVars: number | null;
  nPublic: number | null;
  domainSize: number | null;
}

function circuitInfo(dir: string, header: { nVars: number; nPublic: number; domainSize: number } | null, curve: string): CircuitInfo {
  let constraints: number | null = null;
  try {
    constraints = (JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { constraints?: number }).constraints ?? null;
  } catch {
    // A user's directory has no meta.json: the key's header still gives the sizes.
  }
  return { curve, constraints, nVars: header?.nVars ?? null, nPublic: header?.nPublic ?? null, domainSize: header?.domainSize ?? null };
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}

/** A result's name in the table: the engines of an in-process zkgpu, the command of a --cli one. */
function implName(r: Groth16BenchResult, cli: boolean): string {
  if (cli) return r.impl === 'rapidsnark' ? 'rapidsnark' : r.impl === 'zkgpu' ? 'zkgpu prove' : 'snarkjs cli';
  return r.impl === 'zkgpu' ? `zkgpu-${r.engines?.join('+') || r.backend}` : r.impl;
}

function row(r: Groth16BenchResult, cli: boolean, speedup?: number): string {
  const name = implName(r, cli);
  return [
    name.padEnd(14),
    String(r.threads).padStart(3),
    formatMs(r.ms.median).padStart(10),
    formatMs(r.ms.min).padStart(10),
    formatMs(r.ms.max).padStart(10),
    formatMs(r.firstRunMs).padStart(10),
    (r.peakRssBytes === null ? '?' : formatBytes(r.peakRssBytes)).padStart(9),
    speedup === undefined ? '' : formatSpeedup(speedup).padStart(8),
  ]
    .join('  ')
    .trimEnd();
}

const HEADER = `${'impl'.padEnd(14)}  thr  ${'median ms'.padStart(10)}  ${'min ms'.padStart(10)}  ${'max ms'.padStart(10)}  ${'first ms'.padStart(10)}  ${'peak RSS'.padStart(9)}  ${'zkgpu x'.padStart(8)}`;

export interface Groth16BenchDeps {
  /** How a prover is run; default: in a fresh child process. Tests pass runProverLoop (in-process). */
  runProver?: (req: ChildRequest) => Promise<ChildResult>;
}

type Groth16Failure = Groth16BenchReport['failures'][number];
type Files = { zkey: string; wtns: string };
type Vk = Record<string, unknown>;

/** One circuit measured: its sizes, the checked results and the failures. */
interface Measured {
  circuit: Groth16BenchCircuit;
  info: CircuitInfo;
  results: Groth16BenchResult[];
  failures: Groth16Failure[];
}

export async function runGroth16Bench(argv: readonly string[], io: Groth16BenchIO = defaultIO, deps: Groth16BenchDeps = {}): Promise<number> {
  const args = parseGroth16BenchArgs(argv);
  if (args.help) {
    io.out(GROTH16_BENCH_USAGE);
    return 0;
  }
  const hardware = collectHardware();
  const peer = createSnarkjsPeer();
  const cli = args.cli ? cliProvers(repoRoot(), { threads: args.threads, backend: args.backend }) : null;
  const measure = cli ? measureCommandLine(args, cli) : measureInProcess(args, deps.runProver ?? runChild);
  const measured: Measured[] = [];
  try {
    printMachine(io, args, hardware, cli);
    for (const circuit of args.circuits) {
      const files = { zkey: join(circuit.dir, 'circuit.zkey'), wtns: join(circuit.dir, 'witness.wtns') };
      const { vk, info } = await readCircuit(circuit.dir, files.zkey, peer);
      printCircuit(io, circuit, info);
      const outcomes = await runProvers(args, files, vk, peer, measure, io);
      const results = [...outcomes.checked].map(([impl, r]) => toResult(impl, r, args.backend));
      measured.push({ circuit, info, results, failures: outcomes.failures });
      printResults(io, results, args.cli);
    }
  } finally {
    await peer.close();
  }
  const report = buildGroth16Report(args, hardware, measured);
  if (report.classes) {
    const gap = args.rapidsnark ? ', gap = zkgpu / rapidsnark' : '';
    io.out(
      args.cli
        ? `\nper class, whole command lines (medians; zkgpu = zkgpu prove, snarkjs = snarkjs groth16 prove; ratio = snarkjs / zkgpu${gap}; each proof a fresh process, RSS its largest):`
        : `\nper class (medians; ratio = snarkjs / zkgpu${gap}; each prover alone in its process):`,
    );
    for (const line of classSummaryLines(report.classes, args.rapidsnark !== null)) io.out(line);
  }
  if (args.rapidsnark === null) io.out(`\n${RAPIDSNARK_HOWTO}`);
  if (args.json !== null) await writeGroth16Report(args.json, report, io);
  return measured.some((m) => m.failures.length > 0) ? 1 : 0;
}

/** The verification key (vkey.json beside the key, else exported by snarkjs) and the circuit's sizes. */
async function readCircuit(dir: string, zkey: string, peer: ReturnType<typeof createSnarkjsPeer>): Promise<{ vk: Vk; info: CircuitInfo }> {
  const header = await groth16.readZkeyHeader(zkey).catch(() => null);
  const vkPath = join(dir, 'vkey.json');
  const vk = existsSync(vkPath) ? (JSON.parse(readFileSync(vkPath, 'utf8')) as Vk) : await peer.exportVerificationKey(zkey);
  return { vk, info: circuitInfo(dir, header, String(vk.curve)) };
}

function printMachine(io: Groth16BenchIO, args: Groth16BenchConfig, hardware: HardwareInfo, cli: CliProvers | null): void {
  const machine = `zkgpu ${version} bench groth16 on ${hardware.cpuModel ?? 'unknown CPU'}, ${hardware.availableParallelism ?? hardware.logicalCores} cores available, node ${hardware.nodeVersion}`;
  if (cli) {
    io.out(`${machine}; whole command lines, each proof a fresh process, 1 untimed warm-up + ${args.runs} timed proofs, the provers taking turns:`);
    io.out(`  zkgpu:      ${cli.shown.zkgpu}`);
    io.out(`  snarkjs:    ${cli.shown.snarkjs}`);
    if (args.rapidsnark) io.out(`  rapidsnark: ${args.rapidsnark} circuit.zkey witness.wtns proof.json public.json`);
    if (args.threads !== null) io.out(`note: snarkjs's CLI has no thread option; it runs ${cli.threads.snarkjs} threads whatever --threads says`);
    for (const w of cli.warnings) io.err(w);
  } else {
    const provers = ['zkgpu', 'snarkjs', ...(args.rapidsnark ? ['rapidsnark (one process per proof)'] : [])].join(', ');
    io.out(`${machine}; ${provers}: each prover in its own process, 1 warm-up + ${args.runs} timed proofs`);
  }
  if (args.rapidsnark && args.threads !== null) io.out(RAPIDSNARK_THREADS_NOTE);
  const load = hardware.loadAverage?.[0];
  if (load !== undefined && load > 0.25 * (hardware.availableParallelism ?? 1)) {
    io.err(`warning: load average ${load} on ${hardware.availableParallelism} cores when the bench started; other work will skew the timings`);
  }
}

function printCircuit(io: Groth16BenchIO, circuit: Groth16BenchCircuit, info: CircuitInfo): void {
  io.out(
    `\n${circuit.name} (${info.curve}, ${info.constraints ?? '?'} constraints, ${info.nVars ?? '?'} variables, ${info.nPublic ?? '?'} public, domain ${info.domainSize ?? '?'})`,
  );
}

/** How one prover's proofs of one circuit are made and timed. */
type Measure = (impl: Groth16Impl, files: Files) => Promise<ChildResult>;

/** The API comparison: zkgpu and snarkjs each in a prover loop in a fresh Node; rapidsnark one process per proof. */
function measureInProcess(args: Groth16BenchConfig, runProver: (req: ChildRequest) => Promise<ChildResult>): Measure {
  return (impl, files) =>
    impl === 'rapidsnark'
      ? runRapidsnarkLoop(args.rapidsnark as string, files, args.runs, args.threads)
      : runProver({ impl, ...files, runs: args.runs, threads: args.threads, backend: args.backend });
}

/**
 * --cli: every prover's command line, one fresh process per proof, the provers taking turns round
 * by round (proveSeriesInterleaved), so the machine's drift lands on all of them alike. One
 * interleaved series per circuit, made when its first prover is asked for.
 */
function measureCommandLine(args: Groth16BenchConfig, cli: CliProvers): Measure {
  const byCircuit = new Map<string, Promise<Map<Groth16Impl, ProofProcessSeries | Error>>>();
  return async (impl, files) => {
    let all = byCircuit.get(files.zkey);
    if (all === undefined) {
      const runners = new Map<Groth16Impl, () => Promise<ProofProcessRun>>([
        ['zkgpu', () => proveInFreshProcess(cli.zkgpu, files.zkey, files.wtns)],
        ['snarkjs', () => proveInFreshProcess(cli.snarkjs, files.zkey, files.wtns)],
      ]);
      const binary = args.rapidsnark;
      if (binary !== null) runners.set('rapidsnark', () => proveWithRapidsnark(binary, files.zkey, files.wtns, args.threads));
      all = proveSeriesInterleaved(runners, args.runs);
      byCircuit.set(files.zkey, all);
    }
    const series = (await all).get(impl);
    if (series === undefined) throw new Error(`${impl} is not one of the provers this bench runs`);
    if (series instanceof Error) throw series;
    return seriesResult(impl, impl === 'rapidsnark' ? rapidsnarkThreads(args.threads) : cli.threads[impl], series);
  };
}

/** Each prover in turn; a prover is kept only when snarkjs verified its proofs (all of them, or a loop's warm-up and last timed one). */
async function runProvers(
  args: Groth16BenchConfig,
  files: Files,
  vk: Vk,
  peer: ReturnType<typeof createSnarkjsPeer>,
  measure: Measure,
  io: Groth16BenchIO,
): Promise<{ checked: Map<Groth16Impl, ChildResult>; failures: Groth16Failure[] }> {
  const checked = new Map<Groth16Impl, ChildResult>();
  const failures: Groth16Failure[] = [];
  const impls: Groth16Impl[] = ['zkgpu', 'snarkjs', ...(args.rapidsnark !== null ? (['rapidsnark'] as const) : [])];
  for (const impl of impls) {
    try {
      const r = await measure(impl, files);
      await verifyProver(impl, r, args, vk, peer);
      checked.set(impl, r);
    } catch (e) {
      const f: Groth16Failure = { impl, kind: (e as { mismatch?: boolean }).mismatch ? 'mismatch' : 'error', message: errorText(e) };
      failures.push(f);
      io.err(`!!! ${f.kind === 'mismatch' ? 'CHECK FAILED' : 'ERROR'} in ${impl}: ${f.message}`);
    }
  }
  // Every prover verified on its own; they must also agree on what was proven.
  const [firstImpl, first] = [...checked][0] ?? [];
  for (const [impl, r] of checked) {
    if (first && impl !== firstImpl && JSON.stringify(r.first.publicSignals) !== JSON.stringify(first.first.publicSignals)) {
      failures.push({ impl, kind: 'mismatch', message: `public signals differ between ${firstImpl} and ${impl}` });
      io.err(`!!! CHECK FAILED in ${impl}: public signals differ between ${firstImpl} and ${impl}`);
      checked.clear();
      break;
    }
  }
  return { checked, failures };
}

/** rapidsnark: 1 warm-up + `runs` timed proofs, each a fresh process; its peak RSS is the largest of them. */
async function runRapidsnarkLoop(binary: string, files: Files, runs: number, threads: number | null): Promise<ChildResult> {
  const series = await proveSeries(() => proveWithRapidsnark(binary, files.zkey, files.wtns, threads), runs);
  return seriesResult('rapidsnark', rapidsnarkThreads(threads), series);
}

/** A prover run one process per proof, in the shape of a prover loop's result, with every proof kept for the check. */
function seriesResult(impl: Groth16Impl, threads: number, series: ProofProcessSeries): ChildResult {
  const all = [series.warmUp, ...series.timed].map((r) => ({ proof: r.proof, publicSignals: r.publicSignals }));
  return {
    impl,
    threads,
    engines: null,
    firstRunMs: series.warmUp.ms,
    times: series.timed.map((r) => r.ms),
    stages: null,
    first: all[0],
    last: all[all.length - 1],
    all,
    maxRssBytes: series.peakRssBytes,
  };
}

/**
 * The check: snarkjs verifies every proof of a prover run one process per proof, else the warm-up
 * proof and the last timed one; a webgpu run must have used the GPU (known only in-process: the
 * CLI does not say which engines it used).
 */
async function verifyProver(impl: Groth16Impl, r: ChildResult, args: Groth16BenchConfig, vk: Vk, peer: ReturnType<typeof createSnarkjsPeer>): Promise<void> {
  const proofs: [string, { proof: unknown; publicSignals: string[] }][] = r.all
    ? r.all.map((p, i) => [i === 0 ? 'warm-up' : `timed #${i}`, p])
    : [
        ['warm-up', r.first],
        ['last timed', r.last],
      ];
  for (const [which, p] of proofs) {
    if (!(await peer.verify(vk, p.publicSignals, p.proof))) {
      throw Object.assign(new Error(`snarkjs rejects ${impl}'s ${which} proof`), { mismatch: true });
    }
  }
  if (impl === 'zkgpu' && args.backend === 'webgpu' && !args.cli && !(r.engines ?? []).includes('webgpu')) {
    throw new Error(`--backend webgpu but the runtime reported only ${r.engines?.join(', ') || 'no jobs'}`);
  }
}

function toResult(impl: Groth16Impl, r: ChildResult, backend: ProverBackend): Groth16BenchResult {
  return {
    impl,
    backend: impl === 'zkgpu' ? backend : null,
    engines: r.engines,
    threads: r.threads,
    runs: r.times.length,
    ms: summarize(r.times),
    firstRunMs: Math.round(r.firstRunMs * 1000) / 1000,
    stageMedians: stageMedians(r.stages),
    peakRssBytes: r.maxRssBytes,
    checked: true,
  };
}

function stageMedians(stages: Groth16Timings[] | null): Record<string, number> | null {
  if (!stages || stages.length === 0) return null;
  const out: Record<string, number> = {};
  for (const key of Object.keys(stages[0])) out[key] = Math.round(median(stages.map((t) => (t as unknown as Record<string, number>)[key])) * 10) / 10;
  return out;
}

/** peer median / zkgpu median (> 1: zkgpu faster); null unless both were checked and timed. */
function peerOverZkgpu(results: readonly Groth16BenchResult[], peerImpl: Groth16Impl): number | null {
  const z = results.find((r) => r.impl === 'zkgpu');
  const p = results.find((r) => r.impl === peerImpl);
  return z && p && z.ms.median > 0 ? p.ms.median / z.ms.median : null;
}

/** zkgpu median / rapidsnark median: how many times longer zkgpu takes (> 1: rapidsnark faster). */
function rapidsnarkGap(results: readonly Groth16BenchResult[]): number | null {
  const x = peerOverZkgpu(results, 'rapidsnark');
  return x === null || x === 0 ? null : 1 / x;
}

function buildGroth16Report(args: Groth16BenchConfig, hardware: HardwareInfo, measured: readonly Measured[]): Groth16BenchReport {
  const configOf = (m: Measured) => ({ circuit: m.circuit.name, ...m.info, runs: args.runs, threads: args.threads, backend: args.backend });
  const withGap = args.rapidsnark !== null;
  const first = measured[0];
  const memoryNote = args.cli ? CLI_MEMORY_NOTE : withGap ? `${MEMORY_NOTE} ${RAPIDSNARK_MEMORY_NOTE}` : MEMORY_NOTE;
  return {
    schema: SCHEMA_NAME,
    schemaVersion: SCHEMA_VERSION,
    kind: 'groth16',
    mode: args.cli ? 'cli' : 'in-process',
    createdAt: new Date().toISOString(),
    zkgpu: { version },
    hardware,
    config: configOf(first),
    results: first.results,
    speedup: peerOverZkgpu(first.results, 'snarkjs'),
    failures: first.failures,
    memory: { note: memoryNote },
    ...(withGap ? { rapidsnarkGap: rapidsnarkGap(first.results) } : {}),
    ...(args.circuits.some((c) => c.class !== null)
      ? {
          classes: measured.map((m) => ({
            class: m.circuit.class ?? m.circuit.name,
            config: configOf(m),
            results: m.results,
            speedup: peerOverZkgpu(m.results, 'snarkjs'),
            ...(withGap ? { rapidsnarkGap: rapidsnarkGap(m.results) } : {}),
            failures: m.failures,
          })),
        }
      : {}),
  };
}

const RAPIDSNARK_MEMORY_NOTE =
  "rapidsnark's peakRssBytes is the largest VmHWM read from /proc/<pid>/status every 5 ms over its proof processes " +
  '(each proof is one process; the process started, so a wrapper script must exec the prover).';

const CLI_MEMORY_NOTE =
  'mode cli: each proof is one process of the command line (zkgpu prove, snarkjs groth16 prove, rapidsnark), timed from spawn to exit; ' +
  'peakRssBytes is the largest VmHWM read from /proc/<pid>/status every 5 ms over its proof processes (warm-up included).';

const STAGE_ORDER = ['readKey', 'readWitness', 'qap', 'buildABC', 'ntt', 'quotient', 'msmA', 'msmB1', 'msmB2', 'msmC', 'msmH', 'finalize'];

function printResults(io: Groth16BenchIO, results: readonly Groth16BenchResult[], cli: boolean): void {
  const zr = results.find((r) => r.impl === 'zkgpu');
  const sr = results.find((r) => r.impl === 'snarkjs');
  const rr = results.find((r) => r.impl === 'rapidsnark');
  io.out(`${HEADER}\n${'-'.repeat(HEADER.length)}`);
  for (const r of results) io.out(row(r, cli, r.impl === 'zkgpu' ? undefined : (peerOverZkgpu(results, r.impl) ?? undefined)));
  if (zr?.stageMedians) {
    const st = zr.stageMedians;
    io.out(
      `zkgpu stages, median ms (they overlap): ${STAGE_ORDER.filter((k) => k in st)
        .map((k) => `${k} ${formatMs(st[k])}`)
        .join(', ')}`,
    );
  }
  const speedup = peerOverZkgpu(results, 'snarkjs');
  if (speedup !== null && zr && sr) {
    io.out(
      cli
        ? `zkgpu prove speed-up (snarkjs CLI median / zkgpu prove median): ${formatSpeedup(speedup)}`
        : `zkgpu speed-up (snarkjs median / zkgpu median): ${formatSpeedup(speedup)}`,
    );
  }
  const gap = rapidsnarkGap(results);
  if (gap !== null) io.out(`gap to rapidsnark (${cli ? 'zkgpu prove' : 'zkgpu'} median / rapidsnark median): ${formatSpeedup(gap)}`);
  const rss = [zr, sr, rr].filter((r) => r !== undefined && r.peakRssBytes !== null) as Groth16BenchResult[];
  if (rss.length > 1) {
    const where = cli ? 'the largest of its proof processes' : 'each alone in its process';
    io.out(`peak RSS: ${rss.map((r) => `${cli ? implName(r, cli) : r.impl} ${formatBytes(r.peakRssBytes as number)}`).join(', ')} (${where})`);
  }
}

/** Validated against the schema before it is written, as the MSM/NTT report is. */
async function writeGroth16Report(path: string, report: Groth16BenchReport, io: Groth16BenchIO): Promise<void> {
  const problems = validateReport(JSON.parse(JSON.stringify(report)));
  if (problems.length > 0) throw new Error(`internal: the report does not match its schema: ${problems.join('; ')}`);
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  io.out(`wrote ${path}`);
}

// Child entry: `node <this file> --groth16-bench-child '<ChildRequest JSON>'` prints one ChildResult line.
if (process.argv[2] === CHILD_FLAG && process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const result = await runProverLoop(JSON.parse(process.argv[3] ?? '{}') as ChildRequest);
    // Exit explicitly once the line is out: a pool that failed to wind down must not stall the parent.
    process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`, () => process.exit(1));
  }
}
