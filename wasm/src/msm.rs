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

/// Window size chosen from n, for G1 and G2 alike. Measured on wasm32, one instance, with windows
/// grouped into passes (BUCKETS_PER_PASS), the fastest of 5-7 runs (ms; 2-core VM, load ~3):
/// - BN254 G1: 2^9: c=7 9.1, 8 10.0; 2^10: c=7 15.4, 8 15.3, 9 18.0; 2^11: c=8 26.3, 9 29.7,
///   10 32.6; 2^12: c=8 48.2, 9 50.6, 10 54.5; 2^13: c=9 92.1, 10 93.8, 11 93.6; 2^16: c=12 954,
///   13 854. BLS12-381 G1: 2^10: c=7 45.4, 8 45.9, 9 51.1; 2^11: c=8 79.3, 9 82.2, 10 93.6;
///   2^13: c=10 279, 11 267.
/// - G2: BN254 2^9: c=6 21.9, 7 21.7; 2^10: c=7 37.0, 8 35.9; 2^11: c=7 67.9, 8 62.2, 9 68.0;
///   2^12: c=8 135, 9 135, 10 137; BLS12-381 2^10: c=7 94.2, 8 92.3; 2^11: c=8 167, 9 177.
///   Earlier, one window a pass: BN254 2^15: c=11 1579, 12 1600, 13 1690; 2^18 G1: c=14 2637,
///   15 2518.
///
/// Before the grouping, small n needed wider windows (each window's batches were a quarter of its
/// 2^(c-1) buckets, so inversions were amortised over few additions); now the window is set by
/// the additions (n per window) against the bucket reduction (2^c per window) alone.
pub fn default_window(n: usize) -> u32 {
    if n < 32 {
        return 3;
    }
    let lg = (usize::BITS - 1 - n.leading_zeros()) as i32; // floor(log2 n)
    let c = if lg <= 10 { lg - 2 } else { lg - 3 };
    c.clamp(4, 16) as u32
}

/// Max entries in one batch; one inversion is amortised over up to this many additions.
fn batch_size(buckets: usize) -> usize {
    (buckets / 4).clamp(16, 2048)
}

/// Buckets filled in one pass: windows are grouped until their buckets reach this many. A batch
/// holds distinct buckets only (a quarter of those in play), so with one window of a small MSM
/// (2^9 buckets at n = 2^11) each inversion (~380 multiplications by Fermat) was shared by 128
/// additions of ~6: the inversions were a quarter of a 2^11 proof's worker time (CPU profile of
/// the mulchain circuit). A pass of 2^12 buckets gives batches of 1024; 2^11 and 2^13 measured
/// the same (more buckets in play cost cache misses); MSMs with that many buckets per window
/// keep one window a pass, as before.
const BUCKETS_PER_PASS: usize = 1 << 12;

/// Windows filled together: enough to give batches BUCKETS_PER_PASS buckets, at most all of them.
fn windows_per_pass(nb: usize, nw: usize) -> usize {
    (BUCKETS_PER_PASS / nb).clamp(1, nw)
}

struct Batch<F: Field> {
    /// (bucket, point index, negate)
    items: Vec<(u32, u32, bool)>,
    den: Vec<F>,
    prefix: Vec<F>,
    in_batch: Vec<bool>,
}

/// Σ scalars[i]·points[i] by Pippenger with window width c: per window (top first), Horner's
/// doubling, the bucket sums of that window's digits, then their running-sum reduction.
pub fn msm<C: Curve>(points: &[RawPoint<C::F>], scalars: &[[u32; 8]], c: u32) -> Affine<C::F> {
    pippenger::<C>(points, scalars, c, &[]).to_affine()
}

