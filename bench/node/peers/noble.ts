import type { MsmCase, PeerAdapter, Prepared } from '../../core/cases.js';
import { allZero, montgomery, readLE, scalarsToBigInts, writeLE } from '../../core/codec.js';
import type { BenchCurve, BenchGroup } from '../../core/schema.js';

/**
 * @noble/curves 2.x: pure-BigInt `pippenger(PointConstructor, points, scalars)` from
 * abstract/curve.js. Single-threaded on the main thread and about 10x slower than wasm (2^12 BN254
 * G1: ~0.8 s on a 2-vCPU VM), so it runs only small sizes. It has no FFT we can compare with here.
 */
export const NOBLE_MAX_LOG_N: Record<BenchGroup, number> = { g1: 14, g2: 12 };

const FP_BYTES: Record<BenchCurve, number> = { bn254: 32, 'bls12-381': 48 };

// Structural types of the noble members we use, so both curves (different Fp types) fit one path.
interface NoblePoint {
  is0(): boolean;
  toAffine(): { x: unknown; y: unknown };
}
interface NoblePointCons {
  fromAffine(p: { x: unknown; y: unknown }): NoblePoint;
  ZERO: NoblePoint;
}
interface NobleCurve {
  fields: { Fp: { ORDER: bigint }; Fp2: { fromBigTuple(t: [bigint, bigint]): unknown } };
  G1: { Point: NoblePointCons };
  G2: { Point: NoblePointCons };
}
type Pippenger = (c: NoblePointCons, points: NoblePoint[], scalars: bigint[]) => NoblePoint;

async function loadNoble(curve: BenchCurve): Promise<{ c: NobleCurve; pippenger: Pippenger }> {
  const { pippenger } = await import('@noble/curves/abstract/curve.js');
  const c = curve === 'bn254' ? (await import('@noble/curves/bn254.js')).bn254 : (await import('@noble/curves/bls12-381.js')).bls12_381;
  return { c: c as unknown as NobleCurve, pippenger: pippenger as unknown as Pippenger };
}

export function createNoblePeer(): PeerAdapter {
  return {
    name: 'noble',
    packageName: '@noble/curves',
    async load() {
      await import('@noble/curves/abstract/curve.js');
    },
    threads: async () => 1,
    skipMsm(_curve, group, logN) {
      const max = NOBLE_MAX_LOG_N[group];
      return logN > max ? `noble is pure BigInt; run only up to 2^${max} for ${group.toUpperCase()}` : null;
    },
    skipNtt: () => 'no noble NTT peer',

    async prepareMsm(m: MsmCase): Promise<Prepared> {
      const { c, pippenger } = await loadNoble(m.curve);
      const fpBytes = FP_BYTES[m.curve];
      const p = c.fields.Fp.ORDER;
      const mont = montgomery(p, fpBytes);
      const Point = m.group === 'g1' ? c.G1.Point : c.G2.Point;
      const coords = m.group === 'g1' ? 2 : 4;
      const stride = coords * fpBytes;
      if (m.points.length !== m.n * stride) {
        throw new Error(`noble ${m.curve} ${m.group}: expected ${m.n * stride} point bytes, got ${m.points.length}`);
      }
      const fe = (off: number): bigint => mont.fromMont(readLE(m.points, off, fpBytes));
      const points: NoblePoint[] = new Array<NoblePoint>(m.n);
      for (let i = 0; i < m.n; i++) {
        const o = i * stride;
        if (allZero(m.points, o, stride)) {
          points[i] = Point.ZERO;
        } else if (m.group === 'g1') {
          points[i] = Point.fromAffine({ x: fe(o), y: fe(o + fpBytes) });
        } else {
          const F2 = c.fields.Fp2;
          const x = F2.fromBigTuple([fe(o), fe(o + fpBytes)]);
          const y = F2.fromBigTuple([fe(o + 2 * fpBytes), fe(o + 3 * fpBytes)]);
          points[i] = Point.fromAffine({ x, y });
        }
      }
      const scalars = scalarsToBigInts(m.scalars);
      return {
        run: async () => pippenger(Point, points, scalars),
        async output(raw) {
          const r = raw as NoblePoint;
          const out = new Uint8Array(stride);
          if (r.is0()) return out;
          const { x, y } = r.toAffine();
          const parts: bigint[] = m.group === 'g1' ? [x as bigint, y as bigint] : [fp2(x).c0, fp2(x).c1, fp2(y).c0, fp2(y).c1];
          parts.forEach((v, i) => writeLE(mont.toMont(v), out, i * fpBytes, fpBytes));
          return out;
        },
      };
    },

    async prepareNtt(): Promise<Prepared> {
      throw new Error('noble has no NTT peer in this benchmark');
    },

    async close() {},
  };
}

function fp2(v: unknown): { c0: bigint; c1: bigint } {
  return v as { c0: bigint; c1: bigint };
}
