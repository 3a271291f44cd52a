/**
 * ZkgpuError's details: the position of a fault as fields, set where the error is created, so that
 * callers never parse it back out of the message. The constructor without them stays as it was.
 */
import { describe, expect, it } from 'vitest';
import { ZkgpuError } from '../../../src/core/errors.js';
import { checkBelow, invalidPointError } from '../../../src/core/validate.js';
import { CURVES, encodeScalars } from '../../../src/math/index.js';

function thrown(f: () => unknown): ZkgpuError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ZkgpuError);
    return e as ZkgpuError;
  }
  throw new Error('expected a ZkgpuError, nothing was thrown');
}

describe('ZkgpuError', () => {
  it('built as before (code, message, optional cause): no details, no own cause unless given', () => {
    const plain = new ZkgpuError('INVALID_ARGUMENT', 'n must be an integer');
    expect(plain.code).toBe('INVALID_ARGUMENT');
    expect(plain.message).toBe('n must be an integer');
    expect(plain.name).toBe('ZkgpuError');
    expect(plain.details).toBeUndefined();
    expect(Object.hasOwn(plain, 'details')).toBe(false);
    expect(Object.hasOwn(plain, 'cause')).toBe(false);
    const cause = new Error('EACCES');
    const wrapped = new ZkgpuError('FILE_READ_ERROR', 'cannot open k.zkey', { cause });
    expect(wrapped.cause).toBe(cause);
    expect(wrapped.details).toBeUndefined();
    expect(new ZkgpuError('ABORTED', 'aborted').name).toBe('AbortError');
  });

  it('keeps the details it is given, frozen, beside the message and cause', () => {
    const details = { file: 'k.zkey', section: 5, index: 3, offset: 1234 };
    const cause = new Error('inner');
    const e = new ZkgpuError('FILE_FORMAT', 'k.zkey: section 5 (A points): point 3 ...', { cause, details });
    expect(e.details).toEqual(details);
    expect(e.cause).toBe(cause);
    expect(Object.isFrozen(e.details)).toBe(true);
    // A copy: the caller's object changing later does not change the error.
    details.index = 4;
    expect(e.details?.index).toBe(3);
  });
});

describe('details where the boundary checks create errors', () => {
  it('checkBelow: the index and byte offset of the first value not below the bound', () => {
    const r = CURVES.bn254.r;
    const values = encodeScalars([0n, 1n, r - 1n, r, r + 1n]);
    const e = thrown(() => checkBelow(values, r, 'scalar', 'SCALAR_OUT_OF_RANGE'));
    expect(e.code).toBe('SCALAR_OUT_OF_RANGE');
    expect(e.details).toEqual({ index: 3, offset: 96 });
    // The message is unchanged and says the same.
    expect(e.message).toBe('invalid scalar at index 3 (byte offset 96): not below the group order r');
  });

  it('checkBelow: nothing thrown when every value is below the bound', () => {
    const r = CURVES['bls12-381'].r;
    expect(() => checkBelow(encodeScalars([0n, r - 1n]), r, 'field element', 'FIELD_ELEMENT_OUT_OF_RANGE')).not.toThrow();
  });

  it('invalidPointError: the point index and its byte offset in the caller array', () => {
    const e = invalidPointError(17, 128, 'bn254', 'g2');
    expect(e.code).toBe('POINT_NOT_ON_CURVE');
    expect(e.details).toEqual({ index: 17, offset: 17 * 128 });
    expect(e.message).toContain('invalid point at index 17 (byte offset 2176)');
  });
});