/// The Pippenger sum over the terms not marked in `skip` (empty: none skipped).
fn pippenger<C: Curve>(points: &[RawPoint<C::F>], scalars: &[[u32; 8]], c: u32, skip: &[bool]) -> Xyzz<C::F> {
    let n = points.len();
    if n == 0 {
        return Xyzz::infinity();
    }
    let c = c as usize;
    let nw = C::SCALAR_BITS as usize / c + 1;
    let digits = SignedDigits::new(points, scalars, c, nw, skip);
    let nb = 1usize << (c - 1);
    let per_pass = windows_per_pass(nb, nw);
    let mut buckets = Buckets::<C::F>::new(nb, per_pass);

    let mut result = Xyzz::<C::F>::infinity();
    // Passes from the top windows down; within a pass, Horner over its windows (top first):
    // result = result * 2^c + window sum.
    let mut top = nw;
    while top > 0 {
        let low = top.saturating_sub(per_pass);
        let used = (low..top).any(|w| digits.window_used[w]);
        if used {
            buckets.fill::<C>(&digits.values[low * n..top * n], n, points);
        }
        for w in (low..top).rev() {
            if !result.is_inf() {
                for _ in 0..c {
                    result = result.double();
                }
            }
            if digits.window_used[w] {
                result = result.add(&buckets.window_sum(w - low));
            }
        }
        top = low;
    }
    result
}

/// What a witness MSM's scalars hold: circuits of hashes and bit decompositions give mostly 0 and
/// 1 (a SHA-256 witness is ~90% bits), which Pippenger treats like any 254-bit scalar.
struct ScalarProfile {
    /// Terms whose scalar is exactly 1 (their point is summed once, with no bucket).
    ones: Vec<u32>,
    /// Terms left to Pippenger: non-zero scalar above 1 and a point that is not infinity.
    dense: usize,
    /// Largest bit length among those terms.
    max_bits: u32,
}

impl ScalarProfile {
    fn new<F: Field>(points: &[RawPoint<F>], scalars: &[[u32; 8]]) -> Self {
        let mut profile = ScalarProfile { ones: Vec::new(), dense: 0, max_bits: 0 };
        for (i, (p, s)) in points.iter().zip(scalars).enumerate() {
            if p.x.is_zero() && p.y.is_zero() {
                continue;
            }
            let bits = bit_length(s);
            if bits == 1 {
                profile.ones.push(i as u32);
            } else if bits > 1 {
                profile.dense += 1;
                profile.max_bits = profile.max_bits.max(bits);
            }
        }
        profile
    }
}

fn bit_length(s: &[u32; 8]) -> u32 {
    for limb in (0..8).rev() {
        if s[limb] != 0 {
            return 32 * limb as u32 + 32 - s[limb].leading_zeros();
        }
    }
    0
}

/// Σ scalars[i]·points[i] shaped by the scalars: zeros and infinity dropped, scalars equal to 1
/// summed by a batch-affine tree (m - 1 additions at ~6 multiplications, one inversion per
/// level), the rest by Pippenger with a window fitted to their count and bit length.
/// `window_bits` 0 chooses the window; otherwise it is used for the Pippenger part as given.
pub fn msm_by_profile<C: Curve>(points: &[RawPoint<C::F>], scalars: &[[u32; 8]], window_bits: u32) -> Affine<C::F> {
    let profile = ScalarProfile::new(points, scalars);
    let mut result = Xyzz::<C::F>::infinity();
    if profile.dense > 0 {
        let c = if window_bits != 0 {
            window_bits
        } else {
            // Scalars below 2^k need no window wider than k + 1 (one signed window holds them).
            default_window(profile.dense).min(profile.max_bits + 1)
        };
        let skip = if profile.ones.is_empty() {
            Vec::new()
        } else {
            let mut skip = vec![false; points.len()];
            profile.ones.iter().for_each(|&i| skip[i as usize] = true);
            skip
        };
        result = pippenger::<C>(points, scalars, c, &skip);
    }
    if !profile.ones.is_empty() {
        let level: Vec<RawPoint<C::F>> = profile.ones.iter().map(|&i| points[i as usize]).collect();
        if let Some(p) = tree_sum::<C>(level) {
            result = result.add_affine(&Affine { x: p.x, y: p.y, inf: false });
        }
    }
    result.to_affine()
}

