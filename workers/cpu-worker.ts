/**
 * CPU worker entry: one WebAssembly instance per worker, exposed over comlink. The same file runs
 * as a Node worker_threads worker and as a browser module Web Worker.
 */
import { expose, transfer } from 'comlink';
import { nodeEndpoint } from '../src/cpu/node-endpoint.js';
import { WasmEngine } from '../src/cpu/wasm-engine.js';
import type { CpuWorkerApi } from '../src/cpu/worker-api.js';

let engine: WasmEngine | undefined;

function ready(): WasmEngine {
  if (!engine) throw new Error('cpu worker used before init()');
  return engine;
}

/** Hands a result back without a copy. */
function out<T extends Uint8Array | Uint32Array>(bytes: T): T {
  return transfer(bytes, [bytes.buffer as ArrayBuffer]);
}

const api: CpuWorkerApi = {
  async init(module) {
    engine = await WasmEngine.create(module);
  },
  msm: (curve, group, points, scalars, windowBits) => out(ready().msm(curve, group, points, scalars, { windowBits })),
  pointAdd: (curve, group, a, b) => out(ready().pointAdd(curve, group, a, b)),
  validatePoints: (curve, group, points) => ready().validatePoints(curve, group, points),
  msmValidated: (curve, group, points, scalars, windowBits) => {
    const r = ready().msmValidated(curve, group, points, scalars, { windowBits });
    return 'point' in r ? transfer(r, [r.point.buffer as ArrayBuffer]) : r;
  },
  fixedBaseMul: (curve, group, base, scalars) => out(ready().fixedBaseMul(curve, group, base, scalars)),
  generatePoints: (curve, group, n, seed) => out(ready().generatePoints(curve, group, n, seed)),
  ntt: (curve, values, opts) => out(ready().ntt(curve, values, opts)),
  nttRows: (curve, values, logM, opts) => out(ready().nttRows(curve, values, logM, opts)),
  mulPowers: (curve, values, base, startExp) => out(ready().mulPowers(curve, values, base, startExp)),
  scale: (curve, values, factor) => out(ready().scale(curve, values, factor)),
  babybearNtt: (values, opts) => out(ready().babybearNtt(values, opts)),
  buildAbc: (curve, coefficients, witness, domain, rInv2) => {
    const r = ready().buildAbc(curve, coefficients, witness, domain, rInv2);
    return 'a' in r ? transfer(r, [r.a.buffer as ArrayBuffer, r.b.buffer as ArrayBuffer, r.c.buffer as ArrayBuffer]) : r;
  },
  hScalars: (curve, coefficients, witness, domain, rInv2, shift) => {
    const r = ready().hScalars(curve, coefficients, witness, domain, rInv2, shift);
    return 'h' in r ? transfer(r, [r.h.buffer as ArrayBuffer]) : r;
  },
  quotient: (curve, a, b, c) => out(ready().quotient(curve, a, b, c)),
  memoryBytes: () => ready().memoryBytes(),
  crash: () => {
    if (typeof process !== 'undefined' && process.versions?.node) process.exit(70);
    else (globalThis as unknown as { close(): void }).close();
  },
};

// No top-level await: bundlers' default (non-ES) worker formats cannot build it. A browser
// worker exposes on `self` at once (messages that arrive before a listener would be lost); a Node
// worker's parentPort queues messages until its listener is attached, so the import can wait.
const isNode = typeof process !== 'undefined' && !!process.versions?.node;
if (isNode) {
  void import('node:worker_threads').then(({ parentPort }) => {
    if (!parentPort) throw new Error('cpu-worker.js must run as a worker thread');
    expose(api, nodeEndpoint(parentPort));
  });
} else {
  expose(api);
}
