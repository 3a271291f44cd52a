//! Deterministic benchmark/test points: Q = [k]G with k from the seed, P_i = (i+1)Q, accumulated
//! in XYZZ and normalised in chunks with one batched inversion per chunk.

use crate::curve::*;
use crate::field::Field;

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e3779b97f4a7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
    z ^ (z >> 31)
}

const CHUNK: usize = 4096;

/// Calls `emit(i, point)` for i in 0..n.
pub fn generate_into<C: Curve>(seed: u64, n: usize, mut emit: impl FnMut(usize, &Affine<C::F>)) {
    let mut st = seed;
    let mut k = [0u32; 8];
    for i in 0..4 {
        let v = splitmix(&mut st);
        k[2 * i] = v as u32;
        k[2 * i + 1] = (v >> 32) as u32;
    }
    k[7] &= 0x03ff_ffff; // k < 2^250 < r, and nonzero:
    k[0] |= 1;
    let q = Xyzz::mul_scalar(&C::generator(), &k).to_affine();
    let mut cur = Xyzz::<C::F>::infinity();
    let mut buf: Vec<Xyzz<C::F>> = Vec::with_capacity(CHUNK);
    let mut inv: Vec<C::F> = Vec::with_capacity(2 * CHUNK);
    let mut scratch = Vec::with_capacity(2 * CHUNK);
    let mut done = 0;
    while done < n {
        let m = CHUNK.min(n - done);
        buf.clear();
        inv.clear();
        for _ in 0..m {
            cur = cur.add_affine(&q);
            buf.push(cur);
            inv.push(cur.zz);
            inv.push(cur.zzz);
        }
        batch_inverse(&mut inv, &mut scratch);
        for j in 0..m {
            let p = &buf[j];
            let a = Affine {
                x: p.x.mul(&inv[2 * j]),
                y: p.y.mul(&inv[2 * j + 1]),
                inf: false,
            };
            emit(done + j, &a);
        }
        done += m;
    }
}

#[cfg(test)]
pub fn generate<C: Curve>(seed: u64, n: usize) -> Vec<Affine<C::F>> {
    let mut v = Vec::with_capacity(n);
    generate_into::<C>(seed, n, |_, p| v.push(*p));
    v
}
