/**
 * `zkgpu bench`: for every size, check zkgpu against the peers on one random input, then time
 * each implementation. Uses only zkgpu's public API.
 */
import { writeFile } from 'node:fs/promises';
import { createRuntime, version, type JobReport, type Runtime } from '../src/index.js';
import { CURVES, randomSeed } from '../src/math/index.js';
import { BENCH_USAGE, parseBenchArgs, type PeerName } from './args.js';
import { firstDifference, hex, readLE } from './codec.js';
import { collectHardware } from './hardware.js';
import { randomFrElements } from './inputs.js';
import { createFfjavascriptPeer } from './peers/ffjavascript.js';
import { createNoblePeer } from './peers/noble.js';
import type { MsmCase, NttCase, PeerAdapter, Prepared } from './peers/types.js';
import { RssSampler, processMaxRssBytes } from './rss.js';
import {
  RSS_NOTE,
  buildReport,
  compare,
  type BenchBackend,
  type BenchConfig,
  type BenchCurve,
  type BenchFailure,
  type BenchGroup,
  type BenchImpl,
  type BenchOp,
  type BenchResult,
} from './schema.js';
import { summarize } from './stats.js';
import { formatBytes, formatFailure, formatSpeedup, tableHeader, tableRow } from './table.js';

export interface BenchIO {
  out(line: string): void;
  err(line: string): void;
}

const defaultIO: BenchIO = {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
};

const SAMPLE_MS = 10;

/** One implementation at one size, as the runner sees it. */
interface Contender {
  impl: BenchImpl;
  backend: 'wasm' | 'webgpu' | null;
  threads: number;
  /** Timed after the check; false for a peer used only as the correctness reference. */
  timed: boolean;
  prepare(): Promise<Prepared>;
  /** GPU time of each run so far, from the runtime's reports (WebGPU with timestamp queries). */
  gpuMsLog?: number[];
}

interface CaseSpec {
  op: BenchOp;
  curve: BenchCurve;
  group: BenchGroup | null;
  logN: number;
}

function label(c: CaseSpec): string {
  return `${c.op} ${c.curve}${c.group ? ` ${c.group}` : ''} 2^${c.logN}`;
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}

/**
 * Runs one size: check phase (first run of every contender, outputs compared byte-for-byte with
 * zkgpu's), then timing phase. Returns the results, or a failure and no results: a time is never
 * reported for an output that was not checked.
 */
async function runCase(
  spec: CaseSpec,
  contenders: Contender[],
  runs: number,
  sampler: RssSampler,
  io: BenchIO,
): Promise<{ results: BenchResult[]; failure: BenchFailure | null }> {
  const fail = (impl: BenchImpl, kind: BenchFailure['kind'], message: string) => ({
    results: [],
    failure: { op: spec.op, curve: spec.curve, group: spec.group, logN: spec.logN, impl, kind, message },
  });

  // Check phase. The first run is also each implementation's warm-up (wasm compile, worker start,
  // buffer growth): it is reported as firstRunMs and kept out of the timed runs.
  const prepared = new Map<Contender, { p: Prepared; firstMs: number; peak: number }>();
  let reference: Uint8Array | null = null;
  for (const c of contenders) {
    let p: Prepared;
    let firstMs: number;
    let peak: number;
    let out: Uint8Array;
    try {
      p = await c.prepare();
      sampler.start();
      const t0 = performance.now();
      const raw = await p.run();
      firstMs = performance.now() - t0;
      peak = sampler.stop();
      out = await p.output(raw);
    } catch (e) {
      sampler.stop();
      return fail(c.impl, 'error', `${c.backend ? `${c.impl}-${c.backend}: ` : ''}${errorMessage(e)}`);
    }
    if (reference === null) {
      if (c.impl !== 'zkgpu') throw new Error('internal: zkgpu must run first');
      reference = out;
    } else {
      const at = firstDifference(reference, out);
      if (at !== -1) {
        if (at === -2) return fail(c.impl, 'mismatch', `output lengths differ: zkgpu ${reference.length} bytes, ${c.impl} ${out.length}`);
        // Show the 32-byte word holding the first difference (an NTT element, or a coordinate limb).
        const w = at - (at % 32);
        const what = spec.op === 'ntt' ? `element ${w / 32}` : `bytes ${w}..${w + 31}`;
        const name = c.backend ? `${c.impl}-${c.backend}` : c.impl;
        return fail(c.impl, 'mismatch', `first difference in ${what}: reference ${hex(reference.subarray(w, w + 32))} vs ${name} ${hex(out.subarray(w, w + 32))}`);
      }
    }
    prepared.set(c, { p, firstMs, peak });
  }

  // Timing phase, one implementation after the other so they do not compete for cores.
  const results: BenchResult[] = [];
  for (const c of contenders) {
    if (!c.timed) continue;
    const { p, firstMs, peak: checkPeak } = prepared.get(c)!;
    const times: number[] = [];
    if (c.gpuMsLog) c.gpuMsLog.length = 0;
    let peak = checkPeak;
    try {
      sampler.start();
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const raw = await p.run();
        times.push(performance.now() - t0);
        sampler.sample();
        if (c.impl === 'zkgpu') {
          // Re-check every zkgpu run (outside the timing): a racy engine can pass once and fail later.
          const out = await p.output(raw);
          if (firstDifference(reference!, out) !== -1) {
            sampler.stop();
            return fail('zkgpu', 'mismatch', `timed run ${i + 1} differs from zkgpu's checked first run`);
          }
        }
      }
      peak = Math.max(peak, sampler.stop());
    } catch (e) {
      sampler.stop();
      return fail(c.impl, 'error', errorMessage(e));
    }
    results.push({
      op: spec.op,
      curve: spec.curve,
      ...(spec.group !== null ? { group: spec.group } : {}),
      logN: spec.logN,
      n: 2 ** spec.logN,
      impl: c.impl,
      backend: c.backend,
      threads: c.threads,
      runs,
      ms: summarize(times),
      firstRunMs: Math.round(firstMs * 1000) / 1000,
      ...(c.gpuMsLog && c.gpuMsLog.length === runs ? { gpuMs: summarize(c.gpuMsLog) } : {}),
      peakRssBytes: peak,
      checked: true,
    });
  }
  return { results, failure: null };
}

