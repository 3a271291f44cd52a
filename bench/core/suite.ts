/**
 * The MSM/NTT suite: for each op, inputs made once at the largest size; for each size, zkgpu's
 * engines and the peers checked and timed (case-runner.ts). Platform-neutral: the Node CLI and
 * the browser page bring the runtime, the loaded peers, a memory sampler and where rows go.
 */
import type { Runtime } from '../../src/index.js';
import { type CaseReference, type CaseStep, type MemorySampler, runCase } from './case-runner.js';
import { type CaseSpec, type Contender, type PeerAdapter, caseLabel, errorMessage } from './cases.js';
import { randomFrElements } from './inputs.js';
import { type BenchBackend, type BenchCurve, type BenchFailure, type BenchGroup, type BenchOp, type BenchPeer, type BenchResult, compare } from './schema.js';
import { type CaseInput, oracleReference, zkgpuContender } from './zkgpu.js';

export interface SuiteConfig {
  ops: readonly BenchOp[];
  curve: BenchCurve;
  group: BenchGroup;
  sizes: readonly number[];
  runs: number;
  seed: number;
  /** zkgpu engines, in order: the first is checked against the references, the others against it. */
  backends: readonly BenchBackend[];
  /** Peers to time; other loaded peers only check. */
  timedPeers: readonly BenchPeer[];
}

export interface SuiteEvents {
  /** A size starts (the page shows a progress bar per case). */
  caseStart?(spec: CaseSpec, label: string): void;
  /** A run of that size is done (check or timed). */
  step?(spec: CaseSpec, step: CaseStep): void;
  /** A checked and timed row; `speedup` (peer median / zkgpu median) on peer rows. */
  row(result: BenchResult, speedup: number | undefined): void;
  /** A size without times. */
  failure(failure: BenchFailure, label: string): void;
  note(message: string): void;
}

