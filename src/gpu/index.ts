export { acquireGpu, GpuContext, GpuError, GpuErrorEvent, type AcquireGpuOptions, type GpuAdapterInfo, type GpuErrorDetail } from './context.js';
export { BufferPool, type PoolStats } from './pool.js';
export { ProgramCache, loadShader, stripStandalone, type Program, type ProgramSpec } from './program.js';
export { submitPasses, uploadBuffer, uploadInputs, readBuffer, type Pass, type StagedGpu } from './runner.js';
export { fieldPrelude, FIELD_LIMB_BITS, type FieldPreludeInfo } from './field.js';
export { gpuFieldOp, type FieldOp } from './field-kernel.js';
