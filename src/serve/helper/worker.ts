/**
 * The helper thread's entry: circom witness calculators (one instantiated per circuit, kept) and
 * snarkjs.groth16.verify. Runs one request at a time, in arrival order (the host sends one at a
 * time, so an abort can end this thread without losing anyone else's request).
 */
import { parentPort } from 'node:worker_threads';
import type { HelperRequest, HelperResponse } from './protocol.js';

interface WitnessCalculator {
  calculateWTNSBin(input: Record<string, unknown>, sanityCheck?: boolean): Promise<Uint8Array>;
}

interface Snarkjs {
  groth16: { verify(vkey: unknown, publicSignals: unknown, proof: unknown): Promise<boolean> };
}

// snarkjs and circom_runtime ship no type declarations: loaded through computed specifiers and
// typed above with the members used.
const SNARKJS = 'snarkjs';
const CIRCOM_RUNTIME = 'circom_runtime';

interface Loaded {
  wasm: Uint8Array | null;
  calculator: Promise<WitnessCalculator> | null;
  vkey: unknown;
}

const circuits = new Map<string, Loaded>();
let snarkjs: Promise<Snarkjs> | null = null;

function loaded(name: string): Loaded {
  const c = circuits.get(name);
  if (!c) throw Object.assign(new Error(`circuit "${name}" was not loaded into the helper thread`), { code: 'PROVER_ERROR' });
  return c;
}

async function calculatorOf(c: Loaded, name: string): Promise<WitnessCalculator> {
  if (!c.wasm) throw Object.assign(new Error(`circuit "${name}" has no witness calculator (.wasm)`), { code: 'INPUT_INVALID' });
  c.calculator ??= import(CIRCOM_RUNTIME).then((m: { WitnessCalculatorBuilder(code: Uint8Array): Promise<WitnessCalculator> }) =>
    m.WitnessCalculatorBuilder(c.wasm as Uint8Array),
  );
  return c.calculator;
}

/** circom's runtime messages name the signal or the failed assertion; keep them, add the code. */
function witnessError(e: unknown, circuit: string): { code: string; message: string } {
  const message = String((e as Error)?.message ?? e).trim();
  return { code: 'INPUT_INVALID', message: `the circuit "${circuit}" rejected the input: ${message}` };
}

async function handle(req: HelperRequest): Promise<HelperResponse> {
  const t0 = performance.now();
  switch (req.op) {
    case 'load':
      circuits.set(req.circuit, { wasm: req.wasm, calculator: null, vkey: req.vkey });
      return { id: req.id, ok: true, ms: performance.now() - t0 };
    case 'witness': {
      const c = loaded(req.circuit);
      const calculator = await calculatorOf(c, req.circuit);
      let wtns: Uint8Array;
      try {
        wtns = await calculator.calculateWTNSBin(toBigInts(req.input) as Record<string, unknown>);
      } catch (e) {
        return { id: req.id, ok: false, error: witnessError(e, req.circuit) };
      }
      return { id: req.id, ok: true, wtns, ms: performance.now() - t0 };
    }
    case 'verify': {
      const c = loaded(req.circuit);
      snarkjs ??= import(SNARKJS) as Promise<Snarkjs>;
      const valid = await (await snarkjs).groth16.verify(c.vkey, req.publicSignals, req.proof);
      return { id: req.id, ok: true, valid, ms: performance.now() - t0 };
    }
  }
}

function toBigInts(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toBigInts);
  if (typeof v === 'string') return BigInt(v);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toBigInts(x)]));
  return v;
}

const port = parentPort;
if (!port) throw new Error('serve/helper/worker.ts runs as a worker thread');
let chain = Promise.resolve();
port.on('message', (req: HelperRequest) => {
  chain = chain.then(async () => {
    let res: HelperResponse;
    try {
      res = await handle(req);
    } catch (e) {
      const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : 'PROVER_ERROR';
      res = { id: req.id, ok: false, error: { code, message: e instanceof Error ? e.message : String(e) } };
    }
    const transfer = res.ok && res.wtns ? [res.wtns.buffer as ArrayBuffer] : [];
    port.postMessage(res, transfer);
  });
});
