// G1 point arithmetic for short Weierstrass curves with a = 0 (BN254 G1, BLS12-381 G1) over the
// base field of field.wgsl (Montgomery, 16-bit limbs). Composed after the generated field
// prelude + field.wgsl + the curve prelude from src/msm/prelude.ts.
//
// Representation: XYZZ (x = X/ZZ, y = Y/ZZZ, with ZZ^3 = ZZZ^2), infinity = ZZ = 0.
// Why XYZZ: bucket accumulation adds affine points into a running sum, and the XYZZ mixed
// addition (madd-2008-s) costs 8M + 2S against 8M + 3S for Jacobian and 9M + 2S for projective
// (EFD, g1p/shortw); the full addition (add-2008-s, 12M + 2S, used by the segment combination and
// the reductions) is also cheaper than Jacobian's 11M + 5S. Doubling (6M + 3S with a = 0) is
// rare (window combination, rare collisions). Both additions need explicit branches for infinity
// and for P = Q / P = -Q; every such branch is below.
//
// Storage: a coordinate is FE_LIMBS/2 u32 words (two 16-bit limbs per word), i.e. exactly the
// .zkey bytes (little-endian Montgomery form, R = 2^(16 FE_LIMBS) = 2^(8 fpBytes)); an affine point
// is x ‖ y (all zero = infinity, as snarkjs writes it), an XYZZ point X ‖ Y ‖ ZZ ‖ ZZZ.

