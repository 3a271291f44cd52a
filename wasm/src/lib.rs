//! zkgpu CPU engine: MSM and NTT for BN254 and BLS12-381, and the BabyBear NTT, over a flat
//! `extern "C"` ABI on linear memory. Encodings, exports and error codes are documented in
//! wasm/README.md.

pub mod babybear;
pub mod curve;
pub mod field;
pub mod field29;
pub mod fixed_base;
pub mod gen;
pub mod msm;
pub mod ntt;
pub mod qap;

use curve::*;
use field::*;
use msm::RawPoint;
use ntt::NttField;

/// Unknown curve or group id.
pub const ERR_CURVE: i32 = -1;
/// An argument is out of range (window_bits, log_n above the 2-adicity, ...).
pub const ERR_ARG: i32 = -2;

const ALIGN: usize = 16;

#[no_mangle]
pub extern "C" fn zk_alloc(len: usize) -> *mut u8 {
    let layout = match std::alloc::Layout::from_size_align(len.max(1), ALIGN) {
        Ok(l) => l,
        Err(_) => return core::ptr::null_mut(),
    };
    unsafe { std::alloc::alloc(layout) }
}

#[no_mangle]
pub unsafe extern "C" fn zk_free(ptr: *mut u8, len: usize) {
    if ptr.is_null() {
        return;
    }
    let layout = std::alloc::Layout::from_size_align_unchecked(len.max(1), ALIGN);
    std::alloc::dealloc(ptr, layout);
}

/// Runs `$body` with `$C` bound to the curve type for (curve, group).
macro_rules! with_group {
    ($curve:expr, $group:expr, $C:ident, $body:expr) => {
        match ($curve, $group) {
            (0, 1) => {
                type $C = Bn254G1;
                $body
            }
            (0, 2) => {
                type $C = Bn254G2;
                $body
            }
            (1, 1) => {
                type $C = Bls381G1;
                $body
            }
            (1, 2) => {
                type $C = Bls381G2;
                $body
            }
            _ => ERR_CURVE,
        }
    };
}

/// Runs `$body` with `$F` bound to the Fr type. Transforms up to 2^24 values use the 29-bit-limb
/// field (faster products, but a 72-byte working copy per 32-byte value); larger ones fall back to
/// 32-bit limbs (a 32-byte copy) to stay inside wasm32's 4 GiB.
macro_rules! with_fr {
    ($curve:expr, $count:expr, $F:ident, $body:expr) => {
        match ($curve, ($count as u64) > (1u64 << 24)) {
            (0, false) => {
                type $F = field29::Bn254Fr29;
                $body
            }
            (0, true) => {
                type $F = Bn254Fr;
                $body
            }
            (1, false) => {
                type $F = field29::Bls381Fr29;
                $body
            }
            (1, true) => {
                type $F = Bls381Fr;
                $body
            }
            _ => ERR_CURVE,
        }
    };
}

fn point_bytes<C: Curve>() -> usize {
    2 * <C::F as Field>::BYTES
}

unsafe fn msm_impl<C: Curve>(
    points: *const u8,
    scalars: *const u8,
    n: u32,
    window_bits: u32,
    out: *mut u8,
) -> i32 {
    let n = n as usize;
    let out = core::slice::from_raw_parts_mut(out, point_bytes::<C>());
    if window_bits > 20 {
        return ERR_ARG;
    }
    if n == 0 {
        out.fill(0);
        return 0;
    }
    // Wire points (32-bit Montgomery) -> internal 29-bit limbs; infinity becomes (0, 0).
    let pb = point_bytes::<C>();
    let bytes = core::slice::from_raw_parts(points, n * pb);
    let zero = RawPoint {
        x: <C::F as Field>::zero(),
        y: <C::F as Field>::zero(),
    };
    let pts: Vec<RawPoint<C::F>> = (0..n)
        .map(
            |i| match Affine::<C::F>::read(&bytes[i * pb..(i + 1) * pb]) {
                Some(a) if !a.inf => RawPoint { x: a.x, y: a.y },
                _ => zero,
            },
        )
        .collect();
    let sc = core::slice::from_raw_parts(scalars as *const [u32; 8], n);
    msm::msm_by_profile::<C>(&pts, sc, window_bits).write(out);
    0
}

/// out = sum scalars[i] * points[i]. `points` must be 4-byte aligned (zk_alloc gives 16).
#[no_mangle]
pub unsafe extern "C" fn zk_msm(
    curve: u32,
    group: u32,
    points: *const u8,
    scalars: *const u8,
    n: u32,
    window_bits: u32,
    out: *mut u8,
) -> i32 {
    with_group!(
        curve,
        group,
        C,
        msm_impl::<C>(points, scalars, n, window_bits, out)
    )
}

