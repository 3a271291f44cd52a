import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// crossOriginIsolated (SharedArrayBuffer: the workers read their inputs in place) needs both
// headers on every response; without them zkgpu still works, copying inputs to each worker.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // The circuit's files are served as they are: here the repository's BN254 test vector stands in
  // for an app's own public/ folder (circuit.zkey, witness.wtns, vkey.json).
  publicDir: fileURLToPath(new URL('../../test/vectors/groth16/bn128/mulchain', import.meta.url)),
  server: { headers: isolation },
  preview: { headers: isolation },
  // zkgpu's CPU worker is an ES module with top-level await: bundle workers as modules.
  worker: { format: 'es' },
  build: { target: 'es2022' },
  // The runtime's Node-only branches (worker_threads, fs) are lazy imports a page never runs; Vite
  // would warn once per import that it left them out of the bundle.
  logLevel: 'error',
});
