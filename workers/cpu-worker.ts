/**
 * CPU worker entry: one WebAssembly instance per worker, exposed over comlink. The same file runs
 * as a Node worker_threads worker and as a browser module Web Worker.
 */
import { expose, transfer, type Endpoint } from 'comlink';
import { WasmEngine } from '../src/cpu/wasm-engine.js';
import type { CpuWorkerApi } from '../src/cpu/worker-api.js';

let engine: WasmEngine | undefined;

function ready(): WasmEngine {
  if (!engine) throw new Error('cpu worker used before init()');
  return engine;
}

/** Hands a result back without a copy. */
function out(bytes: Uint8Array): Uint8Array {
  return transfer(bytes, [bytes.buffer as ArrayBuffer]);
}

const api: CpuWorkerApi = {
  async init(module) {
    engine = await WasmEngine.create(module);
  },
  msm: (curve, group, points, scalars, windowBits) =>
    out(ready().msm(curve, group, points, scalars, { windowBits })),
  pointAdd: (curve, group, a, b) => out(ready().pointAdd(curve, group, a, b)),
  validatePoints: (curve, group, points) => ready().validatePoints(curve, group, points),
  generatePoints: (curve, group, n, seed) => out(ready().generatePoints(curve, group, n, seed)),
  ntt: (curve, values, opts) => out(ready().ntt(curve, values, opts)),
  nttRows: (curve, values, logM, opts) => out(ready().nttRows(curve, values, logM, opts)),
  mulPowers: (curve, values, base, startExp) => out(ready().mulPowers(curve, values, base, startExp)),
  scale: (curve, values, factor) => out(ready().scale(curve, values, factor)),
  memoryBytes: () => ready().memoryBytes(),
  crash: () => {
    if (typeof process !== 'undefined' && process.versions?.node) process.exit(70);
    else (globalThis as unknown as { close(): void }).close();
  },
};

async function endpoint(): Promise<Endpoint | undefined> {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (!isNode) return undefined; // browser: comlink uses `self`
  const { parentPort } = await import('node:worker_threads');
  const { nodeEndpoint } = await import('../src/cpu/node-endpoint.js');
  if (!parentPort) throw new Error('cpu-worker.js must run as a worker thread');
  return nodeEndpoint(parentPort);
}

expose(api, await endpoint());