unsafe fn validate_impl<C: Curve>(points: *const u8, n: u32) -> i32 {
    let pb = point_bytes::<C>();
    let bytes = core::slice::from_raw_parts(points, pb * n as usize);
    let b = C::b();
    for i in 0..n as usize {
        match Affine::<C::F>::read(&bytes[i * pb..(i + 1) * pb]) {
            Some(p) if p.on_curve(&b) => {}
            _ => return i as i32,
        }
    }
    -1
}

/// -1 when every point is infinity (all zero) or on the curve with coordinates < p; else the
/// index of the first bad point (or ERR_CURVE... note: -1 is "ok" here, bad ids return -2).
#[no_mangle]
pub unsafe extern "C" fn zk_validate_points(
    curve: u32,
    group: u32,
    points: *const u8,
    n: u32,
) -> i32 {
    match (curve, group) {
        (0 | 1, 1 | 2) => with_group!(curve, group, C, validate_impl::<C>(points, n)),
        _ => ERR_ARG,
    }
}

unsafe fn add_impl<C: Curve>(a: *const u8, b: *const u8, out: *mut u8) -> i32 {
    let pb = point_bytes::<C>();
    let pa = Affine::<C::F>::read(core::slice::from_raw_parts(a, pb));
    let pq = Affine::<C::F>::read(core::slice::from_raw_parts(b, pb));
    let (Some(pa), Some(pq)) = (pa, pq) else {
        return ERR_ARG;
    };
    let r = Xyzz::from_affine(&pa).add_affine(&pq).to_affine();
    r.write(core::slice::from_raw_parts_mut(out, pb));
    0
}

/// out = a + b (affine, exact for infinity, doubling and P + -P).
#[no_mangle]
pub unsafe extern "C" fn zk_point_add(
    curve: u32,
    group: u32,
    a: *const u8,
    b: *const u8,
    out: *mut u8,
) -> i32 {
    with_group!(curve, group, C, add_impl::<C>(a, b, out))
}

unsafe fn gen_impl<C: Curve>(seed: u64, n: u32, out: *mut u8) -> i32 {
    let pb = point_bytes::<C>();
    let out = core::slice::from_raw_parts_mut(out, pb * n as usize);
    gen::generate_into::<C>(seed, n as usize, |i, p| {
        p.write(&mut out[i * pb..(i + 1) * pb])
    });
    0
}

/// n distinct valid points (i+1)*Q, Q = [k]G with k derived from seed = seed_hi:seed_lo.
#[no_mangle]
pub unsafe extern "C" fn zk_generate_points(
    curve: u32,
    group: u32,
    seed_lo: u32,
    seed_hi: u32,
    n: u32,
    out: *mut u8,
) -> i32 {
    let seed = (seed_hi as u64) << 32 | seed_lo as u64;
    with_group!(curve, group, C, gen_impl::<C>(seed, n, out))
}

unsafe fn fixed_base_impl<C: Curve>(
    base: *const u8,
    scalars: *const u8,
    n: u32,
    out: *mut u8,
) -> i32 {
    let pb = point_bytes::<C>();
    let Some(b) = Affine::<C::F>::read(core::slice::from_raw_parts(base, pb)) else {
        return ERR_ARG;
    };
    let n = n as usize;
    let sc = core::slice::from_raw_parts(scalars, n * 32);
    let out = core::slice::from_raw_parts_mut(out, n * pb);
    fixed_base::fixed_base_into::<C>(&b, sc, out, pb);
    0
}

/// out[i] = scalars[i] * base for i < n (affine, points' encoding; zero scalar -> all zero).
/// Scalars are 32-byte LE standard form; a coordinate of `base` >= p is ERR_ARG.
#[no_mangle]
pub unsafe extern "C" fn zk_fixed_base_mul(
    curve: u32,
    group: u32,
    base: *const u8,
    scalars: *const u8,
    n: u32,
    out: *mut u8,
) -> i32 {
    with_group!(curve, group, C, fixed_base_impl::<C>(base, scalars, n, out))
}

