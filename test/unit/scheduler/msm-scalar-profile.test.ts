/**
 * The witness-aware MSM cost model (scheduler/models.ts): the scalar profile against scalars built
 * with known counts, and the effective element count against hand-computed additions.
 */
import { describe, expect, it } from 'vitest';
import { msmEffectiveElements, msmScalarProfile, pippengerWindow } from '../../../src/scheduler/models.js';

/** 32-byte little-endian encodings of `values`, at a byte offset of `shift` (unaligned views too). */
function encode(values: bigint[], shift = 0): Uint8Array {
  const out = new Uint8Array(shift + values.length * 32).subarray(shift);
  values.forEach((v, i) => {
    for (let b = 0; b < 32; b++) out[i * 32 + b] = Number((v >> BigInt(8 * b)) & 0xffn);
  });
  return out;
}

const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

describe('msmScalarProfile', () => {
  it.each([0, 1])('counts zeros, ones and dense terms and the dense bit length at word boundaries (byte offset %i)', (shift) => {
    const values = [0n, 1n, 0n, 1n, 2n, (1n << 32n) - 1n, 1n << 32n, (1n << 64n) + 1n, 0n];
    expect(msmScalarProfile(encode(values, shift))).toEqual({ terms: 9, zeros: 3, ones: 2, dense: 4, maxBits: 65 });
    expect(msmScalarProfile(encode([R - 1n, 1n], shift))).toEqual({ terms: 2, zeros: 0, ones: 1, dense: 1, maxBits: 254 });
    // 1 in a higher word is not a one.
    expect(msmScalarProfile(encode([1n << 224n], shift))).toEqual({ terms: 1, zeros: 0, ones: 0, dense: 1, maxBits: 225 });
  });
});

describe('msmEffectiveElements', () => {
  const dense = (n: number, bits: number) => ({ terms: n, zeros: 0, ones: 0, dense: n, maxBits: bits });

  it('is n for uniform full-width scalars (what the models were measured on)', () => {
    for (const n of [1 << 10, 1 << 16]) expect(msmEffectiveElements(dense(n, 254), 'bn254')).toBeCloseTo(n, 6);
  });

  it('is 0 when every scalar is zero, and one addition per 1 otherwise', () => {
    expect(msmEffectiveElements({ terms: 100, zeros: 100, ones: 0, dense: 0, maxBits: 0 }, 'bn254')).toBe(0);
    const n = 1 << 16;
    const ones = { terms: n, zeros: 0, ones: n, dense: 0, maxBits: 0 };
    // Per uniform term: ceil(255 / c) windows, each 1 + 2^c / n additions.
    const c = pippengerWindow(n);
    const perUniform = Math.ceil(255 / c) * (1 + 2 ** c / n);
    expect(msmEffectiveElements(ones, 'bn254')).toBeCloseTo((n - 1) / perUniform, 6);
    // A mostly-0/1 witness MSM costs a small fraction of a uniform one of the same size.
    expect(msmEffectiveElements(ones, 'bn254')).toBeLessThan(n / 10);
  });

  it('charges small scalars one narrow window', () => {
    const n = 1 << 12;
    const small = msmEffectiveElements(dense(n, 8), 'bn254');
    const c = Math.min(pippengerWindow(n), 9);
    const perUniform = Math.ceil(255 / pippengerWindow(n)) * (1 + 2 ** pippengerWindow(n) / n);
    expect(small).toBeCloseTo((n * Math.ceil(9 / c) * (1 + 2 ** c / n)) / perUniform, 6);
    expect(small).toBeLessThan(msmEffectiveElements(dense(n, 64), 'bn254'));
  });
});

describe('pippengerWindow', () => {
  it('mirrors wasm/src/msm.rs default_window at its branch points', () => {
    expect([16, 32, 1 << 9, 1 << 10, 1 << 11, 1 << 12, 1 << 14, 1 << 19, 1 << 20, 1 << 30].map((n) => pippengerWindow(n))).toEqual([3, 4, 7, 8, 8, 9, 11, 16, 16, 16]);
  });
});
