/**
 * `zkgpu bench` in Node: the command line, the machine, the peers that are installed, the
 * runtime; then the platform-neutral suite (bench/core/suite.ts) and the report, validated
 * against the schema before it is written. Uses only zkgpu's public API.
 */
import { writeFile } from 'node:fs/promises';
import { createRuntime, version, type Runtime } from '../../src/index.js';
import { randomSeed } from '../../src/math/index.js';
import type { PeerAdapter } from '../core/cases.js';
import { type BenchBackend, type BenchConfig, type BenchPeer, type BenchReport, type HardwareInfo, RSS_NOTE, buildReport, validateReport } from '../core/schema.js';
import { REFERENCE_PEER, runSuite, type SuiteEvents, type SuiteOutcome } from '../core/suite.js';
import { formatBytes, formatFailure, formatSpeedup, tableHeader, tableRow } from '../core/table.js';
import { BENCH_USAGE, parseBenchArgs } from './args.js';
import { collectHardware } from './hardware.js';
import { type LoadedPeers, loadPeers, missingPeerNote } from './peers/load.js';
import { RssSampler, processMaxRssBytes } from './rss.js';

export interface BenchIO {
  out(line: string): void;
  err(line: string): void;
}

const defaultIO: BenchIO = {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
};

const SAMPLE_MS = 10;
/** Above this 1-minute load per available core, timings are mostly other people's work. */
const LOAD_WARNING_PER_CORE = 0.25;

/**
 * The bench command. Returns the exit code (0 all checked; 1 a mismatch or an implementation
 * failed); throws BenchUsageError for a bad command line.
 */
export async function runBench(argv: readonly string[], io: BenchIO = defaultIO): Promise<number> {
  if (argv[0] === 'groth16') return (await import('./groth16.js')).runGroth16Bench(argv.slice(1), io);
  if (argv[0] === 'serve') return (await import('./serve.js')).runServeBench(argv.slice(1), io);
  const args = parseBenchArgs(argv);
  if (args.help) {
    io.out(BENCH_USAGE);
    return 0;
  }
  const config: BenchConfig = { ...args.config, seed: args.seed ?? String(randomSeed()) };
  let hardware = collectHardware();
  printMachine(io, config, hardware);
  const loaded = await loadCheckingPeers(config, io);
  const sampler = new RssSampler(SAMPLE_MS);
  let runtime: Runtime | null = null;
  let outcome: SuiteOutcome;
  try {
    runtime = await openRuntime(config);
    hardware = withGpu(hardware, runtime);
    config.backends = resolveBackends(config, runtime);
    printPlan(io, config, runtime, loaded);
    outcome = await runSuite(suiteConfig(config), { runtime, peers: loaded.peers, sampler, events: printEvents(io) });
  } finally {
    sampler.stop();
    await runtime?.dispose();
    await closePeers(loaded.peers);
  }
  const report = assembleReport(config, hardware, outcome, loaded);
  printSummary(io, report);
  if (config.json !== null) await writeReport(config.json, report, io);
  return reportFailures(io, outcome);
}

function printMachine(io: BenchIO, config: BenchConfig, hw: HardwareInfo): void {
  io.out(`zkgpu ${version} bench  seed ${config.seed}  (rerun with --seed ${config.seed} for the same inputs)`);
  io.out(
    `${hw.cpuModel ?? 'unknown CPU'}, ${hw.logicalCores} logical cores (available ${hw.availableParallelism ?? '?'}), ` +
      `${formatBytes(hw.totalMemoryBytes ?? 0)} RAM, ${hw.platform}-${hw.arch}, node ${hw.nodeVersion}`,
  );
  const load = hw.loadAverage?.[0];
  if (load !== undefined && load > LOAD_WARNING_PER_CORE * (hw.availableParallelism ?? 1)) {
    io.err(`warning: load average ${load} on ${hw.availableParallelism} cores when the bench started; other work will skew the timings`);
  }
}

/**
 * The reference peer checks every size even when it is not timed: it is what backs the
 * `checked: true` of a row. Where it is not installed, zkgpu/math checks instead (suite.ts).
 */
async function loadCheckingPeers(config: BenchConfig, io: BenchIO): Promise<LoadedPeers> {
  const loaded = await loadPeers([...new Set<BenchPeer>([REFERENCE_PEER, ...config.peers])]);
  if (loaded.missing.length > 0) io.err(`note: ${missingPeerNote(loaded.missing)}`);
  return loaded;
}

function openRuntime(config: BenchConfig): Promise<Runtime> {
  const wantGpu = config.backends === null || config.backends === undefined || config.backends.includes('webgpu');
  return createRuntime({ ...(config.threads !== null ? { threads: config.threads } : {}), gpu: wantGpu, gpuTimestamps: true });
}

