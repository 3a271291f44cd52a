//! Short Weierstrass curves y^2 = x^3 + b (a = 0) over a generic coordinate field, so one MSM
//! serves all four (curve, group) pairs. Accumulation uses XYZZ coordinates (x = X/ZZ,
//! y = Y/ZZZ): a mixed add costs 8M+2S and a full add 12M+2S, cheaper than Jacobian.

use crate::field::*;
use crate::field29::{Bls381Fq, Bn254Fq};

pub type Bn254Fq2 = Fp2<Bn254Fq>;
pub type Bls381Fq2 = Fp2<Bls381Fq>;

pub trait Curve: 'static {
    type F: Field;
    /// Scalar bit length (the group order r < 2^SCALAR_BITS).
    const SCALAR_BITS: u32;
    fn b() -> Self::F;
    fn generator() -> Affine<Self::F>;
}

/// Affine point; `inf` marks the point at infinity (encoded as all-zero bytes).
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Affine<F: Field> {
    pub x: F,
    pub y: F,
    pub inf: bool,
}

impl<F: Field> Affine<F> {
    pub fn infinity() -> Self {
        Affine {
            x: F::zero(),
            y: F::zero(),
            inf: true,
        }
    }
    pub fn neg(&self) -> Self {
        Affine {
            x: self.x,
            y: self.y.neg(),
            inf: self.inf,
        }
    }
    /// Reads x || y; all-zero bytes are infinity. None when a coordinate is >= p.
    pub fn read(bytes: &[u8]) -> Option<Self> {
        if bytes[..2 * F::BYTES].iter().all(|&b| b == 0) {
            return Some(Self::infinity());
        }
        let x = F::read_checked(&bytes[..F::BYTES])?;
        let y = F::read_checked(&bytes[F::BYTES..2 * F::BYTES])?;
        Some(Affine { x, y, inf: false })
    }
    pub fn write(&self, out: &mut [u8]) {
        if self.inf {
            out[..2 * F::BYTES].fill(0);
        } else {
            self.x.write(&mut out[..F::BYTES]);
            self.y.write(&mut out[F::BYTES..2 * F::BYTES]);
        }
    }
    pub fn on_curve(&self, b: &F) -> bool {
        self.inf || self.y.square() == self.x.square().mul(&self.x).add(b)
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Xyzz<F: Field> {
    pub x: F,
    pub y: F,
    pub zz: F,
    pub zzz: F,
}

impl<F: Field> Xyzz<F> {
    #[inline(always)]
    pub fn infinity() -> Self {
        Xyzz {
            x: F::one(),
            y: F::one(),
            zz: F::zero(),
            zzz: F::zero(),
        }
    }
    #[inline(always)]
    pub fn is_inf(&self) -> bool {
        self.zz.is_zero()
    }
    pub fn from_affine(p: &Affine<F>) -> Self {
        if p.inf {
            Self::infinity()
        } else {
            Xyzz {
                x: p.x,
                y: p.y,
                zz: F::one(),
                zzz: F::one(),
            }
        }
    }
    pub fn to_affine(&self) -> Affine<F> {
        if self.is_inf() {
            return Affine::infinity();
        }
        // One inversion: 1/ZZZ and ZZ/ZZZ... use 1/(ZZ*ZZZ) for both.
        let t = self.zz.mul(&self.zzz).inverse();
        let izz = t.mul(&self.zzz);
        let izzz = t.mul(&self.zz);
        Affine {
            x: self.x.mul(&izz),
            y: self.y.mul(&izzz),
            inf: false,
        }
    }

    /// dbl-2008-s-1 (a = 0).
    #[inline]
    pub fn double(&self) -> Self {
        if self.is_inf() {
            return *self;
        }
        let u = self.y.double();
        let v = u.square();
        let w = u.mul(&v);
        let s = self.x.mul(&v);
        let x2 = self.x.square();
        let m = x2.double().add(&x2);
        let x3 = m.square().sub(&s.double());
        let y3 = m.mul(&s.sub(&x3)).sub(&w.mul(&self.y));
        Xyzz {
            x: x3,
            y: y3,
            zz: v.mul(&self.zz),
            zzz: w.mul(&self.zzz),
        }
    }

    /// Doubling of an affine point (mdbl-2008-s-1).
    #[inline]
    fn double_affine(p: &Affine<F>) -> Self {
        let u = p.y.double();
        let v = u.square();
        let w = u.mul(&v);
        let s = p.x.mul(&v);
        let x2 = p.x.square();
        let m = x2.double().add(&x2);
        let x3 = m.square().sub(&s.double());
        let y3 = m.mul(&s.sub(&x3)).sub(&w.mul(&p.y));
        Xyzz {
            x: x3,
            y: y3,
            zz: v,
            zzz: w,
        }
    }

    /// self + affine q (madd-2008-s), exact in every special case.
    #[inline]
    pub fn add_affine(&self, q: &Affine<F>) -> Self {
        if q.inf {
            return *self;
        }
        if self.is_inf() {
            return Self::from_affine(q);
        }
        let u2 = q.x.mul(&self.zz);
        let s2 = q.y.mul(&self.zzz);
        let p = u2.sub(&self.x);
        let r = s2.sub(&self.y);
        if p.is_zero() {
            return if r.is_zero() {
                Self::double_affine(q)
            } else {
                Self::infinity()
            };
        }
        let pp = p.square();
        let ppp = p.mul(&pp);
        let qq = self.x.mul(&pp);
        let x3 = r.square().sub(&ppp).sub(&qq.double());
        let y3 = r.mul(&qq.sub(&x3)).sub(&self.y.mul(&ppp));
        Xyzz {
            x: x3,
            y: y3,
            zz: self.zz.mul(&pp),
            zzz: self.zzz.mul(&ppp),
        }
    }

    /// self + q (add-2008-s), exact in every special case.
    #[inline]
    pub fn add(&self, q: &Self) -> Self {
        if q.is_inf() {
            return *self;
        }
        if self.is_inf() {
            return *q;
        }
        let u1 = self.x.mul(&q.zz);
        let u2 = q.x.mul(&self.zz);
        let s1 = self.y.mul(&q.zzz);
        let s2 = q.y.mul(&self.zzz);
        let p = u2.sub(&u1);
        let r = s2.sub(&s1);
        if p.is_zero() {
            return if r.is_zero() {
                self.double()
            } else {
                Self::infinity()
            };
        }
        let pp = p.square();
        let ppp = p.mul(&pp);
        let qq = u1.mul(&pp);
        let x3 = r.square().sub(&ppp).sub(&qq.double());
        let y3 = r.mul(&qq.sub(&x3)).sub(&s1.mul(&ppp));
        Xyzz {
            x: x3,
            y: y3,
            zz: self.zz.mul(&q.zz).mul(&pp),
            zzz: self.zzz.mul(&q.zzz).mul(&ppp),
        }
    }

    /// [k]P by double-and-add over little-endian u32 limbs (not constant time: test/bench use).
    pub fn mul_scalar(p: &Affine<F>, k: &[u32]) -> Self {
        let mut acc = Self::infinity();
        for i in (0..k.len()).rev() {
            for b in (0..32).rev() {
                acc = acc.double();
                if (k[i] >> b) & 1 == 1 {
                    acc = acc.add_affine(p);
                }
            }
        }
        acc
    }
}

/// In-place batch inversion (Montgomery's trick); zeros stay zero. `scratch` is resized.
pub fn batch_inverse<F: Field>(v: &mut [F], scratch: &mut Vec<F>) {
    scratch.clear();
    let mut acc = F::one();
    for x in v.iter() {
        scratch.push(acc);
        if !x.is_zero() {
            acc = acc.mul(x);
        }
    }
    let mut inv = acc.inverse();
    for i in (0..v.len()).rev() {
        if !v[i].is_zero() {
            let t = inv.mul(&scratch[i]);
            inv = inv.mul(&v[i]);
            v[i] = t;
        }
    }
}

// ---- the four groups (coordinates in the 29-bit-limb fields, see field29.rs) ----

pub struct Bn254G1;
impl Curve for Bn254G1 {
    type F = Bn254Fq;
    const SCALAR_BITS: u32 = 254;
    fn b() -> Bn254Fq {
        Bn254Fq::from_u64(3)
    }
    fn generator() -> Affine<Bn254Fq> {
        Affine {
            x: Bn254Fq::from_u64(1),
            y: Bn254Fq::from_u64(2),
            inf: false,
        }
    }
}

pub struct Bn254G2;
impl Curve for Bn254G2 {
    type F = Bn254Fq2;
    const SCALAR_BITS: u32 = 254;
    fn b() -> Bn254Fq2 {
        // 3 / (9 + u), the D-type twist.
        let xi = Fp2 {
            c0: Bn254Fq::from_u64(9),
            c1: Bn254Fq::from_u64(1),
        };
        Bn254Fq2::from_u64(3).mul(&xi.inverse())
    }
    fn generator() -> Affine<Bn254Fq2> {
        Affine {
            x: Fp2 {
                c0: Bn254Fq::from_hex(
                    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed",
                ),
                c1: Bn254Fq::from_hex(
                    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2",
                ),
            },
            y: Fp2 {
                c0: Bn254Fq::from_hex(
                    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa",
                ),
                c1: Bn254Fq::from_hex(
                    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b",
                ),
            },
            inf: false,
        }
    }
}

pub struct Bls381G1;
impl Curve for Bls381G1 {
    type F = Bls381Fq;
    const SCALAR_BITS: u32 = 255;
    fn b() -> Bls381Fq {
        Bls381Fq::from_u64(4)
    }
    fn generator() -> Affine<Bls381Fq> {
        Affine {
            x: Bls381Fq::from_hex("17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"),
            y: Bls381Fq::from_hex("08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1"),
            inf: false,
        }
    }
}

pub struct Bls381G2;
impl Curve for Bls381G2 {
    type F = Bls381Fq2;
    const SCALAR_BITS: u32 = 255;
    fn b() -> Bls381Fq2 {
        // 4(1 + u), the M-type twist.
        Fp2 {
            c0: Bls381Fq::from_u64(4),
            c1: Bls381Fq::from_u64(4),
        }
    }
    fn generator() -> Affine<Bls381Fq2> {
        Affine {
            x: Fp2 {
                c0: Bls381Fq::from_hex("024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"),
                c1: Bls381Fq::from_hex("13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e"),
            },
            y: Fp2 {
                c0: Bls381Fq::from_hex("0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801"),
                c1: Bls381Fq::from_hex("0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be"),
            },
            inf: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<C: Curve>() {
        let g = C::generator();
        assert!(g.on_curve(&C::b()));
        let g2 = Xyzz::from_affine(&g).double().to_affine();
        assert!(g2.on_curve(&C::b()));
        let g3 = Xyzz::from_affine(&g2).add_affine(&g).to_affine();
        let g3b = Xyzz::mul_scalar(&g, &[3]).to_affine();
        assert_eq!(g3, g3b);
        assert!(Xyzz::from_affine(&g).add_affine(&g.neg()).is_inf());
        let a = Xyzz::mul_scalar(&g, &[5])
            .add(&Xyzz::mul_scalar(&g, &[7]))
            .to_affine();
        assert_eq!(a, Xyzz::mul_scalar(&g, &[12]).to_affine());
    }

    #[test]
    fn generators_on_curve() {
        check::<Bn254G1>();
        check::<Bn254G2>();
        check::<Bls381G1>();
        check::<Bls381G2>();
    }
}
