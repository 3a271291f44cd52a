/** G1 MSM on WebGPU: gpuMsm, its plan, the TypeScript mirrors of its stages and the curve test kernel. */
export { gpuMsm, stageGpuMsm, warmGpuMsm, type GpuMsmRequest, type MsmDebugStage } from './gpu.js';
export { chooseWindowBits, chunkPoints, planChunk, windowCount, maxWindowBitsFor, MAX_WINDOW_BITS, DEFAULT_MAX_CHUNK_POINTS, type MsmChunkPlan, type PlanLimits } from './plan.js';
export { curvePrelude, type CurvePreludeInfo } from './prelude.js';
export { gpuCurveOp, type CurveOp } from './curve-kernel.js';
export { decodeXyzz, encodeXyzz, xyzzFromAffine, xyzzToAffine, type XyzzPoint } from './xyzz.js';
export * from './mirror.js';
