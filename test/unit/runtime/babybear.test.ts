/** runtime.nttBabyBear on the WASM workers: results against the oracle, bad input named. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, isZkgpuError, type Runtime } from '../../../src/index.js';
import { BABYBEAR_P, babybearNttNaive } from '../../../src/math/index.js';
import { rngFor } from '../../support/seed.js';

let runtime: Runtime;
beforeAll(async () => {
  runtime = await createRuntime({ threads: 2, gpu: false });
});
afterAll(() => runtime?.dispose());

describe('runtime.nttBabyBear (wasm)', () => {
  it('equals the naive DFT in every order, coset and direction at 2^6', async () => {
    const rng = rngFor('bb-runtime');
    const values = Uint32Array.from({ length: 64 }, () => rng.nextU32() % BABYBEAR_P);
    values[3] = BABYBEAR_P - 1;
    for (const inverse of [false, true]) {
      for (const coset of [false, true, 7]) {
        const got = await runtime.nttBabyBear({ values, inverse, coset, backend: 'wasm' });
        const shift = coset === false ? null : coset === true ? 31 : coset;
        expect(Array.from(got), `inverse ${inverse} coset ${coset}`).toEqual(Array.from(babybearNttNaive(values, { inverse, shift })));
      }
    }
  });

  it('names the bad element, the size and the type', async () => {
    const bad = new Uint32Array(8);
    bad[5] = BABYBEAR_P;
    await expect(runtime.nttBabyBear({ values: bad })).rejects.toSatisfy((e) => isZkgpuError(e, 'FIELD_ELEMENT_OUT_OF_RANGE') && /index 5/.test((e as Error).message));
    await expect(runtime.nttBabyBear({ values: new Uint32Array(6) })).rejects.toSatisfy((e) => isZkgpuError(e, 'NTT_SIZE_NOT_POWER_OF_TWO'));
    await expect(runtime.nttBabyBear({ values: new Uint8Array(8) as unknown as Uint32Array })).rejects.toSatisfy((e) => isZkgpuError(e, 'INVALID_ARGUMENT'));
    await expect(runtime.nttBabyBear({ values: new Uint32Array(4), backend: 'webgpu' })).rejects.toSatisfy((e) => isZkgpuError(e, 'GPU_UNAVAILABLE'));
  });
});
