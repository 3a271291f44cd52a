/**
 * A suite in the visitor's browser: zkgpu's runtime on this page's Web Workers (and WebGPU when
 * the browser has an adapter), ffjavascript (inside snarkjs's browser build) as the peer that
 * checks every size, bench/core's suite and case runner (the same check-then-time loop as the CLI),
 * then Groth16 proofs of a shipped circuit, zkgpu beside snarkjs, every proof verified first.
 */
import { createRuntime, groth16, type Runtime, version } from '../../src/index.js';
import type { MemorySampler } from '../core/case-runner.js';
import { errorMessage, type PeerAdapter } from '../core/cases.js';
import { type Groth16Prover, runGroth16Case } from '../core/groth16.js';
import { createFfjavascriptPeerWith } from '../core/peers/ffjavascript.js';
import { type BenchBackend, type BenchConfig, type BenchPeer, type BenchReport, type BenchResult, type Groth16Section, buildReport, validateReport } from '../core/schema.js';
import { REFERENCE_PEER, runSuite, type SuiteOutcome } from '../core/suite.js';
import { browserHardware, gpuInfoOf } from './hardware.js';
import { ffjavascriptFromSnarkjs, loadSnarkjs, type SnarkjsBrowser } from './snarkjs.js';
import type { CircuitSpec, SuitePlan } from './suites.js';

export interface RunHooks {
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
    const hardware = browserHardware(gpuInfoOf(rt));
    const configs: BenchConfig[] = plan.kernels.map((k) => ({
      ops: k.ops,
      curve: k.curve,
      group: k.group,
      sizes: k.sizes,
      runs: plan.runs,
      backends,
      threads: null,
      peers: [...peers.keys()],
      json: null,
      quick: plan.name === 'quick',
      seed: String(seed),
    }));
    const outcome: SuiteOutcome = { results: [], failures: [] };
    for (const config of configs) {
      const one = await runSuite(
        { ops: config.ops, curve: config.curve, group: config.group, sizes: config.sizes, runs: config.runs, seed, backends, timedPeers: config.peers },
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
      if (!snarkjs) {
        hooks.caseEnd(id, 'failed', 'skipped: snarkjs (the verifier) is not available');
        continue;
      }
      hooks.caseStart(id);
      const section = await proveCircuit(circuit, rt, snarkjs, plan.runs, (done, total, what) => hooks.step(id, done, total, what), signal);
      sections.push(section);
      hooks.caseEnd(id, section.failures.length === 0 ? 'ok' : 'failed', section.failures.map((f) => `${f.impl} ${f.kind}: ${f.message}`).join('; '));
    }
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