function withGpu(hardware: HardwareInfo, rt: Runtime): HardwareInfo {
  const gpu = rt.gpuDetails();
  if (!gpu) return hardware;
  return { ...hardware, gpu: { vendor: gpu.vendor, architecture: gpu.architecture, device: gpu.device, description: gpu.description, limits: gpu.limits, features: gpu.features } };
}

/** Default: the WASM workers, plus WebGPU when an adapter exists; asking for webgpu without one is an error. */
function resolveBackends(config: BenchConfig, rt: Runtime): BenchBackend[] {
  const gpu = rt.gpuDetails();
  const backends: BenchBackend[] = config.backends ?? (gpu ? ['wasm', 'webgpu'] : ['wasm']);
  if (backends.includes('webgpu') && !gpu) throw new Error('--backend webgpu: no WebGPU adapter was found on this machine');
  return backends;
}

function printPlan(io: BenchIO, config: BenchConfig, rt: Runtime, loaded: LoadedPeers): void {
  const gpu = rt.gpuDetails();
  const timed = config.peers.filter((p) => loaded.peers.has(p));
  const check = loaded.peers.has(REFERENCE_PEER) ? REFERENCE_PEER : 'zkgpu/math (the BigInt reference)';
  io.out(`zkgpu-wasm: ${rt.threads} worker threads; zkgpu-webgpu: ${gpu ? `${gpu.description || gpu.vendor} (${gpu.architecture || 'unknown architecture'})` : 'no adapter'}`);
  io.out(`backends: ${config.backends!.join(', ')}; peers: ${timed.join(', ') || `none (${check} checks only)`}`);
  if (!loaded.peers.has(REFERENCE_PEER)) io.out(`check: ${REFERENCE_PEER} is not installed; zkgpu's results are checked against ${check}`);
  io.out(`runs: 1 check/warm-up + ${config.runs} timed; "zkgpu x" = peer median / zkgpu median\n`);
  io.out(tableHeader());
}

function suiteConfig(config: BenchConfig) {
  return {
    ops: config.ops,
    curve: config.curve,
    group: config.group,
    sizes: config.sizes,
    runs: config.runs,
    seed: Number(config.seed),
    backends: config.backends!,
    timedPeers: config.peers,
  };
}

function printEvents(io: BenchIO): SuiteEvents {
  return {
    row: (r, speedup) => io.out(tableRow(r, speedup)),
    failure: (f, label) => io.err(`\n${formatFailure(f)}\n!!! no times reported for ${label}\n`),
    note: (message) => io.err(`note: ${message}`),
  };
}

async function closePeers(peers: ReadonlyMap<BenchPeer, PeerAdapter>): Promise<void> {
  for (const peer of peers.values()) await peer.close();
}

function assembleReport(config: BenchConfig, hardware: HardwareInfo, outcome: SuiteOutcome, loaded: LoadedPeers): BenchReport {
  return buildReport({
    version,
    hardware,
    config,
    results: outcome.results,
    failures: outcome.failures,
    missingPeers: loaded.missing.map((m) => m.name),
    memory: { sampleIntervalMs: SAMPLE_MS, processMaxRssBytes: processMaxRssBytes(), note: RSS_NOTE },
  });
}

function printSummary(io: BenchIO, report: BenchReport): void {
  if (report.comparisons.length > 0) {
    io.out('\nzkgpu speed-up (peer median / zkgpu median):');
    for (const c of report.comparisons) {
      io.out(`  ${c.op} ${c.curve}${c.group ? ` ${c.group}` : ''} 2^${c.logN} vs ${c.peer}: ${formatSpeedup(c.speedup)}`);
    }
  }
  if (report.memory?.processMaxRssBytes) io.out(`process max RSS: ${formatBytes(report.memory.processMaxRssBytes)}`);
}

/** The report is validated against the schema before it is written: readers rely on it. */
async function writeReport(path: string, report: BenchReport, io: BenchIO): Promise<void> {
  const problems = validateReport(JSON.parse(JSON.stringify(report)));
  if (problems.length > 0) throw new Error(`internal: the report does not match its schema: ${problems.join('; ')}`);
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  io.out(`wrote ${path}`);
}

function reportFailures(io: BenchIO, outcome: SuiteOutcome): number {
  if (outcome.failures.length === 0) return 0;
  io.err(`\n${outcome.failures.length} size(s) FAILED the correctness check or errored:`);
  for (const f of outcome.failures) io.err(`  ${formatFailure(f)}`);
  return 1;
}