export interface SuiteDeps {
  runtime: Runtime;
  /** Loaded peers (missing ones left out): each checks every case it runs, and is timed if asked. */
  peers: ReadonlyMap<BenchPeer, PeerAdapter>;
  sampler: MemorySampler;
  events: SuiteEvents;
  /** Cancels between runs; runSuite then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface SuiteOutcome {
  results: BenchResult[];
  failures: BenchFailure[];
}

/**
 * The peer whose agreement checks a size; without it, zkgpu/math checks zkgpu instead. It runs
 * every size and curve and is built from its own code (different language, different algorithms).
 */
export const REFERENCE_PEER: BenchPeer = 'ffjavascript';

export async function runSuite(config: SuiteConfig, deps: SuiteDeps): Promise<SuiteOutcome> {
  const outcome: SuiteOutcome = { results: [], failures: [] };
  for (const op of config.ops) {
    const inputs = await makeInputs(op, config, deps.runtime).catch((e: unknown) => e as Error);
    if (inputs instanceof Error) {
      // No inputs, no sizes for this op: record each as failed and go on with the next op.
      for (const logN of config.sizes) {
        const spec = specOf(op, config, logN);
        recordFailure(outcome, deps, spec, { ...failureHead(spec), impl: 'zkgpu', kind: 'error', message: `making inputs: ${errorMessage(inputs)}` });
      }
      continue;
    }
    for (const logN of config.sizes) await runSize(specOf(op, config, logN), caseInput(op, config, logN, inputs), config, deps, outcome);
  }
  return outcome;
}

async function runSize(spec: CaseSpec, input: CaseInput, config: SuiteConfig, deps: SuiteDeps, outcome: SuiteOutcome): Promise<void> {
  deps.signal?.throwIfAborted();
  deps.events.caseStart?.(spec, caseLabel(spec));
  const contenders = [...(await zkgpuContenders(spec, input, config, deps)), ...(await peerContenders(spec, input, config, deps))];
  const { results, failure } = await runCase(spec, contenders, {
    runs: config.runs,
    sampler: deps.sampler,
    reference: referenceFor(contenders, input, config, deps),
    onStep: deps.events.step ? (s) => deps.events.step?.(spec, s) : undefined,
    signal: deps.signal,
  });
  if (failure !== null) return recordFailure(outcome, deps, spec, failure);
  outcome.results.push(...results);
  const comparisons = compare(results);
  for (const r of results) deps.events.row(r, comparisons.find((c) => c.peer === r.impl)?.speedup);
}

interface Inputs {
  /** Uniform Fr elements at the largest size: MSM scalars and NTT values. */
  fr: Uint8Array;
  /** MSM only: points at the largest size. */
  points: Uint8Array | null;
}

/** Inputs at the largest size once; each smaller size takes a prefix. */
async function makeInputs(op: BenchOp, config: SuiteConfig, rt: Runtime): Promise<Inputs> {
  const maxN = 2 ** Math.max(...config.sizes);
  const fr = randomFrElements(config.curve, maxN, config.seed);
  const points = op === 'msm' ? await rt.samplePoints({ curve: config.curve, group: config.group, n: maxN, seed: config.seed }) : null;
  return { fr, points };
}

function caseInput(op: BenchOp, config: SuiteConfig, logN: number, inputs: Inputs): CaseInput {
  const n = 2 ** logN;
  if (op === 'ntt') return { op, ntt: { curve: config.curve, n, values: inputs.fr.subarray(0, n * 32) } };
  const points = inputs.points!;
  const pointBytes = points.length / 2 ** Math.max(...config.sizes);
  return { op, msm: { curve: config.curve, group: config.group, n, points: points.subarray(0, n * pointBytes), scalars: inputs.fr.subarray(0, n * 32) } };
}

async function zkgpuContenders(spec: CaseSpec, input: CaseInput, config: SuiteConfig, deps: SuiteDeps): Promise<Contender[]> {
  const out: Contender[] = [];
  for (const backend of config.backends) {
    const cannot = backend === 'webgpu' ? await gpuCannot(deps.runtime, spec) : null;
    if (cannot !== null) {
      deps.events.note(`${caseLabel(spec)}: not on WebGPU (${cannot}); timing the other engines`);
      continue;
    }
    out.push(zkgpuContender(deps.runtime, backend, input));
  }
  return out;
}

/**
 * Why the runtime will not run this case on WebGPU, or null: asked of its planner (runtime.plan
 * with the backend pinned), so the runtime's own rule decides (a G2 MSM has no WebGPU kernel until
 * runtime/kernels.ts says it has), not a copy of it here.
 */
async function gpuCannot(rt: Runtime, spec: CaseSpec): Promise<string | null> {
  const job = spec.op === 'msm' ? { op: spec.op, curve: spec.curve, group: spec.group ?? 'g1', n: 2 ** spec.logN } : { op: spec.op, curve: spec.curve, n: 2 ** spec.logN };
  try {
    const plan = await rt.plan({ ...job, backend: 'webgpu' });
    return plan.chunks.some((c) => c.backend.startsWith('webgpu')) ? null : plan.reason;
  } catch (e) {
    return errorMessage(e);
  }
}

async function peerContenders(spec: CaseSpec, input: CaseInput, config: SuiteConfig, deps: SuiteDeps): Promise<Contender[]> {
  const out: Contender[] = [];
  for (const [name, peer] of deps.peers) {
    const skip = input.op === 'msm' ? peer.skipMsm(spec.curve, input.msm.group, spec.logN) : peer.skipNtt(spec.curve, spec.logN);
    if (skip !== null) continue;
    out.push({
      impl: name,
      backend: null,
      threads: await peer.threads(spec.curve),
      timed: config.timedPeers.includes(name),
      prepare: () => (input.op === 'msm' ? peer.prepareMsm(input.msm) : peer.prepareNtt(input.ntt)),
    });
  }
  return out;
}

/** zkgpu/math checks zkgpu's first engine when the reference peer does not run this size. */
function referenceFor(contenders: readonly Contender[], input: CaseInput, config: SuiteConfig, deps: SuiteDeps): CaseReference | null {
  if (contenders.some((c) => c.impl === REFERENCE_PEER)) return null;
  const first = contenders[0];
  return first?.backend ? oracleReference(deps.runtime, first.backend, input, config.seed) : null;
}

function specOf(op: BenchOp, config: SuiteConfig, logN: number): CaseSpec {
  return { op, curve: config.curve, group: op === 'msm' ? config.group : null, logN };
}

function failureHead(spec: CaseSpec): Pick<BenchFailure, 'op' | 'curve' | 'group' | 'logN'> {
  return { op: spec.op, curve: spec.curve, group: spec.group, logN: spec.logN };
}

function recordFailure(outcome: SuiteOutcome, deps: SuiteDeps, spec: CaseSpec, failure: BenchFailure): void {
  outcome.failures.push(failure);
  deps.events.failure(failure, caseLabel(spec));
}
