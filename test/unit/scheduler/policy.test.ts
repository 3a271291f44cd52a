/**
 * The one 'auto' policy (src/scheduler/policy.ts): every branch, on plain adapter descriptions
 * (no device needed: the policy reads only the adapter's info and whether the device is gone).
 */
import { describe, expect, it } from 'vitest';
import { isZkgpuError } from '../../../src/core/errors.js';
import {
  AUTO_GPU_MIN_ELEMENTS,
  autoLeavesOut,
  autoPlanKinds,
  autoTreatsAsSoftware,
  checkBackend,
  chooseBackend,
  isSoftwareAdapter,
  listNamesGpu,
  mayUseGpu,
  type GpuView,
} from '../../../src/scheduler/policy.js';

const hardware: GpuView = { info: { vendor: 'nvidia', architecture: 'ada', description: 'NVIDIA RTX 4090', device: '' }, lost: null, disposed: false };
const software: GpuView = { info: { vendor: 'mesa', architecture: 'software', description: 'llvmpipe (LLVM 15)', device: '' }, lost: null, disposed: false };
const lost: GpuView = { ...hardware, lost: { message: 'GPU device lost (unknown): gone' } };
const disposed: GpuView = { ...hardware, disposed: true };
const big = AUTO_GPU_MIN_ELEMENTS;

const auto = (gpu: GpuView | null, extra: Partial<Parameters<typeof chooseBackend>[0]> = {}) => chooseBackend({ requested: 'auto', gpu, n: big, gpuCannot: null, ...extra });

describe('isSoftwareAdapter', () => {
  it.each([
    ['llvmpipe', { vendor: 'mesa', architecture: '', description: 'llvmpipe: Mesa 25', device: '' }],
    ['lavapipe', { vendor: '', architecture: '', description: '', device: 'lavapipe' }],
    ['SwiftShader', { vendor: 'google', architecture: 'swiftshader', description: '', device: '' }],
    ['WARP', { vendor: 'microsoft', architecture: '', description: 'Microsoft Basic Render Driver', device: '' }],
  ])('%s is software', (_name, info) => expect(isSoftwareAdapter(info)).toBe(true));

  it('a discrete GPU is not', () => expect(isSoftwareAdapter(hardware.info)).toBe(false));
});

