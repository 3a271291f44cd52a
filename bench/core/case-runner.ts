/**
 * One size of one op: the check phase (every implementation runs once; the outputs must agree
 * byte for byte with zkgpu's, and zkgpu's must pass the reference), then the timing phase. A time
 * is never reported for an output that was not checked. Platform-neutral: the memory sampler and
 * the reference come from the caller.
 */
import { type CaseSpec, type Contender, type Prepared, caseLabel, contenderName, errorMessage } from './cases.js';
import { firstDifference, hex } from './codec.js';
import type { BenchFailure, BenchImpl, BenchResult } from './schema.js';
import { round3, summarize } from './stats.js';

/** Peak-memory sampler around a phase (process RSS in Node; the page brings its own). */
export interface MemorySampler {
  start(): void;
  sample(): void;
  /** Stops and returns the peak seen since start(). */
  stop(): number;
}

/** An independent check of zkgpu's first output, used when no peer library can check it. */
export interface CaseReference {
  name: string;
  /** Null when the output is right, else what is wrong. */
  check(output: Uint8Array): Promise<string | null>;
}

/** One run done: `phase` 'check' is a contender's first (checked) run, 'time' one of its timed runs. */
export interface CaseStep {
  contender: string;
  phase: 'check' | 'time';
  /** Runs of this case done so far and in all (every contender's check run plus its timed runs). */
  done: number;
  total: number;
}

export interface CaseOptions {
  runs: number;
  sampler: MemorySampler;
  /** Checks zkgpu's output besides (or, with no peer to compare, instead of) the peers. */
  reference?: CaseReference | null;
  /** Live progress (the page's bar per case); called after every run. */
  onStep?(step: CaseStep): void;
  /** Stops between runs: rejects with the signal's reason (not a case failure). */
  signal?: AbortSignal;
}

export interface CaseOutcome {
  results: BenchResult[];
  failure: BenchFailure | null;
}

/** The options with the runner's own hook after each run (counts, calls onStep, honours the signal). */
interface RunOptions extends CaseOptions {
  step(contender: Contender, phase: CaseStep['phase']): void;
}

/** A contender after its check run. */
interface Checked {
  contender: Contender;
  prepared: Prepared;
  firstMs: number;
  peakRss: number;
  /** The checked output, in zkgpu's encoding: every timed zkgpu run must reproduce it. */
  output: Uint8Array;
  checkedAgainst: string[];
}

class CaseFailure extends Error {
  constructor(
    readonly impl: BenchImpl,
    readonly kind: BenchFailure['kind'],
    message: string,
  ) {
    super(message);
  }
}

export async function runCase(spec: CaseSpec, contenders: readonly Contender[], options: CaseOptions): Promise<CaseOutcome> {
  const total = contenders.length + contenders.filter((c) => c.timed).length * options.runs;
  let done = 0;
  const run: RunOptions = {
    ...options,
    step(contender, phase) {
      options.signal?.throwIfAborted();
      options.onStep?.({ contender: contenderName(contender), phase, done: ++done, total });
    },
  };
  try {
    options.signal?.throwIfAborted();
    const checked = await checkPhase(spec, contenders, run);
    const results: BenchResult[] = [];
    for (const c of checked) if (c.contender.timed) results.push(await timePhase(spec, c, run));
    return { results, failure: null };
  } catch (e) {
    options.sampler.stop();
    if (!(e instanceof CaseFailure)) throw e;
    return {
      results: [],
      failure: { op: spec.op, curve: spec.curve, group: spec.group, logN: spec.logN, impl: e.impl, kind: e.kind, message: e.message },
    };
  }
}

/**
 * The first run of each contender is also its warm-up (wasm compile, worker start, buffer growth,
 * WebGPU shader compilation): reported as firstRunMs and kept out of the timed runs. zkgpu's
 * first engine runs first; its output is the one every other output must equal.
 */
async function checkPhase(spec: CaseSpec, contenders: readonly Contender[], options: RunOptions): Promise<Checked[]> {
  if (contenders[0]?.impl !== 'zkgpu') throw new Error('internal: zkgpu must run first');
  const checked: Checked[] = [];
  let reference: Uint8Array | null = null;
  for (const contender of contenders) {
    const { prepared, firstMs, peakRss, output } = await firstRun(contender, options);
    options.step(contender, 'check');
    if (reference === null) {
      reference = output;
      checked.push({ contender, prepared, firstMs, peakRss, output, checkedAgainst: [] });
      continue;
    }
    const mismatch = describeMismatch(spec, reference, output, contenderName(contender));
    if (mismatch !== null) throw new CaseFailure(contender.impl, 'mismatch', mismatch);
    const first = checked[0];
    // A second zkgpu engine is checked against the first; a peer checks the first.
    if (contender.impl !== 'zkgpu') first.checkedAgainst.push(contender.impl);
    checked.push({ contender, prepared, firstMs, peakRss, output, checkedAgainst: [contenderName(first.contender)] });
  }
  await checkAgainstReference(checked[0], reference!, options.reference ?? null);
  if (checked[0].checkedAgainst.length === 0) {
    throw new CaseFailure('zkgpu', 'error', `nothing checked zkgpu's result for ${caseLabel(spec)} (no peer and no reference)`);
  }
  return checked;
}

