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
  curves: { getCurveFromName(name: string, options?: { singleThread?: boolean }): Promise<unknown> };
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
const curvesReady = new Map<string, Promise<void>>();

/**
 * FRAGILE (ffjavascript internals): snarkjs.groth16.verify builds its curve with worker threads,
 * which ffjavascript cannot start inside a worker thread ("Worker is not a constructor"). A
 * single-threaded curve is built here and put where ffjavascript caches its curves
 * (globalThis.curve_bn128 / curve_bls12381), which verify's getCurveFromName returns first. If
 * ffjavascript renames that cache, verify fails loudly (every job PROVER_ERROR; the serve tests
 * catch it), never silently.
 */
async function singleThreadCurve(s: Snarkjs, curve: string): Promise<void> {
  const key = `curve_${curve.toLowerCase().replace(/[^a-z0-9]/g, '')}`.replace(/^curve_(bn254|altbn128)$/, 'curve_bn128');
  let ready = curvesReady.get(key);
  if (!ready) {
    ready = s.curves.getCurveFromName(curve, { singleThread: true }).then((c) => {
      (globalThis as Record<string, unknown>)[key] = c;
    });
    curvesReady.set(key, ready);
  }
  return ready;
}

function loaded(name: string): Loaded {
  const c = circuits.get(name);
  if (!c) throw Object.assign(new Error(`circuit "${name}" was not loaded into the helper thread`), { code: 'PROVER_ERROR' });
  return c;
}

async function calculatorOf(c: Loaded, name: string): Promise<WitnessCalculator> {
  if (!c.wasm) throw Object.assign(new Error(`circuit "${name}" has no witness calculator (.wasm)`), { code: 'INPUT_INVALID' });
  c.calculator ??= import(CIRCOM_RUNTIME).then((m: { WitnessCalculatorBuilder(code: Uint8Array): Promise<WitnessCalculator> }) => m.WitnessCalculatorBuilder(c.wasm as Uint8Array));
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
    case 'load': {
      const c: Loaded = { wasm: req.wasm, calculator: null, vkey: req.vkey };
      circuits.set(req.circuit, c);
      // Warmed now, so the first job pays neither the calculator's instantiation (13-43 ms) nor
      // snarkjs's import and curve build (~1 s here).
      if (c.wasm) await calculatorOf(c, req.circuit);
      snarkjs ??= import(SNARKJS) as Promise<Snarkjs>;
      await singleThreadCurve(await snarkjs, String((c.vkey as { curve?: unknown }).curve));
      return { id: req.id, ok: true, ms: performance.now() - t0 };
    }
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
      const s = await snarkjs;
      await singleThreadCurve(s, String((c.vkey as { curve?: unknown }).curve));
      const valid = await s.groth16.verify(c.vkey, req.publicSignals, req.proof);
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
