/**
 * The wasm QAP kernels (buildAbc, quotient, hScalars) against the BigInt reference in
 * src/groth16/prover/qap.ts and src/math/ntt.ts,
 * on random coefficients and witnesses (seed logged) and on edges: values r - 1 and 0, repeated
 * (matrix, constraint, signal) entries, zero witness values, rows no coefficient touches; and each
 * kind of bad coefficient, reported with its index and field.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { WasmEngine } from '../../../../src/cpu/wasm-engine.js';
import { CURVES, encodeScalar, invMod, nttNaive, rootOfUnity, type CurveName } from '../../../../src/math/index.js';
import { buildAbc, quotientScalars } from '../../../../src/groth16/prover/qap.js';
import { encodeFrArray } from '../../../../src/groth16/formats/fr.js';
import { rngFor } from '../../../support/seed.js';

let engine: WasmEngine;
beforeAll(async () => {
  engine = await WasmEngine.create();
});

interface Coefficient {
  matrix: number;
  constraint: number;
  signal: number;
  value: bigint;
}

function encodeCoefficients(cs: Coefficient[]): Uint8Array {
  const out = new Uint8Array(4 + cs.length * 44);
  const view = new DataView(out.buffer);
  view.setUint32(0, cs.length, true);
  cs.forEach((c, i) => {
    const at = 4 + i * 44;
    view.setUint32(at, c.matrix, true);
    view.setUint32(at + 4, c.constraint, true);
    view.setUint32(at + 8, c.signal, true);
    out.set(encodeScalar(c.value), at + 12);
  });
  return out;
}

const rInv2 = (r: bigint) => {
  const rInv = invMod((1n << 256n) % r, r);
  return encodeScalar((rInv * rInv) % r);
};

function randomCase(curve: CurveName, name: string, domain: number, nVars: number, count: number) {
  const rng = rngFor(name);
  const r = CURVES[curve].r;
  const witness = Array.from({ length: nVars }, () => rng.nextBigInt(r));
  witness[0] = 1n;
  witness[1] = 0n;
  witness[2] = r - 1n;
  const cs: Coefficient[] = Array.from({ length: count }, () => ({
    matrix: rng.nextU32() % 2,
    // The top quarter of the domain stays empty: rows no coefficient touches.
    constraint: rng.nextU32() % Math.max(1, Math.floor((domain * 3) / 4)),
    signal: rng.nextU32() % nVars,
    value: rng.nextBigInt(r),
  }));
  cs[0] = { matrix: 0, constraint: 0, signal: 2, value: r - 1n };
  cs[1] = { ...cs[0] }; // the same entry twice
  cs[2] = { matrix: 1, constraint: 1 % domain, signal: 1, value: 5n }; // times a zero witness value
  cs[3] = { matrix: 1, constraint: 2 % domain, signal: 0, value: 0n };
  return { r, witness, cs };
}

describe.each(['bn254', 'bls12-381'] as const)('%s', (curve) => {
  it('buildAbc equals the BigInt reference (random, with edges), and quotient equals a b - c', () => {
    const domain = 256;
    const { r, witness, cs } = randomCase(curve, `qap-${curve}`, domain, 300, 1500);
    const coefficients = encodeCoefficients(cs);
    const want = buildAbc(coefficients, witness, { fileName: 'test.zkey', sectionOffset: 0, r, domainSize: domain, nVars: witness.length });
    const got = engine.buildAbc(curve, coefficients.subarray(4), encodeFrArray(witness), domain, rInv2(r));
    if (!('a' in got)) throw new Error(`refused: ${JSON.stringify(got)}`);
    expect(got.a).toEqual(encodeFrArray(want.a));
    expect(got.b).toEqual(encodeFrArray(want.b));
    expect(got.c).toEqual(encodeFrArray(want.c));
    expect(want.a.slice((domain * 3) / 4).every((v) => v === 0n)).toBe(true);

    const rng = rngFor(`quotient-${curve}`);
    const xs = () => Array.from({ length: 64 }, () => rng.nextBigInt(r));
    const [a, b, c] = [xs(), xs(), xs()];
    a[0] = 0n;
    b[1] = r - 1n;
    a[1] = r - 1n;
    c[2] = r - 1n;
    const [ea, eb, ec] = [a, b, c].map(encodeFrArray);
    expect(engine.quotient(curve, ea, eb, ec)).toEqual(quotientScalars(ea, eb, ec, r));
  });

  // Domains 1 (no transform at all), 2 and 4 (smaller than a butterfly block), 64; the prover's
  // shift w_2n and another one.
  it.each([
    [1, 'w2n'],
    [2, 'w2n'],
    [4, 'w2n'],
    [64, 'w2n'],
    [64, 'seven'],
  ] as const)('hScalars (domain %i, shift %s) equals buildAbc -> inverse NTT -> coset NTT -> quotient in BigInt', (domain, shiftName) => {
    const { r, witness, cs } = randomCase(curve, `h-${curve}-${domain}-${shiftName}`, domain, 40, 6 * domain);
    const logN = Math.log2(domain);
    const shift = shiftName === 'seven' ? 7n : rootOfUnity(curve, logN + 1);
    const coefficients = encodeCoefficients(cs);
    const abc = buildAbc(coefficients, witness, { fileName: 'test.zkey', sectionOffset: 0, r, domainSize: domain, nVars: witness.length });
    const coset = (values: bigint[]) => encodeFrArray(nttNaive(curve, nttNaive(curve, values, { inverse: true }), { shift }));
    const want = quotientScalars(coset(abc.a), coset(abc.b), coset(abc.c), r);
    const got = engine.hScalars(curve, coefficients.subarray(4), encodeFrArray(witness), domain, rInv2(r), encodeScalar(shift));
    if (!('h' in got)) throw new Error(`refused: ${JSON.stringify(got)}`);
    expect(got.h).toEqual(want);
    // Constant polynomials (domain 1) leave A B - C = 0 everywhere; larger domains must not.
    expect(want.some((x) => x !== 0)).toBe(domain > 1);
  });

  it('hScalars refuses a domain that is not a power of two', () => {
    const w = encodeFrArray([1n]);
    expect(() => engine.hScalars(curve, new Uint8Array(0), w, 12, rInv2(CURVES[curve].r), encodeScalar(1n))).toThrow(/hScalars domain: length 12 is not a power of two/);
  });

  it('a bad coefficient is reported with its index and field', () => {
    const domain = 16;
    const { r, witness, cs } = randomCase(curve, `qap-bad-${curve}`, domain, 20, 40);
    const bads: [Partial<Coefficient>, number][] = [
      [{ matrix: 2 }, 0],
      [{ constraint: domain }, 1],
      [{ signal: witness.length }, 2],
      [{ value: r }, 3],
    ];
    for (const [change, field] of bads) {
      const broken = cs.map((c, i) => (i === 17 ? { ...c, ...change } : c));
      const got = engine.buildAbc(curve, encodeCoefficients(broken).subarray(4), encodeFrArray(witness), domain, rInv2(r));
      expect(
        got,
        JSON.stringify(change, (_, v) => (typeof v === 'bigint' ? String(v) : v)),
      ).toEqual({ badCoefficient: { index: 17, field } });
      const gotH = engine.hScalars(curve, encodeCoefficients(broken).subarray(4), encodeFrArray(witness), domain, rInv2(r), encodeScalar(5n));
      expect(gotH, 'hScalars').toEqual({ badCoefficient: { index: 17, field } });
    }
  });
});
