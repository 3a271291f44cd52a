/** G1 and G2 MSM on WebGPU: gpuMsm, its plan, the TypeScript mirrors of its stages, the G2 step table and the curve test kernels. */
export { gpuMsm, stageGpuMsm, warmGpuMsm, type GpuMsmRequest, type MsmDebugStage } from './gpu.js';
export {
  chooseWindowBits,
  chunkPoints,
  gpuPointBytes,
  planChunk,
  windowCount,
  maxWindowBitsFor,
  MAX_WINDOW_BITS,
  DEFAULT_MAX_CHUNK_POINTS,
  type MsmChunkPlan,
  type PlanLimits,
} from './plan.js';
export { curvePrelude, curveG2Prelude, stepTableWords, type CurvePreludeInfo, type G2PreludeInfo } from './prelude.js';
export { gpuCurveOp, gpuCurveG2Op, type CurveOp, type CurveG2Op } from './curve-kernel.js';
export { decodeXyzz, encodeXyzz, xyzzFromAffine, xyzzToAffine, type XyzzPoint } from './xyzz.js';
export { decodeXyzzG2, encodeXyzzG2, xyzzG2FromAffine, xyzzG2ToAffine, type XyzzG2Point } from './xyzz-g2.js';
export { buildPointProgram, decodeStep, runPointProgram, STEP_OP, type PointEntry, type PointProgram } from './point-program.js';
export * from './mirror.js';
