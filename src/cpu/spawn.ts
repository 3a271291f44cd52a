/**
 * Starts one CPU worker on the current platform: worker_threads in Node, a module Web Worker in
 * browsers. Both are reduced to the same small handle so the pool never branches on platform.
 */
import type { Endpoint } from 'comlink';
import { nodeEndpoint } from './node-endpoint.js';

export interface WorkerHandle {
  readonly endpoint: Endpoint;
  /** Called once when the worker stops for any reason other than terminate(). */
  onExit(listener: (reason: string) => void): void;
  terminate(): Promise<void>;
  /** Node only: a busy worker keeps the process alive, an idle one must not. */
  ref(): void;
  unref(): void;
}

export type SpawnWorker = () => Promise<WorkerHandle>;

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

const PRESTARTED = Symbol.for('zkgpu.prestartedCpuWorkers');

/**
 * The worker entry sits at ../../workers/ from here both in the sources (src/cpu/*.ts) and in the
 * build (dist/src/cpu/*.js). When running from TypeScript sources (vitest, tsx) the worker is
 * TypeScript too.
 */
const fromSources = import.meta.url.endsWith('.ts');

// Node only. Both URLs are marked @vite-ignore and never written inline in `new Worker(...)`, so
// a bundler building for browsers does not pull dev-entry.mjs (and tsx, 160 kB) into the app as a
// second worker, nor fail on it when bundling dist/, which lacks it.
function workerUrl(): URL {
  return new URL(/* @vite-ignore */ `../../workers/cpu-worker.${fromSources ? 'ts' : 'js'}`, import.meta.url);
}

function devEntryUrl(): URL {
  return new URL(/* @vite-ignore */ '../../workers/dev-entry.mjs', import.meta.url);
}

async function startNodeWorker(): Promise<WorkerHandle> {
  const { Worker } = await import('node:worker_threads');
  // From sources, a small .mjs entry registers tsx in the worker, then imports the TS entry.
  const worker = fromSources ? new Worker(devEntryUrl(), { workerData: { entry: workerUrl().href } }) : new Worker(workerUrl());
  let terminating = false;
  const exitListeners: Array<(reason: string) => void> = [];
  let exitReason: string | null = null;
  const fireExit = (reason: string) => {
    if (exitReason !== null || terminating) return;
    exitReason = reason;
    for (const l of exitListeners) l(reason);
  };
  worker.on('error', (err) => fireExit(`worker error: ${err instanceof Error ? err.message : String(err)}`));
  worker.on('exit', (code) => fireExit(`worker exited with code ${code}`));
  return {
    endpoint: nodeEndpoint(worker),
    // A prestarted worker can die before the pool listens: the pool still hears of it.
    onExit: (l) => (exitReason !== null ? queueMicrotask(() => l(exitReason!)) : void exitListeners.push(l)),
    terminate: async () => {
      terminating = true;
      await worker.terminate();
    },
    ref: () => worker.ref(),
    unref: () => worker.unref(),
  };
}

/**
 * Node workers started ahead of the runtime (prestartCpuWorkers), handed out first. Unref'd until
 * the pool takes them, so unused ones never keep a process alive. One list per process, on
 * globalThis: the CLI prestarts from dist/src/cpu/spawn.js, and the runtime that takes them is
 * the bundled copy of this module (dist/src/cli/groth16.bundle.js, scripts/bundle-cli.mjs).
 */
const prestarted: Promise<WorkerHandle>[] = ((globalThis as { [PRESTARTED]?: Promise<WorkerHandle>[] })[PRESTARTED] ??= []);

/**
 * Starts `count` CPU workers now, for a runtime about to be created: a worker's Node start-up
 * (~100 ms of its own thread here) then overlaps the caller's module loading and file reading
 * instead of following them. The CLI calls it first thing for its proving commands; the pool's
 * spawnCpuWorker takes these before starting new ones, and endPrestartedCpuWorkers ends the rest.
 * Node only (a no-op in browsers).
 */
export function prestartCpuWorkers(count: number): void {
  if (!isNode) return;
  for (let i = 0; i < count; i++) {
    const handle = startNodeWorker();
    handle.then((h) => h.unref()).catch(() => {});
    prestarted.push(handle);
  }
}

/** How many prestarted workers no runtime has taken yet. */
export function prestartedCpuWorkers(): number {
  return prestarted.length;
}

/** Ends the prestarted workers no runtime took. */
export async function endPrestartedCpuWorkers(): Promise<void> {
  const left = prestarted.splice(0);
  await Promise.all(left.map(async (h) => (await h.catch(() => null))?.terminate()));
}

async function spawnNodeWorker(): Promise<WorkerHandle> {
  const early = prestarted.shift();
  if (early === undefined) return startNodeWorker();
  const handle = await early;
  // Held like a fresh worker while the pool starts it (the pool unrefs it once idle).
  handle.ref();
  return handle;
}

async function spawnBrowserWorker(): Promise<WorkerHandle> {
  // Written in the one shape bundlers (Vite, webpack 5) recognise and rewrite: a Worker built
  // from a URL of a plain string literal relative to import.meta.url, with a literal type. The
  // '.js' path is right for the tsc build (dist/workers/cpu-worker.js, also loadable unbundled);
  // Vite, bundling the TypeScript sources, resolves a missing .js to the .ts beside it. A template
  // string (workerUrl()) is invisible to bundlers: the worker would be missing from the build.
  const worker = new Worker(new URL('../../workers/cpu-worker.js', import.meta.url), { type: 'module', name: 'zkgpu-cpu' });
  let terminating = false;
  const exitListeners: Array<(reason: string) => void> = [];
  worker.addEventListener('error', (e) => {
    if (terminating) return;
    for (const l of exitListeners) l(`worker error: ${e.message}`);
  });
  return {
    endpoint: worker,
    onExit: (l) => void exitListeners.push(l),
    terminate: async () => {
      terminating = true;
      worker.terminate();
    },
    ref: () => {},
    unref: () => {},
  };
}

export const spawnCpuWorker: SpawnWorker = isNode ? spawnNodeWorker : spawnBrowserWorker;
