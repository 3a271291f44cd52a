// Copies the engine's .wasm next to the compiled JS, so that the loader's relative URL
// (../../wasm/pkg/zkgpu.wasm from src/cpu/) resolves the same from src/ and from dist/src/.
import { copyFileSync, mkdirSync } from 'node:fs';
mkdirSync('dist/wasm/pkg', { recursive: true });
copyFileSync('wasm/pkg/zkgpu.wasm', 'dist/wasm/pkg/zkgpu.wasm');
