/**
 * A suite in the visitor's browser: zkgpu's runtime on this page's Web Workers (and WebGPU when
 * the browser has an adapter), ffjavascript (inside snarkjs's browser build) as the peer that
 * checks every size, bench/core's suite and case runner (the same check-then-time loop as the CLI),
 * then Groth16 proofs of the shipped circuits, zkgpu beside snarkjs, every proof verified first,
 * and last zkgpu's calibration of the kernels a proof runs (the cost models behind the estimates).
 */
import { calibrate, createRuntime, groth16, isSoftwareAdapter, type Runtime, version } from '../../src/index.js';
import type { MemorySampler } from '../core/case-runner.js';
import { errorMessage, type PeerAdapter } from '../core/cases.js';
import { type Groth16Prover, runGroth16Case } from '../core/groth16.js';
import { createFfjavascriptPeerWith } from '../core/peers/ffjavascript.js';
import {
  type BenchBackend,
  type BenchConfig,
  type BenchCurve,
  type BenchPeer,
  type BenchReport,
  type BenchResult,
  type CostModel,
  type Groth16Section,
  buildReport,
  validateReport,
} from '../core/schema.js';
import { REFERENCE_PEER, runSuite, type SuiteOutcome } from '../core/suite.js';
import { browserHardware, gpuInfoOf } from './hardware.js';
import { ffjavascriptFromSnarkjs, loadSnarkjs, type SnarkjsBrowser } from './snarkjs.js';
import { type CircuitSpec, type KernelRun, type PlannedCase, type SuitePlan, circuitCurve, kernelRuns, plannedCases } from './suites.js';

export interface RunHooks {
  /** The cases as resolved for this device (engines and sizes), before the first starts. */
  planned(cases: PlannedCase[]): void;
  caseStart(id: string): void;
  step(id: string, done: number, total: number, what: string): void;
  caseEnd(id: string, outcome: 'ok' | 'failed', detail: string): void;
  note(message: string): void;
  /** The runtime is open (the page fills its hardware panel from it while the suite runs). */
  runtimeReady(rt: Runtime): void;
}

const MEMORY_NOTE =
  "In a browser peakRssBytes is the main thread's JS heap (performance.memory.usedJSHeapSize, Chromium only, else 0) " +
  "sampled around each run: the workers' WebAssembly memory and GPU buffers are not in it.";

