/**
 * One job's work, whichever queue handed it over (the embedded dispatcher or a BullMQ worker of
 * the fleet): its witness on the helper thread, a proving slot on the shared Runtime, the proof,
 * snarkjs's check, a log line and a histogram sample per stage. The job's timeout aborts it
 * through its controller; what happens to the job afterwards (stored, retried, released) is the
 * caller's business, read from the error and the signal's reason.
 */
import type { Logger } from 'pino';
import { groth16, type Backend, type Groth16Progress, type Groth16Prover, type Runtime } from '../index.js';
import type { Circuit } from './circuits.js';
import { ServeError } from './errors.js';
import type { Helper } from './helper/helper.js';
import type { KeyCache } from './memory.js';
import type { ServeMetrics } from './metrics.js';
import type { JobPayload, JobRecord, JobResult, JobTimings } from './queue/store.js';

export interface JobProgress {
  stage: string;
  done: number;
  total: number;
}

/** A FIFO semaphore whose waits can be aborted. */
export class Slots {
  private free: number;
  private readonly waiters: { resolve(): void; reject(e: unknown): void; signal: AbortSignal }[] = [];
  constructor(n: number) {
    this.free = n;
  }
  acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const w = { resolve, reject, signal };
      this.waiters.push(w);
      signal.addEventListener(
        'abort',
        () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) {
            this.waiters.splice(i, 1);
            reject(signal.reason);
          }
        },
        { once: true },
      );
    });
  }
  release(): void {
    const next = this.waiters.shift();
    if (next) next.resolve();
    else this.free++;
  }
}

export interface JobRunnerOptions {
  runtime: Runtime;
  helper: Helper;
  keys: KeyCache;
  metrics: ServeMetrics;
  concurrency: number;
  backend: Backend;
}

/** A job being worked on: its progress (GET shows it) and whether it holds a proving slot. */
export interface RunningJob {
  progress: JobProgress;
  proving: boolean;
}

type StageLog = (stage: string, device: string, ms: number) => void;

/** Logs each stage the prover timed (its own 'total' left out) and returns them for the job's timings. */
function logProverStages(timings: object, devices: ReadonlyMap<string, string>, stageLog: StageLog): Record<string, number> {
  const stages: Record<string, number> = {};
  for (const [stage, ms] of Object.entries(timings)) {
    if (stage === 'total' || typeof ms !== 'number') continue;
    stages[stage] = ms;
    stageLog(stage, devices.get(stage) ?? (stage === 'readKey' || stage === 'readWitness' ? 'host' : 'wasm'), ms);
  }
  return stages;
}

export class JobRunner {
  private readonly slots: Slots;
  private activeCount = 0;
  /** Milliseconds with at least one job in progress, for the cost metric. */
  private busyMs = 0;
  private busySince: number | null = null;

  constructor(private readonly o: JobRunnerOptions) {
    this.slots = new Slots(o.concurrency);
  }

  busySeconds(): number {
    const open = this.busySince === null ? 0 : performance.now() - this.busySince;
    return (this.busyMs + open) / 1000;
  }

