/**
 * `zkgpu prove`, `zkgpu fullprove`, `zkgpu verify`: snarkjs's Groth16 commands with snarkjs's
 * argument order, on zkgpu's prover (verification is snarkjs's own, so a zkgpu proof is judged by
 * the same code that judges everyone else's).
 *
 * Files: inputs are only ever opened for reading; an output path that names an input is refused
 * (exit 2) before any work; outputs are written to temporary names next to their targets and
 * renamed into place only after the proof is complete, so a failed run leaves nothing half-written.
 */
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { parseArgs } from 'node:util';
import {
  AUTO_GPU_MIN_ELEMENTS,
  createRuntime,
  groth16,
  isZkgpuError,
  type Groth16ProveResult,
  type Groth16Timings,
  type ProofMemoryPlan,
  type BinSource,
  type Runtime,
  type RuntimeOptions,
  type ZkeyHeader,
} from '../index.js';
import { endPrestartedCpuWorkers } from '../cpu/spawn.js';
import type { CliIO } from './io.js';
import { stageProgress, ttyProgressSink, type ProgressSink } from './progress.js';
import { byteSizeOption, MAX_CLI_THREADS, threadsValue } from './options.js';

/** For main.ts: the proving verbs' own copy of the library in the bundled build (scripts/bundle-cli.mjs). */
export { filterDawnStderr } from '../index.js';

/** A bad command line: main.ts prints the message and the command's usage, and exits with 2. */
export class CliUsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** main.ts's CliIO, plus an optional progress sink (tests pass one; default: stderr when it is a TTY). */
export interface Groth16CliIO extends CliIO {
  progress?: ProgressSink | null;
}

const COMMON_OPTIONS = `Options:
  --threads N                 worker threads (default: all available cores)
  --backend webgpu|wasm|auto  engine for every MSM and NTT (default auto: the GPU only for a
                              hardware adapter and large inputs)
  --qap one-task|stages|auto  how the H scalars are made: one wasm task (A, B, C, the NTTs and the
                              quotient on one worker), or stage by stage through the runtime
                              (each NTT its own job); default auto: one task below 6 threads
                              unless a hardware GPU could take the NTTs
  --max-host-bytes SIZE       working memory the proof may use (bytes, or e.g. 512MiB, 1GiB);
                              default: the detected budget (cgroup-aware) less the runtime's
                              own footprint. A proof that does not fit whole is streamed in
                              pieces that do; below its minimum it fails before any work
  --dry-run                   print the proof's memory plan (minimal and comfortable working
                              memory, the runtime's footprint, the budget, whole or streamed)
                              and exit without proving (exit 1 if the budget is too small)
  --json                      print the stage timings (with --dry-run: the plan) as JSON
  -h, --help                  this text

Exit code: 0 done, 1 a file could not be read or is invalid, 2 bad usage.`;

export const PROVE_USAGE = `Usage: zkgpu prove <circuit.zkey> <witness.wtns> <proof.json> <public.json> [options]

Makes a Groth16 proof from a snarkjs proving key and a circom witness, as
"snarkjs groth16 prove" does (same files in, same JSON out; like it, the proof is
not checked before it is written: "zkgpu verify" checks it).

${COMMON_OPTIONS}`;

export const FULLPROVE_USAGE = `Usage: zkgpu fullprove <input.json> <circuit.wasm> <circuit.zkey> <proof.json> <public.json> [options]

Computes the witness from the input with the circuit's circom .wasm, then proves, as
"snarkjs groth16 fullprove" does.

${COMMON_OPTIONS}`;

export const VERIFY_USAGE = `Usage: zkgpu verify <verification_key.json> <public.json> <proof.json>

Checks a Groth16 proof with snarkjs.groth16.verify. Prints "OK!" and exits 0 when the
proof is valid; prints "INVALID proof" and exits 1 when it is not (or a file is unreadable).`;

export interface ProveFlags {
  help: boolean;
  threads?: number;
  backend?: 'webgpu' | 'wasm' | 'auto';
  qap?: 'one-task' | 'stages' | 'auto';
  maxHostBytes?: number;
  dryRun: boolean;
  json: boolean;
  positionals: string[];
}

