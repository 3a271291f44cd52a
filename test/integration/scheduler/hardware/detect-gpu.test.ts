/**
 * detectHardware() with a real GPU context (Mesa lavapipe through Dawn here): adapter info, limits,
 * software flag, the limits-derived budget, the allocation probe (a small cap, so it is quick), and
 * the user cap. Fails, not skips, when no adapter exists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, type GpuContext } from '../../../../src/gpu/context.js';
import { detectHardware } from '../../../../src/scheduler/hardware/detect.js';
import { BINDINGS_PER_JOB, GPU_PROBE_SAFETY } from '../../../../src/scheduler/hardware/gpu-budget.js';

let ctx: GpuContext;
const MiB = 2 ** 20;

beforeAll(async () => {
  const c = await acquireGpu();
  if (!c) throw new Error('no WebGPU adapter: these tests need one (Dawn + lavapipe: export XDG_RUNTIME_DIR=/tmp, mesa-vulkan-drivers)');
  ctx = c;
  console.log('[scheduler] adapter:', JSON.stringify(ctx.info));
});

afterAll(() => ctx?.dispose());

describe('detectHardware with a GPU', () => {
  it('reports the adapter, its limits, software or not, and a budget from the limits', async () => {
    const r = await detectHardware({ gpus: [ctx] });
    expect(r.gpus).toHaveLength(1);
    const g = r.gpus[0];
    expect(g.description).toBe(ctx.info.description);
    expect(g.vendor).toBe(ctx.info.vendor);
    expect(g.limits.maxBufferSize).toBe(ctx.limits.maxBufferSize);
    expect(g.limits.maxStorageBufferBindingSize).toBe(ctx.limits.maxStorageBufferBindingSize);
    expect(g.software).toBe(/llvmpipe|lavapipe|swiftshader/i.test(`${ctx.info.description} ${ctx.info.device}`));
    const expected = Math.min(ctx.limits.maxBufferSize, BINDINGS_PER_JOB * ctx.limits.maxStorageBufferBindingSize);
    expect(g.budgetBytes).toBe(expected);
    expect(g.source).toMatch(/^limits: /);
    expect(g.probe).toBeUndefined();
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('probeGpu allocates up to the cap, frees it, and sets the budget to 0.75 of it; the device still works', async () => {
    const errors: string[] = [];
    ctx.addEventListener('gpuerror', (e) => errors.push((e as CustomEvent & { detail: { message: string } }).detail.message));
    const r = await detectHardware({ gpus: [ctx], probeGpu: true, probeCapBytes: 64 * MiB });
    const g = r.gpus[0];
    expect(g.probe).toEqual({ allocatedBytes: 64 * MiB, hitLimit: false, buffers: 1, capBytes: 64 * MiB });
    expect(g.budgetBytes).toBe(Math.floor(64 * MiB * GPU_PROBE_SAFETY));
    expect(g.source).toMatch(/^probe: stopped at the cap/);
    // The device survived: a round trip through a fresh buffer returns what was written.
    const data = new Uint32Array([1, 2, 3, 0xffffffff]);
    const src = ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    const dst = ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    ctx.device.queue.writeBuffer(src, 0, data);
    const enc = ctx.device.createCommandEncoder();
    enc.copyBufferToBuffer(src, 0, dst, 0, 16);
    ctx.device.queue.submit([enc.finish()]);
    await dst.mapAsync(GPUMapMode.READ);
    expect([...new Uint32Array(dst.getMappedRange().slice(0))]).toEqual([...data]);
    dst.unmap();
    src.destroy();
    dst.destroy();
    expect(errors).toEqual([]);
  });

  it('maxGpuBytes always wins, over the probe too', async () => {
    const r = await detectHardware({ gpus: [ctx], probeGpu: true, probeCapBytes: 8 * MiB, maxGpuBytes: 3 * 2 ** 40 });
    expect(r.gpus[0]).toMatchObject({ budgetBytes: 3 * 2 ** 40, source: 'maxGpuBytes option' });
    expect(r.gpus[0].figures.map((f) => f.source)).toEqual([expect.stringMatching(/^limits/), expect.stringMatching(/^probe/), 'maxGpuBytes option']);
  });

  it('a disposed context is reported unusable with budget 0', async () => {
    const other = await acquireGpu();
    if (!other) throw new Error('no second device');
    other.dispose();
    const r = await detectHardware({ gpus: [other] });
    expect(r.gpus[0]).toMatchObject({ budgetBytes: 0, unusable: 'the GPU context was disposed' });
  });
});
