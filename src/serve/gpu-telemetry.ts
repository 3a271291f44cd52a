/** The nvidia-smi reader moved to the hardware layer (src/scheduler/hardware/nvidia-smi.ts); the service takes it from the public entry. */
export { GpuTelemetry, parseNvidiaSmi, type GpuSample, type TelemetryState } from '../index.js';
