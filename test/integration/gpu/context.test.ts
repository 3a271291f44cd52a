import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, GpuError, type GpuErrorEvent, submitPasses, type GpuContext } from '../../../src/gpu/index.js';
import { gpuFieldOp } from '../../../src/gpu/field-kernel.js';

let ctx: GpuContext;
const dumpDir = mkdtempSync(join(tmpdir(), 'zkgpu-wgsl-'));
beforeAll(async () => {
  const c = await acquireGpu({ dumpWgslDir: dumpDir });
  if (!c) throw new Error('no WebGPU adapter');
  ctx = c;
});
afterAll(() => ctx?.dispose());

describe('GPU runtime', () => {
  it('reports the adapter and requests its own limits', () => {
    expect(ctx.info.vendor.length + ctx.info.description.length).toBeGreaterThan(0);
    expect(ctx.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
  });

  it('caches pipelines per source key and dumps composed WGSL', async () => {
    await gpuFieldOp(ctx, 97n, 'add', [1n], [2n]);
    const before = ctx.programs.compiled;
    await gpuFieldOp(ctx, 97n, 'mul', [1n], [2n]);
    expect(ctx.programs.compiled).toBe(before);
    await gpuFieldOp(ctx, 101n, 'mul', [1n], [2n]);
    expect(ctx.programs.compiled).toBe(before + 1);
    const files = readdirSync(dumpDir);
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(readFileSync(join(dumpDir, files[0]), 'utf8')).toContain('fn fe_mul');
  });

  it('pool: no buffer stays in use after a kernel, bytes are reused, peak is counted', async () => {
    await gpuFieldOp(ctx, 97n, 'add', [1n, 2n], [3n, 4n]);
    const s1 = ctx.pool.stats();
    expect(s1.inUseBytes).toBe(0);
    await gpuFieldOp(ctx, 97n, 'add', [1n, 2n], [3n, 4n]);
    const s2 = ctx.pool.stats();
    expect(s2.inUseBytes).toBe(0);
    expect(s2.allocatedBytes).toBe(s1.allocatedBytes);
    expect(s2.peakInUseBytes).toBeGreaterThan(0);
  });

  it('a validation error becomes a GpuError and an uncaptured one a gpuerror event', async () => {
    const program = await ctx.programs.get({
      name: 'bad_bindings',
      key: 'x',
      sources: ['@group(0) @binding(0) var<storage, read_write> o: array<u32>;\n@compute @workgroup_size(1) fn main() { o[0] = 1u; }'],
    });
    const buf = ctx.device.createBuffer({ size: 4, usage: GPUBufferUsage.UNIFORM, label: 'bad' });
    await expect(submitPasses(ctx, [{ program, buffers: [buf], workgroups: [1] }], 'bad')).rejects.toBeInstanceOf(GpuError);
    buf.destroy();
    const seen = new Promise<GpuErrorEvent>((res) => ctx.addEventListener('gpuerror', (e) => res(e as GpuErrorEvent), { once: true }));
    ctx.device.createBuffer({ size: 4, usage: 0xffff, label: 'bad-usage' });
    const ev = await seen;
    expect(ev.detail.kind).toBe('validation');
  });

  for (const name of ['field', 'field_test', 'ntt', 'babybear_field', 'babybear_field_test', 'babybear']) {
    it(`shaders/${name}.wgsl is valid WGSL on its own`, async () => {
      const code = readFileSync(new URL(`../../../shaders/${name}.wgsl`, import.meta.url), 'utf8');
      const module = ctx.device.createShaderModule({ label: `standalone:${name}`, code });
      const info = await module.getCompilationInfo();
      expect(info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}: ${m.message}`)).toEqual([]);
    });
  }

  it('Node exits after dispose()', () => {
    const fixture = fileURLToPath(new URL('../../support/children/gpu-exit.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', fixture], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
    });
    expect(r.error, 'the process did not exit in time').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('done 13');
  });
});
