/** The runtime layer: the facade users hold (create, msm, ntt, plan, stats, dispose) and its events. */
export { createRuntime, Runtime, JobEvent, MAX_NTT_LOG_N } from './runtime.js';
export type { Backend, Engine, JobReport, RuntimeOptions, MsmRequest, NttRequest, BabyBearNttRequest, NttOrder, SamplePointsRequest } from './runtime.js';
export type { ChunkReport, ChunkTiming, ProgressDetail, RetryDetail, DeviceLostDetail, DeviceReacquiredDetail, DeviceStats, RuntimeStats } from './runtime.js';
export type { CallbackErrorDetail } from './events.js';
export type { RuntimeEventMap, RuntimeEventName, WorkerExitDetail } from './events.js';
export { describeHardware, type DescribeHardwareOptions } from './hardware.js';
