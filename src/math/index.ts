/**
 * zkgpu/math: the BigInt reference (test oracle and constant generator). Imports nothing else of
 * zkgpu and no third-party code; @noble/curves and ffjavascript check it from the tests only.
 */

export * from './random.js';
export * from './field.js';
export * from './fp2.js';
export * from './point.js';
export * from './curves.js';
export * from './montgomery.js';
export * from './encoding.js';
export * from './msm.js';
export * from './ntt.js';
export * from './babybear.js';