describe('checkBackend', () => {
  it('defaults to auto and passes the three names', () => {
    expect(checkBackend(undefined)).toBe('auto');
    for (const b of ['auto', 'wasm', 'webgpu'] as const) expect(checkBackend(b)).toBe(b);
  });

  it('rejects anything else with INVALID_ARGUMENT naming the value', () => {
    expect(() => checkBackend('cuda')).toThrow(/backend must be 'webgpu', 'wasm' or 'auto', got "cuda"/);
    try {
      checkBackend(1);
      expect.unreachable();
    } catch (e) {
      expect(isZkgpuError(e, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});

describe('chooseBackend: pinned', () => {
  it("'wasm' is obeyed whatever the GPU", () => {
    expect(chooseBackend({ requested: 'wasm', gpu: hardware, n: big, gpuCannot: null })).toEqual({ engine: 'wasm', reason: 'backend: wasm requested' });
  });

  it("'webgpu' is obeyed on any adapter, software included, and ignores the backends list", () => {
    expect(chooseBackend({ requested: 'webgpu', gpu: software, n: 1, gpuCannot: null, backends: ['wasm'] }).engine).toBe('webgpu');
  });

  it("'webgpu' without a usable device or kernel throws, never falls back", () => {
    const codeOf = (gpu: GpuView | null, gpuCannot: string | null = null) => {
      try {
        chooseBackend({ requested: 'webgpu', gpu, n: big, gpuCannot });
      } catch (e) {
        return isZkgpuError(e) ? e.code : 'not a ZkgpuError';
      }
      return 'no error';
    };
    expect(codeOf(null)).toBe('GPU_UNAVAILABLE');
    expect(codeOf(lost)).toBe('GPU_DEVICE_LOST');
    expect(codeOf(disposed)).toBe('GPU_DEVICE_LOST');
    expect(codeOf(hardware, 'the WebGPU engine has no G2 MSM kernel')).toBe('INVALID_ARGUMENT');
  });
});

describe("chooseBackend: 'auto'", () => {
  it('takes a hardware adapter from AUTO_GPU_MIN_ELEMENTS elements, the workers below', () => {
    expect(auto(hardware).engine).toBe('webgpu');
    expect(auto(hardware).reason).toMatch(/hardware adapter/);
    const small = auto(hardware, { n: big - 1 });
    expect(small.engine).toBe('wasm');
    expect(small.reason).toMatch(/below the GPU threshold/);
  });

  it('never takes a software adapter by default, whatever the size', () => {
    const c = auto(software, { n: 1 << 24 });
    expect(c.engine).toBe('wasm');
    expect(c.reason).toMatch(/llvmpipe .* is a software adapter/);
  });

  it('stays on the workers without a device, with a lost one, or when the GPU cannot run the job', () => {
    expect(auto(null)).toEqual({ engine: 'wasm', reason: 'auto: no GPU device' });
    expect(auto(lost).reason).toBe('auto: the GPU device is lost');
    expect(auto(disposed).engine).toBe('wasm');
    expect(auto(hardware, { gpuCannot: 'too large' })).toEqual({ engine: 'wasm', reason: 'auto: too large' });
  });

  it('a backends list without webgpu keeps auto on the workers, before any other rule', () => {
    expect(auto(hardware, { backends: ['wasm'] })).toEqual({ engine: 'wasm', reason: "auto: the runtime's backends list leaves the GPU out" });
    expect(auto(null, { backends: ['wasm'] }).reason).toMatch(/backends list/);
  });

  it('a backends list naming webgpu lifts the software and size rules, not the device or kernel ones', () => {
    expect(auto(software, { n: 1, backends: ['webgpu', 'wasm'] })).toEqual({ engine: 'webgpu', reason: "auto: 'webgpu' is in the runtime's backends list" });
    expect(auto(lost, { backends: ['webgpu'] }).engine).toBe('wasm');
    expect(auto(hardware, { backends: ['webgpu'], gpuCannot: 'no kernel' }).engine).toBe('wasm');
  });

  it('listLiftsRules: false keeps the software and size rules even with webgpu listed (jobs without a cost model)', () => {
    expect(auto(software, { backends: ['webgpu'], listLiftsRules: false }).engine).toBe('wasm');
    expect(auto(hardware, { n: 1, backends: ['webgpu'], listLiftsRules: false }).engine).toBe('wasm');
    expect(auto(hardware, { backends: ['webgpu'], listLiftsRules: false }).engine).toBe('webgpu');
  });
});

describe('mayUseGpu', () => {
  it("'webgpu' may, 'wasm' may not, whatever the state", () => {
    expect(mayUseGpu('webgpu', { gpu: null, backends: null })).toBe(true);
    expect(mayUseGpu('wasm', { gpu: hardware, backends: null })).toBe(false);
  });

  it("'auto' may exactly when it would give some job to the GPU", () => {
    expect(mayUseGpu('auto', { gpu: hardware, backends: null })).toBe(true);
    expect(mayUseGpu('auto', { gpu: software, backends: null })).toBe(false);
    expect(mayUseGpu('auto', { gpu: software, backends: ['webgpu', 'wasm'] })).toBe(true);
    expect(mayUseGpu('auto', { gpu: hardware, backends: ['wasm'] })).toBe(false);
    expect(mayUseGpu('auto', { gpu: null, backends: ['webgpu'] })).toBe(false);
    expect(mayUseGpu('auto', { gpu: lost, backends: null })).toBe(false);
  });
});

describe('what the planner sees under auto', () => {
  it('autoPlanKinds: the workers only after a wasm choice (with its reason); no workers when the list leaves them out', () => {
    expect(autoPlanKinds({ engine: 'wasm', reason: 'auto: no GPU device' }, null)).toEqual({ kinds: ['wasm'], note: 'auto: no GPU device' });
    expect(autoPlanKinds({ engine: 'webgpu', reason: 'x' }, null)).toEqual({ kinds: ['wasm', 'webgpu'], note: null });
    expect(autoPlanKinds({ engine: 'webgpu', reason: 'x' }, ['webgpu'])).toEqual({ kinds: ['webgpu'], note: null });
    expect(autoPlanKinds({ engine: 'webgpu', reason: 'x' }, ['webgpu', 'wasm']).kinds).toEqual(['wasm', 'webgpu']);
  });

  it('autoTreatsAsSoftware: a software adapter stays software unless the list names webgpu', () => {
    expect(autoTreatsAsSoftware(true, null)).toBe(true);
    expect(autoTreatsAsSoftware(true, ['wasm'])).toBe(true);
    expect(autoTreatsAsSoftware(true, ['webgpu', 'wasm'])).toBe(false);
    expect(autoTreatsAsSoftware(false, null)).toBe(false);
  });

  it('autoLeavesOut: software GPUs only, with the reason the plan shows', () => {
    expect(autoLeavesOut({ kind: 'webgpu', software: true })).toMatch(/software adapter/);
    expect(autoLeavesOut({ kind: 'webgpu', software: false })).toBeNull();
    expect(autoLeavesOut({ kind: 'webgpu' })).toBeNull();
    expect(autoLeavesOut({ kind: 'wasm', software: true })).toBeNull();
  });

  it('listNamesGpu', () => {
    expect(listNamesGpu(undefined)).toBe(false);
    expect(listNamesGpu(null)).toBe(false);
    expect(listNamesGpu(['wasm'])).toBe(false);
    expect(listNamesGpu(['webgpu'])).toBe(true);
  });
});
