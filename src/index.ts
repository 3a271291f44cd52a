/** zkgpu: the public entry. */
export { createRuntime, Runtime, JobEvent, MAX_NTT_LOG_N } from './runtime.js';
export type { Backend, Engine, JobReport, RuntimeOptions, MsmRequest, NttRequest, BabyBearNttRequest, NttOrder, SamplePointsRequest } from './runtime.js';
export { ZkgpuError, isZkgpuError } from './errors.js';
export type { ZkgpuErrorCode } from './errors.js';
export type { CurveName, GroupName } from './math/index.js';
export type { WasmSource } from './cpu/wasm-engine.js';
export { version } from './version.js';
export { isSoftwareAdapter, AUTO_GPU_MIN_ELEMENTS } from './backend-choice.js';
export type { GpuAdapterInfo } from './gpu/context.js';
export { groth16, type Groth16ProveResult, type Groth16Timings, type Groth16Progress, type ProveOptions as Groth16ProveOptions, type CircuitInput, type Groth16Proof, type ZkeyHeader, type Witness, type BinSource, type SnarkjsCurveName } from './groth16/index.js';
export type { HardwareReport, Plan, PlanJob, PlanChunk } from './scheduler/index.js';
