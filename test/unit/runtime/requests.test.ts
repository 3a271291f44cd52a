/**
 * Request parsing at the runtime's boundary (src/runtime/requests.ts): pure, so every rejection is
 * checked here without a runtime; the runtime tests check the same codes through runtime.msm/ntt.
 */
import { describe, expect, it } from 'vitest';
import { isZkgpuError, type ZkgpuErrorCode } from '../../../src/core/errors.js';
import { CURVES, encodeScalar } from '../../../src/math/index.js';
import {
  checkBackendList,
  parseBabyBearNttRequest,
  parseMsmRequest,
  parseNttRequest,
  parseSamplePointsRequest,
  parseSettings,
  parseThreads,
} from '../../../src/runtime/requests.js';

function codeOf(f: () => unknown): ZkgpuErrorCode | string {
  try {
    f();
  } catch (e) {
    return isZkgpuError(e) ? e.code : `not a ZkgpuError: ${String(e)}`;
  }
  return 'no error';
}

const r = CURVES.bn254.r;
const scalars = (values: bigint[]) => {
  const out = new Uint8Array(32 * values.length);
  values.forEach((v, i) => out.set(encodeScalar(v), 32 * i));
  return out;
};
const msm = (extra: Record<string, unknown> = {}) => ({ curve: 'bn254', group: 'g1', points: new Uint8Array(64 * 2), scalars: scalars([1n, 2n]), ...extra }) as never;
const ntt = (extra: Record<string, unknown> = {}) => ({ curve: 'bn254', values: scalars([1n, 2n, 3n, 4n]), ...extra }) as never;

describe('runtime options', () => {
  it('threads: an integer from 1 to 256', () => {
    expect(parseThreads(4)).toBe(4);
    for (const bad of [0, 257, 1.5, '2', NaN]) expect(codeOf(() => parseThreads(bad))).toBe('INVALID_ARGUMENT');
  });

  it('backends: a non-empty list of distinct engines; absent is null', () => {
    expect(checkBackendList(undefined)).toBeNull();
    expect(checkBackendList(['webgpu', 'wasm'])).toEqual(['webgpu', 'wasm']);
    for (const bad of [[], ['wasm', 'wasm'], ['cuda'], 'wasm']) expect(codeOf(() => checkBackendList(bad))).toBe('INVALID_ARGUMENT');
  });

  it('parseSettings checks the byte caps and keeps the backends list', () => {
    expect(parseSettings({ maxGpuBytes: 1 << 20, backends: ['wasm'] })).toMatchObject({ maxGpuBytes: 1 << 20, backends: ['wasm'] });
    expect(parseSettings({}).backends).toBeNull();
    expect(codeOf(() => parseSettings({ maxHostBytes: -1 }))).toBe('INVALID_ARGUMENT');
  });
});

describe('parseMsmRequest', () => {
  it('fills the defaults: auto, failover on, every worker, priority 0', () => {
    const p = parseMsmRequest(msm());
    expect(p).toMatchObject({ curve: 'bn254', group: 'g1', n: 2, size: 64, requested: 'auto', failover: true, maxWorkers: Infinity, priority: 0, validatePoints: false });
  });

  it('rejects each bad field with its code', () => {
    expect(codeOf(() => parseMsmRequest(msm({ curve: 'p256' })))).toBe('UNKNOWN_CURVE');
    expect(codeOf(() => parseMsmRequest(msm({ group: 'g3' })))).toBe('UNKNOWN_GROUP');
    expect(codeOf(() => parseMsmRequest(msm({ points: [1, 2] })))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseMsmRequest(msm({ points: new Uint8Array(65) })))).toBe('LENGTH_MISMATCH');
    expect(codeOf(() => parseMsmRequest(msm({ scalars: new Uint8Array(33) })))).toBe('LENGTH_MISMATCH');
    expect(codeOf(() => parseMsmRequest(msm({ scalars: scalars([1n]) })))).toBe('LENGTH_MISMATCH');
    expect(codeOf(() => parseMsmRequest(msm({ windowBits: 25 })))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseMsmRequest(msm({ backend: 'gpu' })))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseMsmRequest(msm({ failover: 'yes' })))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseMsmRequest(msm({ maxWorkers: 0 })))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseMsmRequest(msm({ priority: Infinity })))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseMsmRequest(msm({ signal: {} })))).toBe('INVALID_ARGUMENT');
  });

  it('names the first scalar not below r', () => {
    try {
      parseMsmRequest(msm({ scalars: scalars([1n, r]) }));
      expect.unreachable();
    } catch (e) {
      expect(isZkgpuError(e, 'SCALAR_OUT_OF_RANGE')).toBe(true);
      expect((e as Error).message).toMatch(/index 1/);
    }
  });

  it('an aborted signal rejects ABORTED after the input checks', () => {
    const ac = new AbortController();
    ac.abort();
    expect(codeOf(() => parseMsmRequest(msm({ signal: ac.signal })))).toBe('ABORTED');
    expect(codeOf(() => parseMsmRequest(msm({ signal: ac.signal, group: 'g3' })))).toBe('UNKNOWN_GROUP');
  });
});

