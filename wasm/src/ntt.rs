//! Radix-2 NTT over Fr in Montgomery form.
//!
//! Twiddles live in one table per (field, direction): tw[h + j] = w_{2h}^j for every power of two
//! h < n and j < h, so each butterfly stage reads a contiguous run and the same table serves all
//! sizes up to the largest one requested (it is rebuilt only when a larger size comes).
//! DIF takes natural order to bit-reversed, DIT bit-reversed to natural; a permutation pass runs
//! only when the requested orders need it.

use crate::field::*;
use crate::field29::{Bls381Fr29, Bn254Fr29};

pub trait NttField: Field {
    const TWO_ADICITY: u32;
    /// The element whose (r-1)/2^k-th powers are the roots of unity: 5 on both curves, the
    /// smallest quadratic non-residue, as ffjavascript (snarkjs) takes it, so that root(k) equals
    /// its Fr.w[k] (on BLS12-381 5 is not a generator of Fr^*, but being a non-residue it still
    /// gives primitive 2^k-th roots for every k up to the 2-adicity).
    const ROOT_BASE: u64;
    fn modulus() -> [u32; 8];
    /// Standard form -> Montgomery (for constants: shifts, bases, factors).
    fn from_std8(l: [u32; 8]) -> Self;
    /// Limbs as they are, no conversion: values stay in standard form through the transform.
    fn load_raw8(l: &[u32; 8]) -> Self;
    fn store_raw8(&self) -> [u32; 8];
    fn pow8(&self, e: &[u32]) -> Self;
    fn tables() -> &'static mut [Vec<Self>; 2];
    /// Primitive 2^log_n-th root of unity: ROOT_BASE^((r-1)/2^log_n).
    fn root(log_n: u32) -> Self {
        let mut e = limbs_sub(&Self::modulus(), &{
            let mut one = [0u32; 8];
            one[0] = 1;
            one
        });
        // shift right by log_n
        for _ in 0..log_n {
            let mut carry = 0u32;
            for i in (0..8).rev() {
                let nc = e[i] & 1;
                e[i] = (e[i] >> 1) | (carry << 31);
                carry = nc;
            }
        }
        Self::from_u64(Self::ROOT_BASE).pow8(&e)
    }
}

static mut BN_TABLES: [Vec<Bn254Fr>; 2] = [Vec::new(), Vec::new()];
static mut BLS_TABLES: [Vec<Bls381Fr>; 2] = [Vec::new(), Vec::new()];
static mut BN29_TABLES: [Vec<Bn254Fr29>; 2] = [Vec::new(), Vec::new()];
static mut BLS29_TABLES: [Vec<Bls381Fr29>; 2] = [Vec::new(), Vec::new()];

macro_rules! ntt_field29 {
    ($T:ty, $P:ty, $adic:expr, $base:expr, $tables:ident) => {
        impl NttField for $T {
            const TWO_ADICITY: u32 = $adic;
            const ROOT_BASE: u64 = $base;
            fn modulus() -> [u32; 8] {
                <$P as FpParams<8>>::MODULUS
            }
            fn from_std8(l: [u32; 8]) -> Self {
                Self::from_std(l)
            }
            fn load_raw8(l: &[u32; 8]) -> Self {
                Self::load_raw(l)
            }
            fn store_raw8(&self) -> [u32; 8] {
                self.store_raw()
            }
            fn pow8(&self, e: &[u32]) -> Self {
                self.pow(e)
            }
            fn tables() -> &'static mut [Vec<Self>; 2] {
                unsafe { &mut *core::ptr::addr_of_mut!($tables) }
            }
        }
    };
}
ntt_field29!(Bn254Fr29, Bn254FrP, 28, 5, BN29_TABLES);
ntt_field29!(Bls381Fr29, Bls381FrP, 32, 5, BLS29_TABLES);

impl NttField for Bn254Fr {
    const TWO_ADICITY: u32 = 28;
    const ROOT_BASE: u64 = 5;
    fn modulus() -> [u32; 8] {
        Bn254FrP::MODULUS
    }
    fn from_std8(l: [u32; 8]) -> Self {
        Self::from_std(l)
    }
    fn load_raw8(l: &[u32; 8]) -> Self {
        Self::from_mont_limbs(*l)
    }
    fn store_raw8(&self) -> [u32; 8] {
        self.l
    }
    fn pow8(&self, e: &[u32]) -> Self {
        self.pow(e)
    }
    fn tables() -> &'static mut [Vec<Self>; 2] {
        // Single-threaded wasm instance: one owner at a time.
        unsafe { &mut *core::ptr::addr_of_mut!(BN_TABLES) }
    }
}

impl NttField for Bls381Fr {
    const TWO_ADICITY: u32 = 32;
    const ROOT_BASE: u64 = 5;
    fn modulus() -> [u32; 8] {
        Bls381FrP::MODULUS
    }
    fn from_std8(l: [u32; 8]) -> Self {
        Self::from_std(l)
    }
    fn load_raw8(l: &[u32; 8]) -> Self {
        Self::from_mont_limbs(*l)
    }
    fn store_raw8(&self) -> [u32; 8] {
        self.l
    }
    fn pow8(&self, e: &[u32]) -> Self {
        self.pow(e)
    }
    fn tables() -> &'static mut [Vec<Self>; 2] {
        unsafe { &mut *core::ptr::addr_of_mut!(BLS_TABLES) }
    }
}

