//! Prime fields in Montgomery form with 32-bit limbs, and the quadratic extension Fp2 = Fp[u]/(u^2+1).
//!
//! 32-bit limbs with u64 accumulators: wasm32 has a native 64x64->64 multiply but no 64x64->128
//! (a 4x64-bit CIOS calls __multi3 and measured 2x slower, 122 ms vs 60 ms per 1M BN254 products).
//! R = 2^(32*N), which is 2^256 for BN254 Fp/Fr and BLS12-381 Fr, 2^384 for BLS12-381 Fp: exactly
//! the Montgomery form ffjavascript/snarkjs store in .zkey files, so points are used as they come.
//! Every constant below is derived from the modulus at compile time (const fn), nothing is pasted.

use core::marker::PhantomData;

/// Little-endian u32 limbs of a hex literal (no 0x prefix).
pub const fn hex_limbs<const N: usize>(s: &str) -> [u32; N] {
    let b = s.as_bytes();
    let mut out = [0u32; N];
    let mut bit = 0usize;
    let mut k = b.len();
    while k > 0 {
        k -= 1;
        let c = b[k];
        let v = if c >= b'0' && c <= b'9' {
            c - b'0'
        } else if c >= b'a' && c <= b'f' {
            c - b'a' + 10
        } else if c >= b'A' && c <= b'F' {
            c - b'A' + 10
        } else {
            panic!("bad hex digit")
        } as u32;
        out[bit / 32] |= v << (bit % 32);
        bit += 4;
    }
    out
}

pub const fn limbs_geq<const N: usize>(a: &[u32; N], b: &[u32; N]) -> bool {
    let mut i = N;
    while i > 0 {
        i -= 1;
        if a[i] != b[i] {
            return a[i] > b[i];
        }
    }
    true
}

pub const fn limbs_sub<const N: usize>(a: &[u32; N], b: &[u32; N]) -> [u32; N] {
    let mut out = [0u32; N];
    let mut borrow = 0u64;
    let mut i = 0;
    while i < N {
        let d = (a[i] as u64).wrapping_sub(b[i] as u64).wrapping_sub(borrow);
        out[i] = d as u32;
        borrow = (d >> 63) & 1;
        i += 1;
    }
    out
}

/// 2a mod p for a < p (p < 2^(32N-1), so 2a does not overflow N limbs).
const fn mod_double<const N: usize>(a: &[u32; N], p: &[u32; N]) -> [u32; N] {
    let mut out = [0u32; N];
    let mut carry = 0u32;
    let mut i = 0;
    while i < N {
        out[i] = (a[i] << 1) | carry;
        carry = a[i] >> 31;
        i += 1;
    }
    if limbs_geq(&out, p) {
        limbs_sub(&out, p)
    } else {
        out
    }
}

/// 2^k mod p.
pub const fn pow2_mod<const N: usize>(k: usize, p: &[u32; N]) -> [u32; N] {
    let mut a = [0u32; N];
    a[0] = 1;
    let mut i = 0;
    while i < k {
        a = mod_double(&a, p);
        i += 1;
    }
    a
}

/// -p^{-1} mod 2^32 by Newton iteration (each step doubles the correct low bits: 5 steps > 32).
const fn neg_inv32(p0: u32) -> u32 {
    let mut inv = 1u32;
    let mut i = 0;
    while i < 5 {
        inv = inv.wrapping_mul(2u32.wrapping_sub(p0.wrapping_mul(inv)));
        i += 1;
    }
    inv.wrapping_neg()
}

/// Parameters of one prime field. Only MODULUS is given; the rest is derived.
pub trait FpParams<const N: usize>: 'static + Copy + Send + Sync {
    const MODULUS: [u32; N];
    /// -p^{-1} mod 2^32.
    const INV: u32 = neg_inv32(Self::MODULUS[0]);
    /// R mod p (Montgomery one).
    const R: [u32; N] = pow2_mod(32 * N, &Self::MODULUS);
    /// R^2 mod p (converts standard -> Montgomery).
    const R2: [u32; N] = pow2_mod(64 * N, &Self::MODULUS);
    /// p - 2 (Fermat inverse exponent).
    const P_MINUS_2: [u32; N] = {
        let mut two = [0u32; N];
        two[0] = 2;
        limbs_sub(&Self::MODULUS, &two)
    };
}

