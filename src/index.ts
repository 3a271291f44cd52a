/** zkgpu: the public entry. */
export { createRuntime, Runtime, MAX_NTT_LOG_N } from './runtime.js';
export type { Backend, RuntimeOptions, MsmRequest, NttRequest, NttOrder, SamplePointsRequest } from './runtime.js';
export { ZkgpuError, isZkgpuError } from './errors.js';
export type { ZkgpuErrorCode } from './errors.js';
export type { CurveName, GroupName } from './math/index.js';
export type { WasmSource } from './cpu/wasm-engine.js';
export { version } from './version.js';
