/**
 * Builds (or serves) the browser test page in this folder. The page imports the library from
 * its TypeScript sources (../../src), exactly as an app bundling zkgpu would: the CPU worker and
 * zkgpu.wasm are found through their `new URL('…', import.meta.url)` literals.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** What crossOriginIsolated (SharedArrayBuffer, shared wasm memory) needs on every response. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Its own dependency cache, apart from other Vite roots in this repository (the bench page).
  cacheDir: fileURLToPath(new URL('../../node_modules/.vite/test-browser', import.meta.url)),
  logLevel: 'warn',
  clearScreen: false,
  server: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  // The CPU worker uses top-level await and ES imports: it must be bundled as a module worker.
  worker: { format: 'es' },
  build: { target: 'es2022', emptyOutDir: true, sourcemap: true, reportCompressedSize: false },
});