/// The operations MSM and curve code need, implemented by Fp and Fp2.
pub trait Field: Copy + Clone + PartialEq + core::fmt::Debug + Sized + 'static {
    /// Bytes in the wire encoding (Montgomery, little-endian).
    const BYTES: usize;
    fn zero() -> Self;
    fn one() -> Self;
    fn is_zero(&self) -> bool;
    fn add(&self, o: &Self) -> Self;
    fn sub(&self, o: &Self) -> Self;
    fn double(&self) -> Self;
    fn neg(&self) -> Self;
    fn mul(&self, o: &Self) -> Self;
    fn square(&self) -> Self;
    /// Multiplicative inverse; zero maps to zero.
    fn inverse(&self) -> Self;
    fn from_u64(x: u64) -> Self;
    /// Reads the Montgomery-form wire encoding; None when a coordinate is not below p.
    fn read_checked(bytes: &[u8]) -> Option<Self>;
    fn write(&self, out: &mut [u8]);
    /// (a0 + a1 u)(b0 + b1 u) in F[u]/(u^2 + 1), the Fp2 of both curves: Karatsuba, 3 products.
    /// F29 overrides it with lazy reduction (2 reductions instead of 3).
    #[inline(always)]
    fn fp2_mul(a0: &Self, a1: &Self, b0: &Self, b1: &Self) -> (Self, Self) {
        let a = a0.mul(b0);
        let b = a1.mul(b1);
        let c = a0.add(a1).mul(&b0.add(b1));
        (a.sub(&b), c.sub(&a).sub(&b))
    }
    /// (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u: 2 products.
    #[inline(always)]
    fn fp2_square(a0: &Self, a1: &Self) -> (Self, Self) {
        let ab = a0.mul(a1);
        (a0.add(a1).mul(&a0.sub(a1)), ab.double())
    }
}

#[repr(transparent)]
pub struct Fp<const N: usize, P: FpParams<N>> {
    pub l: [u32; N],
    _p: PhantomData<P>,
}

impl<const N: usize, P: FpParams<N>> Clone for Fp<N, P> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}
impl<const N: usize, P: FpParams<N>> Copy for Fp<N, P> {}
impl<const N: usize, P: FpParams<N>> PartialEq for Fp<N, P> {
    #[inline(always)]
    fn eq(&self, o: &Self) -> bool {
        let mut d = 0u32;
        for i in 0..N {
            d |= self.l[i] ^ o.l[i];
        }
        d == 0
    }
}
impl<const N: usize, P: FpParams<N>> core::fmt::Debug for Fp<N, P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let s = self.to_std();
        for i in (0..N).rev() {
            write!(f, "{:08x}", s[i])?;
        }
        Ok(())
    }
}

impl<const N: usize, P: FpParams<N>> Fp<N, P> {
    #[inline(always)]
    pub const fn from_mont_limbs(l: [u32; N]) -> Self {
        Fp { l, _p: PhantomData }
    }

    /// Standard-form limbs (must be < p) to Montgomery.
    #[inline]
    pub fn from_std(l: [u32; N]) -> Self {
        Self::from_mont_limbs(l).mul(&Self::from_mont_limbs(P::R2))
    }

    pub fn from_hex(s: &str) -> Self {
        Self::from_std(hex_limbs::<N>(s))
    }

    #[inline]
    pub fn to_std(&self) -> [u32; N] {
        let mut one = [0u32; N];
        one[0] = 1;
        self.mul(&Self::from_mont_limbs(one)).l
    }

