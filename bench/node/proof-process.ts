/**
 * One Groth16 proof as one process: a prover's command line (`... circuit.zkey witness.wtns
 * proof.json public.json`, the shape rapidsnark, `zkgpu prove` and `snarkjs groth16 prove` share),
 * timed from spawn to exit, its peak resident memory sampled from /proc, its proof read back.
 * Used by `zkgpu bench groth16` for rapidsnark (rapidsnark.ts) and for the --cli comparison
 * (groth16-cli.ts), so every command line is timed and measured the same way.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProofProcessRun {
  /** Wall time from spawn to exit: start-up, reading the key and witness, proving, writing. */
  ms: number;
  proof: unknown;
  publicSignals: string[];
  /** Peak resident set of the process (VmHWM from /proc, sampled); null where /proc is absent. */
  peakRssBytes: number | null;
}

export interface ProofCommand {
  /** The prover's name in errors ("rapidsnark (/path/prover)", "zkgpu prove"). */
  label: string;
  /** The executable spawned; its pid is the one sampled, so a wrapper script must exec the prover. */
  executable: string;
  /** Arguments before the four files. */
  args: readonly string[];
  /** Arguments after the four files (flags). */
  flags?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * How often /proc/<pid>/status is read. VmHWM is the kernel's own high-water mark, so a sample
 * misses the peak only when it is reached in the last interval before exit (the MSMs, where the
 * provers' memory peaks, end well before their ~1 ms of proof writing).
 */
const HWM_SAMPLE_MS = 5;

function readHwmBytes(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** One proof in a fresh process of `command`, its output files in a temporary directory removed afterwards. */
export function proveInFreshProcess(command: ProofCommand, zkey: string, wtns: string): Promise<ProofProcessRun> {
  const dir = mkdtempSync(join(tmpdir(), 'zkgpu-proof-process-'));
  const proofPath = join(dir, 'proof.json');
  const publicPath = join(dir, 'public.json');
  return new Promise<ProofProcessRun>((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(command.executable, [...command.args, zkey, wtns, proofPath, publicPath, ...(command.flags ?? [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: command.env ?? process.env,
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
    let peak: number | null = null;
    const sample = () => {
      if (child.pid === undefined) return;
      const hwm = readHwmBytes(child.pid);
      if (hwm !== null) peak = Math.max(peak ?? 0, hwm);
    };
    const timer = setInterval(sample, HWM_SAMPLE_MS);
    child.on('error', (e) => {
      clearInterval(timer);
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`${command.label} did not start: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      const ms = performance.now() - t0;
      clearInterval(timer);
      try {
        if (code !== 0) throw new Error(`${command.label} exited with ${signal ?? `code ${code}`}: ${output.trim().split('\n').slice(-6).join('\n')}`);
        const proof = JSON.parse(readFileSync(proofPath, 'utf8')) as unknown;
        const publicSignals = JSON.parse(readFileSync(publicPath, 'utf8')) as string[];
        resolvePromise({ ms, proof, publicSignals, peakRssBytes: peak });
      } catch (e) {
        reject(e instanceof SyntaxError ? new Error(`${command.label} wrote unreadable proof.json/public.json: ${e.message}`) : e);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

export interface ProofProcessSeries {
  /** The untimed warm-up (it fills the file cache with the key and witness). */
  warmUp: ProofProcessRun;
  timed: ProofProcessRun[];
  /** The largest peak of all of them (warm-up included); null where /proc is absent. */
  peakRssBytes: number | null;
}

/** 1 warm-up + `runs` timed proofs, one after another, each a fresh process. */
export async function proveSeries(runOnce: () => Promise<ProofProcessRun>, runs: number): Promise<ProofProcessSeries> {
  const warmUp = await runOnce();
  const timed: ProofProcessRun[] = [];
  for (let i = 0; i < runs; i++) timed.push(await runOnce());
  return seriesOf(warmUp, timed);
}

function seriesOf(warmUp: ProofProcessRun, timed: ProofProcessRun[]): ProofProcessSeries {
  const peaks = [warmUp, ...timed].map((r) => r.peakRssBytes).filter((p): p is number => p !== null);
  return { warmUp, timed, peakRssBytes: peaks.length > 0 ? Math.max(...peaks) : null };
}

/**
 * proveSeries for several provers at once, interleaved: each one's warm-up, then `runs` rounds in
 * which every prover proves once, in turn. A drift in the machine's speed (a shared VM's: 10-30%
 * from minute to minute on the one these figures come from) then falls on every prover alike,
 * instead of on whichever prover's block of proofs it met. A prover that fails is left out of the
 * later rounds; its error is its result.
 */
export async function proveSeriesInterleaved<K>(runners: ReadonlyMap<K, () => Promise<ProofProcessRun>>, runs: number): Promise<Map<K, ProofProcessSeries | Error>> {
  const warmUps = new Map<K, ProofProcessRun>();
  const timed = new Map<K, ProofProcessRun[]>();
  const failed = new Map<K, Error>();
  const attempt = async (key: K, runOnce: () => Promise<ProofProcessRun>, keep: (r: ProofProcessRun) => void) => {
    try {
      keep(await runOnce());
    } catch (e) {
      failed.set(key, e instanceof Error ? e : new Error(String(e)));
    }
  };
  for (const [key, runOnce] of runners) await attempt(key, runOnce, (r) => warmUps.set(key, r));
  for (let i = 0; i < runs; i++) {
    for (const [key, runOnce] of runners) {
      if (!failed.has(key)) await attempt(key, runOnce, (r) => timed.set(key, [...(timed.get(key) ?? []), r]));
    }
  }
  const out = new Map<K, ProofProcessSeries | Error>();
  for (const key of runners.keys()) out.set(key, failed.get(key) ?? seriesOf(warmUps.get(key) as ProofProcessRun, timed.get(key) ?? []));
  return out;
}