// @standalone-begin
const FE_LIMBS: u32 = 16u;
alias Fe = array<u32, 16>;
const FE_ONE: Fe = Fe(1u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
fn fe_add(a: Fe, b: Fe) -> Fe { return a; }
fn fe_sub(a: Fe, b: Fe) -> Fe { return a; }
fn fe_mul(a: Fe, b: Fe) -> Fe { return a; }
// @standalone-end

const FE_WORDS: u32 = FE_LIMBS / 2u;
const AFFINE_WORDS: u32 = 2u * FE_WORDS;
const XYZZ_WORDS: u32 = 4u * FE_WORDS;

struct Xyzz {
  x: Fe,
  y: Fe,
  zz: Fe,
  zzz: Fe,
}

struct Affine {
  x: Fe,
  y: Fe,
  infinity: bool,
}

fn fe_is_zero(a: Fe) -> bool {
  var acc = 0u;
  for (var i = 0u; i < FE_LIMBS; i++) { acc |= a[i]; }
  return acc == 0u;
}

fn fe_zero() -> Fe {
  var z: Fe;
  return z;
}

fn fe_sqr(a: Fe) -> Fe { return fe_mul(a, a); }
fn fe_dbl(a: Fe) -> Fe { return fe_add(a, a); }
fn fe_neg(a: Fe) -> Fe { return fe_sub(fe_zero(), a); }

fn fe_unpack(w: array<u32, FE_WORDS>) -> Fe {
  var r: Fe;
  for (var k = 0u; k < FE_WORDS; k++) {
    r[2u * k] = w[k] & 0xffffu;
    r[2u * k + 1u] = w[k] >> 16u;
  }
  return r;
}

fn fe_pack(x: Fe) -> array<u32, FE_WORDS> {
  var w: array<u32, FE_WORDS>;
  for (var k = 0u; k < FE_WORDS; k++) { w[k] = x[2u * k] | (x[2u * k + 1u] << 16u); }
  return w;
}

fn xyzz_infinity() -> Xyzz {
  var p: Xyzz;
  p.x = FE_ONE;
  p.y = FE_ONE;
  return p;   // zz = zzz = 0
}

fn xyzz_is_infinity(p: Xyzz) -> bool { return fe_is_zero(p.zz); }

fn xyzz_from_affine(a: Affine) -> Xyzz {
  if (a.infinity) { return xyzz_infinity(); }
  return Xyzz(a.x, a.y, FE_ONE, FE_ONE);
}

fn affine_neg(a: Affine) -> Affine { return Affine(a.x, fe_neg(a.y), a.infinity); }


// Code size matters as much as speed here: every call is inlined, and lavapipe spends about 3 s
// of LLVM time per inlined BN254 addition (twice that for BLS12-381). So the doubling is not a
// separate formula inside the additions but their P = Q branch re-using the addition's tail:
// dbl-2008-s-1 with a = 0 is U = 2Y, V = U^2, W = U V, S = X V, M = 3X^2, X3 = M^2 - 2S,
// Y3 = M(S - X3) - W Y, ZZ3 = V ZZ, ZZZ3 = W ZZZ, i.e. the addition's PP, PPP, Q, R with
// P := 2Y, R := M, U1 := X, S1 := Y, no "- PPP" in X3 and the second point's ZZ, ZZZ := 1. This
// keeps 15 field products per addition site instead of 23 (14 + a 9-product doubling).
// A point with y = 0 or infinity doubles to ZZ3 = 0 (P = 0 makes PP = 0), mapped to infinity.

struct AddTail {
  pd: Fe,    // P (or 2Y when doubling)
  rd: Fe,    // R (or 3X^2)
  u1: Fe,    // U1 (or X)
  s1: Fe,    // S1 (or Y)
  zz: Fe,    // ZZ1 ZZ2 (or ZZ1)
  zzz: Fe,   // ZZZ1 ZZZ2 (or ZZZ1)
  add: bool, // false for a doubling: X3 drops the "- PPP" term
}

// PP = P^2, PPP = P PP, Q = U1 PP, X3 = R^2 - PPP - 2Q, Y3 = R(Q - X3) - S1 PPP,
// ZZ3 = ZZ PP, ZZZ3 = ZZZ PPP.
fn add_tail(t: AddTail) -> Xyzz {
  let pp = fe_sqr(t.pd);
  let ppp = fe_mul(t.pd, pp);
  let qq = fe_mul(t.u1, pp);
  var x3 = fe_sub(fe_sqr(t.rd), fe_dbl(qq));
  if (t.add) { x3 = fe_sub(x3, ppp); }
  let y3 = fe_sub(fe_mul(t.rd, fe_sub(qq, x3)), fe_mul(t.s1, ppp));
  let zz3 = fe_mul(t.zz, pp);
  if (fe_is_zero(zz3)) { return xyzz_infinity(); }
  return Xyzz(x3, y3, zz3, fe_mul(t.zzz, ppp));
}

// The doubling of p as an AddTail (P = 2Y, R = 3X^2, U1 = X, S1 = Y).
fn double_tail(p: Xyzz) -> AddTail {
  let xx = fe_sqr(p.x);
  return AddTail(fe_dbl(p.y), fe_add(fe_dbl(xx), xx), p.x, p.y, p.zz, p.zzz, false);
}

// madd-2008-s: p + q with q affine. U2 = X2 ZZ1, S2 = Y2 ZZZ1, P = U2 - X1, R = S2 - Y1,
// then add_tail with U1 = X1, S1 = Y1, ZZ = ZZ1, ZZZ = ZZZ1 (8M + 2S).
fn xyzz_add_affine(p: Xyzz, q: Affine) -> Xyzz {
  if (q.infinity) { return p; }
  if (xyzz_is_infinity(p)) { return Xyzz(q.x, q.y, FE_ONE, FE_ONE); }
  let pd = fe_sub(fe_mul(q.x, p.zz), p.x);
  let rd = fe_sub(fe_mul(q.y, p.zzz), p.y);
  var t = AddTail(pd, rd, p.x, p.y, p.zz, p.zzz, true);
  if (fe_is_zero(pd)) {
    // same x: q = p (double) or q = -p (infinity)
    if (!fe_is_zero(rd)) { return xyzz_infinity(); }
    t = double_tail(p);
  }
  return add_tail(t);
}

// add-2008-s: U1 = X1 ZZ2, U2 = X2 ZZ1, S1 = Y1 ZZZ2, S2 = Y2 ZZZ1, P = U2 - U1, R = S2 - S1,
// then add_tail with ZZ = ZZ1 ZZ2, ZZZ = ZZZ1 ZZZ2 (12M + 2S).
fn xyzz_add(p: Xyzz, q: Xyzz) -> Xyzz {
  if (xyzz_is_infinity(q)) { return p; }
  if (xyzz_is_infinity(p)) { return q; }
  let u1 = fe_mul(p.x, q.zz);
  let s1 = fe_mul(p.y, q.zzz);
  let pd = fe_sub(fe_mul(q.x, p.zz), u1);
  let rd = fe_sub(fe_mul(q.y, p.zzz), s1);
  var t: AddTail;
  if (fe_is_zero(pd)) {
    if (!fe_is_zero(rd)) { return xyzz_infinity(); }
    t = double_tail(p);
  } else {
    t = AddTail(pd, rd, u1, s1, fe_mul(p.zz, q.zz), fe_mul(p.zzz, q.zzz), true);
  }
  return add_tail(t);
}

// 2p through the addition's doubling branch (4 products more than a bare doubling; the kernels
// double only in the reduction, a few hundred times per window).
fn xyzz_double(p: Xyzz) -> Xyzz { return xyzz_add(p, p); }