    /// t mod p for t < 2p.
    #[inline(always)]
    fn reduce_once(t: [u32; N]) -> [u32; N] {
        let mut s = [0u32; N];
        let mut borrow = 0u64;
        for i in 0..N {
            let d = (t[i] as u64)
                .wrapping_sub(P::MODULUS[i] as u64)
                .wrapping_sub(borrow);
            s[i] = d as u32;
            borrow = (d >> 63) & 1;
        }
        if borrow == 0 {
            s
        } else {
            t
        }
    }

    /// Montgomery product by CIOS with the "no final carry" shortcut: the top limb of both
    /// moduli used here is below 2^31 - 1, so the running value never needs an extra limb
    /// (gnark-crypto, "Faster Montgomery multiplication", 2020). Measured in wasm: 65 ns per
    /// BN254 product; a product-scanning variant (split u64 column accumulators) took 115 ns.
    #[inline(always)]
    pub fn mont_mul(a: &[u32; N], b: &[u32; N]) -> [u32; N] {
        let p = &P::MODULUS;
        let mut t = [0u32; N];
        let mut i = 0;
        while i < N {
            let bi = b[i] as u64;
            let s = t[0] as u64 + a[0] as u64 * bi;
            let mut ca = s >> 32;
            let t0 = s as u32;
            let m = t0.wrapping_mul(P::INV) as u64;
            let s2 = t0 as u64 + m * p[0] as u64;
            let mut cc = s2 >> 32;
            let mut j = 1;
            while j < N {
                let s = t[j] as u64 + a[j] as u64 * bi + ca;
                ca = s >> 32;
                let s2 = (s as u32) as u64 + m * p[j] as u64 + cc;
                cc = s2 >> 32;
                t[j - 1] = s2 as u32;
                j += 1;
            }
            t[N - 1] = (ca + cc) as u32;
            i += 1;
        }
        Self::reduce_once(t)
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

    pub fn pow_u64(&self, mut e: u64) -> Self {
        let mut base = *self;
        let mut r = Self::one();
        while e > 0 {
            if e & 1 == 1 {
                r = r.mul(&base);
            }
            base = base.square();
            e >>= 1;
        }
        r
    }

    /// Reinterprets aligned wire bytes as field elements (wasm32 and x86 are little-endian).
    /// Safety: `ptr` is 4-byte aligned and holds `count` elements.
    pub unsafe fn slice_mut<'a>(ptr: *mut u8, count: usize) -> &'a mut [Self] {
        core::slice::from_raw_parts_mut(ptr as *mut Self, count)
    }
}

impl<const N: usize, P: FpParams<N>> Field for Fp<N, P> {
    const BYTES: usize = 4 * N;
    #[inline(always)]
    fn zero() -> Self {
        Self::from_mont_limbs([0; N])
    }
    #[inline(always)]
    fn one() -> Self {
        Self::from_mont_limbs(P::R)
    }
    #[inline(always)]
    fn is_zero(&self) -> bool {
        self.l.iter().all(|&x| x == 0)
    }
    #[inline(always)]
    fn add(&self, o: &Self) -> Self {
        let mut t = [0u32; N];
        let mut carry = 0u64;
        for i in 0..N {
            let s = self.l[i] as u64 + o.l[i] as u64 + carry;
            t[i] = s as u32;
            carry = s >> 32;
        }
        Self::from_mont_limbs(Self::reduce_once(t))
    }
    #[inline(always)]
    fn sub(&self, o: &Self) -> Self {
        let mut t = [0u32; N];
        let mut borrow = 0u64;
        for i in 0..N {
            let d = (self.l[i] as u64)
                .wrapping_sub(o.l[i] as u64)
                .wrapping_sub(borrow);
            t[i] = d as u32;
            borrow = (d >> 63) & 1;
        }
        if borrow != 0 {
            let mut carry = 0u64;
            for i in 0..N {
                let s = t[i] as u64 + P::MODULUS[i] as u64 + carry;
                t[i] = s as u32;
                carry = s >> 32;
            }
        }
        Self::from_mont_limbs(t)
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
            Self::from_mont_limbs(limbs_sub(&P::MODULUS, &self.l))
        }
    }
    #[inline(always)]
    fn mul(&self, o: &Self) -> Self {
        Self::from_mont_limbs(Self::mont_mul(&self.l, &o.l))
    }
    #[inline(always)]
    fn square(&self) -> Self {
        self.mul(self)
    }
    fn inverse(&self) -> Self {
        self.pow(&P::P_MINUS_2)
    }
    fn from_u64(x: u64) -> Self {
        let mut l = [0u32; N];
        l[0] = x as u32;
        if N > 1 {
            l[1] = (x >> 32) as u32;
        }
        Self::from_std(l)
    }
    fn read_checked(bytes: &[u8]) -> Option<Self> {
        let mut l = [0u32; N];
        for i in 0..N {
            l[i] = u32::from_le_bytes([
                bytes[4 * i],
                bytes[4 * i + 1],
                bytes[4 * i + 2],
                bytes[4 * i + 3],
            ]);
        }
        if limbs_geq(&l, &P::MODULUS) {
            None
        } else {
            Some(Self::from_mont_limbs(l))
        }
    }
    fn write(&self, out: &mut [u8]) {
        for i in 0..N {
            out[4 * i..4 * i + 4].copy_from_slice(&self.l[i].to_le_bytes());
        }
    }
}

