//! BabyBear field, p = 2^31 - 2^27 + 1 = 0x7800_0001, and its radix-2 NTT.
//!
//! Values cross the ABI as u32 in standard form (< p) and stay so through the transform: every
//! product has one Montgomery-form constant operand (twiddle, coset power, 1/n), and
//! mont_mul(x, y*R) = x*y with R = 2^32, so no conversion passes run and the transform works in
//! place on the caller's buffer (4 bytes per value, no working copy).
//!
//! Bounds: p < 2^31, so a + b < 2^32 (add never overflows u32) and a + p - b < 2^32 (sub);
//! a*b + m*p < p^2 + 2^32 p < 2^62 + 2^63 fits u64, and (a*b + m*p) / 2^32 < 2p, so one
//! conditional subtraction reduces the Montgomery product.

/// The modulus.
pub const P: u32 = 0x7800_0001;
/// -p^-1 mod 2^32 (p * 0x8800_0001 = 1 mod 2^32).
const P_INV_NEG: u32 = 0x77ff_ffff;
/// 2^64 mod p: mont_mul(x, R2) = x*R mod p (standard -> Montgomery).
const R2: u32 = 1_172_168_163;
/// p - 1 = 2^27 * 15.
pub const TWO_ADICITY: u32 = 27;
/// 31 is the smallest generator of F_p^* (2..30 all lie in a proper subgroup; checked against
/// p - 1 = 2^27 * 3 * 5 in test/unit/math/babybear.test.ts). Roots of unity are
/// 31^((p-1)/2^k); 31^15 = 0x1a42_7a41 is the 2^27-th root Plonky3 uses too.
pub const ROOT_BASE: u32 = 31;

#[inline(always)]
pub fn add(a: u32, b: u32) -> u32 {
    let s = a + b;
    if s >= P {
        s - P
    } else {
        s
    }
}

#[inline(always)]
pub fn sub(a: u32, b: u32) -> u32 {
    if a >= b {
        a - b
    } else {
        a + P - b
    }
}

/// a*b/R mod p for a, b < p (either may be in Montgomery form; see the file comment).
#[inline(always)]
pub fn mont_mul(a: u32, b: u32) -> u32 {
    let t = a as u64 * b as u64;
    let m = (t as u32).wrapping_mul(P_INV_NEG);
    let u = ((t + m as u64 * P as u64) >> 32) as u32;
    if u >= P {
        u - P
    } else {
        u
    }
}

#[inline(always)]
pub fn to_mont(x: u32) -> u32 {
    mont_mul(x, R2)
}

/// Montgomery-form power of a Montgomery-form base.
pub fn pow_mont(base: u32, mut e: u64) -> u32 {
    let mut acc = to_mont(1);
    let mut b = base;
    while e > 0 {
        if e & 1 == 1 {
            acc = mont_mul(acc, b);
        }
        b = mont_mul(b, b);
        e >>= 1;
    }
    acc
}

/// Montgomery-form inverse (Fermat: x^(p-2)).
pub fn inv_mont(x: u32) -> u32 {
    pow_mont(x, (P - 2) as u64)
}

/// Primitive 2^log_n-th root of unity in Montgomery form.
pub fn root_mont(log_n: u32) -> u32 {
    pow_mont(to_mont(ROOT_BASE), ((P - 1) >> log_n) as u64)
}

/// Twiddle tables, [forward, inverse]: tw[h + j] = w_{2h}^j (Montgomery form) for every power of
/// two h < n, j < h; grown only when a larger size comes (4 bytes per value: 512 MiB at 2^27).
static mut TABLES: [Vec<u32>; 2] = [Vec::new(), Vec::new()];