  /**
   * Proves `record` and returns its result; throws what stopped it (the signal's reason tells an
   * abort's cause). `job.progress` and `job.proving` move as it goes.
   */
  async execute(record: JobRecord, payload: JobPayload, circuit: Circuit, controller: AbortController, job: RunningJob, jlog: Logger): Promise<JobResult> {
    const { helper, runtime, metrics } = this.o;
    const signal = controller.signal;
    this.busyStart();
    const started = performance.now();
    const queuedMs = Math.max(0, (record.startedAt ?? Date.now()) - record.createdAt);
    // The timeout counts the job's own work: the wait for a proving slot (behind other jobs) is not its time.
    let usedMs = 0;
    let timer: NodeJS.Timeout | null = null;
    let armedAt = 0;
    const arm = () => {
      armedAt = performance.now();
      timer = setTimeout(
        () => controller.abort(new ServeError('PROOF_TIMEOUT', `the job ran past its timeout of ${record.timeoutMs} ms (stage ${job.progress.stage})`)),
        Math.max(0, record.timeoutMs - usedMs),
      );
    };
    const disarm = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      usedMs += performance.now() - armedAt;
    };
    const stageLog: StageLog = (stage, device, ms) => {
      jlog.info({ stage, device, ms: Math.round(ms * 10) / 10 }, 'stage');
      metrics.observe(circuit.name, stage, ms);
    };
    let slotHeld = false;
    arm();
    try {
      stageLog('queue', 'queue', queuedMs);
      const { wtns, witnessMs } = await this.witnessOf(payload, circuit, signal, stageLog);
      disarm();
      job.progress = { stage: 'waiting for a prover slot', done: 0, total: 1 };
      await this.slots.acquire(signal);
      slotHeld = true;
      arm();
      job.proving = true;
      job.progress = { stage: 'readKey', done: 0, total: 1 };

      const prover = await this.proverOf(circuit);
      const devices = new Map<string, string>();
      const proveStart = performance.now();
      const result = await prover.prove(wtns, {
        runtime,
        backend: this.o.backend,
        signal,
        onProgress: (p: Groth16Progress) => {
          job.progress = { stage: p.stage, done: p.done, total: p.total };
        },
        onJobReport: (stage, report) => devices.set(stage, report.backend),
      });
      const proveMs = performance.now() - proveStart;
      this.slots.release();
      slotHeld = false;
      job.proving = false;
      const stages = logProverStages(result.timings, devices, stageLog);
      stageLog('prove', runtime.gpu ? 'runtime (wasm + webgpu)' : 'runtime (wasm)', proveMs);

      job.progress = { stage: 'verify', done: 0, total: 1 };
      const check = await helper.verify(circuit.name, result.proof, result.publicSignals, signal);
      stageLog('verify', 'helper thread', check.ms);
      if (!check.valid) {
        throw new ServeError('PROOF_INVALID', `the proof did not pass snarkjs.groth16.verify with the circuit's verification key; it was not returned (a prover fault: report it)`);
      }
      disarm();
      const totalMs = performance.now() - started;
      const timings: JobTimings = { queuedMs, witnessMs, proveMs, verifyMs: check.ms, totalMs, stages };
      return { proof: result.proof, publicSignals: result.publicSignals, timings };
    } finally {
      if (timer) disarm();
      if (slotHeld) this.slots.release();
      this.busyEnd();
    }
  }

  /** The job's witness: computed on the helper thread from an input, or the one the request sent. */
  private async witnessOf(payload: JobPayload, circuit: Circuit, signal: AbortSignal, stageLog: StageLog): Promise<{ wtns: Uint8Array; witnessMs: number }> {
    if (payload.kind !== 'input') return { wtns: payload.wtns, witnessMs: 0 };
    const w = await this.o.helper.witness(circuit.name, payload.input, signal);
    stageLog('witness', 'helper thread', w.ms);
    return { wtns: w.wtns, witnessMs: w.ms };
  }

  /** The 'total' stage (queue wait included) of a job that was stored as done. */
  logTotal(circuit: string, timings: JobTimings, jlog: Logger): void {
    const ms = timings.totalMs + timings.queuedMs;
    jlog.info({ stage: 'total', device: 'all', ms: Math.round(ms * 10) / 10 }, 'stage');
    this.o.metrics.observe(circuit, 'total', ms);
  }

  /**
   * The circuit's prepared prover from the cache, or prepared now (the key's sections read once)
   * and cached when the cache has room; one too large for the cache serves this proof only.
   */
  private async proverOf(circuit: Circuit): Promise<Groth16Prover> {
    const cached = this.o.keys.get(circuit.name);
    if (cached) return cached;
    const prover = await groth16.prover(circuit.zkeyPath);
    this.o.keys.put(circuit.name, prover);
    return prover;
  }

  private busyStart(): void {
    this.activeCount++;
    if (this.busySince === null) this.busySince = performance.now();
  }

  private busyEnd(): void {
    this.activeCount--;
    if (this.activeCount > 0 || this.busySince === null) return;
    this.busyMs += performance.now() - this.busySince;
    this.busySince = null;
  }
}
