//! Prime field with 29-bit limbs held in u64, the MSM's coordinate field.
//!
//! Why: in the 32-bit CIOS every 32x32 product needs its carry split off at once (mask, shift,
//! add), about 12 wasm ops per product, and it ran at 65 ns per BN254 product. With 29-bit limbs a
//! product is < 2^58, so a column can absorb 2N products (18 for BN254, 28 for BLS12-381:
//! 28 * 2^58 < 2^63) with plain i64 adds and carries move once per row: about 4 ops per product
//! (the ZPrize 2022 WASM MSM trick). Montgomery radix R' = 2^(29N): 2^261 for BN254 (N = 9),
//! 2^406 for BLS12-381 (N = 14). The wire format stays 32-bit Montgomery (R = 2^(32M)); read and
//! write convert with one product by 2^(29N-32M) or its inverse.

use crate::field::*;
use core::marker::PhantomData;

const MASK: u64 = (1 << 29) - 1;

/// Repacks 32-bit limbs into 29-bit limbs (value must fit in 29N bits).
pub const fn repack29<const M: usize, const N: usize>(a: &[u32; M]) -> [u64; N] {
    let mut out = [0u64; N];
    let mut bit = 0usize;
    while bit < 32 * M {
        let v = (a[bit / 32] >> (bit % 32)) & 1;
        if v == 1 {
            out[bit / 29] |= 1u64 << (bit % 29);
        }
        bit += 1;
    }
    out
}

#[inline(always)]
fn unpack29<const M: usize, const N: usize>(a: &[u64; N]) -> [u32; M] {
    let mut out = [0u32; M];
    let mut acc: u64 = 0;
    let mut nbits = 0u32;
    let mut k = 0;
    for i in 0..N {
        acc |= a[i] << nbits;
        nbits += 29;
        while nbits >= 32 && k < M {
            out[k] = acc as u32;
            acc >>= 32;
            nbits -= 32;
            k += 1;
        }
    }
    if k < M {
        out[k] = acc as u32;
    }
    out
}

#[inline(always)]
fn repack29_rt<const M: usize, const N: usize>(a: &[u32; M]) -> [u64; N] {
    let mut out = [0u64; N];
    let mut acc: u64 = 0;
    let mut nbits = 0u32;
    let mut k = 0;
    for i in 0..M {
        acc |= (a[i] as u64) << nbits;
        nbits += 32;
        while nbits >= 29 && k < N {
            out[k] = acc & MASK;
            acc >>= 29;
            nbits -= 29;
            k += 1;
        }
    }
    if k < N {
        out[k] = acc;
    }
    out
}

pub struct F29<const M: usize, const N: usize, P: FpParams<M>> {
    pub l: [u64; N],
    _p: PhantomData<P>,
}

impl<const M: usize, const N: usize, P: FpParams<M>> Clone for F29<M, N, P> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}
impl<const M: usize, const N: usize, P: FpParams<M>> Copy for F29<M, N, P> {}
impl<const M: usize, const N: usize, P: FpParams<M>> PartialEq for F29<M, N, P> {
    #[inline(always)]
    fn eq(&self, o: &Self) -> bool {
        // Limb-wise OR of XORs: `==` on arrays lowered to a memcmp call (6% of a native MSM profile).
        let mut d = 0u64;
        for i in 0..N {
            d |= self.l[i] ^ o.l[i];
        }
        d == 0
    }
}
impl<const M: usize, const N: usize, P: FpParams<M>> core::fmt::Debug for F29<M, N, P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:?}", self.to_fp())
    }
}

impl<const M: usize, const N: usize, P: FpParams<M>> F29<M, N, P> {
    const P29: [u64; N] = repack29(&P::MODULUS);
    const INV29: u64 = (P::INV as u64) & MASK;
    /// Montgomery one: R' mod p.
    const ONE: [u64; N] = repack29(&pow2_mod(29 * N, &P::MODULUS));
    /// R'^2 mod p: standard -> Montgomery.
    const R2: [u64; N] = repack29(&pow2_mod(58 * N, &P::MODULUS));
    /// Montgomery form of 2^(29N-32M): wire (R) -> internal (R').
    const FROM_WIRE: [u64; N] = repack29(&pow2_mod(2 * 29 * N - 32 * M, &P::MODULUS));
    /// Montgomery form of 2^(32M-29N): internal -> wire, i.e. R mod p.
    const TO_WIRE: [u64; N] = repack29(&pow2_mod(32 * M, &P::MODULUS));

    #[inline(always)]
    const fn raw(l: [u64; N]) -> Self {
        F29 { l, _p: PhantomData }
    }