/// Sum of affine points by pairwise levels: each level adds disjoint pairs with one shared
/// inversion (Montgomery's trick), halving the list. None when the sum is infinity.
fn tree_sum<C: Curve>(mut level: Vec<RawPoint<C::F>>) -> Option<RawPoint<C::F>> {
    let mut den: Vec<C::F> = Vec::with_capacity(level.len() / 2);
    let mut prefix: Vec<C::F> = Vec::with_capacity(level.len() / 2);
    while level.len() > 1 {
        let pairs = level.len() / 2;
        den.clear();
        prefix.clear();
        let mut acc = C::F::one();
        for k in 0..pairs {
            let (p, q) = (&level[2 * k], &level[2 * k + 1]);
            // P + P: slope 3x^2 / 2y; P + (-P): infinity, marked by a zero denominator.
            let d = if p.x == q.x {
                if p.y == q.y { p.y.double() } else { C::F::zero() }
            } else {
                q.x.sub(&p.x)
            };
            prefix.push(acc);
            if !d.is_zero() {
                acc = acc.mul(&d);
            }
            den.push(d);
        }
        let mut inv = acc.inverse();
        let mut next: Vec<RawPoint<C::F>> = Vec::with_capacity(pairs + 1);
        let mut sums: Vec<Option<RawPoint<C::F>>> = vec![None; pairs];
        for k in (0..pairs).rev() {
            let d = den[k];
            if d.is_zero() {
                continue;
            }
            let dinv = inv.mul(&prefix[k]);
            inv = inv.mul(&d);
            let (p, q) = (level[2 * k], level[2 * k + 1]);
            let lambda = if p.x == q.x {
                let x2 = p.x.square();
                x2.double().add(&x2).mul(&dinv)
            } else {
                q.y.sub(&p.y).mul(&dinv)
            };
            let x3 = lambda.square().sub(&p.x).sub(&q.x);
            let y3 = lambda.mul(&p.x.sub(&x3)).sub(&p.y);
            sums[k] = Some(RawPoint { x: x3, y: y3 });
        }
        next.extend(sums.into_iter().flatten());
        if level.len() % 2 == 1 {
            next.push(level[level.len() - 1]);
        }
        level = next;
    }
    level.pop()
}

/// Signed base-2^c digits of every scalar, window-major: values[w * n + i] in
/// [-2^(c-1), 2^(c-1)], so a window needs only 2^(c-1) buckets (a negative digit adds -P).
struct SignedDigits {
    values: Vec<i32>,
    /// Windows with at least one non-zero digit (the top window of short scalars is often empty).
    window_used: Vec<bool>,
}

impl SignedDigits {
    fn new<F: Field>(points: &[RawPoint<F>], scalars: &[[u32; 8]], c: usize, nw: usize, skip: &[bool]) -> Self {
        let n = points.len();
        let mask = (1u32 << c) - 1;
        let half = 1u32 << (c - 1);
        let mut values = vec![0i32; nw * n];
        let mut window_used = vec![false; nw];
        for i in 0..n {
            let p = &points[i];
            if (p.x.is_zero() && p.y.is_zero()) || skip.get(i).copied().unwrap_or(false) {
                continue; // infinity contributes nothing; skipped terms are summed elsewhere
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
                    values[w * n + i] = dd;
                    window_used[w] = true;
                }
            }
        }
        SignedDigits { values, window_used }
    }
}

/// The buckets of one pass (windows_per_pass windows of `nb` buckets each, window-major) and the
/// scratch space reused from pass to pass.
struct Buckets<F: Field> {
    /// Buckets per window.
    nb: usize,
    /// Affine bucket sums (valid where `occupied`).
    bx: Vec<RawPoint<F>>,
    occupied: Vec<bool>,
    batch: Batch<F>,
    batch_limit: usize,
    /// Additions left for the next pass: their bucket was already in the batch.
    work: Vec<(u32, i32)>,
    deferred: Vec<(u32, i32)>,
    /// Fallback accumulators for buckets hit so often that batches would stay tiny (the top
    /// window holds only a few bits, or one point repeats): XYZZ mixed adds, no inversion.
    extra: Vec<Xyzz<F>>,
    extra_used: bool,
}