fn table(log_n: u32, inverse: bool) -> &'static [u32] {
    // Single-threaded wasm instance: one owner at a time.
    let t = unsafe { &mut (*core::ptr::addr_of_mut!(TABLES))[inverse as usize] };
    let n = 1usize << log_n;
    if t.len() < n {
        t.clear();
        t.resize(n.max(2), 0);
        let mut h = 1usize;
        let mut lg = 1u32;
        while h < n {
            let mut w = root_mont(lg);
            if inverse {
                w = inv_mont(w);
            }
            let mut acc = to_mont(1);
            for j in 0..h {
                t[h + j] = acc;
                acc = mont_mul(acc, w);
            }
            h <<= 1;
            lg += 1;
        }
    }
    &t[..]
}

/// Blocks of up to 2^13 values (32 KiB) run all their stages while they sit in L1/L2.
const CACHE_BLOCK: usize = 1 << 13;

#[inline(always)]
fn dif_stage(a: &mut [u32], h: usize, tw: &[u32]) {
    let t = &tw[h..2 * h];
    for blk in a.chunks_exact_mut(2 * h) {
        let (lo, hi) = blk.split_at_mut(h);
        for j in 0..h {
            let u = lo[j];
            let v = hi[j];
            lo[j] = add(u, v);
            hi[j] = mont_mul(sub(u, v), t[j]);
        }
    }
}

#[inline(always)]
fn dit_stage(a: &mut [u32], h: usize, tw: &[u32]) {
    let t = &tw[h..2 * h];
    for blk in a.chunks_exact_mut(2 * h) {
        let (lo, hi) = blk.split_at_mut(h);
        for j in 0..h {
            let u = lo[j];
            let v = mont_mul(hi[j], t[j]);
            lo[j] = add(u, v);
            hi[j] = sub(u, v);
        }
    }
}

