/**
 * The benchmark page: `npm run page` (dev server), `npm run build:page` (into dist/page/, served
 * by `zkgpu page`). The page imports zkgpu from its TypeScript sources, as an app bundling zkgpu
 * would. Two kinds of files ride along as they are: snarkjs's browser build (the peer: its
 * prover, its verifier and ffjavascript's curves) and a small circuit's key, witness and
 * verification key on each curve. They are served in development and emitted into the build, never bundled.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/** What crossOriginIsolated (SharedArrayBuffer, shared wasm memory) needs on every response. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** A circuit's key, witness, verification key and sizes, under circuits/<id>/ on the page. */
function circuitFiles(id: string, dir: string): Record<string, string> {
  const files = ['circuit.zkey', 'witness.wtns', 'vkey.json', 'meta.json'];
  return Object.fromEntries(files.map((f) => [`circuits/${id}/${f}`, root(`${dir}/${f}`)]));
}

/** URL path on the page -> file in the repository. */
export const SHIPPED_FILES: Readonly<Record<string, string>> = {
  'peers/snarkjs.min.js': root('node_modules/snarkjs/build/snarkjs.min.js'),
  // mulchain, 2000 constraints, 2^11 domain, on each curve: bn128 1 MiB key, bls12381 1.4 MiB;
  // snarkjs proves either in about a second on two cores.
  ...circuitFiles('bn128-mulchain', 'test/vectors/groth16/bn128/mulchain'),
  ...circuitFiles('bls12381-mulchain', 'test/vectors/groth16/bls12381/mulchain'),
};

const TYPES: Record<string, string> = { js: 'text/javascript', json: 'application/json' };

function shippedFiles(): Plugin {
  return {
    name: 'zkgpu-bench-shipped-files',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(1);
        const file = SHIPPED_FILES[path];
        if (file === undefined) return next();
        res.setHeader('Content-Type', TYPES[path.split('.').pop() ?? ''] ?? 'application/octet-stream');
        for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
        res.end(readFileSync(file));
      });
    },
    generateBundle() {
      for (const [fileName, file] of Object.entries(SHIPPED_FILES)) this.emitFile({ type: 'asset', fileName, source: readFileSync(file) });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative asset URLs: the built page works under any path prefix (a static host's subfolder).
  base: './',
  cacheDir: root('node_modules/.vite/bench-web'),
  publicDir: false,
  logLevel: 'warn',
  clearScreen: false,
  plugins: [shippedFiles()],
  server: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  // The CPU worker uses top-level await and ES imports: it must be bundled as a module worker.
  worker: { format: 'es' },
  build: { outDir: root('dist/page'), target: 'es2022', emptyOutDir: true, sourcemap: false, reportCompressedSize: false, chunkSizeWarningLimit: 4096 },
});