    /// t mod p for t < 2p, both normalised.
    #[inline(always)]
    fn reduce_once(t: [u64; N]) -> [u64; N] {
        let mut s = [0u64; N];
        let mut borrow = 0u64;
        for i in 0..N {
            let d = t[i].wrapping_sub(Self::P29[i]).wrapping_sub(borrow);
            s[i] = d & MASK;
            borrow = d >> 63;
        }
        if borrow == 0 {
            s
        } else {
            t
        }
    }

    #[inline(always)]
    pub fn mont_mul(a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let p = &Self::P29;
        // t has 2N columns; column i+j collects a[j]*b[i] and m_i*p[j] (at most 2N products).
        // 2N <= 28 columns; a fixed array keeps every index a compile-time constant once unrolled.
        let mut t = [0u64; 32];
        for i in 0..N {
            let bi = b[i];
            for j in 0..N {
                t[i + j] += a[j] * bi;
            }
            let m = (t[i].wrapping_mul(Self::INV29)) & MASK;
            for j in 0..N {
                t[i + j] += m * p[j];
            }
            // t[i] is now divisible by 2^29: move its carry up (keeps the next column exact).
            t[i + 1] += t[i] >> 29;
        }
        // Normalise the top half into 29-bit limbs; the value is < 2p < 2^(29N).
        let mut r = [0u64; N];
        let mut carry = 0u64;
        for j in 0..N {
            let v = t[N + j] + carry;
            r[j] = v & MASK;
            carry = v >> 29;
        }
        Self::reduce_once(r)
    }

    /// Column sums of a*b, carries not moved: column k holds at most N products < 2^58.
    #[inline(always)]
    fn product_columns(a: &[u64; N], b: &[u64; N]) -> [u64; 32] {
        let mut t = [0u64; 32];
        for i in 0..N {
            for j in 0..N {
                t[i + j] += a[j] * b[i];
            }
        }
        t
    }

    /// a + b in normalised 29-bit limbs, not reduced: < 2p < 2^(29N), which mont_mul accepts
    /// (its result stays below 2p: 4p^2/R' + p < 2p on both curves).
    #[inline(always)]
    fn add_unreduced(a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; N];
        let mut carry = 0u64;
        for i in 0..N {
            let s = a[i] + b[i] + carry;
            t[i] = s & MASK;
            carry = s >> 29;
        }
        t
    }

    /// a + p - b for a, b < p: in (0, 2p), normalised, not reduced.
    #[inline(always)]
    fn sub_plus_p(a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; N];
        let mut carry = 0i64;
        for i in 0..N {
            let s = a[i] as i64 + Self::P29[i] as i64 - b[i] as i64 + carry;
            t[i] = (s as u64) & MASK;
            carry = s >> 29;
        }
        t
    }

    /// Montgomery reduction of signed column sums whose value X lies in (-p^2, 4p^2): X / R' mod
    /// p, fully reduced. Columns stay inside i64: |column| <= 2N * (2^29 - 1)^2 < 2^62.81 for
    /// N = 14 (BLS12-381) with the N products m * p[j] added, and the carries are arithmetic shifts.
    /// The result before the last step lies in (-p, 2p) (p/R' < 2^-7 on both curves): one
    /// conditional add or subtract of p.
    #[inline(always)]
    fn redc_signed(mut t: [i64; 32]) -> [u64; N] {
        let p = &Self::P29;
        for i in 0..N {
            let m = ((t[i] as u64).wrapping_mul(Self::INV29)) & MASK;
            for j in 0..N {
                t[i + j] += (m * p[j]) as i64;
            }
            t[i + 1] += t[i] >> 29;
        }
        let mut r = [0u64; N];
        let mut carry = 0i64;
        for j in 0..N {
            let v = t[N + j] + carry;
            r[j] = (v as u64) & MASK;
            carry = v >> 29;
        }
        if carry < 0 {
            // Negative (carry is -1): add p; the carry out of the top limb cancels the -1.
            let mut c = 0u64;
            for j in 0..N {
                let s = r[j] + p[j] + c;
                r[j] = s & MASK;
                c = s >> 29;
            }
            r
        } else {
            Self::reduce_once(r)
        }
    }

    pub fn from_fp(x: &Fp<M, P>) -> Self {
        Self::raw(Self::mont_mul(&repack29_rt(&x.l), &Self::FROM_WIRE))
    }

    pub fn to_fp(&self) -> Fp<M, P> {
        Fp::from_mont_limbs(unpack29(&Self::mont_mul(&self.l, &Self::TO_WIRE)))
    }

    pub fn pow(&self, e: &[u32]) -> Self {
        let mut r = Self::one();
        let mut started = false;
        for i in (0..e.len()).rev() {
            for b in (0..32).rev() {
                if started {
                    r = r.square();
                }
                if (e[i] >> b) & 1 == 1 {
                    r = if started { r.mul(self) } else { *self };
                    started = true;
                }
            }
        }
        r
    }

    /// Standard-form limbs (< p) to Montgomery.
    pub fn from_std(l: [u32; M]) -> Self {
        Self::raw(Self::mont_mul(&repack29_rt(&l), &Self::R2))
    }

    /// Limbs taken as they are (no Montgomery conversion), see ntt.rs.
    #[inline(always)]
    pub fn load_raw(l: &[u32; M]) -> Self {
        Self::raw(repack29_rt(l))
    }

    #[inline(always)]
    pub fn store_raw(&self) -> [u32; M] {
        unpack29(&self.l)
    }

    pub fn from_hex(s: &str) -> Self {
        Self::raw(Self::mont_mul(&repack29(&hex_limbs::<M>(s)), &Self::R2))
    }
}