/// Fp2 = Fp[u]/(u^2 + 1), the G2 coordinate field of both curves.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Fp2<F: Field> {
    pub c0: F,
    pub c1: F,
}

impl<F: Field> Field for Fp2<F> {
    const BYTES: usize = 2 * F::BYTES;
    #[inline(always)]
    fn zero() -> Self {
        Fp2 {
            c0: F::zero(),
            c1: F::zero(),
        }
    }
    #[inline(always)]
    fn one() -> Self {
        Fp2 {
            c0: F::one(),
            c1: F::zero(),
        }
    }
    #[inline(always)]
    fn is_zero(&self) -> bool {
        self.c0.is_zero() && self.c1.is_zero()
    }
    #[inline(always)]
    fn add(&self, o: &Self) -> Self {
        Fp2 {
            c0: self.c0.add(&o.c0),
            c1: self.c1.add(&o.c1),
        }
    }
    #[inline(always)]
    fn sub(&self, o: &Self) -> Self {
        Fp2 {
            c0: self.c0.sub(&o.c0),
            c1: self.c1.sub(&o.c1),
        }
    }
    #[inline(always)]
    fn double(&self) -> Self {
        Fp2 {
            c0: self.c0.double(),
            c1: self.c1.double(),
        }
    }
    #[inline(always)]
    fn neg(&self) -> Self {
        Fp2 {
            c0: self.c0.neg(),
            c1: self.c1.neg(),
        }
    }
    // Not inlined: with every Fp2 product inlined, the batch-affine MSM loop grew so large that
    // V8's optimised code for it ran 25-35% slower (BN254 G2 2^14: 819 -> 623 ms, BLS12-381 G2
    // 2^12: 736 -> 473 ms, one instance, --no-liftoff); one call per product costs far less.
    #[inline(never)]
    fn mul(&self, o: &Self) -> Self {
        let (c0, c1) = F::fp2_mul(&self.c0, &self.c1, &o.c0, &o.c1);
        Fp2 { c0, c1 }
    }
    #[inline(never)]
    fn square(&self) -> Self {
        let (c0, c1) = F::fp2_square(&self.c0, &self.c1);
        Fp2 { c0, c1 }
    }
    fn inverse(&self) -> Self {
        let norm = self.c0.square().add(&self.c1.square()).inverse();
        Fp2 {
            c0: self.c0.mul(&norm),
            c1: self.c1.neg().mul(&norm),
        }
    }
    fn from_u64(x: u64) -> Self {
        Fp2 {
            c0: F::from_u64(x),
            c1: F::zero(),
        }
    }
    fn read_checked(bytes: &[u8]) -> Option<Self> {
        Some(Fp2 {
            c0: F::read_checked(&bytes[..F::BYTES])?,
            c1: F::read_checked(&bytes[F::BYTES..2 * F::BYTES])?,
        })
    }
    fn write(&self, out: &mut [u8]) {
        self.c0.write(&mut out[..F::BYTES]);
        self.c1.write(&mut out[F::BYTES..2 * F::BYTES]);
    }
}

