/**
 * Interop with ffjavascript 0.3 (snarkjs's engine): the .zkey point encoding and Fr.fft.
 * ffjavascript ships no type declarations, so it is imported through a computed specifier and
 * typed here with the members used (src/wasm_curve.js, wasm_field1.js, engine_fft.js).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AffinePoint,
  type AnyPoint,
  CURVES,
  type CurveName,
  type Group,
  type GroupName,
  bigIntToBytesLE,
  bytesToBigIntLE,
  decodePoint,
  encodePoint,
  encodeScalars,
  decodeScalars,
  g1,
  g2,
  nttNaive,
  nttReference,
  rootOfUnity,
  FR_ROOT_BASE,
} from '../../../src/math/index.js';
import { WasmEngine } from '../../../src/cpu/wasm-engine.js';
import { rngFor } from '../../support/seed.js';

interface FfGroup {
  /** The generator (affine, LE Montgomery). */
  g: Uint8Array;
  zero: Uint8Array;
  F: { n8: number };
  timesScalar(a: Uint8Array, s: bigint): Uint8Array;
  add(a: Uint8Array, b: Uint8Array): Uint8Array;
  eq(a: Uint8Array, b: Uint8Array): boolean;
  toRprLEM(out: Uint8Array, offset: number, p: Uint8Array): void;
}
interface FfFr {
  n8: number;
  s: number;
  /** w[k]: primitive 2^k-th root of unity, Montgomery form. */
  w: Uint8Array[];
  nqr: Uint8Array;
  toObject(a: Uint8Array): bigint;
  fft(buff: Uint8Array): Promise<Uint8Array>;
  ifft(buff: Uint8Array): Promise<Uint8Array>;
  batchToMontgomery(buff: Uint8Array): Promise<Uint8Array>;
  batchFromMontgomery(buff: Uint8Array): Promise<Uint8Array>;
}
interface FfCurve {
  G1: FfGroup;
  G2: FfGroup;
  Fr: FfFr;
  terminate(): Promise<void>;
}
interface FfModule {
  buildBn128(singleThread?: boolean): Promise<FfCurve>;
  buildBls12381(singleThread?: boolean): Promise<FfCurve>;
}

const SPECIFIER = 'ffjavascript';
const curves: Partial<Record<CurveName, FfCurve>> = {};

beforeAll(async () => {
  const ff = (await import(SPECIFIER)) as FfModule;
  curves.bn254 = await ff.buildBn128(true);
  curves['bls12-381'] = await ff.buildBls12381(true);
});

afterAll(async () => {
  for (const c of Object.values(curves)) await c?.terminate();
});

function affineLEM(G: FfGroup, p: Uint8Array): Uint8Array {
  const out = new Uint8Array(G.F.n8 * 2);
  G.toRprLEM(out, 0, p);
  return out;
}

describe.each(['bn254', 'bls12-381'] as const)('%s vs ffjavascript', (curve) => {
  it('point encoding is byte-identical to toRprLEM (the .zkey form), G1 and G2, infinity included', () => {
    const ff = curves[curve]!;
    const rng = rngFor(`ff-enc-${curve}`);
    const check = <T>(group: GroupName, ours: Group<T>, theirs: FfGroup): void => {
      const enc = (p: AffinePoint<T>): Uint8Array => encodePoint(curve, group, p as unknown as AnyPoint);
      expect(enc(ours.generator)).toEqual(affineLEM(theirs, theirs.g));
      expect(enc(ours.infinity)).toEqual(affineLEM(theirs, theirs.zero));
      for (let i = 0; i < 3; i++) {
        const k = rng.nextBigInt(CURVES[curve].r);
        const P = ours.mul(ours.generator, k);
        const theirsBytes = affineLEM(theirs, theirs.timesScalar(theirs.g, k));
        expect(enc(P)).toEqual(theirsBytes);
        expect(decodePoint(curve, group, theirsBytes)).toEqual(P);
      }
    };
    check('g1', g1(curve), ff.G1);
    check('g2', g2(curve), ff.G2);
  });

  it('Fr roots of unity: rootOfUnity(curve, k) equals Fr.w[k] for every k in 0..s', () => {
    const ff = curves[curve]!;
    const { frTwoAdicity } = CURVES[curve];
    expect(ff.Fr.s).toBe(frTwoAdicity);
    // ffjavascript takes the smallest quadratic non-residue: 5 on both curves (FR_ROOT_BASE).
    expect(ff.Fr.toObject(ff.Fr.nqr)).toBe(5n);
    expect(FR_ROOT_BASE[curve]).toBe(5n);
    for (let k = 0; k <= frTwoAdicity; k++) {
      expect(rootOfUnity(curve, k), `k = ${k}`).toBe(ff.Fr.toObject(ff.Fr.w[k]));
    }
  });

  it('Fr.fft and Fr.ifft equal nttNaive / nttReference index for index (n = 8 and 64)', async () => {
    const ff = curves[curve]!;
    const { r } = CURVES[curve];
    for (const logN of [3, 6]) {
      const rng = rngFor(`ff-fft-${curve}-${logN}`);
      const x = Array.from({ length: 1 << logN }, () => rng.nextBigInt(r));
      const mont = await ff.Fr.batchToMontgomery(encodeScalars(x));
      const fwd = decodeScalars(await ff.Fr.batchFromMontgomery(await ff.Fr.fft(mont)));
      const inv = decodeScalars(await ff.Fr.batchFromMontgomery(await ff.Fr.ifft(mont)));
      expect(fwd).toEqual(nttNaive(curve, x));
      expect(fwd).toEqual(nttReference(curve, x));
      expect(inv).toEqual(nttNaive(curve, x, { inverse: true }));
    }
  });

  it("the WASM engine's NTT equals Fr.fft / Fr.ifft byte for byte (n = 2^1, 2^5, 2^11, edge values included)", async () => {
    const ff = curves[curve]!;
    const { r } = CURVES[curve];
    const engine = await WasmEngine.create();
    for (const logN of [1, 5, 11]) {
      const rng = rngFor(`ff-wasm-${curve}-${logN}`);
      const x = Array.from({ length: 1 << logN }, () => rng.nextBigInt(r));
      x[0] = r - 1n;
      if (logN > 1) [x[1], x[2]] = [0n, 1n];
      const values = encodeScalars(x);
      const mont = await ff.Fr.batchToMontgomery(values);
      const theirsFwd = new Uint8Array(await ff.Fr.batchFromMontgomery(await ff.Fr.fft(mont)));
      const theirsInv = new Uint8Array(await ff.Fr.batchFromMontgomery(await ff.Fr.ifft(mont)));
      expect(engine.ntt(curve, values), `forward 2^${logN}`).toEqual(theirsFwd);
      expect(engine.ntt(curve, values, { inverse: true }), `inverse 2^${logN}`).toEqual(theirsInv);
    }
  });

  it('batchToMontgomery uses R = 2^256 for Fr, as encodeFpMont does for Fp', async () => {
    const ff = curves[curve]!;
    const { r } = CURVES[curve];
    const x = 123456789n;
    const m = bytesToBigIntLE(await ff.Fr.batchToMontgomery(bigIntToBytesLE(x, 32)));
    expect(m).toBe((x << 256n) % r);
  });
});
