/** The scheduler's foundations: hardware detection and the planner (kernels known only by interface). */
export { detectHardware, type DetectOptions } from './hardware/detect.js';
export type { ByteFigure, CountFigure, CpuReport, GpuReport, HardwareReport, MemoryReport } from './hardware/types.js';
export { HOST_SAFETY_FACTOR, WASM32_INSTANCE_BYTES } from './hardware/detect-host.js';
export { GPU_PROBE_SAFETY, BINDINGS_PER_JOB, DEFAULT_PROBE_CAP_BYTES } from './hardware/gpu-budget.js';
export { readCgroupLimits, cgroupLimitsFrom, type CgroupLimits } from './hardware/cgroup.js';
export { plan, chunkCapacity, type BackendDescription, type BackendShare, type Plan, type PlanChunk, type PlanJob } from './plan.js';
export { describeBackends, GPU_HOST_STAGING_SHARE, type DescribeOptions } from './backends.js';
export { defaultGpuModel, defaultWasmModel, defaultBytesPerElement, type BytesPerElement, type CostModel, type PlanOp } from './models.js';
export {
  calibrate,
  CALIBRATION_KERNELS,
  type CalibrateOptions,
  type CalibrateResult,
  type CalibrationProgress,
  type CalibrationRuntime,
  type RunReport,
  type SkippedKernel,
} from './calibration/calibrate.js';
export {
  calibratedModels,
  calibrationFor,
  checkCalibration,
  kernelKey,
  CALIBRATION_SCHEMA,
  type Calibration,
  type CalibratedModelsOptions,
  type CalibrationBackend,
  type CalibrationSample,
  type KernelJob,
  type MeasuredModel,
} from './calibration/calibration.js';
export { loadCalibration, saveCalibration, calibrationCacheDir, calibrationLocation, type CalibrationCacheOptions, type SaveOptions } from './calibration/cache.js';
export { hardwareFingerprint, hostKey, adapterKey, type AdapterFingerprint, type FingerprintInput, type HostFingerprint } from './hardware/fingerprint.js';
export { fitCostModel, MIN_PER_ELEMENT_NS, type FittedModel, type TimingSample } from './calibration/cost-fit.js';
