import { compileWasm } from '../../src/cpu/wasm-engine.js';

let cached: Promise<WebAssembly.Module> | undefined;

/** The packaged engine, compiled once per test file. */
export function engineModule(): Promise<WebAssembly.Module> {
  cached ??= compileWasm();
  return cached;
}