describe('parseNttRequest', () => {
  it('parses size, orders and the coset shift', () => {
    const p = parseNttRequest(ntt({ coset: true, inverse: true, outputOrder: 'bit-reversed' }));
    expect(p).toMatchObject({ n: 4, logN: 2, inverse: true, shift: CURVES.bn254.frGenerator, inputOrder: 'natural', outputOrder: 'bit-reversed' });
    expect(parseNttRequest(ntt({ coset: 3n })).shift).toBe(3n);
    expect(parseNttRequest(ntt()).shift).toBeNull();
  });

  it('rejects each bad field with its code', () => {
    expect(codeOf(() => parseNttRequest(ntt({ values: new Uint8Array(33) })))).toBe('LENGTH_MISMATCH');
    expect(codeOf(() => parseNttRequest(ntt({ values: scalars([1n, 2n, 3n]) })))).toBe('NTT_SIZE_NOT_POWER_OF_TWO');
    expect(codeOf(() => parseNttRequest(ntt({ values: new Uint8Array(0) })))).toBe('NTT_SIZE_NOT_POWER_OF_TWO');
    expect(codeOf(() => parseNttRequest(ntt({ values: scalars([1n, r]) })))).toBe('FIELD_ELEMENT_OUT_OF_RANGE');
    expect(codeOf(() => parseNttRequest(ntt({ inputOrder: 'reversed' })))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseNttRequest(ntt({ coset: 0n })))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseNttRequest(ntt({ coset: r })))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseNttRequest(ntt({ coset: 5 })))).toBe('INVALID_ARGUMENT');
  });

  it('2^25 values exceed the largest supported size', () => {
    // 1 GiB of zero pages the check never reads (it stops at the length), so the OS commits none of it.
    const huge = new Uint8Array(new ArrayBuffer(32 * 2 ** 25));
    expect(codeOf(() => parseNttRequest(ntt({ values: huge })))).toBe('NTT_SIZE_TOO_LARGE');
  });
});

describe('parseBabyBearNttRequest', () => {
  const p = 2 ** 31 - 2 ** 27 + 1;
  it('coset true is the generator 31; a number sets it; absent is none', () => {
    expect(parseBabyBearNttRequest({ values: new Uint32Array(4), coset: true }).job.shift).toBe(31);
    expect(parseBabyBearNttRequest({ values: new Uint32Array(4), coset: 7 }).job.shift).toBe(7);
    expect(parseBabyBearNttRequest({ values: new Uint32Array(4) })).toMatchObject({ n: 4, requested: 'auto', failover: true, job: { logN: 2, shift: null } });
  });

  it('rejects each bad field with its code', () => {
    expect(codeOf(() => parseBabyBearNttRequest({ values: new Uint8Array(4) as never }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseBabyBearNttRequest({ values: new Uint32Array(3) }))).toBe('NTT_SIZE_NOT_POWER_OF_TWO');
    expect(codeOf(() => parseBabyBearNttRequest({ values: Uint32Array.of(1, p) }))).toBe('FIELD_ELEMENT_OUT_OF_RANGE');
    expect(codeOf(() => parseBabyBearNttRequest({ values: new Uint32Array(2), coset: 'yes' as never }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseBabyBearNttRequest({ values: new Uint32Array(2), coset: p }))).toBe('INVALID_ARGUMENT');
  });
});

describe('parseSamplePointsRequest', () => {
  it('seed defaults to 1; n and seed are bounded', () => {
    expect(parseSamplePointsRequest({ curve: 'bn254', group: 'g2', n: 3 })).toEqual({ curve: 'bn254', group: 'g2', n: 3, seed: 1 });
    expect(codeOf(() => parseSamplePointsRequest({ curve: 'bn254', group: 'g1', n: -1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseSamplePointsRequest({ curve: 'bn254', group: 'g1', n: 1, seed: 2 ** 32 }))).toBe('INVALID_ARGUMENT');
  });
});