/// Twiddle table covering sizes up to 2^log_n (tw.len() >= n).
fn table<F: NttField>(log_n: u32, inverse: bool) -> &'static [F] {
    let t = &mut F::tables()[inverse as usize];
    let n = 1usize << log_n;
    if t.len() < n {
        t.clear();
        t.resize(n, F::one());
        let mut h = 1usize;
        let mut lg = 1u32;
        while h < n {
            let mut w = F::root(lg);
            if inverse {
                w = w.inverse();
            }
            let mut acc = F::one();
            for j in 0..h {
                t[h + j] = acc;
                acc = acc.mul(&w);
            }
            h <<= 1;
            lg += 1;
        }
    }
    &t[..]
}

pub fn bit_reverse<F: Copy>(a: &mut [F]) {
    let n = a.len();
    if n <= 2 {
        return;
    }
    let lg = n.trailing_zeros();
    for i in 0..n {
        let j = i.reverse_bits() >> (usize::BITS - lg);
        if i < j {
            a.swap(i, j);
        }
    }
}

/// Stages with blocks up to this many elements run block by block while the block sits in
/// cache (2^12 x 32 B = 128 KiB); larger stages sweep the whole array.
const CACHE_BLOCK: usize = 1 << 12;

#[inline(always)]
fn dif_stage<F: NttField>(a: &mut [F], h: usize, tw: &[F]) {
    let t = &tw[h..2 * h];
    for blk in a.chunks_exact_mut(2 * h) {
        let (lo, hi) = blk.split_at_mut(h);
        let u = lo[0];
        let v = hi[0];
        lo[0] = u.add(&v);
        hi[0] = u.sub(&v);
        for j in 1..h {
            let u = lo[j];
            let v = hi[j];
            lo[j] = u.add(&v);
            hi[j] = u.sub(&v).mul(&t[j]);
        }
    }
}

#[inline(always)]
fn dit_stage<F: NttField>(a: &mut [F], h: usize, tw: &[F]) {
    let t = &tw[h..2 * h];
    for blk in a.chunks_exact_mut(2 * h) {
        let (lo, hi) = blk.split_at_mut(h);
        let u = lo[0];
        let v = hi[0];
        lo[0] = u.add(&v);
        hi[0] = u.sub(&v);
        for j in 1..h {
            let u = lo[j];
            let v = hi[j].mul(&t[j]);
            lo[j] = u.add(&v);
            hi[j] = u.sub(&v);
        }
    }
}

/// Natural in, bit-reversed out (Gentleman-Sande).
fn dif<F: NttField>(a: &mut [F], tw: &[F]) {
    let n = a.len();
    let mut h = n / 2;
    while h >= 1 && 2 * h > CACHE_BLOCK {
        dif_stage(a, h, tw);
        h /= 2;
    }
    if h >= 1 {
        let top = h;
        for blk in a.chunks_exact_mut(2 * top) {
            let mut h = top;
            while h >= 1 {
                dif_stage(blk, h, tw);
                h /= 2;
            }
        }
    }
}

/// Bit-reversed in, natural out (Cooley-Tukey).
fn dit<F: NttField>(a: &mut [F], tw: &[F]) {
    let n = a.len();
    let top = (n / 2).min(CACHE_BLOCK / 2);
    if top >= 1 {
        for blk in a.chunks_exact_mut(2 * top) {
            let mut h = 1;
            while h <= top {
                dit_stage(blk, h, tw);
                h *= 2;
            }
        }
    }
    let mut h = 2 * top;
    while h < n {
        dit_stage(a, h, tw);
        h *= 2;
    }
}

/// a[i] *= start * base^i.
pub fn mul_powers<F: Field>(a: &mut [F], start: F, base: &F) {
    let mut acc = start;
    for x in a.iter_mut() {
        *x = x.mul(&acc);
        acc = acc.mul(base);
    }
}

pub const INVERSE: u32 = 1;
pub const IN_BITREV: u32 = 2;
pub const OUT_BITREV: u32 = 4;

/// In-place NTT on Montgomery-form values per the zk_ntt contract (see README).
pub fn ntt<F: NttField>(a: &mut [F], flags: u32, shift: Option<F>) {
    let n = a.len();
    let log_n = n.trailing_zeros();
    let inverse = flags & INVERSE != 0;
    let mut bitrev = flags & IN_BITREV != 0;
    let want_bitrev = flags & OUT_BITREV != 0;
    if n <= 1 {
        // size-1 transform: identity, the coset factor g^0 = 1 and 1/n = 1.
        return;
    }
    let tw = table::<F>(log_n, inverse);
    if !inverse {
        if let Some(g) = shift {
            if bitrev {
                bit_reverse(a);
                bitrev = false;
            }
            mul_powers(a, F::one(), &g);
        }
    }
    if bitrev {
        dit(a, tw);
    } else {
        dif(a, tw);
    }
    bitrev = !bitrev;
    if inverse {
        let n_inv = F::from_u64(n as u64).inverse();
        match shift {
            Some(g) => {
                if bitrev {
                    bit_reverse(a);
                    bitrev = false;
                }
                mul_powers(a, n_inv, &g.inverse());
            }
            None => a.iter_mut().for_each(|x| *x = x.mul(&n_inv)),
        }
    }
    if bitrev != want_bitrev {
        bit_reverse(a);
    }
}

