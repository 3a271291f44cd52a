// Copies the non-TypeScript assets next to the compiled JS, so that the loaders' relative URLs
// (../../wasm/pkg/zkgpu.wasm and ../../shaders/*.wgsl, from src/cpu/ and src/gpu/) resolve the
// same from src/ and from dist/src/.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
mkdirSync('dist/wasm/pkg', { recursive: true });
copyFileSync('wasm/pkg/zkgpu.wasm', 'dist/wasm/pkg/zkgpu.wasm');
mkdirSync('dist/shaders', { recursive: true });
for (const f of readdirSync('shaders')) if (f.endsWith('.wgsl')) copyFileSync(`shaders/${f}`, `dist/shaders/${f}`);