impl<F: Field> Buckets<F> {
    fn new(nb: usize, windows: usize) -> Self {
        let total = nb * windows;
        let batch_limit = batch_size(total);
        Buckets {
            nb,
            bx: vec![
                RawPoint {
                    x: F::zero(),
                    y: F::zero()
                };
                total
            ],
            occupied: vec![false; total],
            batch: Batch {
                items: Vec::with_capacity(batch_limit),
                den: Vec::with_capacity(batch_limit),
                prefix: Vec::with_capacity(batch_limit),
                in_batch: vec![false; total],
            },
            batch_limit,
            work: Vec::new(),
            deferred: Vec::new(),
            extra: Vec::new(),
            extra_used: false,
        }
    }

    /// Adds every point of the pass's windows (`digits`: n per window, window-major) into its
    /// digit's bucket: the first round walks the digits, later rounds the additions deferred by
    /// the round before. Work items carry the bucket across windows: ±(window * nb + |digit|).
    fn fill<C: Curve<F = F>>(&mut self, digits: &[i32], n: usize, points: &[RawPoint<F>]) {
        self.occupied.iter_mut().for_each(|o| *o = false);
        self.extra_used = false;
        let mut first = true;
        loop {
            let mut batched = 0usize;
            if first {
                // Point-major: one point's additions go to different windows' buckets, so a batch
                // spreads over every window of the pass and seldom meets a bucket twice (window by
                // window, a batch of 2048 over 2^9 buckets deferred most additions).
                let windows = digits.len() / n;
                for i in 0..n {
                    for w in 0..windows {
                        let d = digits[w * n + i];
                        let base = (w * self.nb) as i32;
                        let d = if d > 0 { d + base } else if d < 0 { d - base } else { continue };
                        if self.place::<C>(i as u32, d, points) {
                            batched += 1;
                        }
                    }
                }
            } else {
                for k in 0..self.work.len() {
                    let (i, d) = self.work[k];
                    if self.place::<C>(i, d, points) {
                        batched += 1;
                    }
                }
            }
            flush::<C>(&mut self.batch, &mut self.bx, &mut self.occupied, points);
            first = false;
            if self.deferred.is_empty() {
                break;
            }
            if batched * 4 < batched + self.deferred.len() {
                // Under a quarter of the pending additions fit in this pass's batches (few
                // distinct buckets: the top window holds only a few bits, or one point repeats):
                // another round would rescan them all, so finish them in XYZZ.
                self.finish_in_xyzz(points);
                break;
            }
            core::mem::swap(&mut self.work, &mut self.deferred);
            self.deferred.clear();
        }
        self.work.clear();
    }

    /// One addition of ±points[i] to the pass's bucket |d| - 1: stored into an empty bucket,
    /// batched, or deferred when the bucket is already in the batch. True when it joined the batch.
    #[inline(always)]
    fn place<C: Curve<F = F>>(&mut self, i: u32, d: i32, points: &[RawPoint<F>]) -> bool {
        let b = (d.unsigned_abs() - 1) as usize;
        let neg = d < 0;
        if !self.occupied[b] {
            let p = &points[i as usize];
            self.bx[b] = RawPoint {
                x: p.x,
                y: if neg { p.y.neg() } else { p.y },
            };
            self.occupied[b] = true;
            false
        } else if self.batch.in_batch[b] {
            self.deferred.push((i, d));
            false
        } else {
            self.batch.in_batch[b] = true;
            self.batch.items.push((b as u32, i, neg));
            if self.batch.items.len() == self.batch_limit {
                flush::<C>(&mut self.batch, &mut self.bx, &mut self.occupied, points);
            }
            true
        }
    }

    /// The deferred additions as XYZZ mixed additions into `extra` (no inversion to amortise).
    fn finish_in_xyzz(&mut self, points: &[RawPoint<F>]) {
        if !self.extra_used {
            self.extra.clear();
            self.extra.resize(self.bx.len(), Xyzz::infinity());
            self.extra_used = true;
        }
        for &(i, d) in self.deferred.iter() {
            let p = &points[i as usize];
            let y = if d < 0 { p.y.neg() } else { p.y };
            let b = (d.unsigned_abs() - 1) as usize;
            self.extra[b] = self.extra[b].add_affine(&Affine {
                x: p.x,
                y,
                inf: false,
            });
        }
        self.deferred.clear();
    }