/// Evaluations on the domain <w> (natural order) -> evaluations on the coset g<w> (natural
/// order), in place: Groth16's inverse NTT then coset NTT as one pass pair. The inverse DIF leaves
/// the coefficients bit-reversed, where the 1/n and g^i factors are applied, and the forward DIT
/// takes them from there, so neither transform needs a permutation pass. Values raw (standard
/// form), `shift` Montgomery, as `ntt`.
pub fn evals_to_coset<F: NttField>(a: &mut [F], shift: F) {
    let n = a.len();
    if n <= 1 {
        // c_0 = A_0 and its coset value c_0 g^0.
        return;
    }
    let log_n = n.trailing_zeros();
    dif(a, table::<F>(log_n, true));
    let mut factor = F::from_u64(n as u64).inverse();
    for i in 0..n {
        let j = i.reverse_bits() >> (usize::BITS - log_n);
        a[j] = a[j].mul(&factor);
        factor = factor.mul(&shift);
    }
    dit(a, table::<F>(log_n, false));
}

/// Rows of a four-step NTT: each row transformed (natural in/out, no 1/m), then element k of
/// row i multiplied by w^((i + row_offset) k), w the 2^twiddle_log_n-th root (inverse if asked).
pub fn ntt_rows<F: NttField>(
    a: &mut [F],
    log_m: u32,
    inverse: bool,
    twiddle_log_n: u32,
    row_offset: u32,
) {
    let m = 1usize << log_m;
    let tw = table::<F>(log_m, inverse);
    let w = if twiddle_log_n > 0 {
        let w = F::root(twiddle_log_n);
        Some(if inverse { w.inverse() } else { w })
    } else {
        None
    };
    for (i, row) in a.chunks_exact_mut(m).enumerate() {
        if m > 1 {
            dif(row, tw);
            bit_reverse(row);
        }
        if let Some(w) = w {
            let base = w.pow8(&[i as u32 + row_offset]);
            mul_powers(row, F::one(), &base);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive<F: NttField>(a: &[F], w: F) -> Vec<F> {
        let n = a.len();
        (0..n)
            .map(|k| {
                let wk = w.pow8(&[k as u32]);
                let mut acc = F::zero();
                let mut p = F::one();
                for j in 0..n {
                    acc = acc.add(&a[j].mul(&p));
                    p = p.mul(&wk);
                }
                acc
            })
            .collect()
    }

    fn check<F: NttField>() {
        // root has exact order 2^log_n
        let r = F::root(F::TWO_ADICITY);
        let mut x = r;
        for _ in 0..F::TWO_ADICITY - 1 {
            x = x.square();
        }
        assert!(x != F::one());
        assert!(x.square() == F::one());
        for lg in 0..7u32 {
            let n = 1usize << lg;
            let a: Vec<F> = (0..n).map(|i| F::from_u64(i as u64 * 31 + 7)).collect();
            let want = naive(&a, F::root(lg));
            for flags in 0..8u32 {
                if flags & INVERSE != 0 {
                    continue;
                }
                let mut b = a.clone();
                if flags & IN_BITREV != 0 {
                    bit_reverse(&mut b);
                }
                ntt(&mut b, flags, None);
                if flags & OUT_BITREV != 0 {
                    bit_reverse(&mut b);
                }
                assert_eq!(b, want, "lg={lg} flags={flags}");
                // inverse of it
                let mut c = want.clone();
                ntt(&mut c, INVERSE, None);
                assert_eq!(c, a);
                let g = F::from_u64(5);
                let mut d = a.clone();
                ntt(&mut d, 0, Some(g));
                ntt(&mut d, INVERSE, Some(g));
                assert_eq!(d, a);
            }
            // evals_to_coset = inverse NTT then coset NTT, against the naive coset evaluation.
            let g = F::from_u64(7);
            let coefs = naive(&a, F::root(lg).inverse());
            let n_inv = F::from_u64(n as u64).inverse();
            let shifted: Vec<F> = coefs.iter().enumerate().map(|(i, x)| x.mul(&n_inv).mul(&g.pow8(&[i as u32]))).collect();
            let mut e = a.clone();
            evals_to_coset(&mut e, g);
            assert_eq!(e, naive(&shifted, F::root(lg)), "evals_to_coset lg={lg}");
        }
    }

    #[test]
    fn ntt_matches_naive() {
        check::<Bn254Fr>();
        check::<Bls381Fr>();
        check::<Bn254Fr29>();
        check::<Bls381Fr29>();
    }
}
