/**
 * One Groth16 circuit, provers side by side, in one process: the check phase (each prover's first
 * proof must be accepted by the verifier and its public signals must equal every other prover's),
 * then the timed proofs (the last one verified again). Platform-neutral: the browser page brings
 * the provers (zkgpu's groth16.prove, snarkjs's) and snarkjs's verifier. The CLI runs each prover
 * in its own process instead (bench/node/groth16.ts), to tell their memory apart.
 */
import { errorMessage } from './cases.js';
import type { Groth16Config, Groth16Impl, Groth16Section, ProverBackend } from './schema.js';
import { median, round3, summarize } from './stats.js';

export interface ProofOutput {
  proof: unknown;
  publicSignals: string[];
  /** Milliseconds per prover stage (zkgpu's `timings`); absent for snarkjs. */
  timings?: Readonly<Record<string, number | undefined>>;
}

export interface Groth16Prover {
  impl: Groth16Impl;
  backend: ProverBackend | null;
  threads: number;
  prove(): Promise<ProofOutput>;
  /** The engines that ran zkgpu's jobs during the timed proofs, when known. */
  engines?(): string[] | null;
}

export interface Groth16Step {
  prover: Groth16Impl;
  phase: 'check' | 'time';
  done: number;
  total: number;
}

export interface Groth16CaseOptions {
  runs: number;
  /** The judge of every checked proof (snarkjs.groth16.verify with the circuit's verification key). */
  verify(proof: unknown, publicSignals: string[]): Promise<boolean>;
  onStep?(step: Groth16Step): void;
  signal?: AbortSignal;
}

class ProverFailure extends Error {
  constructor(
    readonly impl: Groth16Impl,
    readonly kind: 'mismatch' | 'error',
    message: string,
  ) {
    super(message);
  }
}

/** Times each prover only after its proof was verified; a prover that fails leaves a failure, not a time. */
export async function runGroth16Case(config: Groth16Config, provers: readonly Groth16Prover[], options: Groth16CaseOptions): Promise<Groth16Section> {
  const section: Groth16Section = { config, results: [], speedup: null, failures: [] };
  const total = provers.length * (options.runs + 1);
  let done = 0;
  const step = (prover: Groth16Prover, phase: Groth16Step['phase']) => {
    options.signal?.throwIfAborted();
    options.onStep?.({ prover: prover.impl, phase, done: ++done, total });
  };
  let signals: { impl: Groth16Impl; value: string } | null = null;
  for (const prover of provers) {
    try {
      options.signal?.throwIfAborted();
      const t0 = performance.now();
      const first = await prover.prove();
      const firstMs = performance.now() - t0;
      await checkProof(prover, first, options, 'first');
      const value = JSON.stringify(first.publicSignals);
      if (signals !== null && signals.value !== value) {
        throw new ProverFailure(prover.impl, 'mismatch', `public signals ${value} differ from ${signals.impl}'s ${signals.value}`);
      }
      signals ??= { impl: prover.impl, value };
      step(prover, 'check');
      const times: number[] = [];
      const stages = new Map<string, number[]>();
      let last = first;
      for (let i = 0; i < options.runs; i++) {
        const t = performance.now();
        last = await prover.prove();
        times.push(performance.now() - t);
        for (const [name, ms] of Object.entries(last.timings ?? {})) if (ms !== undefined) stages.set(name, [...(stages.get(name) ?? []), ms]);
        step(prover, 'time');
      }
      await checkProof(prover, last, options, 'last timed');
      section.results.push({
        impl: prover.impl,
        backend: prover.backend,
        engines: prover.engines?.() ?? null,
        threads: prover.threads,
        runs: options.runs,
        ms: summarize(times),
        firstRunMs: round3(firstMs),
        stageMedians: stages.size > 0 ? Object.fromEntries([...stages].map(([name, ms]) => [name, round3(median(ms))])) : null,
        peakRssBytes: null,
        checked: true,
      });
    } catch (e) {
      if (options.signal?.aborted) throw e;
      section.failures.push(e instanceof ProverFailure ? { impl: e.impl, kind: e.kind, message: e.message } : { impl: prover.impl, kind: 'error', message: errorMessage(e) });
    }
  }
  const zkgpu = section.results.find((r) => r.impl === 'zkgpu');
  const snarkjs = section.results.find((r) => r.impl === 'snarkjs');
  if (zkgpu && snarkjs && zkgpu.ms.median > 0) section.speedup = snarkjs.ms.median / zkgpu.ms.median;
  return section;
}

async function checkProof(prover: Groth16Prover, out: ProofOutput, options: Groth16CaseOptions, which: string): Promise<void> {
  let ok: boolean;
  try {
    ok = await options.verify(out.proof, out.publicSignals);
  } catch (e) {
    throw new ProverFailure(prover.impl, 'error', `verifying the ${which} proof: ${errorMessage(e)}`);
  }
  if (!ok) throw new ProverFailure(prover.impl, 'mismatch', `the verifier rejected ${prover.impl}'s ${which} proof`);
}
