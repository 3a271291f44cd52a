/**
 * Options and callbacks at the runtime's boundary: every bad value is refused up front with
 * INVALID_ARGUMENT (or the source's own code) naming the field and showing the value as given
 * (NaN as NaN), and a callback that throws never costs the caller a finished result.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRuntime, isZkgpuError, type Runtime } from '../../../src/index.js';
import { encodePoints, encodeScalars, g1, msmNaive, type G1Point } from '../../../src/math/index.js';

let runtime: Runtime;
beforeAll(async () => {
  runtime = await createRuntime({ threads: 1, gpu: false });
});
afterAll(async () => {
  await runtime.dispose();
});

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (!isZkgpuError(e)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('expected a rejection');
}

const G = g1('bn254');
const points: G1Point[] = [G.generator, G.mul(G.generator, 5n), G.mul(G.generator, 7n)];
const scalars = [3n, 1n, 11n];
const msmInput = { curve: 'bn254' as const, group: 'g1' as const, points: encodePoints('bn254', 'g1', points), scalars: encodeScalars(scalars) };
const expected = encodePoints('bn254', 'g1', [msmNaive('bn254', 'g1', points, scalars) as G1Point]);

describe('createRuntime options', () => {
  it('wasm bytes that are not WebAssembly: WASM_ERROR naming the option', async () => {
    const r = await codeOf(createRuntime({ threads: 1, gpu: false, wasm: new Uint8Array([1, 2, 3, 4]) }));
    expect(r.code).toBe('WASM_ERROR');
    expect(r.message).toMatch(/wasm option \(4 bytes\) is not a valid WebAssembly module/);
  });
  it('a WebAssembly module that is not the engine: WASM_ERROR listing what it lacks', async () => {
    const empty = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const r = await codeOf(createRuntime({ threads: 1, gpu: false, wasm: empty }));
    expect(r.code).toBe('WASM_ERROR');
    expect(r.message).toMatch(/not zkgpu's engine: it lacks memory, zk_alloc/);
  });
  it('a missing wasm path: FILE_READ_ERROR naming the path', async () => {
    const r = await codeOf(createRuntime({ threads: 1, gpu: false, wasm: '/nonexistent/zkgpu.wasm' }));
    expect(r.code).toBe('FILE_READ_ERROR');
    expect(r.message).toContain('/nonexistent/zkgpu.wasm');
  });
  it('a wasm option of the wrong type, NaN threads, a non-boolean gpuTimestamps, options that are not an object', async () => {
    expect(await codeOf(createRuntime({ threads: 1, gpu: false, wasm: 42 as never }))).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('got 42') });
    expect(await codeOf(createRuntime({ threads: Number.NaN, gpu: false }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('threads must be an integer from 1 to 256, got NaN'),
    });
    expect(await codeOf(createRuntime({ threads: 1, gpu: false, gpuTimestamps: 'yes' as never }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('gpuTimestamps must be a boolean, got "yes"'),
    });
    expect(await codeOf(createRuntime('fast' as never))).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('options must be an object, got "fast"') });
  });
});

describe('request options', () => {
  it('windowBits above what the engines take is refused before any work', async () => {
    for (const windowBits of [21, 24, 0, 1.5]) {
      expect(await codeOf(runtime.msm({ ...msmInput, windowBits }))).toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining(`windowBits must be an integer from 1 to 20, got ${windowBits}`),
      });
    }
    expect(await runtime.msm({ ...msmInput, windowBits: 20 })).toEqual(expected);
  });
  it('boolean options are booleans: inverse and validatePoints are not read as false', async () => {
    const values = encodeScalars([1n, 2n, 3n, 4n]);
    expect(await codeOf(runtime.ntt({ curve: 'bn254', values, inverse: 'yes' as never }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('inverse must be a boolean, got "yes"'),
    });
    expect(await codeOf(runtime.msm({ ...msmInput, validatePoints: 1 as never }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('validatePoints must be a boolean, got 1'),
    });
    expect(await codeOf(runtime.nttBabyBear({ values: new Uint32Array(4), inverse: 'no' as never }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('inverse must be a boolean'),
    });
  });
  it('NaN shows as NaN, not null', async () => {
    expect((await codeOf(runtime.msm({ ...msmInput, maxWorkers: Number.NaN }))).message).toContain('got NaN');
    expect((await codeOf(runtime.msm({ ...msmInput, priority: Number.NaN }))).message).toContain('got NaN');
    expect(await codeOf(runtime.samplePoints({ curve: 'bn254', group: 'g1', n: Number.NaN }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('got NaN'),
    });
  });
  it('an onReport that is not a function is refused before the job runs', async () => {
    const jobsBefore = runtime.stats().jobs;
    expect(await codeOf(runtime.msm({ ...msmInput, onReport: 'x' as never }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('onReport must be a function, got "x"'),
    });
    expect(runtime.stats().jobs).toBe(jobsBefore);
  });
});

describe('callbacks that throw', () => {
  it('the result is returned; the error goes to a callback-error event, and to console.warn unless handled', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const seen: unknown[] = [];
      const handled = (e: CustomEvent<{ callback: string; error: unknown }>) => {
        seen.push(e.detail.error);
        e.preventDefault();
      };
      runtime.addEventListener('callback-error', handled);
      const boom = new Error('boom in onReport');
      const sum = await runtime.msm({
        ...msmInput,
        onReport: () => {
          throw boom;
        },
      });
      expect(sum).toEqual(expected);
      expect(seen).toEqual([boom]);
      expect(warn).not.toHaveBeenCalled();
      runtime.removeEventListener('callback-error', handled);
      const again = await runtime.ntt({
        curve: 'bn254',
        values: encodeScalars([1n, 2n]),
        onReport: () => {
          throw boom;
        },
      });
      expect(again.length).toBe(64);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toContain('onReport threw');
    } finally {
      warn.mockRestore();
    }
  });
});