/// Natural in, bit-reversed out (Gentleman-Sande).
fn dif(a: &mut [u32], tw: &[u32]) {
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
fn dit(a: &mut [u32], tw: &[u32]) {
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

/// a[i] *= start * base^i (start, base in Montgomery form; a standard in and out).
fn mul_powers(a: &mut [u32], start: u32, base: u32) {
    let mut acc = start;
    for x in a.iter_mut() {
        *x = mont_mul(*x, acc);
        acc = mont_mul(acc, base);
    }
}

pub use crate::ntt::{bit_reverse, INVERSE, IN_BITREV, OUT_BITREV};

/// In-place NTT of standard-form values < p, same contract as `zk_ntt` (wasm/README.md):
/// forward out[k] = sum_j a[j] g^j w^(jk); inverse its exact inverse (g^-j n^-1 included).
/// `shift` is the standard-form coset generator g (1 <= g < p) or None.
pub fn ntt(a: &mut [u32], flags: u32, shift: Option<u32>) {
    let n = a.len();
    let log_n = n.trailing_zeros();
    let inverse = flags & INVERSE != 0;
    let mut bitrev = flags & IN_BITREV != 0;
    let want_bitrev = flags & OUT_BITREV != 0;
    if n <= 1 {
        return; // identity: g^0 = 1 and 1/n = 1
    }
    let tw = table(log_n, inverse);
    if !inverse {
        if let Some(g) = shift {
            if bitrev {
                bit_reverse(a);
                bitrev = false;
            }
            mul_powers(a, to_mont(1), to_mont(g));
        }
    }
    if bitrev {
        dit(a, tw);
    } else {
        dif(a, tw);
    }
    bitrev = !bitrev;
    if inverse {
        let n_inv = inv_mont(to_mont(n as u32));
        match shift {
            Some(g) => {
                if bitrev {
                    bit_reverse(a);
                    bitrev = false;
                }
                mul_powers(a, n_inv, inv_mont(to_mont(g)));
            }
            None => a.iter_mut().for_each(|x| *x = mont_mul(*x, n_inv)),
        }
    }
    if bitrev != want_bitrev {
        bit_reverse(a);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PU: u64 = P as u64;

    /// Plain u64 % p arithmetic: independent of the Montgomery code under test.
    fn mulp(a: u64, b: u64) -> u64 {
        a * b % PU
    }
    fn powp(mut b: u64, mut e: u64) -> u64 {
        let mut r = 1;
        while e > 0 {
            if e & 1 == 1 {
                r = mulp(r, b);
            }
            b = mulp(b, b);
            e >>= 1;
        }
        r
    }

    fn edges() -> Vec<u32> {
        let mut v = vec![0, 1, 2, P - 1, P - 2, (P - 1) / 2, P.div_ceil(2)];
        for b in [1u32 << 16, 1 << 27, 1 << 30] {
            v.extend([b - 1, b, b + 1].iter().copied().filter(|&x| x < P));
        }
        v
    }

    #[test]
    fn field_ops_on_edges_and_a_sweep() {
        let mut xs = edges();
        let mut s = 0x1234_5678u32;
        for _ in 0..300 {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            xs.push(s % P);
        }
        for &a in &xs {
            for &b in &xs {
                let (a64, b64) = (a as u64, b as u64);
                assert_eq!(add(a, b) as u64, (a64 + b64) % PU);
                assert_eq!(sub(a, b) as u64, (a64 + PU - b64) % PU);
                assert_eq!(mont_mul(a, to_mont(b)) as u64, mulp(a64, b64), "{a} * {b}");
            }
        }
        assert_eq!(to_mont(1) as u64, (1u64 << 32) % PU);
    }

    #[test]
    fn roots_have_exact_order() {
        for lg in 0..=TWO_ADICITY {
            let w = powp(ROOT_BASE as u64, ((P - 1) >> lg) as u64);
            assert_eq!(mont_mul(root_mont(lg), 1) as u64, w);
            assert_eq!(powp(w, 1 << lg), 1);
            if lg > 0 {
                assert_eq!(powp(w, 1 << (lg - 1)), PU - 1);
            }
        }
        assert_eq!(powp(ROOT_BASE as u64, 15), 0x1a42_7a41);
    }

    fn naive(a: &[u32], inverse: bool, g: Option<u32>) -> Vec<u32> {
        let n = a.len();
        let lg = n.trailing_zeros();
        let mut w = powp(ROOT_BASE as u64, ((P - 1) >> lg) as u64);
        if inverse {
            w = powp(w, PU - 2);
        }
        let g = g.unwrap_or(1) as u64;
        let n_inv = powp(n as u64, PU - 2);
        (0..n)
            .map(|k| {
                let mut acc = 0u64;
                for (j, &x) in a.iter().enumerate() {
                    let mut x = x as u64;
                    if !inverse {
                        x = mulp(x, powp(g, j as u64));
                    }
                    acc = (acc + mulp(x, powp(w, (j * k) as u64))) % PU;
                }
                if inverse {
                    acc = mulp(mulp(acc, n_inv), powp(powp(g, PU - 2), k as u64));
                }
                acc as u32
            })
            .collect()
    }

    #[test]
    fn ntt_matches_naive_every_flag() {
        for lg in [0u32, 1, 2, 3, 6, 9] {
            let n = 1usize << lg;
            let a: Vec<u32> = (0..n)
                .map(|i| ((i as u64 * 0x9e37_79b9 + 7) % PU) as u32)
                .collect();
            for g in [None, Some(31u32), Some(P - 1)] {
                for inverse in [false, true] {
                    let want = naive(&a, inverse, g);
                    for flags in 0..4u32 {
                        let flags = flags << 1 | inverse as u32;
                        let mut b = a.clone();
                        if flags & IN_BITREV != 0 {
                            bit_reverse(&mut b);
                        }
                        ntt(&mut b, flags, g);
                        if flags & OUT_BITREV != 0 {
                            bit_reverse(&mut b);
                        }
                        assert_eq!(b, want, "lg={lg} flags={flags} g={g:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn inverse_undoes_forward_2_16() {
        let n = 1 << 16;
        let a: Vec<u32> = (0..n).map(|i| ((i as u64 * 2_654_435_761) % PU) as u32).collect();
        let mut b = a.clone();
        ntt(&mut b, OUT_BITREV, Some(7));
        ntt(&mut b, INVERSE | IN_BITREV, Some(7));
        assert_eq!(a, b);
    }
}
