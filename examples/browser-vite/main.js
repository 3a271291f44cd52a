// Proves the circuit served beside this page with zkgpu (Web Workers running its wasm engine,
// WebGPU where 'auto' finds a hardware adapter) and verifies the proof with snarkjs, in the page.
import * as snarkjs from 'snarkjs';
import { groth16 } from 'zkgpu';

const status = document.querySelector('#status');
/** What the page did, for a test driving it (window.__example); a person reads the page. */
const outcome = { done: false };
window.__example = outcome;

async function proveAndVerify() {
  const file = (name) => new URL(name, location.href);
  const started = performance.now();
  const { proof, publicSignals } = await groth16.prove(file('circuit.zkey'), file('witness.wtns'));
  const proveMs = Math.round(performance.now() - started);
  const vkey = await (await fetch(file('vkey.json'))).json();
  const verified = await snarkjs.groth16.verify(vkey, publicSignals, proof);
  return { proof, publicSignals, verified, proveMs, crossOriginIsolated: globalThis.crossOriginIsolated === true };
}

try {
  Object.assign(outcome, await proveAndVerify());
  status.textContent = `${outcome.verified ? 'verified' : 'NOT verified'}: proved in ${outcome.proveMs} ms (crossOriginIsolated: ${outcome.crossOriginIsolated})`;
  document.querySelector('#proof').textContent = JSON.stringify(outcome.proof, null, 2);
} catch (error) {
  outcome.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  status.textContent = `failed: ${outcome.error}`;
} finally {
  outcome.done = true;
}