/**
 * zkgpu on one engine. The runtime's report for every run is checked so that a row labelled
 * webgpu can never be a CPU result.
 */
function zkgpuContender(rt: Runtime, backend: BenchBackend, msmCase: MsmCase | null, nttCase: NttCase, curve: BenchCurve, n: number): Contender {
  const gpuMsLog: number[] = [];
  const checkRan = (r: JobReport) => {
    if (r.backend !== backend) throw new Error(`asked for backend ${backend} but the runtime ran ${r.backend} (${r.reason})`);
    if (r.gpuMs !== undefined) gpuMsLog.push(r.gpuMs);
  };
  return {
    impl: 'zkgpu',
    gpuMsLog,
    backend,
    threads: backend === 'wasm' ? rt.threads : 1,
    timed: true,
    prepare: async () => ({
      run: () =>
        msmCase !== null
          ? rt.msm({ curve: msmCase.curve, group: msmCase.group, points: msmCase.points, scalars: msmCase.scalars, backend, onReport: checkRan })
          : rt.ntt({ curve: nttCase.curve, values: nttCase.values, backend, onReport: checkRan }),
      output: async (raw) => raw as Uint8Array,
    }),
  };
}

/**
 * The bench command. Returns the exit code (0 all checked; 1 a mismatch or an implementation
 * failed); throws BenchUsageError for a bad command line.
 */