/** performance.memory where the browser has it (Chromium); 0 elsewhere, as the note says. */
function heapSampler(): MemorySampler {
  const read = () => (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;
  let peak = 0;
  return {
    start: () => void (peak = read()),
    sample: () => void (peak = Math.max(peak, read())),
    stop: () => Math.max(peak, read()),
  };
}

function randomSeed32(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

export async function runInBrowser(plan: SuitePlan, hooks: RunHooks, signal: AbortSignal): Promise<BenchReport> {
  const seed = plan.seed ?? randomSeed32();
  const snarkjs = await loadSnarkjs().catch((e: unknown) => {
    hooks.note(`${errorMessage(e)}: no peers; zkgpu is checked against zkgpu/math (the BigInt reference), Groth16 is skipped`);
    return null;
  });
  const peers = new Map<BenchPeer, PeerAdapter>();
  if (snarkjs) {
    const ff = createFfjavascriptPeerWith(async () => ffjavascriptFromSnarkjs(snarkjs));
    await ff.load();
    peers.set(REFERENCE_PEER, ff);
  }
  const rt = await createRuntime({ gpuTimestamps: true });
  try {
    hooks.runtimeReady(rt);
    const backends = resolveBackends(plan, rt, hooks);
    const gpu = rt.gpuDetails();
    const runs = kernelRuns(plan, backends, gpu !== null && isSoftwareAdapter(gpu));
    if (gpu !== null && isSoftwareAdapter(gpu) && runs.some((r) => r.sizes !== r.suite.sizes))
      hooks.note(`WebGPU here is a software adapter (${gpu.description || gpu.architecture}): it runs at smaller sizes than the workers`);
    const curves = circuitCurves(plan.circuits);
    hooks.planned([...plannedCases(runs, snarkjs ? plan.circuits : []), ...(plan.calibrate !== 'off' && curves.length > 0 ? [CALIBRATION_CASE] : [])]);
    const hardware = browserHardware(gpuInfoOf(rt));
    const configs: BenchConfig[] = runs.map((run) => configOf(run, plan, peers, seed));
    const outcome: SuiteOutcome = { results: [], failures: [] };
    for (const config of configs) {
      const one = await runSuite(
        { ops: config.ops, curve: config.curve, group: config.group, sizes: config.sizes, runs: config.runs, seed, backends: config.backends ?? [], timedPeers: config.peers },
        {
          runtime: rt,
          peers,
          sampler: heapSampler(),
          signal,
          events: {
            caseStart: (_, label) => hooks.caseStart(label),
            step: (spec, s) => hooks.step(labelOf(spec), s.done, s.total, `${s.contender} ${s.phase === 'check' ? 'checked' : 'timed'}`),
            row: (r) => hooks.caseEnd(labelOfResult(r), 'ok', ''),
            failure: (f, label) => hooks.caseEnd(label, 'failed', `${f.impl} ${f.kind}: ${f.message}`),
            note: hooks.note,
          },
        },
      );
      outcome.results.push(...one.results);
      outcome.failures.push(...one.failures);
    }
    const sections: Groth16Section[] = [];
    for (const circuit of plan.circuits) {
      const id = `groth16 ${circuit.name}`;
      if (!snarkjs) continue;
      hooks.caseStart(id);
      const section = await proveCircuit(circuit, rt, snarkjs, plan.runs, (done, total, what) => hooks.step(id, done, total, what), signal);
      sections.push(section);
      hooks.caseEnd(id, section.failures.length === 0 ? 'ok' : 'failed', section.failures.map((f) => `${f.impl} ${f.kind}: ${f.message}`).join('; '));
    }
    if (!snarkjs && plan.circuits.length > 0) hooks.note('Groth16 skipped: snarkjs (the verifier of every proof) could not be loaded');
    const costModels = plan.calibrate === 'off' || curves.length === 0 ? [] : await measureModels(rt, plan, curves, backends, hooks, signal);
    const report = buildReport({
      version,
      hardware,
      config: configs[0],
      configs,
      results: outcome.results,
      failures: outcome.failures,
      missingPeers: snarkjs ? [] : [REFERENCE_PEER],
      memory: { sampleIntervalMs: 1, processMaxRssBytes: null, note: MEMORY_NOTE },
      groth16: sections,
      runner: 'browser',
      costModels,
    });
    // Readers rely on it, as on the CLI's: the page validates what it writes.
    const problems = validateReport(JSON.parse(JSON.stringify(report)));
    if (problems.length > 0) throw new Error(`internal: the page's report does not match its schema: ${problems.join('; ')}`);
    return report;
  } finally {
    await rt.dispose();
    for (const p of peers.values()) await p.close();
  }
}

function configOf(run: KernelRun, plan: SuitePlan, peers: ReadonlyMap<BenchPeer, PeerAdapter>, seed: number): BenchConfig {
  return {
    ops: run.suite.ops,
    curve: run.suite.curve,
    group: run.suite.group,
    sizes: run.sizes,
    runs: plan.runs,
    backends: run.backends,
    threads: null,
    // Peers listed here are timed; the others loaded only check (bench/core/suite.ts timedPeers).
    peers: run.timePeers ? [...peers.keys()] : [],
    json: null,
    quick: plan.name === 'quick',
    seed: String(seed),
  };
}

const CALIBRATION_CASE: PlannedCase = { id: 'calibration', label: "calibration: this device's MSM and NTT cost models (for the estimates)" };

function circuitCurves(circuits: readonly CircuitSpec[]): BenchCurve[] {
  return [...new Set(circuits.map((c) => circuitCurve(c.curve)).filter((c): c is BenchCurve => c !== null))];
}

/**
 * zkgpu's calibrate over the kernels a Groth16 proof runs on each circuit's curve (G1 and G2 MSM,
 * the Fr NTT) on the workers, and on WebGPU where the adapter is hardware or the suite is the full
 * one. The models are what the scheduler plans with; the report carries them for the estimates.
 */
async function measureModels(
  rt: Runtime,
  plan: SuitePlan,
  curves: readonly BenchCurve[],
  backends: readonly BenchBackend[],
  hooks: RunHooks,
  signal: AbortSignal,
): Promise<CostModel[]> {
  const id = CALIBRATION_CASE.id;
  const gpu = rt.gpuDetails();
  // 10 s of the quick suite's 96 s in SwiftShader went to the WebGPU MSM's two calibration sizes.
  const withGpu = backends.includes('webgpu') && gpu !== null && (plan.name === 'full' || !isSoftwareAdapter(gpu));
  const kernels = curves.flatMap((c) => [`msm:${c}:g1`, `msm:${c}:g2`, `ntt:${c}`]);
  hooks.caseStart(id);
  let done = 0;
  try {
    const result = await calibrate(rt, {
      quick: plan.calibrate === 'quick',
      backends: withGpu ? ['wasm', 'webgpu'] : ['wasm'],
      kernels,
      signal,
      onProgress: (p) => hooks.step(id, ++done, done + 1, `${p.kernel} ${p.backend} 2^${Math.log2(p.n)}: ${p.medianMs.toFixed(1)} ms`),
    });
    for (const s of result.skipped) hooks.note(`calibration: ${s.kernel} on ${s.backend} not measured: ${s.reason}`);
    hooks.caseEnd(id, 'ok', '');
    return result.calibration.models.map((m) => ({
      kernel: m.kernel,
      backend: m.backend,
      fixedMs: m.fixedMs,
      perElementNs: m.perElementNs,
      threads: m.threads ?? null,
      sizes: m.samples.map((s) => s.n),
      quick: m.quick,
    }));
  } catch (e) {
    if (signal.aborted) throw e;
    hooks.caseEnd(id, 'failed', errorMessage(e));
    hooks.note(`calibration failed (${errorMessage(e)}): the estimates fall back to the power-law fits of the measured sizes`);
    return [];
  }
}

function labelOf(spec: { op: string; curve: string; group: string | null; logN: number }): string {
  return `${spec.op} ${spec.curve}${spec.group ? ` ${spec.group}` : ''} 2^${spec.logN}`;
}

function labelOfResult(r: BenchResult): string {
  return labelOf({ op: r.op, curve: r.curve, group: r.group ?? null, logN: r.logN });
}

function resolveBackends(plan: SuitePlan, rt: Runtime, hooks: RunHooks): BenchBackend[] {
  const hasGpu = rt.gpuDetails() !== null;
  const wanted = plan.backends ?? (hasGpu ? ['wasm', 'webgpu'] : ['wasm']);
  if (wanted.includes('webgpu') && !hasGpu) {
    hooks.note('WebGPU was asked for but this browser gives no adapter: timing the WASM workers only');
    return wanted.filter((b) => b !== 'webgpu').length > 0 ? wanted.filter((b) => b !== 'webgpu') : ['wasm'];
  }
  return wanted;
}

function keepProof(circuit: string, impl: string, proof: unknown, publicSignals: string[]): void {
  const kept = (window.zkgpuBenchProofs ??= []).filter((p) => !(p.circuit === circuit && p.impl === impl));
  window.zkgpuBenchProofs = [...kept, { circuit, impl, proof, publicSignals }];
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Key, witness and verification key fetched once (not timed); both provers read them from memory. */
async function proveCircuit(
  circuit: CircuitSpec,
  rt: Runtime,
  snarkjs: SnarkjsBrowser,
  runs: number,
  step: (done: number, total: number, what: string) => void,
  signal: AbortSignal,
): Promise<Groth16Section> {
  const base = new URL(`circuits/${circuit.id}/`, document.baseURI);
  const [zkey, wtns, vkey, meta] = await Promise.all([
    fetchBytes(new URL('circuit.zkey', base).href),
    fetchBytes(new URL('witness.wtns', base).href),
    fetch(new URL('vkey.json', base)).then((r) => r.json() as Promise<unknown>),
    fetch(new URL('meta.json', base)).then((r): Promise<Record<string, unknown>> => (r.ok ? r.json() : Promise.resolve({}))),
  ]);
  const engines = new Set<string>();
  const zkgpu: Groth16Prover = {
    impl: 'zkgpu',
    backend: 'wasm',
    threads: rt.threads,
    prove: async () => {
      const out = await groth16.prove(zkey, wtns, { runtime: rt, backend: 'wasm', signal, onJobReport: (_, r) => void engines.add(r.backend) });
      keepProof(circuit.name, 'zkgpu', out.proof, out.publicSignals);
      return { proof: out.proof, publicSignals: out.publicSignals, timings: { ...out.timings } };
    },
    engines: () => (engines.size > 0 ? [...engines] : null),
  };
  const peer: Groth16Prover = {
    impl: 'snarkjs',
    backend: null,
    threads: navigator.hardwareConcurrency || 1,
    // Fresh copies: snarkjs reads its in-memory files in place.
    prove: async () => {
      const out = await snarkjs.groth16.prove({ type: 'mem', data: zkey.slice() }, { type: 'mem', data: wtns.slice() });
      keepProof(circuit.name, 'snarkjs', out.proof, out.publicSignals);
      return out;
    },
  };
  const num = (k: string) => (typeof meta[k] === 'number' ? (meta[k] as number) : null);
  return runGroth16Case(
    {
      circuit: circuit.name,
      curve: circuit.curve,
      constraints: num('constraints'),
      nVars: num('nVars'),
      nPublic: num('nPublic'),
      domainSize: num('domainSize'),
      runs,
      threads: rt.threads,
      backend: 'wasm',
    },
    [zkgpu, peer],
    {
      runs,
      verify: (proof, publicSignals) => snarkjs.groth16.verify(vkey, publicSignals, proof),
      onStep: (s) => step(s.done, s.total, `${s.prover} ${s.phase === 'check' ? 'verified' : 'timed'}`),
      signal,
    },
  );
}
