//! Pippenger MSM with signed window digits and batch-affine bucket accumulation
//! (the ZPrize 2022 WASM MSM recipe).
//!
//! Per window, bucket additions are collected into a batch whose buckets are all distinct; the
//! slopes of the whole batch share ONE field inversion (Montgomery's trick), so an addition costs
//! about 6 multiplications instead of 10-14 for XYZZ/Jacobian. Additions hitting a bucket already
//! in the batch are deferred to the next batch. Special cases are exact: an empty bucket just
//! stores the point, P + P doubles, P + (-P) empties the bucket.

use crate::curve::*;
use crate::field::Field;

/// An affine point exactly as laid out on the wire (x || y, Montgomery limbs, little-endian).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct RawPoint<F: Field> {
    pub x: F,
    pub y: F,
}

/// Window size chosen from n. Measured on wasm32, one instance (ms):
/// - BN254 G1: 2^9: c=7 23, 8 16, 9 16; 2^10: c=8 37, 9 31, 10 33; 2^11: c=9 40, 10 39, 11 46;
///   2^12: c=9 93, 10 64, 11 69; 2^14: c=11 212, 12 209, 13 232; 2^16: c=12 730, 13 720, 14 794;
///   2^18: c=14 2637, 15 2518. BLS12-381 G1 agrees: 2^10: c=8 85, 9 68, 10 70; 2^11: c=9 151,
///   10 130, 11 144; 2^12: c=9 225, 10 186, 11 216.
/// - G2 (Fp2 additions cost ~3x, the bucket bookkeeping does not): BN254 2^10: c=8 102, 9 110;
///   BLS12-381 2^10: c=8 235, 9 244; BN254 2^15: c=11 1579, 12 1600, 13 1690.
/// Small n prefers wider windows than ln(n): each batch inversion must be amortised over a batch,
/// and a batch holds at most a quarter of the 2^(c-1) buckets.
pub fn default_window(n: usize, g2: bool) -> u32 {
    if n < 32 {
        return 3;
    }
    let lg = (usize::BITS - 1 - n.leading_zeros()) as i32; // floor(log2 n)
    let c = if g2 {
        if lg <= 13 {
            lg - 2
        } else {
            lg - 3
        }
    } else if lg <= 11 {
        lg - 1
    } else if lg <= 13 {
        lg - 2
    } else {
        lg - 3
    };
    c.clamp(4, 16) as u32
}

/// Max entries in one batch; one inversion is amortised over up to this many additions.
fn batch_size(buckets: usize) -> usize {
    (buckets / 4).clamp(16, 2048)
}

struct Batch<F: Field> {
    /// (bucket, point index, negate)
    items: Vec<(u32, u32, bool)>,
    den: Vec<F>,
    prefix: Vec<F>,
    in_batch: Vec<bool>,
}

