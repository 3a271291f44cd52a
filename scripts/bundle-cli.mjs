// After `tsc -p tsconfig.build.json` and copy-assets: bundles the proving verbs' module
// (dist/src/cli/groth16.js and the library it imports) into one file beside it,
// dist/src/cli/groth16.bundle.js. A one-shot `zkgpu prove` then loads one module instead of ~130:
// Node's ES module loader costs about a millisecond a file, ~80 ms of a small proof's ~0.5 s
// (manypublic, 2 cores). Packages stay external (webgpu, snarkjs, comlink: resolved as usual).
// The bundle lies in dist/src/cli/, as deep as src/cpu/ and src/gpu/, so the library's URLs
// relative to import.meta.url (../../workers/, ../../wasm/pkg/, ../../shaders/) resolve as
// unbundled. main.ts loads it only when it is at least as new as groth16.js (never a stale bundle).
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/groth16.js'],
  outfile: 'dist/src/cli/groth16.bundle.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