impl<const M: usize, const N: usize, P: FpParams<M>> Field for F29<M, N, P> {
    const BYTES: usize = 4 * M;
    #[inline(always)]
    fn zero() -> Self {
        Self::raw([0; N])
    }
    #[inline(always)]
    fn one() -> Self {
        Self::raw(Self::ONE)
    }
    #[inline(always)]
    fn is_zero(&self) -> bool {
        self.l.iter().all(|&x| x == 0)
    }
    #[inline(always)]
    fn add(&self, o: &Self) -> Self {
        let mut t = [0u64; N];
        let mut carry = 0u64;
        for i in 0..N {
            let s = self.l[i] + o.l[i] + carry;
            t[i] = s & MASK;
            carry = s >> 29;
        }
        Self::raw(Self::reduce_once(t))
    }
    #[inline(always)]
    fn sub(&self, o: &Self) -> Self {
        let mut t = [0u64; N];
        let mut borrow = 0u64;
        for i in 0..N {
            let d = self.l[i].wrapping_sub(o.l[i]).wrapping_sub(borrow);
            t[i] = d & MASK;
            borrow = d >> 63;
        }
        // Branchless: add p masked by the borrow (a data-dependent branch mispredicts half the time).
        let keep = 0u64.wrapping_sub(borrow);
        let mut carry = 0u64;
        for i in 0..N {
            let s = t[i] + (Self::P29[i] & keep) + carry;
            t[i] = s & MASK;
            carry = s >> 29;
        }
        Self::raw(t)
    }
    #[inline(always)]
    fn double(&self) -> Self {
        self.add(self)
    }
    #[inline(always)]
    fn neg(&self) -> Self {
        if self.is_zero() {
            *self
        } else {
            Self::zero().sub(self)
        }
    }
    #[inline(always)]
    fn mul(&self, o: &Self) -> Self {
        Self::raw(Self::mont_mul(&self.l, &o.l))
    }
    #[inline(always)]
    fn square(&self) -> Self {
        // A dedicated squaring (N(N+1)/2 + N^2 products) measured no faster in the MSM here.
        self.mul(self)
    }
    fn inverse(&self) -> Self {
        self.pow(&P::P_MINUS_2)
    }
    fn from_u64(x: u64) -> Self {
        let mut l = [0u32; M];
        l[0] = x as u32;
        l[1] = (x >> 32) as u32;
        Self::raw(Self::mont_mul(&repack29_rt(&l), &Self::R2))
    }
    fn read_checked(bytes: &[u8]) -> Option<Self> {
        Fp::<M, P>::read_checked(bytes).map(|x| Self::from_fp(&x))
    }
    /// Karatsuba with lazy reduction: the three products stay as column sums, a0 b0 - a1 b1 and
    /// (a0 + a1)(b0 + b1) - a0 b0 - a1 b1 are formed column by column, and only those two are
    /// reduced: 3 products + 2 reductions (5 N^2 multiplications instead of 6), and no reduced
    /// additions or subtractions. a0 b1 + a1 b0 >= 0 and |a0 b0 - a1 b1| < p^2 keep redc_signed's bounds.
    #[inline(always)]
    fn fp2_mul(a0: &Self, a1: &Self, b0: &Self, b1: &Self) -> (Self, Self) {
        let t0 = Self::product_columns(&a0.l, &b0.l);
        let t1 = Self::product_columns(&a1.l, &b1.l);
        let t2 = Self::product_columns(&Self::add_unreduced(&a0.l, &a1.l), &Self::add_unreduced(&b0.l, &b1.l));
        let mut c0 = [0i64; 32];
        let mut c1 = [0i64; 32];
        for k in 0..2 * N - 1 {
            c0[k] = t0[k] as i64 - t1[k] as i64;
            c1[k] = t2[k] as i64 - t0[k] as i64 - t1[k] as i64;
        }
        (Self::raw(Self::redc_signed(c0)), Self::raw(Self::redc_signed(c1)))
    }
    /// (a0 + a1)(a0 + p - a1) and (2 a0) a1 with unreduced factors below 2p: 2 products, no
    /// reduced additions.
    #[inline(always)]
    fn fp2_square(a0: &Self, a1: &Self) -> (Self, Self) {
        let c0 = Self::mont_mul(&Self::add_unreduced(&a0.l, &a1.l), &Self::sub_plus_p(&a0.l, &a1.l));
        let c1 = Self::mont_mul(&Self::add_unreduced(&a0.l, &a0.l), &a1.l);
        (Self::raw(c0), Self::raw(c1))
    }
    fn write(&self, out: &mut [u8]) {
        self.to_fp().write(out)
    }
}