async function firstRun(contender: Contender, { sampler }: CaseOptions): Promise<{ prepared: Prepared; firstMs: number; peakRss: number; output: Uint8Array }> {
  try {
    const prepared = await contender.prepare();
    sampler.start();
    const t0 = performance.now();
    const raw = await prepared.run();
    const firstMs = performance.now() - t0;
    const peakRss = sampler.stop();
    return { prepared, firstMs, peakRss, output: await prepared.output(raw) };
  } catch (e) {
    if (e instanceof CaseFailure) throw e;
    throw new CaseFailure(contender.impl, 'error', `${contender.backend ? `${contenderName(contender)}: ` : ''}${errorMessage(e)}`);
  }
}

async function checkAgainstReference(first: Checked, output: Uint8Array, reference: CaseReference | null): Promise<void> {
  if (reference === null) return;
  let problem: string | null;
  try {
    problem = await reference.check(output);
  } catch (e) {
    throw new CaseFailure('zkgpu', 'error', `checking against ${reference.name}: ${errorMessage(e)}`);
  }
  if (problem !== null) throw new CaseFailure('zkgpu', 'mismatch', problem);
  first.checkedAgainst.push(reference.name);
}

/** Null when equal, else the 32-byte word holding the first difference (an NTT element, or a coordinate limb). */
function describeMismatch(spec: CaseSpec, reference: Uint8Array, output: Uint8Array, name: string): string | null {
  const at = firstDifference(reference, output);
  if (at === -1) return null;
  if (at === -2) return `output lengths differ: zkgpu ${reference.length} bytes, ${name} ${output.length}`;
  const w = at - (at % 32);
  const what = spec.op === 'ntt' ? `element ${w / 32}` : `bytes ${w}..${w + 31}`;
  return `first difference in ${what}: reference ${hex(reference.subarray(w, w + 32))} vs ${name} ${hex(output.subarray(w, w + 32))}`;
}

/**
 * The timed runs, one implementation after the other so they do not compete for cores. zkgpu's
 * output is re-checked after every run (outside the timing): a racy engine can pass once and
 * fail later.
 */
async function timePhase(spec: CaseSpec, c: Checked, { runs, sampler, step, signal }: RunOptions): Promise<BenchResult> {
  const { contender, prepared } = c;
  const times: number[] = [];
  if (contender.gpuMsLog) contender.gpuMsLog.length = 0;
  const reference = contender.impl === 'zkgpu' ? c.output : null;
  let peak = c.peakRss;
  try {
    sampler.start();
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const raw = await prepared.run();
      times.push(performance.now() - t0);
      sampler.sample();
      step(contender, 'time');
      if (reference !== null && firstDifference(reference, await prepared.output(raw)) !== -1) {
        throw new CaseFailure('zkgpu', 'mismatch', `timed run ${i + 1} differs from ${contenderName(contender)}'s checked first run`);
      }
    }
    peak = Math.max(peak, sampler.stop());
  } catch (e) {
    if (e instanceof CaseFailure || signal?.aborted) throw e;
    throw new CaseFailure(contender.impl, 'error', errorMessage(e));
  }
  return toResult(spec, c, runs, times, peak);
}

function toResult(spec: CaseSpec, c: Checked, runs: number, times: number[], peakRss: number): BenchResult {
  const { contender } = c;
  const gpuMs = contender.gpuMsLog;
  return {
    op: spec.op,
    curve: spec.curve,
    ...(spec.group !== null ? { group: spec.group } : {}),
    logN: spec.logN,
    n: 2 ** spec.logN,
    impl: contender.impl,
    backend: contender.backend,
    threads: contender.threads,
    runs,
    ms: summarize(times),
    firstRunMs: round3(c.firstMs),
    ...(gpuMs && gpuMs.length === runs ? { gpuMs: summarize(gpuMs) } : {}),
    peakRssBytes: peakRss,
    checked: true,
    checkedAgainst: c.checkedAgainst,
  };
}
