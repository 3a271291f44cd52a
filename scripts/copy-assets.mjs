// After `tsc -p tsconfig.build.json`: copies the non-TypeScript assets next to the compiled JS, so
// that the loaders' relative URLs (../../wasm/pkg/zkgpu.wasm and ../../shaders/*.wgsl, from
// src/cpu/ and src/gpu/) resolve the same from src/ and from dist/src/; then removes compiled
// files whose source is gone (a moved or deleted module), which tsc leaves behind and `npm pack`
// would otherwise ship. Pruning file by file, not wiping dist/, keeps dist/ usable meanwhile.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

mkdirSync('dist/wasm/pkg', { recursive: true });
copyFileSync('wasm/pkg/zkgpu.wasm', 'dist/wasm/pkg/zkgpu.wasm');
mkdirSync('dist/shaders', { recursive: true });
for (const f of readdirSync('shaders')) if (f.endsWith('.wgsl')) copyFileSync(`shaders/${f}`, `dist/shaders/${f}`);

const COMPILED = /\.(js|js\.map|d\.ts|d\.ts\.map)$/;
let pruned = 0;
function prune(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      prune(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
      // *.bundle.js is kept: scripts/bundle-cli.mjs makes it from compiled files, not from a source.
    } else if (COMPILED.test(name) && !name.endsWith('.bundle.js') && !existsSync(path.replace(/^dist\//, '').replace(COMPILED, '.ts'))) {
      rmSync(path);
      pruned++;
    }
  }
}
for (const root of ['dist/src', 'dist/bench', 'dist/workers', 'dist/test']) if (existsSync(root)) prune(root);
if (pruned > 0) console.log(`copy-assets: removed ${pruned} compiled files whose source is gone`);