// ---- the four fields ----

#[derive(Clone, Copy, Debug)]
pub struct Bn254FpP;
impl FpParams<8> for Bn254FpP {
    const MODULUS: [u32; 8] =
        hex_limbs("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47");
}
#[derive(Clone, Copy, Debug)]
pub struct Bn254FrP;
impl FpParams<8> for Bn254FrP {
    const MODULUS: [u32; 8] =
        hex_limbs("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001");
}
#[derive(Clone, Copy, Debug)]
pub struct Bls381FpP;
impl FpParams<12> for Bls381FpP {
    const MODULUS: [u32; 12] = hex_limbs(
        "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab",
    );
}
#[derive(Clone, Copy, Debug)]
pub struct Bls381FrP;
impl FpParams<8> for Bls381FrP {
    const MODULUS: [u32; 8] =
        hex_limbs("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
}

pub type Bn254Fp = Fp<8, Bn254FpP>;
pub type Bn254Fr = Fp<8, Bn254FrP>;
pub type Bls381Fp = Fp<12, Bls381FpP>;
pub type Bls381Fr = Fp<8, Bls381FrP>;
pub type Bn254Fp2 = Fp2<Bn254Fp>;
pub type Bls381Fp2 = Fp2<Bls381Fp>;

#[cfg(test)]
mod tests {
    use super::*;

    fn limbs_to_u128_low(l: &[u32]) -> u128 {
        l[0] as u128 | (l[1] as u128) << 32 | (l[2] as u128) << 64 | (l[3] as u128) << 96
    }

    #[test]
    fn inv_constant() {
        assert_eq!(Bn254FpP::MODULUS[0].wrapping_mul(Bn254FpP::INV), u32::MAX);
        assert_eq!(Bls381FpP::MODULUS[0].wrapping_mul(Bls381FpP::INV), u32::MAX);
    }

    #[test]
    fn small_products() {
        let a = Bn254Fp::from_u64(123456789);
        let b = Bn254Fp::from_u64(987654321);
        let c = a.mul(&b).to_std();
        assert_eq!(limbs_to_u128_low(&c), 123456789u128 * 987654321u128);
        let a = Bls381Fp::from_u64(u64::MAX);
        let c = a.square().to_std();
        assert_eq!(
            limbs_to_u128_low(&c),
            (u64::MAX as u128) * (u64::MAX as u128)
        );
    }

    #[test]
    fn inverse_and_edges() {
        // p - 1 squared is 1; inverse of x times x is 1, across limb boundaries 2^(32i) +- 1.
        let mut pm1 = Bn254FpP::MODULUS;
        pm1[0] -= 1;
        let x = Bn254Fp::from_std(pm1);
        assert!(x.square() == Bn254Fp::one());
        assert!(x.add(&Bn254Fp::one()).is_zero());
        for i in 0..8 {
            let mut l = [0u32; 8];
            l[i] = 1;
            for v in [
                Bn254Fp::from_std(l),
                Bn254Fp::from_std(l).sub(&Bn254Fp::one()),
                Bn254Fp::from_std(l).add(&Bn254Fp::one()),
            ] {
                if !v.is_zero() {
                    assert!(v.mul(&v.inverse()) == Bn254Fp::one());
                }
            }
        }
        let y = Bls381Fp2 {
            c0: Bls381Fp::from_u64(7),
            c1: Bls381Fp::from_u64(11),
        };
        assert!(y.mul(&y.inverse()) == Bls381Fp2::one());
        assert!(y.square() == y.mul(&y));
        assert!(Bn254Fp::zero().neg().is_zero());
    }
}