/// Fr values stay in their standard form through every transform: each product in the NTT
/// paths has one Montgomery-form operand (a twiddle, a power of the coset shift, 1/n), and
/// mont(x, y*R) = x*y, so results come out standard with no conversion passes.
/// Copies the wire values into a working vector, runs `f`, writes them back.
unsafe fn with_values<F: NttField>(ptr: *mut u8, count: usize, f: impl FnOnce(&mut [F])) {
    let raw = core::slice::from_raw_parts_mut(ptr as *mut [u32; 8], count);
    let mut v: Vec<F> = raw.iter().map(F::load_raw8).collect();
    f(&mut v);
    for (r, x) in raw.iter_mut().zip(v.iter()) {
        *r = x.store_raw8();
    }
}

unsafe fn read_fr<F: NttField>(p: *const u8) -> F {
    F::from_std8(core::ptr::read_unaligned(p as *const [u32; 8]))
}

unsafe fn ntt_impl<F: NttField>(values: *mut u8, log_n: u32, flags: u32, shift: *const u8) -> i32 {
    if log_n > F::TWO_ADICITY || log_n >= usize::BITS - 6 || flags > 7 {
        return ERR_ARG;
    }
    let n = 1usize << log_n;
    let shift = if shift.is_null() {
        None
    } else {
        Some(read_fr::<F>(shift))
    };
    with_values::<F>(values, n, |a| ntt::ntt(a, flags, shift));
    0
}

/// In-place NTT of 2^log_n Fr values; flags bit0 inverse, bit1 input bit-reversed, bit2 output
/// bit-reversed; shift null or a coset generator g (32-byte LE standard form).
#[no_mangle]
pub unsafe extern "C" fn zk_ntt(
    curve: u32,
    values: *mut u8,
    log_n: u32,
    flags: u32,
    shift: *const u8,
) -> i32 {
    with_fr!(
        curve,
        1u64 << log_n.min(40),
        F,
        ntt_impl::<F>(values, log_n, flags, shift)
    )
}

unsafe fn rows_impl<F: NttField>(
    values: *mut u8,
    log_m: u32,
    count: u32,
    flags: u32,
    tw_log_n: u32,
    row_offset: u32,
) -> i32 {
    if log_m > F::TWO_ADICITY || tw_log_n > F::TWO_ADICITY || log_m >= usize::BITS - 6 || flags > 1
    {
        return ERR_ARG;
    }
    let total = (count as usize) << log_m;
    with_values::<F>(values, total, |a| {
        ntt::ntt_rows(a, log_m, flags & 1 != 0, tw_log_n, row_offset)
    });
    0
}

/// Four-step building block: `count` rows of 2^log_m values, each NTT'd (natural order, no 1/m),
/// then element k of row i times w^((i+row_offset)k), w = root of order 2^twiddle_log_n (if > 0).
#[no_mangle]
pub unsafe extern "C" fn zk_ntt_rows(
    curve: u32,
    values: *mut u8,
    log_m: u32,
    count: u32,
    flags: u32,
    twiddle_log_n: u32,
    row_offset: u32,
) -> i32 {
    with_fr!(
        curve,
        (count as u64) << log_m.min(40),
        F,
        rows_impl::<F>(values, log_m, count, flags, twiddle_log_n, row_offset)
    )
}

unsafe fn mul_powers_impl<F: NttField>(
    values: *mut u8,
    count: u32,
    base: *const u8,
    start_exp: u32,
) -> i32 {
    let base = read_fr::<F>(base);
    let start = base.pow8(&[start_exp]);
    with_values::<F>(values, count as usize, |a| ntt::mul_powers(a, start, &base));
    0
}

/// values[i] *= base^(start_exp + i).
#[no_mangle]
pub unsafe extern "C" fn zk_mul_powers(
    curve: u32,
    values: *mut u8,
    count: u32,
    base: *const u8,
    start_exp: u32,
) -> i32 {
    with_fr!(
        curve,
        count,
        F,
        mul_powers_impl::<F>(values, count, base, start_exp)
    )
}

unsafe fn scale_impl<F: NttField>(values: *mut u8, count: u32, factor: *const u8) -> i32 {
    let f = read_fr::<F>(factor);
    with_values::<F>(values, count as usize, |a| {
        a.iter_mut().for_each(|x| *x = x.mul(&f))
    });
    0
}

/// values[i] *= factor.
#[no_mangle]
pub unsafe extern "C" fn zk_scale(
    curve: u32,
    values: *mut u8,
    count: u32,
    factor: *const u8,
) -> i32 {
    with_fr!(curve, count, F, scale_impl::<F>(values, count, factor))
}

