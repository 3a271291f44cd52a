/**
 * rapidsnark (iden3's native C++ Groth16 prover) as an optional peer of `zkgpu bench groth16`:
 * never a dependency, only a binary the user points at with `--rapidsnark PATH`, called as
 * `PATH circuit.zkey witness.wtns proof.json public.json` (its `prover` command line). Each proof
 * is one process, so a time includes reading the key, as `zkgpu prove` and snarkjs's CLI would.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

export const RAPIDSNARK_HOWTO =
  "rapidsnark: not timed (give --rapidsnark PATH, a rapidsnark prover binary). It is not a dependency; it builds from iden3/rapidsnark's " +
  'public sources (its README): apt-get install build-essential cmake libgmp-dev libsodium-dev nasm; git clone --recursive ' +
  'https://github.com/iden3/rapidsnark; ./build_gmp.sh host; mkdir build_prover && cd build_prover && cmake .. ' +
  '-DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=../package && make -j4 && make install; the binary is package/bin/prover.';

/** Why `path` cannot be the rapidsnark binary, or null when it looks runnable. */
export function rapidsnarkPathProblem(path: string): string | null {
  try {
    if (!statSync(path).isFile()) return `--rapidsnark ${path}: not a file`;
    accessSync(path, constants.X_OK);
    return null;
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === 'EACCES' ? `--rapidsnark ${path}: not executable (chmod +x)` : `--rapidsnark ${path}: no such file`;
  }
}

export interface RapidsnarkRun {
  ms: number;
  proof: unknown;
  publicSignals: string[];
  /** Peak resident set of the process (VmHWM from /proc, sampled); null where /proc is absent. */
  peakRssBytes: number | null;
}

/**
 * How often /proc/<pid>/status is read. VmHWM is the kernel's own high-water mark, so a sample
 * misses the peak only when it is reached in the last interval before exit (the MSMs, where
 * rapidsnark's memory peaks, end well before its ~1 ms of proof writing).
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

/** One proof in a fresh rapidsnark process. */
export function proveWithRapidsnark(binary: string, zkey: string, wtns: string, threads: number | null): Promise<RapidsnarkRun> {
  const dir = mkdtempSync(join(tmpdir(), 'zkgpu-rapidsnark-'));
  const proofPath = join(dir, 'proof.json');
  const publicPath = join(dir, 'public.json');
  // rapidsnark parallelises with OpenMP: OMP_NUM_THREADS matches it to zkgpu's --threads.
  const env = threads !== null ? { ...process.env, OMP_NUM_THREADS: String(threads) } : process.env;
  return new Promise<RapidsnarkRun>((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(binary, [zkey, wtns, proofPath, publicPath], { stdio: ['ignore', 'pipe', 'pipe'], env });
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
      reject(new Error(`rapidsnark (${binary}) did not start: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      const ms = performance.now() - t0;
      clearInterval(timer);
      try {
        if (code !== 0) throw new Error(`rapidsnark (${binary}) exited with ${signal ?? `code ${code}`}: ${output.trim().split('\n').slice(-6).join('\n')}`);
        const proof = JSON.parse(readFileSync(proofPath, 'utf8')) as unknown;
        const publicSignals = JSON.parse(readFileSync(publicPath, 'utf8')) as string[];
        resolvePromise({ ms, proof, publicSignals, peakRssBytes: peak });
      } catch (e) {
        reject(e instanceof SyntaxError ? new Error(`rapidsnark (${binary}) wrote unreadable proof.json/public.json: ${e.message}`) : e);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/** The thread count rapidsnark runs with: OMP_NUM_THREADS as set here, else OpenMP's default (one per core). */
export function rapidsnarkThreads(threads: number | null): number {
  return threads ?? (Number(process.env.OMP_NUM_THREADS) || cpus().length);
}