export function parseProveArgs(argv: readonly string[]): ProveFlags {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        threads: { type: 'string' },
        backend: { type: 'string' },
        qap: { type: 'string' },
        'max-host-bytes': { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
  const v = parsed.values;
  const flags: ProveFlags = { help: v.help === true, json: v.json === true, dryRun: v['dry-run'] === true, positionals: parsed.positionals };
  const maxHostBytes = byteSizeOption('max-host-bytes', v['max-host-bytes'], CliUsageError);
  if (maxHostBytes !== undefined) flags.maxHostBytes = maxHostBytes;
  if (v.threads !== undefined) {
    const threads = threadsValue(v.threads);
    if (threads === null) throw new CliUsageError(`--threads must be an integer from 1 to ${MAX_CLI_THREADS}; got "${v.threads}"`);
    flags.threads = threads;
  }
  if (v.backend !== undefined) {
    if (v.backend !== 'webgpu' && v.backend !== 'wasm' && v.backend !== 'auto') {
      throw new CliUsageError(`--backend must be webgpu, wasm or auto; got "${v.backend}"`);
    }
    flags.backend = v.backend;
  }
  if (v.qap !== undefined) {
    if (v.qap !== 'one-task' && v.qap !== 'stages' && v.qap !== 'auto') {
      throw new CliUsageError(`--qap must be one-task, stages or auto; got "${v.qap}"`);
    }
    flags.qap = v.qap;
  }
  return flags;
}

export function expectPositionals(flags: ProveFlags, names: string[]): string[] {
  const got = flags.positionals;
  if (got.length !== names.length) {
    const missing = names.slice(got.length).join(', ');
    throw new CliUsageError(
      got.length < names.length ? `missing ${missing}` : `expected ${names.length} files (${names.join(', ')}), got ${got.length}: extra "${got[names.length]}"`,
    );
  }
  return got;
}

/** Refuses outputs that would overwrite an input or each other (the prover never writes its inputs). */
function checkOutputs(inputs: string[], outputs: string[]): void {
  const ins = new Set(inputs.map((p) => resolve(p)));
  for (const o of outputs) {
    if (ins.has(resolve(o))) throw new CliUsageError(`output ${o} is also an input: refusing to overwrite it`);
  }
  if (resolve(outputs[0]) === resolve(outputs[1])) throw new CliUsageError(`proof and public signals would both go to ${outputs[0]}`);
}

/** snarkjs's own layout (JSON.stringify(x, null, 1)), so diffs against snarkjs output are empty. */
function snarkjsJson(value: unknown): string {
  return JSON.stringify(value, null, 1);
}

/** Both files or neither: each goes to a temporary name first, then both are renamed. */
async function writeOutputs(files: [string, string][]): Promise<void> {
  const temps = files.map(([path]) => `${path}.zkgpu-${process.pid}.tmp`);
  try {
    for (const [i, [, text]] of files.entries()) await writeFile(temps[i], text);
    for (const [i, [path]] of files.entries()) await rename(temps[i], path);
  } finally {
    for (const t of temps) await rm(t, { force: true });
  }
}

function summary(t: Groth16Timings): string {
  const msm = Math.max(t.msmA, t.msmB1, t.msmB2, t.msmC, t.msmH);
  const witness = t.witness !== undefined ? `witness ${t.witness.toFixed(0)} ms, ` : '';
  const qap = t.qap !== undefined ? `QAP (A, B, C, NTTs, quotient) ${t.qap.toFixed(0)} ms` : `NTT ${(t.ntt ?? 0).toFixed(0)} ms`;
  return `${witness}read ${(t.readKey + t.readWitness).toFixed(0)} ms, ${qap}, longest MSM ${msm.toFixed(0)} ms, total ${t.total.toFixed(0)} ms`;
}

/**
 * Smallest job (points) for which a one-shot CLI proof opens a GPU under 'auto'. The runtime's
 * 'auto' rule gives a hardware GPU jobs from AUTO_GPU_MIN_ELEMENTS (2^14) on, which repays the
 * device in a process that proves again and again (a service, an app). A `zkgpu prove` process
 * proves once, and pays the whole opening within that one proof: Dawn's adapter search, the
 * device and the MSM pipelines. On this machine's software adapter the opening alone (no pipeline
 * is built for a device 'auto' never uses) cost ~200 ms and 90 MiB RSS of a merkle (2^14) proof
 * of 0.85 s; a GPU's time saved on 2^14-2^15 jobs is less than that. From 2^16 on it may pay.
 */
export const ONE_SHOT_GPU_MIN_ELEMENTS = 1 << 16;

/**
 * Whether this one-shot proof opens a GPU under `backend`: a pinned 'webgpu' always, 'wasm'
 * never, 'auto' only when its largest job (the H MSM and the transforms: domainSize points; a
 * witness MSM: nVars) reaches ONE_SHOT_GPU_MIN_ELEMENTS (never below the runtime's own 'auto'
 * threshold, AUTO_GPU_MIN_ELEMENTS). Without a GPU every job runs on the workers, as 'auto' would
 * have run it on a software adapter.
 */
export function proofMayUseGpu(backend: ProveFlags['backend'], header: Pick<ZkeyHeader, 'domainSize' | 'nVars'>): boolean {
  if (backend === 'wasm') return false;
  if (backend === 'webgpu') return true;
  return Math.max(header.domainSize, header.nVars) >= Math.max(ONE_SHOT_GPU_MIN_ELEMENTS, AUTO_GPU_MIN_ELEMENTS);
}

/**
 * The GPU part of a one-shot proof's runtime options. Adapters named by --gpus / ZKGPU_GPUS open
 * as named; else none when no job could use a GPU (proofMayUseGpu); else, under 'auto', hardware
 * adapters only ('auto' never gives a software adapter work, so opening one would only cost its
 * device; without a GPU device node Dawn is not even loaded: runtime/adapters.ts), and under a
 * pinned 'webgpu' the runtime's default (a software adapter when there is nothing else).
 */
export function proofGpuOptions(backend: ProveFlags['backend'], header: Pick<ZkeyHeader, 'domainSize' | 'nVars'>, gpusNamed: boolean): Pick<RuntimeOptions, 'gpu' | 'gpus'> {
  if (gpusNamed) return {};
  if (!proofMayUseGpu(backend, header)) return { gpu: false };
  return backend === 'webgpu' ? {} : { gpus: 'hardware' };
}

/**
 * Largest domain whose one-shot CLI proof runs the wasm engine on V8's baseline compiler only.
 * V8 first runs wasm as Liftoff code (compiled in one fast pass) and recompiles the hot functions
 * with TurboFan in the background. The engine's hot functions are large (256- and 381-bit
 * arithmetic unrolled: 20-60 KB of code each), so that recompile costs the process a few hundred
 * ms of CPU on the cores the proof runs on, and pays back only through TurboFan's ~1.4x faster
 * code (BN254 G1 MSM of 2^12: 74 vs 102 ms). One CLI proof, 2 cores, --backend wasm, wall time
 * default vs Liftoff only: manypublic (2^11) 0.69 vs 0.53 s, merkle (2^14) 0.95 vs 0.88, bits and
 * sha256 (sparse 2^16) 1.37 vs 1.32 and 1.45 vs 1.45, but dense Poseidon 2^16 2.27 vs 2.58 and
 * 2^18 7.0 vs 8.4+. Up to 2^15 the recompile never pays back; from 2^16 it may, so it stays.
 * Only in the CLI's own process (CliIO.ownProcess): a library process (a service, the default
 * runtime, a test) keeps V8's default, and proves more than once.
 */
export const WASM_BASELINE_ONLY_MAX_DOMAIN = 1 << 15;
const V8_WASM_BASELINE_ONLY = '--no-wasm-tier-up --no-wasm-dynamic-tiering';

/** Whether this one-shot proof runs Liftoff code only (see WASM_BASELINE_ONLY_MAX_DOMAIN). */
export function wasmBaselineOnly(header: Pick<ZkeyHeader, 'domainSize'>): boolean {
  return header.domainSize <= WASM_BASELINE_ONLY_MAX_DOMAIN;
}

/**
 * The runtime of one CLI proof (or its --dry-run plan), made for it and disposed after it:
 * nothing is kept warm in a one-shot process, and disposing ends the workers so the process
 * exits at once. The key's header is read first (~1 ms) to know whether to open a GPU; its
 * errors are the prover's own. Adapters named by --gpus / ZKGPU_GPUS are opened whatever the
 * proof (unless --backend wasm, as before), so a name that matches no adapter is still refused
 * (createRuntime lists those there are).
 */
async function withProofRuntime<T>(
  io: CliIO,
  flags: ProveFlags,
  zkey: string,
  preread: readonly string[],
  work: (runtime: Runtime, sources: BinSource[]) => Promise<T>,
): Promise<T> {
  const header = await groth16.readZkeyHeader(zkey);
  // Read while the runtime starts (its workers' start-up leaves this thread idle ~0.1 s).
  const reads = preread.map(prereadFile);
  // Process-wide, and read when the runtime compiles the engine (next line): only in the CLI's own process.
  if (io.ownProcess === true && wasmBaselineOnly(header)) setFlagsFromString(V8_WASM_BASELINE_ONLY);
  const gpusNamed = flags.backend !== 'wasm' && (process.env.ZKGPU_GPUS ?? '').trim() !== '';
  let runtime: Runtime;
  try {
    runtime = await createRuntime({ threads: flags.threads, ...proofGpuOptions(flags.backend, header, gpusNamed) });
  } finally {
    // Workers main.ts started early that the runtime did not take (fewer threads under a quota).
    await endPrestartedCpuWorkers();
  }
  try {
    return await work(runtime, await Promise.all(reads));
  } finally {
    await runtime.dispose();
  }
}

/**
 * Largest key or witness a one-shot proof reads whole, beside the runtime's start, instead of
 * section by section during the proof (a whole proof of such a key reads nearly all of it anyway,
 * and holds it as views, never copies: formats/source.ts). Larger files keep the streamed reads
 * the memory plan counts on.
 */
export const PREREAD_MAX_BYTES = 64 << 20;

/** The file's bytes, named by its path for error messages; the path itself when it is larger or unreadable (the prover then reports it). */
async function prereadFile(path: string): Promise<BinSource> {
  try {
    if ((await stat(path)).size > PREREAD_MAX_BYTES) return path;
    return { type: 'mem', data: await readFile(path), name: path };
  } catch {
    return path;
  }
}

/**
 * The CLI's `verify` option, for the proof and its --dry-run plan alike (so the plan states the
 * memory the proof will use). 'auto' checks a proof only once snarkjs's curve is built, which
 * never happens before a process's first proof: from 2^15 up it would only start that build
 * (0.4-0.7 s of import + ~1.1 s, +48 MiB; verify.ts, memory-plan.ts) for proofs this process
 * never makes, and the process would wait for it before exiting. What is checked is what
 * 'auto' checks in a one-proof process: nothing (snarkjs's CLI does not check either).
 */
const CLI_VERIFY = false;

/** Runs a prover call with the progress bar; ZkgpuErrors (bad files, bad input) become exit code 1. */
async function proveAndWrite(
  name: string,
  io: Groth16CliIO,
  flags: ProveFlags,
  zkey: string,
  outputs: [string, string],
  /** Files read whole beside the runtime's start (prereadFile); `work` gets them, in this order. */
  preread: readonly string[],
  work: (
    sources: BinSource[],
    opts: {
      runtime: Runtime;
      backend?: 'webgpu' | 'wasm' | 'auto';
      qap?: 'one-task' | 'stages' | 'auto';
      maxHostBytes?: number;
      verify: typeof CLI_VERIFY;
      onProgress?: (e: { stage: string; done: number; total: number }) => void;
    },
  ) => Promise<Groth16ProveResult>,
): Promise<number> {
  const progress = stageProgress(io.progress !== undefined ? io.progress : ttyProgressSink());
  let result: Groth16ProveResult;
  try {
    result = await withProofRuntime(io, flags, zkey, preread, (runtime, sources) =>
      work(sources, { runtime, backend: flags.backend, qap: flags.qap, maxHostBytes: flags.maxHostBytes, verify: CLI_VERIFY, onProgress: progress.onProgress }),
    );
  } catch (e) {
    progress.finish();
    if (isZkgpuError(e)) {
      io.err(`zkgpu ${name}: ${e.message} [${e.code}]`);
      return 1;
    }
    throw e;
  }
  progress.finish();
  await writeOutputs([
    [outputs[0], snarkjsJson(result.proof)],
    [outputs[1], snarkjsJson(result.publicSignals)],
  ]);
  if (flags.json) {
    io.out(JSON.stringify({ command: name, proof: outputs[0], public: outputs[1], timings: result.timings }));
  } else {
    io.out(`wrote ${outputs[0]} and ${outputs[1]} (${summary(result.timings)})`);
  }
  return 0;
}

/** --dry-run: the proof's memory plan (groth16.plan), printed; PLAN_INFEASIBLE and bad keys exit 1. */
async function printPlan(name: string, io: CliIO, flags: ProveFlags, zkey: string): Promise<number> {
  let plan: ProofMemoryPlan;
  try {
    plan = await withProofRuntime(io, flags, zkey, [], (runtime) => groth16.plan(zkey, { runtime, backend: flags.backend, maxHostBytes: flags.maxHostBytes, verify: CLI_VERIFY }));
  } catch (e) {
    if (isZkgpuError(e)) {
      io.err(`zkgpu ${name}: ${e.message} [${e.code}]`);
      return 1;
    }
    throw e;
  }
  if (flags.json) {
    io.out(JSON.stringify({ command: name, dryRun: true, zkey, plan }));
    return 0;
  }
  const how = plan.mode === 'whole' ? 'whole (every section at once, the fastest)' : `streamed, ${plan.pieceElements} points a piece, ${plan.inflight} pieces at once`;
  io.out(`zkgpu ${name} --dry-run: ${zkey}`);
  io.out(`  minimal working memory      ${mib(plan.minimalBytes)}`);
  io.out(`  comfortable (whole)         ${mib(plan.comfortableBytes)}`);
  io.out(`  budget                      ${mib(plan.budgetBytes)} (${plan.budgetSource})`);
  io.out(`  runtime's own footprint     ${mib(plan.runtimeBytes)} (besides the budget)`);
  io.out(`  the proof would run         ${how}, ~${mib(plan.plannedBytes)}`);
  return 0;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

export async function runProve(argv: readonly string[], io: Groth16CliIO): Promise<number> {
  const flags = parseProveArgs(argv);
  if (flags.help) {
    io.out(PROVE_USAGE);
    return 0;
  }
  const [zkey, wtns, proof, pub] = expectPositionals(flags, ['circuit.zkey', 'witness.wtns', 'proof.json', 'public.json']);
  checkOutputs([zkey, wtns], [proof, pub]);
  if (flags.dryRun) return printPlan('prove', io, flags, zkey);
  return proveAndWrite('prove', io, flags, zkey, [proof, pub], [zkey, wtns], ([key, witness], opts) => groth16.prove(key, witness, opts));
}

export async function runFullProve(argv: readonly string[], io: Groth16CliIO): Promise<number> {
  const flags = parseProveArgs(argv);
  if (flags.help) {
    io.out(FULLPROVE_USAGE);
    return 0;
  }
  const [inputPath, wasm, zkey, proof, pub] = expectPositionals(flags, ['input.json', 'circuit.wasm', 'circuit.zkey', 'proof.json', 'public.json']);
  checkOutputs([inputPath, wasm, zkey], [proof, pub]);
  if (flags.dryRun) return printPlan('fullprove', io, flags, zkey);
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(await readFile(inputPath, 'utf8'));
  } catch (e) {
    io.err(`zkgpu fullprove: cannot read the input ${inputPath}: ${(e as Error).message}`);
    return 1;
  }
  return proveAndWrite('fullprove', io, flags, zkey, [proof, pub], [zkey], ([key], opts) => groth16.fullProve(input, wasm, key, opts));
}

/*
 * snarkjs ships no type declarations: it is loaded through a computed specifier and typed here
 * with the two members used (snarkjs's groth16_verify.js and curves.js).
 */
interface SnarkjsVerifyApi {
  groth16: { verify(vk: unknown, publicSignals: unknown, proof: unknown, logger?: unknown): Promise<boolean> };
  curves: { getCurveFromName(name: string): Promise<{ terminate(): Promise<void> }> };
}
const SNARKJS = 'snarkjs';

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the ${what} ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`the ${what} ${path} is not JSON: ${(e as Error).message}`);
  }
}

