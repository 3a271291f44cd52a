/** The scheduler's foundations: hardware detection and the planner (kernels known only by interface). */
export { detectHardware, type DetectOptions } from './detect.js';
export type { ByteFigure, CountFigure, CpuReport, GpuReport, HardwareReport, MemoryReport } from './types.js';
export { HOST_SAFETY_FACTOR, WASM32_INSTANCE_BYTES } from './detect-host.js';
export { GPU_PROBE_SAFETY, BINDINGS_PER_JOB, DEFAULT_PROBE_CAP_BYTES } from './gpu-budget.js';
export { readCgroupLimits, cgroupLimitsFrom, type CgroupLimits } from './cgroup.js';
export { plan, chunkCapacity, type BackendDescription, type BackendShare, type Plan, type PlanChunk, type PlanJob } from './plan.js';
export { describeBackends, GPU_HOST_STAGING_SHARE, type DescribeOptions } from './backends.js';
export { defaultGpuModel, defaultWasmModel, defaultBytesPerElement, type BytesPerElement, type CostModel, type PlanOp } from './models.js';
