/**
 * The GPU-error classification (gpu/errors.ts): error-scope errors to kinds, anything a GPU path
 * throws to a kind (or to "not a GPU failure"), kinds to ZkgpuError codes, and the ZkgpuError a
 * failed GPU call rejects with. No adapter needed: the scope errors are stand-ins named as Dawn
 * and browsers name theirs (errorKind reads the constructor name; Node has no GPUError globals
 * without an adapter loaded).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isZkgpuError, ZkgpuError, type ZkgpuErrorCode } from '../../../src/core/errors.js';
import { GpuError as GpuErrorFromContext, errorKind as errorKindFromContext } from '../../../src/gpu/context.js';
import { classifyGpuError, errorKind, GpuError, gpuErrorCode, toGpuZkgpuError, type GpuErrorKind } from '../../../src/gpu/errors.js';
import '../../support/seed.js';

class GPUOutOfMemoryError {
  constructor(readonly message: string) {}
}
class GPUValidationError {
  constructor(readonly message: string) {}
}
class GPUInternalError {
  constructor(readonly message: string) {}
}

const KINDS: readonly GpuErrorKind[] = ['lost', 'validation', 'out-of-memory', 'internal'];

describe('errorKind: error-scope errors', () => {
  it('reads out-of-memory and validation from the class name, anything else as internal', () => {
    expect(errorKind(new GPUOutOfMemoryError('oom') as unknown as GPUError)).toBe('out-of-memory');
    expect(errorKind(new GPUValidationError('bad binding') as unknown as GPUError)).toBe('validation');
    expect(errorKind(new GPUInternalError('driver') as unknown as GPUError)).toBe('internal');
    expect(errorKind(Object.create(null) as GPUError)).toBe('internal'); // no constructor at all
  });

  it('context.ts re-exports the same GpuError and errorKind (one definition)', () => {
    expect(GpuErrorFromContext).toBe(GpuError);
    expect(errorKindFromContext).toBe(errorKind);
  });
});

describe('classifyGpuError: what a thrown value says about the GPU', () => {
  it('a GpuError keeps its kind', () => {
    for (const kind of KINDS) expect(classifyGpuError(new GpuError(kind, 'x'))).toBe(kind);
  });

  it('a ZkgpuError: GPU codes map back to kinds, other codes are not GPU failures', () => {
    const cases: [ZkgpuErrorCode, GpuErrorKind | null][] = [
      ['GPU_DEVICE_LOST', 'lost'],
      ['GPU_OUT_OF_MEMORY', 'out-of-memory'],
      ['GPU_ERROR', 'internal'],
      ['GPU_UNAVAILABLE', 'internal'],
      ['ABORTED', null],
      ['INVALID_ARGUMENT', null],
      ['WORKER_CRASHED', null],
      ['CHUNK_FAILED', null],
    ];
    for (const [code, kind] of cases) expect(classifyGpuError(new ZkgpuError(code, 'x')), code).toBe(kind);
  });

  it('anything else a GPU path throws is internal', () => {
    for (const thrown of [new Error('mapAsync failed'), new TypeError('x is undefined'), 'a string', undefined, null, 42]) {
      expect(classifyGpuError(thrown)).toBe('internal');
    }
  });
});

describe('gpuErrorCode and toGpuZkgpuError', () => {
  it('each kind has its code', () => {
    expect(KINDS.map(gpuErrorCode)).toEqual(['GPU_DEVICE_LOST', 'GPU_ERROR', 'GPU_OUT_OF_MEMORY', 'GPU_ERROR']);
  });

  it('a ZkgpuError passes through as the same object', () => {
    const e = new ZkgpuError('GPU_UNAVAILABLE', 'no device');
    expect(toGpuZkgpuError(e, 'MSM bn254 g1')).toBe(e);
    const aborted = new ZkgpuError('ABORTED', 'operation aborted');
    expect(toGpuZkgpuError(aborted, 'MSM bn254 g1')).toBe(aborted);
  });

  it('a GpuError becomes the code of its kind, naming the work, with the error as cause', () => {
    const lost = new GpuError('lost', 'GPU device lost (destroyed): gone');
    const z = toGpuZkgpuError(lost, 'NTT bn254');
    expect(isZkgpuError(z, 'GPU_DEVICE_LOST')).toBe(true);
    expect(z.message).toBe('NTT bn254 on the GPU failed: GPU device lost (destroyed): gone');
    expect(z.cause).toBe(lost);
    expect(toGpuZkgpuError(new GpuError('out-of-memory', 'x'), 'w').code).toBe('GPU_OUT_OF_MEMORY');
    expect(toGpuZkgpuError(new GpuError('validation', 'x'), 'w').code).toBe('GPU_ERROR');
  });

  it('anything else becomes GPU_ERROR with its message, or its text when it is not an Error', () => {
    const plain = new Error('readback failed');
    const z = toGpuZkgpuError(plain, 'MSM bn254 g1');
    expect(z.code).toBe('GPU_ERROR');
    expect(z.message).toBe('MSM bn254 g1 on the GPU failed: readback failed');
    expect(z.cause).toBe(plain);
    expect(toGpuZkgpuError('boom', 'w').message).toBe('w on the GPU failed: boom');
  });

  it('property: converting keeps the kind, up to validation and internal sharing GPU_ERROR', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fc.string(), fc.string({ minLength: 1 }), (kind, message, what) => {
        const z = toGpuZkgpuError(new GpuError(kind, message), what);
        expect(z.code).toBe(gpuErrorCode(kind));
        expect(z.message).toBe(`${what} on the GPU failed: ${message}`);
        expect(classifyGpuError(z)).toBe(kind === 'validation' ? 'internal' : kind);
      }),
    );
  });
});