pub fn msm<C: Curve>(points: &[RawPoint<C::F>], scalars: &[[u32; 8]], c: u32) -> Affine<C::F> {
    let n = points.len();
    let c = c as usize;
    let nw = C::SCALAR_BITS as usize / c + 1;
    let nb = 1usize << (c - 1);
    let mask = (1u32 << c) - 1;
    let half = 1u32 << (c - 1);

    // Signed digits, window-major: digits[w * n + i] in [-2^(c-1), 2^(c-1)].
    let mut digits = vec![0i32; nw * n];
    let mut window_used = vec![false; nw];
    for i in 0..n {
        let p = &points[i];
        if p.x.is_zero() && p.y.is_zero() {
            continue; // infinity contributes nothing
        }
        let s = &scalars[i];
        let mut carry = 0u32;
        for w in 0..nw {
            let off = w * c;
            let limb = off / 32;
            let sh = off % 32;
            let mut v = 0u32;
            if limb < 8 {
                v = s[limb] >> sh;
                if sh + c > 32 && limb + 1 < 8 {
                    v |= s[limb + 1] << (32 - sh);
                }
            }
            let mut d = (v & mask) + carry;
            let dd: i32;
            if d > half {
                d = d.wrapping_sub(1 << c);
                dd = d as i32;
                carry = 1;
            } else {
                dd = d as i32;
                carry = 0;
            }
            if dd != 0 {
                digits[w * n + i] = dd;
                window_used[w] = true;
            }
        }
    }

    let mut bx: Vec<RawPoint<C::F>> = vec![
        RawPoint {
            x: C::F::zero(),
            y: C::F::zero()
        };
        nb
    ];
    let mut occupied = vec![false; nb];
    let bsz = batch_size(nb);
    let mut batch = Batch::<C::F> {
        items: Vec::with_capacity(bsz),
        den: Vec::with_capacity(bsz),
        prefix: Vec::with_capacity(bsz),
        in_batch: vec![false; nb],
    };
    let mut work: Vec<(u32, i32)> = Vec::new();
    // Fallback accumulators for buckets hit so often that batches would stay tiny (the top
    // window holds only a few bits, or one point repeats): XYZZ mixed adds, no inversion.
    let mut extra: Vec<Xyzz<C::F>> = Vec::new();
    let mut deferred: Vec<(u32, i32)> = Vec::new();

    let mut result = Xyzz::<C::F>::infinity();
    for w in (0..nw).rev() {
        // Horner over windows: result = result * 2^c + window sum.
        if !result.is_inf() {
            for _ in 0..c {
                result = result.double();
            }
        }
        if !window_used[w] {
            continue;
        }
        occupied.iter_mut().for_each(|o| *o = false);
        let dig = &digits[w * n..(w + 1) * n];
        let mut first = true;
        let mut extra_used = false;
        loop {
            let mut batched = 0usize;
            let src: &[(u32, i32)] = &work;
            let len = if first { n } else { src.len() };
            for k in 0..len {
                let (i, d) = if first { (k as u32, dig[k]) } else { src[k] };
                if d == 0 {
                    continue;
                }
                let b = (d.unsigned_abs() - 1) as usize;
                let neg = d < 0;
                if !occupied[b] {
                    let p = &points[i as usize];
                    bx[b] = RawPoint {
                        x: p.x,
                        y: if neg { p.y.neg() } else { p.y },
                    };
                    occupied[b] = true;
                } else if batch.in_batch[b] {
                    deferred.push((i, d));
                } else {
                    batch.in_batch[b] = true;
                    batch.items.push((b as u32, i, neg));
                    batched += 1;
                    if batch.items.len() == bsz {
                        flush::<C>(&mut batch, &mut bx, &mut occupied, points);
                    }
                }
            }
            flush::<C>(&mut batch, &mut bx, &mut occupied, points);
            first = false;
            if deferred.is_empty() {
                break;
            }
            if batched * 4 < batched + deferred.len() {
                // Under a quarter of the pending additions fit in this pass's batches (few
                // distinct buckets: the top window holds only a few bits, or one point repeats):
                // another pass would rescan them all, so finish this window in XYZZ.
                if !extra_used {
                    extra.clear();
                    extra.resize(nb, Xyzz::infinity());
                    extra_used = true;
                }
                for &(i, d) in deferred.iter() {
                    let p = &points[i as usize];
                    let y = if d < 0 { p.y.neg() } else { p.y };
                    let b = (d.unsigned_abs() - 1) as usize;
                    extra[b] = extra[b].add_affine(&Affine {
                        x: p.x,
                        y,
                        inf: false,
                    });
                }
                deferred.clear();
                break;
            }
            core::mem::swap(&mut work, &mut deferred);
            deferred.clear();
        }
        work.clear();

        // Running-sum reduction: sum_b (b+1) * B_b.
        let mut running = Xyzz::<C::F>::infinity();
        let mut sum = Xyzz::<C::F>::infinity();
        for b in (0..nb).rev() {
            if occupied[b] {
                running = running.add_affine(&Affine {
                    x: bx[b].x,
                    y: bx[b].y,
                    inf: false,
                });
            }
            if extra_used {
                running = running.add(&extra[b]);
            }
            if !running.is_inf() {
                sum = sum.add(&running);
            }
        }
        result = result.add(&sum);
    }
    result.to_affine()
}

