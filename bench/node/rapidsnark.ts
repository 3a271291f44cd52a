/**
 * rapidsnark (iden3's native C++ Groth16 prover) as an optional peer of `zkgpu bench groth16`:
 * never a dependency, only a binary the user points at with `--rapidsnark PATH`, called as
 * `PATH circuit.zkey witness.wtns proof.json public.json` (its `prover` command line). Each proof
 * is one process, so a time includes reading the key, as `zkgpu prove` and snarkjs's CLI would.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { type ProofProcessRun, proveInFreshProcess } from './proof-process.js';

export const RAPIDSNARK_HOWTO =
  "rapidsnark: not timed (give --rapidsnark PATH, a rapidsnark prover binary). It is not a dependency; it builds from iden3/rapidsnark's " +
  'public sources (its README): apt-get install build-essential cmake libgmp-dev libsodium-dev nasm; git clone --recursive ' +
  'https://github.com/iden3/rapidsnark; ./build_gmp.sh host; mkdir build_prover && cd build_prover && cmake .. ' +
  '-DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=../package && make -j4 && make install; the binary is package/bin/prover. ' +
  "Offline (build_gmp.sh downloads GMP): skip it, CMake falls back to the system's libgmp, and `make prover` gives build_prover/src/prover.";

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

/** One proof in a fresh rapidsnark process (proof-process.ts: timed, its peak RSS sampled from /proc). */
export function proveWithRapidsnark(binary: string, zkey: string, wtns: string, threads: number | null): Promise<ProofProcessRun> {
  // Older rapidsnark builds parallelise with OpenMP: OMP_NUM_THREADS matches them to zkgpu's --threads.
  const env = threads !== null ? { ...process.env, OMP_NUM_THREADS: String(threads) } : process.env;
  return proveInFreshProcess({ label: `rapidsnark (${binary})`, executable: binary, args: [], env }, zkey, wtns);
}

/**
 * The thread count rapidsnark runs with: OMP_NUM_THREADS as set here, else one per core. Fragile:
 * true of OpenMP builds only; since ffiasm replaced OpenMP with its own std::thread pool (2024-07,
 * rapidsnark v0.0.5 on) the pool takes std::thread::hardware_concurrency(), every online CPU,
 * whatever OMP_NUM_THREADS says (RAPIDSNARK_THREADS_NOTE).
 */
export function rapidsnarkThreads(threads: number | null): number {
  return threads ?? (Number(process.env.OMP_NUM_THREADS) || cpus().length);
}

/** Printed with --threads: a thread count the bench cannot hand to a current rapidsnark build. */
export const RAPIDSNARK_THREADS_NOTE =
  'note: --threads reaches rapidsnark only as OMP_NUM_THREADS, which builds since v0.0.5 ignore (their pool takes every online CPU, ' +
  `${cpus().length} here); its "thr" column is what an OpenMP build would use.`;
