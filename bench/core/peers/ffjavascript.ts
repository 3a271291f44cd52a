/**
 * ffjavascript 0.3.x (iden3; snarkjs's engine) as a peer, on any platform: the caller says how the
 * library is loaded (Node: a dynamic import, bench/node/peers/ffjavascript.ts; the browser page:
 * the curves of snarkjs's browser build, which bundles ffjavascript). It ships no type
 * declarations, so it is typed here with the few members we use (read from node_modules/ffjavascript
 * src/engine_multiexp.js, engine_fft.js, wasm_curve.js, wasm_field1.js, bn128.js).
 */
import type { MsmCase, NttCase, PeerAdapter, Prepared } from '../cases.js';
import type { BenchCurve, BenchGroup } from '../schema.js';

interface FfGroup {
  /** bases: n affine points, LE Montgomery (as in .zkey); scalars: n x 32-byte LE standard form. */
  multiExpAffine(bases: Uint8Array, scalars: Uint8Array, logger?: unknown, logText?: string): Promise<Uint8Array>;
  /** Writes the affine LEM form of a (jacobian or affine) point. */
  toRprLEM(out: Uint8Array, offset: number, p: Uint8Array): void;
  /** The coordinate field (Fp for G1, Fp2 for G2); n8 = bytes per coordinate. */
  F: { n8: number };
}
interface FfFr {
  n8: number;
  /** w[k]: its primitive 2^k-th root of unity (Montgomery form), nqr^((r-1)/2^k), nqr = 5 here. */
  w: Uint8Array[];
  /** Decimal string of the standard form. */
  toString(a: Uint8Array, radix?: number): string;
  /** Forward FFT of Montgomery-form elements, natural order in and out, root Fr.w[log2 n]. */
  fft(buff: Uint8Array): Promise<Uint8Array>;
  batchToMontgomery(buff: Uint8Array): Promise<Uint8Array>;
  batchFromMontgomery(buff: Uint8Array): Promise<Uint8Array>;
}
export interface FfCurve {
  G1: FfGroup;
  G2: FfGroup;
  Fr: FfFr;
  tm: { concurrency: number };
  terminate(): Promise<void>;
}
export interface FfModule {
  buildBn128(singleThread?: boolean): Promise<FfCurve>;
  buildBls12381(singleThread?: boolean): Promise<FfCurve>;
}

/** `loadLibrary` rejects when ffjavascript is not there (Node: ERR_MODULE_NOT_FOUND). */
export function createFfjavascriptPeerWith(loadLibrary: () => Promise<FfModule>): PeerAdapter {
  const curves = new Map<BenchCurve, Promise<FfCurve>>();
  let library: Promise<FfModule> | null = null;
  const loadModule = () => (library ??= loadLibrary());

  async function load(curve: BenchCurve): Promise<FfCurve> {
    let p = curves.get(curve);
    if (p === undefined) {
      p = (async () => {
        const mod = await loadModule();
        // Default build = its own worker pool, one thread per core (os.cpus() / hardwareConcurrency, max 64).
        return curve === 'bn254' ? mod.buildBn128() : mod.buildBls12381();
      })();
      curves.set(curve, p);
    }
    return p;
  }

  return {
    name: 'ffjavascript',
    packageName: 'ffjavascript',
    async load() {
      await loadModule();
    },
    async threads(curve) {
      return (await load(curve)).tm.concurrency;
    },
    skipMsm: () => null,
    skipNtt: () => null,

    async prepareMsm(c: MsmCase): Promise<Prepared> {
      const ff = await load(c.curve);
      const G = groupOf(ff, c.group);
      const pointBytes = 2 * G.F.n8; // G.F is the group's coordinate field: Fp for G1, Fp2 for G2
      if (c.points.length !== c.n * pointBytes) {
        throw new Error(`ffjavascript ${c.curve} ${c.group}: expected ${c.n * pointBytes} point bytes, got ${c.points.length}`);
      }
      // multiExpAffine slices its inputs per chunk, so passing our buffers is safe (never written).
      return {
        run: () => G.multiExpAffine(c.points, c.scalars, false, ''),
        async output(raw) {
          const out = new Uint8Array(pointBytes);
          G.toRprLEM(out, 0, raw as Uint8Array);
          return out;
        },
      };
    },

    async prepareNtt(c: NttCase): Promise<Prepared> {
      const ff = await load(c.curve);
      // Fr.fft works on Montgomery form: convert once outside the timing, as a prover would hold it.
      const mont = await ff.Fr.batchToMontgomery(c.values);
      return {
        run: () => ff.Fr.fft(mont),
        output: (raw) => ff.Fr.batchFromMontgomery(raw as Uint8Array),
      };
    },

    async close() {
      for (const p of curves.values()) {
        const ff = await p.catch(() => null);
        if (ff !== null) await ff.terminate();
      }
      curves.clear();
    },
  };
}

function groupOf(ff: FfCurve, group: BenchGroup): FfGroup {
  return group === 'g1' ? ff.G1 : ff.G2;
}
