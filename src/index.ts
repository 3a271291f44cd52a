/** zkgpu: the public entry. */
export { createRuntime, Runtime, JobEvent, MAX_NTT_LOG_N } from './runtime/index.js';
export type { Backend, Engine, JobReport, RuntimeOptions, MsmRequest, NttRequest, BabyBearNttRequest, NttOrder, SamplePointsRequest } from './runtime/index.js';
export type {
  ChunkReport,
  ChunkTiming,
  ProgressDetail,
  RetryDetail,
  DeviceLostDetail,
  DeviceReacquiredDetail,
  DeviceStats,
  RuntimeStats,
  CallbackErrorDetail,
} from './runtime/index.js';
export { ZkgpuError, isZkgpuError } from './core/errors.js';
export type { ZkgpuErrorCode, ZkgpuErrorDetails } from './core/errors.js';
export type { CurveName, GroupName } from './math/index.js';
export type { WasmSource } from './cpu/wasm-engine.js';
export { version } from './core/version.js';
export { isSoftwareAdapter, AUTO_GPU_MIN_ELEMENTS } from './scheduler/policy.js';
export { filterDawnStderr } from './gpu/dawn-log.js';
export type { GpuAdapterInfo } from './gpu/context.js';
export {
  groth16,
  type Groth16ProveResult,
  type Groth16Timings,
  type Groth16Progress,
  type ProveOptions as Groth16ProveOptions,
  type CircuitInput,
  type Groth16Proof,
  type ZkeyHeader,
  type Witness,
  type BinSource,
  type SnarkjsCurveName,
  DEV_SETUP_WARNING,
  type DevSetupOptions,
  type DevSetupResult,
  type Groth16VerificationKey,
  type R1csHeader,
  type ProfileOptions as Groth16ProfileOptions,
  type ProfileReport as Groth16ProfileReport,
  type ProfileStage as Groth16ProfileStage,
  type ProfileDevice as Groth16ProfileDevice,
  type ProfileVerdict as Groth16ProfileVerdict,
  type ProofMemoryPlan,
  type ProofMemoryMode,
} from './groth16/index.js';
export type { Groth16Prover } from './groth16/index.js';
export type { HardwareReport, Plan, PlanJob, PlanChunk } from './scheduler/index.js';
export {
  calibrate,
  loadCalibration,
  saveCalibration,
  hardwareFingerprint,
  type Calibration,
  type CalibrateOptions,
  type CalibrateResult,
  type MeasuredModel,
} from './scheduler/index.js';
export { describeHardware, type DescribeHardwareOptions } from './runtime/index.js';
export type { RuntimeEventMap, RuntimeEventName, WorkerExitDetail } from './runtime/index.js';
export type { ByteFigure, CountFigure, CpuReport, GpuReport, MemoryReport } from './scheduler/index.js';
export { calibrationLocation, type CalibrationBackend } from './scheduler/index.js';
export { GpuTelemetry, readNvidiaSmi, parseNvidiaSmi, matchTelemetry, describeSample, NVIDIA_SMI_QUERY, THROTTLE_REASONS } from './scheduler/hardware/nvidia-smi.js';
export type { GpuSample, TelemetryState, TelemetryMatch } from './scheduler/hardware/nvidia-smi.js';
export type { GpuSelection } from './runtime/adapters.js';