    /// Running-sum reduction of the pass's window `w`: Σ_b (b+1)·B_b over its buckets.
    fn window_sum(&self, w: usize) -> Xyzz<F> {
        let mut running = Xyzz::<F>::infinity();
        let mut sum = Xyzz::<F>::infinity();
        for b in (w * self.nb..(w + 1) * self.nb).rev() {
            if self.occupied[b] {
                running = running.add_affine(&Affine {
                    x: self.bx[b].x,
                    y: self.bx[b].y,
                    inf: false,
                });
            }
            if self.extra_used {
                running = running.add(&self.extra[b]);
            }
            if !running.is_inf() {
                sum = sum.add(&running);
            }
        }
        sum
    }
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
            assert_eq!(msm_by_profile::<C>(&pts, &sc, c), want, "by profile, c={c}");
        }
        assert_eq!(msm_by_profile::<C>(&pts, &sc, 0), want, "by profile, chosen window");
    }

    /// Witness-shaped scalars: all zero, all one, 0/1 mixes, small values, repeated and opposite
    /// points (P + P and P + (-P) inside the tree of ones), against the naive sum.
    fn check_profiles<C: Curve>(n: usize) {
        let mut pts: Vec<RawPoint<C::F>> = generate::<C>(5, n)
            .into_iter()
            .map(|a| RawPoint { x: a.x, y: a.y })
            .collect();
        if n >= 6 {
            pts[1] = pts[0]; // P + P
            pts[3] = RawPoint { x: pts[2].x, y: pts[2].y.neg() }; // P + (-P)
            pts[5] = RawPoint { x: C::F::zero(), y: C::F::zero() }; // infinity
        }
        let one = |v: u32| { let mut s = [0u32; 8]; s[0] = v; s };
        let mut st = 11u64;
        let shapes: Vec<Vec<[u32; 8]>> = vec![
            vec![[0; 8]; n],
            vec![one(1); n],
            (0..n).map(|_| one(rng(&mut st) & 1)).collect(),
            (0..n).map(|_| one(rng(&mut st) & 0xff)).collect(),
            (0..n).map(|i| if i % 3 == 0 { let mut s = [0u32; 8]; for l in s.iter_mut() { *l = rng(&mut st); } s[7] &= 0x0fff_ffff; s } else { one(rng(&mut st) & 1) }).collect(),
            (0..n).map(|i| one(if i % 2 == 0 { 1 } else { 2 })).collect(),
        ];
        for (k, sc) in shapes.iter().enumerate() {
            let want = msm_naive::<C>(&pts, sc);
            assert_eq!(msm_by_profile::<C>(&pts, sc, 0), want, "shape {k}, n={n}");
        }
    }

    #[test]
    fn msm_by_profile_matches_naive() {
        for n in [1, 2, 3, 6, 7, 64, 301] {
            check_profiles::<Bn254G1>(n);
            check_profiles::<Bls381G1>(n);
        }
        for n in [1, 6, 33] {
            check_profiles::<Bn254G2>(n);
            check_profiles::<Bls381G2>(n);
        }
    }

    /// Passes of several windows whose batches fill and flush mid-pass, with deferred additions
    /// (1500 points into 2^5..2^11 buckets per window), against the naive sum.
    #[test]
    fn grouped_windows_match_naive() {
        let n = 1500;
        let pts: Vec<RawPoint<_>> = generate::<Bn254G1>(9, n).into_iter().map(|a| RawPoint { x: a.x, y: a.y }).collect();
        let mut st = 3u64;
        let sc: Vec<[u32; 8]> = (0..n)
            .map(|_| {
                let mut s = [0u32; 8];
                for l in s.iter_mut() {
                    *l = rng(&mut st);
                }
                s[7] &= 0x0fff_ffff;
                s
            })
            .collect();
        let want = msm_naive::<Bn254G1>(&pts, &sc);
        for c in [6u32, 9, 14] {
            let grouped = windows_per_pass(1 << (c - 1), 254 / c as usize + 1) > 1;
            assert_eq!(grouped, c < 14, "c={c}: windows grouped below 2^13 buckets a window");
            assert_eq!(msm::<Bn254G1>(&pts, &sc, c), want, "c={c}");
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
