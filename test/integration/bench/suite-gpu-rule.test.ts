/**
 * bench/core's suite asks the runtime whether a case runs on WebGPU (runtime.plan with the backend
 * pinned) instead of keeping its own list: on a real adapter (lavapipe) a G2 MSM, which the
 * runtime once kept on the workers, is now timed on both engines with no note, like a G1 MSM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globals } from 'webgpu';
import { type Runtime, createRuntime } from '../../../src/index.js';
import { runSuite } from '../../../bench/core/suite.js';
import { SEED } from '../../support/seed.js';

Object.assign(globalThis, globals);

let runtime: Runtime;
beforeAll(async () => {
  runtime = await createRuntime({ threads: 2 });
  if (!runtime.gpu) throw new Error('no WebGPU adapter: the GPU suites need one (lavapipe works)');
});
afterAll(() => runtime?.dispose());

describe('the suite follows the runtime on WebGPU', () => {
  it('a G2 MSM is timed on the workers and on WebGPU (the runtime plans it there); a G1 MSM plans on WebGPU', async () => {
    const g1 = await runtime.plan({ op: 'msm', curve: 'bn254', group: 'g1', n: 8, backend: 'webgpu' });
    expect(g1.chunks.map((c) => c.backend)).toEqual(['webgpu']);
    const notes: string[] = [];
    const out = await runSuite(
      { ops: ['msm'], curve: 'bn254', group: 'g2', sizes: [3], runs: 1, seed: SEED, backends: ['wasm', 'webgpu'], timedPeers: [] },
      { runtime, peers: new Map(), sampler: { start() {}, sample() {}, stop: () => 0 }, events: { row() {}, failure() {}, note: (m) => void notes.push(m) } },
    );
    expect(out.failures).toEqual([]);
    expect(out.results.map((r) => `${r.impl}-${r.backend}`)).toEqual(['zkgpu-wasm', 'zkgpu-webgpu']);
    // No peer loaded: zkgpu/math (the BigInt oracle) checked the wasm row, the wasm row the WebGPU one.
    expect(out.results.map((r) => r.checkedAgainst)).toEqual([['zkgpu/math'], ['zkgpu-wasm']]);
    expect(notes).toEqual([]);
  });
});