/// Applies the pending batch: one shared inversion for all slopes.
fn flush<C: Curve>(
    batch: &mut Batch<C::F>,
    bx: &mut [RawPoint<C::F>],
    occupied: &mut [bool],
    points: &[RawPoint<C::F>],
) {
    let m = batch.items.len();
    if m == 0 {
        return;
    }
    batch.den.clear();
    batch.prefix.clear();
    let mut acc = C::F::one();
    for &(b, i, neg) in batch.items.iter() {
        let q = &bx[b as usize];
        let p = &points[i as usize];
        let d = if q.x == p.x {
            let py = if neg { p.y.neg() } else { p.y };
            if q.y == py {
                q.y.double() // doubling: slope 3x^2 / 2y (y != 0 on these prime-order groups)
            } else {
                C::F::zero() // P + (-P): marked by a zero denominator
            }
        } else {
            p.x.sub(&q.x)
        };
        batch.prefix.push(acc);
        if !d.is_zero() {
            acc = acc.mul(&d);
        }
        batch.den.push(d);
    }
    let mut inv = acc.inverse();
    for k in (0..m).rev() {
        let (b, i, neg) = batch.items[k];
        let b = b as usize;
        batch.in_batch[b] = false;
        let d = batch.den[k];
        if d.is_zero() {
            occupied[b] = false;
            continue;
        }
        let dinv = inv.mul(&batch.prefix[k]);
        inv = inv.mul(&d);
        let q = bx[b];
        let p = &points[i as usize];
        let py = if neg { p.y.neg() } else { p.y };
        let lambda = if q.x == p.x {
            let x2 = q.x.square();
            x2.double().add(&x2).mul(&dinv)
        } else {
            py.sub(&q.y).mul(&dinv)
        };
        let x3 = lambda.square().sub(&q.x).sub(&p.x);
        let y3 = lambda.mul(&q.x.sub(&x3)).sub(&q.y);
        bx[b] = RawPoint { x: x3, y: y3 };
    }
    batch.items.clear();
}

/// Reference MSM by double-and-add, for tests.
#[cfg(test)]
pub fn msm_naive<C: Curve>(points: &[RawPoint<C::F>], scalars: &[[u32; 8]]) -> Affine<C::F> {
    let mut acc = Xyzz::<C::F>::infinity();
    for (p, s) in points.iter().zip(scalars) {
        if p.x.is_zero() && p.y.is_zero() {
            continue;
        }
        acc = acc.add(&Xyzz::mul_scalar(
            &Affine {
                x: p.x,
                y: p.y,
                inf: false,
            },
            s,
        ));
    }
    acc.to_affine()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::generate;

    fn rng(state: &mut u64) -> u32 {
        *state = state.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        (z ^ (z >> 31)) as u32
    }

    fn check<C: Curve>(n: usize) {
        let pts: Vec<RawPoint<C::F>> = generate::<C>(42, n)
            .into_iter()
            .map(|a| RawPoint { x: a.x, y: a.y })
            .collect();
        let mut st = 7u64;
        let mut sc: Vec<[u32; 8]> = (0..n)
            .map(|_| {
                let mut s = [0u32; 8];
                for l in s.iter_mut() {
                    *l = rng(&mut st);
                }
                s[7] &= 0x0fff_ffff;
                s
            })
            .collect();
        if n > 3 {
            sc[1] = [0; 8];
            sc[2] = sc[0];
        }
        let want = msm_naive::<C>(&pts, &sc);
        for c in [1u32, 2, 5, 8, 11, 13] {
            assert_eq!(msm::<C>(&pts, &sc, c), want, "c={c}");
        }
    }

    #[test]
    fn msm_matches_naive() {
        for n in [1, 2, 5, 40] {
            check::<Bn254G1>(n);
            check::<Bls381G1>(n);
            check::<Bn254G2>(n);
        }
        check::<Bls381G2>(10);
    }
}

#[cfg(test)]
mod bench {
    use super::*;
    use crate::gen::generate;
    #[test]
    #[ignore]
    fn bench_msm_16() {
        let n = 1 << 16;
        let pts: Vec<RawPoint<_>> = generate::<Bn254G1>(1, n)
            .into_iter()
            .map(|a| RawPoint { x: a.x, y: a.y })
            .collect();
        let mut st = 1u64;
        let sc: Vec<[u32; 8]> = (0..n)
            .map(|_| {
                let mut s = [0u32; 8];
                for l in s.iter_mut() {
                    st = st
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    *l = (st >> 32) as u32;
                }
                s[7] &= 0x1fff_ffff;
                s
            })
            .collect();
        for c in [12u32, 13] {
            let t = std::time::Instant::now();
            let r = msm::<Bn254G1>(&pts, &sc, c);
            eprintln!("c={c} {:?} {}", t.elapsed(), r.inf);
        }
    }
}
