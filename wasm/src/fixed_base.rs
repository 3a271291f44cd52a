//! Batch fixed-base scalar multiplication: one base point P, many scalars k_i -> the affine
//! points [k_i]P. This is the point work of a Groth16 setup (every key point is a multiple of the
//! generator), where a general MSM does not apply.
//!
//! Method: a comb over byte digits. The table holds d * 256^j * P for every window j < 32 and
//! digit d in 1..=255 (8160 affine points, 0.5 MiB for BN254 G1), so each product is at most 32
//! mixed additions and no doubling at all. Windows of 8 bits: 32 additions per scalar against
//! 8160 table points; 10-bit windows would save 6 additions per scalar but quadruple the table,
//! which only pays past ~40k scalars per call, and byte digits need no bit shuffling.
//! Results are accumulated in XYZZ and normalised together with one inversion per batch.

use crate::curve::*;
use crate::field::Field;

const WINDOW_BITS: usize = 8;
const DIGITS: usize = (1 << WINDOW_BITS) - 1;
/// Scalars are 32 bytes (any value < 2^256 works; the caller passes values < r).
const WINDOWS: usize = 32;
/// Points normalised per batched inversion: bounds the XYZZ scratch (BLS12-381 G2: 4 KiB x 768 B).
const BATCH: usize = 4096;

/// table[j * 255 + d - 1] = d * 256^j * P, affine.
pub struct FixedBaseTable<F: Field> {
    points: Vec<Affine<F>>,
}

impl<F: Field> FixedBaseTable<F> {
    pub fn new(base: &Affine<F>) -> Self {
        let mut xyzz: Vec<Xyzz<F>> = Vec::with_capacity(WINDOWS * DIGITS);
        // start = 256^j * P as affine, so each row is built with mixed additions.
        let mut start = *base;
        for _ in 0..WINDOWS {
            let mut acc = Xyzz::<F>::infinity();
            for _ in 0..DIGITS {
                acc = acc.add_affine(&start);
                xyzz.push(acc);
            }
            // 256 * start = 255 * start + start.
            start = acc.add_affine(&start).to_affine();
        }
        FixedBaseTable {
            points: normalize(&xyzz),
        }
    }

    /// [k]P for a scalar given as 32 little-endian bytes.
    #[inline]
    pub fn mul(&self, k: &[u8]) -> Xyzz<F> {
        let mut acc = Xyzz::<F>::infinity();
        for (j, &d) in k.iter().enumerate().take(WINDOWS) {
            if d != 0 {
                acc = acc.add_affine(&self.points[j * DIGITS + d as usize - 1]);
            }
        }
        acc
    }
}

/// XYZZ -> affine with one inversion for all points (infinity stays infinity).
pub fn normalize<F: Field>(points: &[Xyzz<F>]) -> Vec<Affine<F>> {
    let mut inv: Vec<F> = points.iter().map(|p| p.zz.mul(&p.zzz)).collect();
    let mut scratch = Vec::with_capacity(inv.len());
    batch_inverse(&mut inv, &mut scratch);
    points
        .iter()
        .zip(inv.iter())
        .map(|(p, t)| {
            if p.is_inf() {
                Affine::infinity()
            } else {
                // t = 1/(ZZ ZZZ): x = X/ZZ = X t ZZZ, y = Y/ZZZ = Y t ZZ.
                Affine {
                    x: p.x.mul(&t.mul(&p.zzz)),
                    y: p.y.mul(&t.mul(&p.zz)),
                    inf: false,
                }
            }
        })
        .collect()
}

/// out[i] = [scalars[i]] base for i < n, in the wire encoding; `point_bytes` per output point.
pub fn fixed_base_into<C: Curve>(
    base: &Affine<C::F>,
    scalars: &[u8],
    out: &mut [u8],
    point_bytes: usize,
) {
    let n = scalars.len() / 32;
    if base.inf {
        out[..n * point_bytes].fill(0);
        return;
    }
    let table = FixedBaseTable::new(base);
    let mut batch: Vec<Xyzz<C::F>> = Vec::with_capacity(BATCH.min(n));
    let mut done = 0;
    while done < n {
        let m = BATCH.min(n - done);
        batch.clear();
        for i in done..done + m {
            batch.push(table.mul(&scalars[i * 32..(i + 1) * 32]));
        }
        for (j, p) in normalize(&batch).iter().enumerate() {
            let at = (done + j) * point_bytes;
            p.write(&mut out[at..at + point_bytes]);
        }
        done += m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar_bytes(k: &[u32; 8]) -> Vec<u8> {
        k.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    fn check<C: Curve>() {
        let g = C::generator();
        let pb = 2 * <C::F as Field>::BYTES;
        let mut st = 0x1234_5678u64;
        let mut scalars: Vec<[u32; 8]> = vec![
            [0; 8],
            [1, 0, 0, 0, 0, 0, 0, 0],
            [255, 0, 0, 0, 0, 0, 0, 0],
            [256, 0, 0, 0, 0, 0, 0, 0],
        ];
        for _ in 0..20 {
            let mut k = [0u32; 8];
            for w in k.iter_mut() {
                st = st
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                *w = (st >> 32) as u32;
            }
            k[7] &= 0x0fff_ffff;
            scalars.push(k);
        }
        let bytes: Vec<u8> = scalars.iter().flat_map(scalar_bytes).collect();
        let mut out = vec![0u8; scalars.len() * pb];
        fixed_base_into::<C>(&g, &bytes, &mut out, pb);
        for (i, k) in scalars.iter().enumerate() {
            let expect = Xyzz::mul_scalar(&g, k).to_affine();
            let got = Affine::<C::F>::read(&out[i * pb..(i + 1) * pb]).unwrap();
            assert_eq!(got, expect, "scalar {i}");
        }
    }

    #[test]
    fn matches_double_and_add() {
        check::<Bn254G1>();
        check::<Bn254G2>();
        check::<Bls381G1>();
        check::<Bls381G2>();
    }
}
