/**
 * runtime.ntt end to end against the BigInt oracle: every order and coset combination on one
 * worker, and the four-step split across workers (n >= 2^16) against the O(n log n) reference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, MAX_NTT_LOG_N, type Runtime } from '../../../src/index.js';
import { CURVES, CURVE_NAMES, bitReversePermute, decodeScalars, encodeScalars, nttNaive, nttReference, type CurveName } from '../../../src/math/index.js';
import { MIN_SPLIT_LOG_N } from '../../../src/ntt/cpu.js';
import { rngFor } from '../../support/seed.js';

let runtime: Runtime;
beforeAll(async () => {
  // Unit suite: no GPU adapter is opened ('auto' keeps a software adapter off these jobs anyway;
  // test/integration/runtime/backend.test.ts covers the runtime beside lavapipe).
  runtime = await createRuntime({ threads: 2, gpu: false });
});
afterAll(async () => {
  await runtime.dispose();
});

function randomValues(curve: CurveName, n: number, name: string): bigint[] {
  const rng = rngFor(name);
  return Array.from({ length: n }, () => rng.nextBigInt(CURVES[curve].r));
}

type Order = 'natural' | 'bit-reversed';
const ORDERS: Order[] = ['natural', 'bit-reversed'];

/** The transform of the logical input (un-permuted from how it is stored), stored in outputOrder. */
function oracle(curve: CurveName, stored: bigint[], inverse: boolean, shift: bigint | null, inputOrder: Order, outputOrder: Order) {
  const input = inputOrder === 'bit-reversed' ? bitReversePermute(stored) : stored;
  const out = nttNaive(curve, input, { inverse, shift });
  return outputOrder === 'bit-reversed' ? bitReversePermute(out) : out;
}

describe.each(CURVE_NAMES)('runtime.ntt on %s', (curve) => {
  const generator = CURVES[curve].frGenerator;
  const cases = [false, true].flatMap((inverse) =>
    [null, 'generator', 3n].flatMap((coset) => ORDERS.flatMap((inputOrder) => ORDERS.map((outputOrder) => ({ inverse, coset, inputOrder, outputOrder })))),
  );

  it.each(cases)('n = 16, inverse $inverse, coset $coset, $inputOrder -> $outputOrder matches the DFT', async ({ inverse, coset, inputOrder, outputOrder }) => {
    const values = randomValues(curve, 16, `${curve}:${inverse}:${coset}:${inputOrder}:${outputOrder}`);
    const shift = coset === null ? null : coset === 'generator' ? generator : (coset as bigint);
    const result = await runtime.ntt({
      curve,
      values: encodeScalars(values),
      inverse,
      coset: coset === null ? undefined : coset === 'generator' ? true : (coset as bigint),
      inputOrder,
      outputOrder,
    });
    // `values` is what the caller stores; with bit-reversed input the oracle un-permutes it.
    expect(decodeScalars(result)).toEqual(oracle(curve, values, inverse, shift, inputOrder, outputOrder));
  });

  it.each([1, 2, 4, 10])('inverse(forward(x)) = x at n = 2^%i, on a coset too', async (logN) => {
    const values = encodeScalars(randomValues(curve, 1 << logN, `${curve}:roundtrip:${logN}`));
    for (const coset of [false, true]) {
      const forward = await runtime.ntt({ curve, values, coset });
      expect(await runtime.ntt({ curve, values: forward, inverse: true, coset })).toEqual(values);
    }
  });

  it('edge values: zero, one and r-1', async () => {
    const r = CURVES[curve].r;
    const values = [0n, 1n, r - 1n, 0n, r - 1n, r - 1n, 1n, 0n];
    const result = await runtime.ntt({ curve, values: encodeScalars(values) });
    expect(decodeScalars(result)).toEqual(nttNaive(curve, values));
  });
});

describe('runtime.ntt split across workers (four-step)', () => {
  const logN = MIN_SPLIT_LOG_N;
  const n = 1 << logN;

  it.each(CURVE_NAMES)(`%s forward at n = 2^${logN} matches the O(n log n) reference`, async (curve) => {
    const values = randomValues(curve, n, `${curve}:split`);
    const result = await runtime.ntt({ curve, values: encodeScalars(values) });
    expect(decodeScalars(result)).toEqual(nttReference(curve, values));
  });

  it('bn254 inverse coset with bit-reversed output equals the single-worker result', async () => {
    const single = await createRuntime({ threads: 1, gpu: false });
    try {
      const values = encodeScalars(randomValues('bn254', n, 'split:inverse'));
      for (const request of [
        { inverse: true, coset: true },
        { inverse: false, coset: 7n, inputOrder: 'bit-reversed' as const },
        { inverse: true, outputOrder: 'bit-reversed' as const },
      ]) {
        const split = await runtime.ntt({ curve: 'bn254', values, ...request });
        const whole = await single.ntt({ curve: 'bn254', values, ...request });
        expect(Buffer.compare(Buffer.from(split), Buffer.from(whole))).toBe(0);
      }
    } finally {
      await single.dispose();
    }
  });
});

describe('runtime.ntt bad input', () => {
  it('rejects sizes that are not a power of two, naming the size', async () => {
    for (const count of [0, 3, 12]) {
      await expect(runtime.ntt({ curve: 'bn254', values: new Uint8Array(32 * count) })).rejects.toMatchObject({
        code: 'NTT_SIZE_NOT_POWER_OF_TWO',
        message: expect.stringContaining(`${count} values`),
      });
    }
    await expect(runtime.ntt({ curve: 'bn254', values: new Uint8Array(33) })).rejects.toMatchObject({ code: 'LENGTH_MISMATCH' });
  });

  it('rejects sizes above the largest supported', async () => {
    // 2^25 zero values: 1 GiB of untouched (lazily zeroed) memory; rejected before any work.
    const values = new Uint8Array(32 * 2 ** (MAX_NTT_LOG_N + 1));
    await expect(runtime.ntt({ curve: 'bn254', values })).rejects.toMatchObject({ code: 'NTT_SIZE_TOO_LARGE' });
  });

  it('rejects a value not below r, naming its index', async () => {
    const values = encodeScalars([1n, 2n, CURVES.bn254.r, 4n]);
    await expect(runtime.ntt({ curve: 'bn254', values })).rejects.toMatchObject({
      code: 'FIELD_ELEMENT_OUT_OF_RANGE',
      message: expect.stringContaining('index 2'),
    });
  });

  it('rejects bad orders, cosets and curves', async () => {
    const values = encodeScalars([1n, 2n]);
    await expect(runtime.ntt({ curve: 'bn254', values, inputOrder: 'reversed' as 'natural' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(runtime.ntt({ curve: 'bn254', values, coset: 0n })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(runtime.ntt({ curve: 'bn128' as CurveName, values })).rejects.toMatchObject({ code: 'UNKNOWN_CURVE' });
  });
});
