/**
 * The runtime groth16.prove / fullProve / a prepared prover use when the caller gives none: one
 * per process and configuration, created on first use and kept. Creating one per proof cost its
 * workers' start (each compiles and instantiates the wasm) and, with an adapter, Dawn's device
 * and every shader pipeline again on every call: the drop-in API paid that per proof (figures in
 * README's Groth16 section). Its idle workers are unref'd by the pool (cpu/pool.ts) and an open
 * Dawn device does not hold the event loop, so a script that proves and returns still exits.
 */
import { createRuntime, type Runtime } from '../../runtime/runtime.js';

export interface DefaultRuntimeOptions {
  /** Worker threads; undefined: the runtime's own default (cores within the cgroup quota). */
  threads?: number;
  /** false: no GPU (backend 'wasm'); undefined: the runtime's default adapter selection. */
  gpu?: false;
}

/**
 * Keyed by configuration: a caller that asks for 2 threads, or for no GPU, gets a runtime made
 * that way, as it did when each call made its own; calls with the same options share one.
 */
const runtimes = new Map<string, Promise<Runtime>>();

export function defaultRuntime(options: DefaultRuntimeOptions = {}): Promise<Runtime> {
  const key = `${options.threads ?? 'auto'}/${options.gpu === false ? 'cpu' : 'gpu'}`;
  let runtime = runtimes.get(key);
  if (!runtime) {
    runtime = createRuntime({ threads: options.threads, gpu: options.gpu });
    runtimes.set(key, runtime);
    // A failed start is not kept: the next call tries again (a worker that could not start, say).
    runtime.catch(() => {
      if (runtimes.get(key) === runtime) runtimes.delete(key);
    });
  }
  return runtime;
}

/**
 * Disposes every default runtime (workers ended, GPU device destroyed); the next call without a
 * runtime creates a fresh one. Proofs still running on them fail with DISPOSED.
 */
export async function disposeDefaultRuntime(): Promise<void> {
  const all = [...runtimes.values()];
  runtimes.clear();
  await Promise.all(
    all.map((r) =>
      r.then(
        (rt) => rt.dispose(),
        () => {},
      ),
    ),
  );
}