pub type Bn254Fq = F29<8, 9, Bn254FpP>;
pub type Bn254Fr29 = F29<8, 9, Bn254FrP>;
pub type Bls381Fr29 = F29<8, 9, Bls381FrP>;
pub type Bls381Fq = F29<12, 14, Bls381FpP>;

#[cfg(test)]
mod tests {
    use super::*;

    fn check<const M: usize, const N: usize, P: FpParams<M>>() {
        let mut st = 99u64;
        let mut rnd = || {
            let mut l = [0u32; M];
            for x in l.iter_mut() {
                st = st
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                *x = (st >> 32) as u32;
            }
            l[M - 1] >>= 4;
            Fp::<M, P>::from_std(l)
        };
        let mut edge = vec![Fp::<M, P>::zero(), Fp::one(), Fp::one().neg()];
        for i in 0..M {
            let mut l = [0u32; M];
            l[i] = 1;
            let v = Fp::<M, P>::from_std(l);
            edge.extend([v, v.sub(&Fp::one()), v.add(&Fp::one())]);
        }
        for _ in 0..200 {
            edge.push(rnd());
        }
        for a in edge.iter() {
            let a29 = F29::<M, N, P>::from_fp(a);
            assert!(a29.to_fp() == *a);
            for b in edge.iter().take(40) {
                let b29 = F29::<M, N, P>::from_fp(b);
                assert!(a29.mul(&b29).to_fp() == a.mul(b));
                assert!(a29.add(&b29).to_fp() == a.add(b));
                assert!(a29.sub(&b29).to_fp() == a.sub(b));
            }
            assert!(a29.neg().to_fp() == a.neg());
            assert!(a29.inverse().to_fp() == a.inverse());
        }
        // Fp2 products against the 32-bit field's plain Karatsuba (edges: 0, 1, p - 1, limb
        // boundaries, and 200 random values; every pair of the first 40 with the rest).
        for (k, a0) in edge.iter().enumerate() {
            let a1 = &edge[(k * 7 + 3) % edge.len()];
            let (s0, s1) = <Fp<M, P> as Field>::fp2_square(a0, a1);
            let (q0, q1) = F29::<M, N, P>::fp2_square(&F29::from_fp(a0), &F29::from_fp(a1));
            assert!(q0.to_fp() == s0 && q1.to_fp() == s1, "fp2_square at {k}");
            for (j, b0) in edge.iter().take(40).enumerate() {
                let b1 = &edge[(j * 13 + k) % edge.len()];
                let (w0, w1) = <Fp<M, P> as Field>::fp2_mul(a0, a1, b0, b1);
                let (g0, g1) = F29::<M, N, P>::fp2_mul(&F29::from_fp(a0), &F29::from_fp(a1), &F29::from_fp(b0), &F29::from_fp(b1));
                assert!(g0.to_fp() == w0 && g1.to_fp() == w1, "fp2_mul at {k}, {j}");
            }
        }
        // Every combination of 0, 1, p - 1 and the first limb boundaries (the bounds' worst cases).
        let few = &edge[..6];
        for a0 in few {
            for a1 in few {
                for b0 in few {
                    for b1 in few {
                        let (w0, w1) = <Fp<M, P> as Field>::fp2_mul(a0, a1, b0, b1);
                        let (g0, g1) = F29::<M, N, P>::fp2_mul(&F29::from_fp(a0), &F29::from_fp(a1), &F29::from_fp(b0), &F29::from_fp(b1));
                        assert!(g0.to_fp() == w0 && g1.to_fp() == w1);
                    }
                }
            }
        }
        assert!(F29::<M, N, P>::from_u64(77).to_fp() == Fp::from_u64(77));
        assert!(F29::<M, N, P>::one().to_fp() == Fp::one());
    }

    #[test]
    fn matches_32bit_field() {
        check::<8, 9, Bn254FpP>();
        check::<12, 14, Bls381FpP>();
    }
}