export async function runVerify(argv: readonly string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
  if (parsed.values.help) {
    io.out(VERIFY_USAGE);
    return 0;
  }
  const [vkPath, publicPath, proofPath] = expectPositionals({ help: false, json: false, dryRun: false, positionals: parsed.positionals }, [
    'verification_key.json',
    'public.json',
    'proof.json',
  ]);
  let vk: { protocol?: unknown; curve?: unknown };
  let publicSignals: unknown;
  let proof: { protocol?: unknown };
  try {
    vk = (await readJson(vkPath, 'verification key')) as typeof vk;
    publicSignals = await readJson(publicPath, 'public signals');
    proof = (await readJson(proofPath, 'proof')) as typeof proof;
  } catch (e) {
    io.err(`zkgpu verify: ${(e as Error).message}`);
    return 1;
  }
  if (typeof vk !== 'object' || vk === null || vk.protocol !== 'groth16') {
    io.err(`zkgpu verify: ${vkPath} is not a Groth16 verification key (protocol ${JSON.stringify((vk as { protocol?: unknown } | null)?.protocol)})`);
    return 1;
  }
  if (typeof vk.curve !== 'string') {
    io.err(`zkgpu verify: ${vkPath} names no curve`);
    return 1;
  }
  const snarkjs = (await import(SNARKJS)) as SnarkjsVerifyApi;
  let valid: boolean;
  try {
    valid = await snarkjs.groth16.verify(vk, publicSignals, proof);
  } catch (e) {
    // snarkjs throws on malformed points or signal arrays rather than returning false.
    io.err(`zkgpu verify: snarkjs could not check the proof: ${(e as Error).message}`);
    valid = false;
  } finally {
    // snarkjs keeps its curve (and that curve's worker threads) cached globally; end them so Node can exit.
    await (await snarkjs.curves.getCurveFromName(vk.curve).catch(() => null))?.terminate();
  }
  io.out(valid ? 'OK!' : 'INVALID proof');
  return valid ? 0 : 1;
}