export async function runBench(argv: readonly string[], io: BenchIO = defaultIO): Promise<number> {
  if (argv[0] === 'groth16') {
    const { runGroth16Bench } = await import('./groth16.js');
    return runGroth16Bench(argv.slice(1), io);
  }
  const args = parseBenchArgs(argv);
  if (args.help) {
    io.out(BENCH_USAGE);
    return 0;
  }
  const seed = args.seed ?? String(randomSeed());
  const config: BenchConfig = { ...args.config, seed };
  let hardware = collectHardware();

  io.out(`zkgpu ${version} bench  seed ${seed}  (rerun with --seed ${seed} for the same inputs)`);
  io.out(
    `${hardware.cpuModel ?? 'unknown CPU'}, ${hardware.logicalCores} logical cores ` +
      `(available ${hardware.availableParallelism ?? '?'}), ${formatBytes(hardware.totalMemoryBytes ?? 0)} RAM, ` +
      `${hardware.platform}-${hardware.arch}, node ${hardware.nodeVersion}`,
  );
  const load = hardware.loadAverage?.[0];
  if (load !== undefined && load > 0.25 * (hardware.availableParallelism ?? 1)) {
    io.err(`warning: load average ${load} on ${hardware.availableParallelism} cores when the bench started; other work will skew the timings`);
  }

  const results: BenchResult[] = [];
  const failures: BenchFailure[] = [];
  const sampler = new RssSampler(SAMPLE_MS);
  let runtime: Runtime | null = null;
  const peers = new Map<PeerName, PeerAdapter>();
  // ffjavascript is the correctness reference even with --peers none (then it is checked, not timed):
  // without a reference there would be nothing to back the `checked: true` of a result.
  const checkers: PeerName[] = [...new Set<PeerName>(['ffjavascript', ...config.peers])];
  for (const name of checkers) peers.set(name, name === 'ffjavascript' ? createFfjavascriptPeer() : createNoblePeer());

  try {
    const wantGpu = config.backends === null || config.backends === undefined || config.backends.includes('webgpu');
    runtime = await createRuntime({ ...(config.threads !== null ? { threads: config.threads } : {}), gpu: wantGpu, gpuTimestamps: true });
    const rt = runtime;
    const gpu = rt.gpuDetails();
    if (gpu) {
      hardware = { ...hardware, gpu: { vendor: gpu.vendor, architecture: gpu.architecture, device: gpu.device, description: gpu.description, limits: gpu.limits, features: gpu.features } };
    }
    // Default: the WASM workers, plus WebGPU when an adapter exists; asking for webgpu without one is an error.
    const backends: BenchBackend[] = config.backends ?? (gpu ? ['wasm', 'webgpu'] : ['wasm']);
    if (backends.includes('webgpu') && !gpu) throw new Error('--backend webgpu: no WebGPU adapter was found on this machine');
    config.backends = backends;
    io.out(`zkgpu-wasm: ${rt.threads} worker threads; zkgpu-webgpu: ${gpu ? `${gpu.description || gpu.vendor} (${gpu.architecture || 'unknown architecture'})` : 'no adapter'}`);
    io.out(`backends: ${backends.join(', ')}; peers: ${config.peers.join(', ') || 'none (ffjavascript checks only)'}`);
    io.out(`runs: 1 check/warm-up + ${config.runs} timed; "zkgpu x" = peer median / zkgpu median\n`);
    io.out(tableHeader());

    const maxLog = Math.max(...config.sizes);
    const maxN = 2 ** maxLog;
    for (const op of config.ops) {
      const group = op === 'msm' ? config.group : null;
      // Inputs at the largest size once; each smaller size takes a prefix.
      let fr: Uint8Array;
      let points: Uint8Array | null;
      try {
        fr = randomFrElements(config.curve, maxN, Number(seed));
        points = op === 'msm' ? await rt.samplePoints({ curve: config.curve, group: config.group, n: maxN, seed: Number(seed) }) : null;
      } catch (e) {
        // No inputs, no sizes for this op: record each as failed and go on with the next op.
        for (const logN of config.sizes) {
          const f: BenchFailure = { op, curve: config.curve, group, logN, impl: 'zkgpu', kind: 'error', message: `making inputs: ${errorMessage(e)}` };
          failures.push(f);
          io.err(formatFailure(f));
        }
        continue;
      }
      const pointBytes = points === null ? 0 : points.length / maxN;

      for (const logN of config.sizes) {
        const n = 2 ** logN;
        const spec: CaseSpec = { op, curve: config.curve, group, logN };
        const msmCase: MsmCase | null =
          points === null
            ? null
            : { curve: config.curve, group: config.group, n, points: points.subarray(0, n * pointBytes), scalars: fr.subarray(0, n * 32) };
        const nttCase: NttCase = { curve: config.curve, n, values: fr.subarray(0, n * 32) };

        const contenders: Contender[] = [];
        for (const backend of backends) {
          if (backend === 'webgpu' && msmCase !== null && msmCase.group === 'g2') {
            io.err(`note: ${label(spec)}: the WebGPU engine has no G2 MSM; timing wasm only`);
            continue;
          }
          contenders.push(zkgpuContender(rt, backend, msmCase, nttCase, config.curve, n));
        }
        for (const [name, peer] of peers) {
          const skip = msmCase !== null ? peer.skipMsm(config.curve, config.group, logN) : peer.skipNtt(config.curve, logN);
          if (skip !== null) continue;
          contenders.push({
            impl: name,
            backend: null,
            threads: await peer.threads(config.curve),
            timed: config.peers.includes(name),
            prepare: () => (msmCase !== null ? peer.prepareMsm(msmCase) : peer.prepareNtt(nttCase)),
          });
        }

        const { results: rs, failure } = await runCase(spec, contenders, config.runs, sampler, io);
        if (failure !== null) {
          failures.push(failure);
          io.err(`\n${formatFailure(failure)}\n!!! no times reported for ${label(spec)}\n`);
          continue;
        }
        results.push(...rs);
        const cmp = compare(rs);
        for (const r of rs) io.out(tableRow(r, cmp.find((c) => c.peer === r.impl)?.speedup));
      }
    }
  } finally {
    sampler.stop();
    await runtime?.dispose();
    for (const peer of peers.values()) await peer.close();
  }

  const report = buildReport({
    version,
    hardware,
    config,
    results,
    failures,
    memory: { sampleIntervalMs: SAMPLE_MS, processMaxRssBytes: processMaxRssBytes(), note: RSS_NOTE },
  });
  if (report.comparisons.length > 0) {
    io.out('\nzkgpu speed-up (peer median / zkgpu median):');
    for (const c of report.comparisons) {
      io.out(`  ${c.op} ${c.curve}${c.group ? ` ${c.group}` : ''} 2^${c.logN} vs ${c.peer}: ${formatSpeedup(c.speedup)}`);
    }
  }
  if (report.memory?.processMaxRssBytes) io.out(`process max RSS: ${formatBytes(report.memory.processMaxRssBytes)}`);
  if (config.json !== null) {
    await writeFile(config.json, `${JSON.stringify(report, null, 2)}\n`);
    io.out(`wrote ${config.json}`);
  }
  if (failures.length > 0) {
    io.err(`\n${failures.length} size(s) FAILED the correctness check or errored:`);
    for (const f of failures) io.err(`  ${formatFailure(f)}`);
    return 1;
  }
  return 0;
}