/// In-place BabyBear NTT of 2^log_n u32 values (standard form, < p = 0x7800_0001, 4-byte
/// aligned); flags as zk_ntt; shift 0 = no coset, else the coset generator g (1 <= g < p).
#[no_mangle]
pub unsafe extern "C" fn zk_bb_ntt(values: *mut u32, log_n: u32, flags: u32, shift: u32) -> i32 {
    if log_n > babybear::TWO_ADICITY || flags > 7 || shift >= babybear::P {
        return ERR_ARG;
    }
    let a = core::slice::from_raw_parts_mut(values, 1usize << log_n);
    babybear::ntt(a, flags, if shift == 0 { None } else { Some(shift) });
    0
}

/// Groth16's buildABC (qap.rs): `count` section-4 coefficients, `n_vars` standard-form witness
/// values, R^-2 mod r; writes A, B and C = A B (`domain` standard-form values each). Returns 0,
/// ERR_CURVE, or -(16 + 4 i + field) for coefficient i's bad field (0 matrix, 1 constraint,
/// 2 signal, 3 value not below r).
#[no_mangle]
pub unsafe extern "C" fn zk_build_abc(
    curve: u32,
    coefs: *const u8,
    count: u32,
    witness: *const u8,
    n_vars: u32,
    domain: u32,
    r_inv2: *const u8,
    out_a: *mut u8,
    out_b: *mut u8,
    out_c: *mut u8,
) -> i32 {
    if count >= (1 << 28) {
        return ERR_ARG;
    }
    let (coefs, witness) = qap_inputs(coefs, count, witness, n_vars);
    let n = domain as usize;
    let rinv2 = core::ptr::read_unaligned(r_inv2 as *const [u32; 8]);
    let out = [
        core::slice::from_raw_parts_mut(out_a as *mut [u32; 8], n),
        core::slice::from_raw_parts_mut(out_b as *mut [u32; 8], n),
        core::slice::from_raw_parts_mut(out_c as *mut [u32; 8], n),
    ];
    with_fr!(
        curve,
        domain,
        F,
        qap_status(qap::build_abc::<F>(coefs, witness, n, rinv2, out))
    )
}

/// The coefficient and witness bytes of zk_build_abc and zk_h_scalars.
unsafe fn qap_inputs<'a>(coefs: *const u8, count: u32, witness: *const u8, n_vars: u32) -> (&'a [u8], &'a [u8]) {
    (
        core::slice::from_raw_parts(coefs, count as usize * qap::COEFFICIENT_BYTES),
        core::slice::from_raw_parts(witness, n_vars as usize * 32),
    )
}

/// 0, or -(16 + 4 i + field) for coefficient i's bad field.
fn qap_status(r: Result<(), qap::BadCoefficient>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => -(16 + 4 * e.index as i32 + e.field as i32),
    }
}

/// out_k = a_k b_k - c_k for `count` standard-form Fr values (the H MSM's scalars).
#[no_mangle]
pub unsafe extern "C" fn zk_quotient(curve: u32, a: *const u8, b: *const u8, c: *const u8, count: u32, out: *mut u8) -> i32 {
    let n = count as usize;
    let view = |p: *const u8| core::slice::from_raw_parts(p as *const [u32; 8], n);
    let out = core::slice::from_raw_parts_mut(out as *mut [u32; 8], n);
    with_fr!(curve, count, F, {
        qap::quotient::<F>(view(a), view(b), view(c), out);
        0
    })
}

/// Groth16's H MSM scalars in one call (qap::h_scalars): zk_build_abc's inputs and errors, then
/// each of A, B, C from the domain to the coset `shift`<w> (32-byte standard form) and
/// out[k] = a[k] b[k] - c[k], `domain` (a power of two) standard-form values.
#[no_mangle]
pub unsafe extern "C" fn zk_h_scalars(
    curve: u32,
    coefs: *const u8,
    count: u32,
    witness: *const u8,
    n_vars: u32,
    domain: u32,
    r_inv2: *const u8,
    shift: *const u8,
    out: *mut u8,
) -> i32 {
    if count >= (1 << 28) || !domain.is_power_of_two() {
        return ERR_ARG;
    }
    let (coefs, witness) = qap_inputs(coefs, count, witness, n_vars);
    let rinv2 = core::ptr::read_unaligned(r_inv2 as *const [u32; 8]);
    let shift = core::ptr::read_unaligned(shift as *const [u32; 8]);
    let out = core::slice::from_raw_parts_mut(out as *mut [u32; 8], domain as usize);
    with_fr!(
        curve,
        domain,
        F,
        qap_status(qap::h_scalars::<F>(coefs, witness, domain as usize, rinv2, shift, out))
    )
}
