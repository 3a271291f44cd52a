//! The Groth16 prover's QAP stages (snarkjs's buildABC and the A*B - C quotient) on Fr, in
//! standard form in and out, as the NTT paths keep them: each product has one Montgomery-form
//! operand, and mont(x, y R) = x y (see lib.rs `with_values`).

use crate::ntt::NttField;

/// Bytes per section-4 coefficient: matrix u32, constraint u32, signal u32, value (32 bytes).
pub const COEFFICIENT_BYTES: usize = 44;

/// Why a coefficient was refused: its index and which field (0 matrix, 1 constraint, 2 signal,
/// 3 value).
pub struct BadCoefficient {
    pub index: usize,
    pub field: u32,
}

fn below(v: &[u32; 8], m: &[u32; 8]) -> bool {
    for i in (0..8).rev() {
        if v[i] != m[i] {
            return v[i] < m[i];
        }
    }
    false
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn fr_at(b: &[u8], at: usize) -> [u32; 8] {
    let mut l = [0u32; 8];
    for (k, x) in l.iter_mut().enumerate() {
        *x = u32_at(b, at + 4 * k);
    }
    l
}

/// A_i = sum a_ij w_j and B_i = sum b_ij w_j over the domain, and C_i = A_i B_i, from the zkey's
/// coefficients (values c R^2 mod r, R = 2^256; `r_inv2` is R^-2 mod r) and the standard-form
/// witness. Outputs are standard form, `domain` values each.
pub fn build_abc<F: NttField>(
    coefs: &[u8],
    witness: &[u8],
    domain: usize,
    r_inv2: [u32; 8],
    out: [&mut [[u32; 8]]; 3],
) -> Result<(), BadCoefficient> {
    let abc = abc_values::<F>(coefs, witness, domain, r_inv2)?;
    for (o, v) in out.into_iter().zip(abc.iter()) {
        for (x, y) in o.iter_mut().zip(v.iter()) {
            *x = y.store_raw8();
        }
    }
    Ok(())
}

/// The H MSM's scalars straight from the coefficients and the witness, on one worker with no
/// copies between stages: A, B, C as build_abc, each taken to the coset g<w> (ntt::evals_to_coset,
/// `shift` = g in standard form), then A B - C. `out` standard form, `domain` values.
pub fn h_scalars<F: NttField>(
    coefs: &[u8],
    witness: &[u8],
    domain: usize,
    r_inv2: [u32; 8],
    shift: [u32; 8],
    out: &mut [[u32; 8]],
) -> Result<(), BadCoefficient> {
    let mut abc = abc_values::<F>(coefs, witness, domain, r_inv2)?;
    let g = F::from_std8(shift);
    for v in abc.iter_mut() {
        crate::ntt::evals_to_coset(v, g);
    }
    let [a, b, c] = &abc;
    for k in 0..out.len() {
        out[k] = a[k].mul(&F::from_std8(b[k].store_raw8())).sub(&c[k]).store_raw8();
    }
    Ok(())
}

/// A, B and C = A B at the domain points, raw (standard form) in F's working representation.
fn abc_values<F: NttField>(coefs: &[u8], witness: &[u8], domain: usize, r_inv2: [u32; 8]) -> Result<[Vec<F>; 3], BadCoefficient> {
    let m = F::modulus();
    let n_vars = witness.len() / 32;
    // The witness in Montgomery form once: then each coefficient costs one product.
    let w: Vec<F> = (0..n_vars).map(|j| F::from_std8(fr_at(witness, 32 * j))).collect();
    let mut rows = [vec![F::zero(); domain], vec![F::zero(); domain]];
    for (i, c) in coefs.chunks_exact(COEFFICIENT_BYTES).enumerate() {
        let matrix = u32_at(c, 0);
        let constraint = u32_at(c, 4) as usize;
        let signal = u32_at(c, 8) as usize;
        let bad = |field| Err(BadCoefficient { index: i, field });
        if matrix > 1 {
            return bad(0);
        }
        if constraint >= domain {
            return bad(1);
        }
        if signal >= n_vars {
            return bad(2);
        }
        let v = fr_at(c, 12);
        if !below(&v, &m) {
            return bad(3);
        }
        // raw (c R^2) times Montgomery w: the standard-form product c R^2 w.
        let t = F::load_raw8(&v).mul(&w[signal]);
        let row = &mut rows[matrix as usize][constraint];
        *row = row.add(&t);
    }
    drop(w);
    let k = F::from_std8(r_inv2);
    let [mut a, mut b] = rows;
    let mut c = Vec::with_capacity(domain);
    for i in 0..domain {
        a[i] = a[i].mul(&k);
        b[i] = b[i].mul(&k);
        c.push(a[i].mul(&F::from_std8(b[i].store_raw8())));
    }
    Ok([a, b, c])
}

/// out_k = a_k b_k - c_k, all standard form (the H MSM's scalars from the coset evaluations).
pub fn quotient<F: NttField>(a: &[[u32; 8]], b: &[[u32; 8]], c: &[[u32; 8]], out: &mut [[u32; 8]]) {
    for k in 0..out.len() {
        let ab = F::load_raw8(&a[k]).mul(&F::from_std8(b[k]));
        out[k] = ab.sub(&F::load_raw8(&c[k])).store_raw8();
    }
}
