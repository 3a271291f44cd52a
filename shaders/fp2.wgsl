// Fp2 = Fp[u] / (u^2 + 1) over field.wgsl's Fe (Montgomery, 16-bit limbs): BN254 and BLS12-381 both
// take u^2 = -1 (src/math/curves.ts fp2NonResidue; src/msm/prelude.ts refuses any other). Composed
// after the generated field prelude + field.wgsl. Inputs and outputs: both coordinates < p.
//
// Multiplication is Karatsuba, 3 Fp products instead of 4, with the sums a0 + a1, b0 + b1 left
// unreduced ("lazy"): each is < 2p, and fe_mul of two values < 2p still ends below p after its one
// conditional subtraction when 4p < R = 2^(16 FE_LIMBS): the CIOS result before it is
// < (2p)^2 / R + p < 2p. BN254 (254-bit p, R = 2^256) and BLS12-381 (381-bit p, R = 2^384) leave
// 2 and 3 spare bits; src/msm/prelude.ts checks 4p < R rather than trusting it.
// Squaring with u^2 = -1: (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u, 2 products.

// @standalone-begin
const FE_LIMBS: u32 = 16u;
alias Fe = array<u32, 16>;
const FE_MASK: u32 = 0xffffu;
fn fe_add(a: Fe, b: Fe) -> Fe { return a; }
fn fe_sub(a: Fe, b: Fe) -> Fe { return a; }
fn fe_mul(a: Fe, b: Fe) -> Fe { return a; }
// @standalone-end

struct Fp2 {
  c0: Fe,
  c1: Fe,
}

// a + b without the reduction: < 2p for a, b < p, and no carry leaves the top limb (2p < R).
// Only for fe_mul's operands (bound above).
fn fe_add_lazy(a: Fe, b: Fe) -> Fe {
  var r: Fe;
  var c: u32 = 0u;
  for (var i = 0u; i < FE_LIMBS; i++) {
    let s = a[i] + b[i] + c;
    r[i] = s & FE_MASK;
    c = s >> 16u;
  }
  return r;
}

fn fp2_add(a: Fp2, b: Fp2) -> Fp2 { return Fp2(fe_add(a.c0, b.c0), fe_add(a.c1, b.c1)); }
fn fp2_sub(a: Fp2, b: Fp2) -> Fp2 { return Fp2(fe_sub(a.c0, b.c0), fe_sub(a.c1, b.c1)); }

// (a0 + a1 u)(b0 + b1 u) = (v0 - v1) + ((a0 + a1)(b0 + b1) - v0 - v1) u, v0 = a0 b0, v1 = a1 b1.
fn fp2_mul(a: Fp2, b: Fp2) -> Fp2 {
  let v0 = fe_mul(a.c0, b.c0);
  let v1 = fe_mul(a.c1, b.c1);
  let s = fe_mul(fe_add_lazy(a.c0, a.c1), fe_add_lazy(b.c0, b.c1));
  return Fp2(fe_sub(v0, v1), fe_sub(fe_sub(s, v0), v1));
}

fn fp2_sqr(a: Fp2) -> Fp2 {
  let c0 = fe_mul(fe_add_lazy(a.c0, a.c1), fe_sub(a.c0, a.c1));
  let c1 = fe_mul(fe_add_lazy(a.c0, a.c0), a.c1);
  return Fp2(c0, c1);
}

fn fp2_is_zero(a: Fp2) -> bool {
  var acc = 0u;
  for (var i = 0u; i < FE_LIMBS; i++) { acc |= a.c0[i] | a.c1[i]; }
  return acc == 0u;
}
