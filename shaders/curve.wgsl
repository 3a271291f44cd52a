// Point arithmetic for short Weierstrass curves with a = 0 over the coordinate field Fq: G1 of
// BN254 and BLS12-381 (Fq = Fp, coord_fp.wgsl) and their G2 twists (Fq = Fp2, coord_fp2.wgsl; the
// formulas never use b, so the twist's b' changes nothing here). Composed after the generated field
// prelude + field.wgsl (+ fp2.wgsl) + the coordinate binding + the curve prelude from
// src/msm/prelude.ts.
//
// Representation: XYZZ (x = X/ZZ, y = Y/ZZZ, with ZZ^3 = ZZZ^2), infinity = ZZ = 0.
// Why XYZZ: bucket accumulation adds affine points into a running sum, and the XYZZ mixed
// addition (madd-2008-s) costs 8M + 2S against 8M + 3S for Jacobian and 9M + 2S for projective
// (EFD, g1p/shortw); the full addition (add-2008-s, 12M + 2S, used by the segment combination and
// the reductions) is also cheaper than Jacobian's 11M + 5S. Doubling (6M + 3S with a = 0) is
// rare (window combination, rare collisions). Both additions need explicit branches for infinity
// and for P = Q / P = -Q; every such branch is below.
//
// Storage: a coordinate is FQ_WORDS u32 words (two 16-bit limbs per word), i.e. exactly the .zkey
// bytes (little-endian Montgomery form, R = 2^(16 FE_LIMBS) = 2^(8 fpBytes)); an affine point is
// x ‖ y (all zero = infinity, as snarkjs writes it), an XYZZ point X ‖ Y ‖ ZZ ‖ ZZZ.

// @standalone-begin
alias Fq = array<u32, 16>;
const FQ_WORDS: u32 = 8u;
fn fq_add(a: Fq, b: Fq) -> Fq { return a; }
fn fq_sub(a: Fq, b: Fq) -> Fq { return a; }
fn fq_mul(a: Fq, b: Fq) -> Fq { return a; }
fn fq_sqr(a: Fq) -> Fq { return a; }
fn fq_one() -> Fq { var o: Fq; return o; }
fn fq_is_zero(a: Fq) -> bool { return true; }
// @standalone-end

const AFFINE_WORDS: u32 = 2u * FQ_WORDS;
const XYZZ_WORDS: u32 = 4u * FQ_WORDS;

struct Xyzz {
  x: Fq,
  y: Fq,
  zz: Fq,
  zzz: Fq,
}

struct Affine {
  x: Fq,
  y: Fq,
  infinity: bool,
}

fn fq_zero() -> Fq {
  var z: Fq;
  return z;
}

fn fq_dbl(a: Fq) -> Fq { return fq_add(a, a); }
fn fq_neg(a: Fq) -> Fq { return fq_sub(fq_zero(), a); }

fn xyzz_infinity() -> Xyzz {
  var p: Xyzz;
  p.x = fq_one();
  p.y = fq_one();
  return p;   // zz = zzz = 0
}

fn xyzz_is_infinity(p: Xyzz) -> bool { return fq_is_zero(p.zz); }

fn xyzz_from_affine(a: Affine) -> Xyzz {
  if (a.infinity) { return xyzz_infinity(); }
  return Xyzz(a.x, a.y, fq_one(), fq_one());
}

fn affine_neg(a: Affine) -> Affine { return Affine(a.x, fq_neg(a.y), a.infinity); }


// Code size matters as much as speed here: every call is inlined, and lavapipe spends about 3 s
// of LLVM time per inlined BN254 addition (twice that for BLS12-381). So the doubling is not a
// separate formula inside the additions but their P = Q branch re-using the addition's tail:
// dbl-2008-s-1 with a = 0 is U = 2Y, V = U^2, W = U V, S = X V, M = 3X^2, X3 = M^2 - 2S,
// Y3 = M(S - X3) - W Y, ZZ3 = V ZZ, ZZZ3 = W ZZZ, i.e. the addition's PP, PPP, Q, R with
// P := 2Y, R := M, U1 := X, S1 := Y, no "- PPP" in X3 and the second point's ZZ, ZZZ := 1. This
// keeps 15 field products per addition site instead of 23 (14 + a 9-product doubling).
// A point with y = 0 or infinity doubles to ZZ3 = 0 (P = 0 makes PP = 0), mapped to infinity.

struct AddTail {
  pd: Fq,    // P (or 2Y when doubling)
  rd: Fq,    // R (or 3X^2)
  u1: Fq,    // U1 (or X)
  s1: Fq,    // S1 (or Y)
  zz: Fq,    // ZZ1 ZZ2 (or ZZ1)
  zzz: Fq,   // ZZZ1 ZZZ2 (or ZZZ1)
  add: bool, // false for a doubling: X3 drops the "- PPP" term
}

// PP = P^2, PPP = P PP, Q = U1 PP, X3 = R^2 - PPP - 2Q, Y3 = R(Q - X3) - S1 PPP,
// ZZ3 = ZZ PP, ZZZ3 = ZZZ PPP.
fn add_tail(t: AddTail) -> Xyzz {
  let pp = fq_sqr(t.pd);
  let ppp = fq_mul(t.pd, pp);
  let qq = fq_mul(t.u1, pp);
  var x3 = fq_sub(fq_sqr(t.rd), fq_dbl(qq));
  if (t.add) { x3 = fq_sub(x3, ppp); }
  let y3 = fq_sub(fq_mul(t.rd, fq_sub(qq, x3)), fq_mul(t.s1, ppp));
  let zz3 = fq_mul(t.zz, pp);
  if (fq_is_zero(zz3)) { return xyzz_infinity(); }
  return Xyzz(x3, y3, zz3, fq_mul(t.zzz, ppp));
}

// The doubling of p as an AddTail (P = 2Y, R = 3X^2, U1 = X, S1 = Y).
fn double_tail(p: Xyzz) -> AddTail {
  let xx = fq_sqr(p.x);
  return AddTail(fq_dbl(p.y), fq_add(fq_dbl(xx), xx), p.x, p.y, p.zz, p.zzz, false);
}

// madd-2008-s: p + q with q affine. U2 = X2 ZZ1, S2 = Y2 ZZZ1, P = U2 - X1, R = S2 - Y1,
// then add_tail with U1 = X1, S1 = Y1, ZZ = ZZ1, ZZZ = ZZZ1 (8M + 2S).
fn xyzz_add_affine(p: Xyzz, q: Affine) -> Xyzz {
  if (q.infinity) { return p; }
  if (xyzz_is_infinity(p)) { return Xyzz(q.x, q.y, fq_one(), fq_one()); }
  let pd = fq_sub(fq_mul(q.x, p.zz), p.x);
  let rd = fq_sub(fq_mul(q.y, p.zzz), p.y);
  var t = AddTail(pd, rd, p.x, p.y, p.zz, p.zzz, true);
  if (fq_is_zero(pd)) {
    // same x: q = p (double) or q = -p (infinity)
    if (!fq_is_zero(rd)) { return xyzz_infinity(); }
    t = double_tail(p);
  }
  return add_tail(t);
}

// add-2008-s: U1 = X1 ZZ2, U2 = X2 ZZ1, S1 = Y1 ZZZ2, S2 = Y2 ZZZ1, P = U2 - U1, R = S2 - S1,
// then add_tail with ZZ = ZZ1 ZZ2, ZZZ = ZZZ1 ZZZ2 (12M + 2S).
fn xyzz_add(p: Xyzz, q: Xyzz) -> Xyzz {
  if (xyzz_is_infinity(q)) { return p; }
  if (xyzz_is_infinity(p)) { return q; }
  let u1 = fq_mul(p.x, q.zz);
  let s1 = fq_mul(p.y, q.zzz);
  let pd = fq_sub(fq_mul(q.x, p.zz), u1);
  let rd = fq_sub(fq_mul(q.y, p.zzz), s1);
  var t: AddTail;
  if (fq_is_zero(pd)) {
    if (!fq_is_zero(rd)) { return xyzz_infinity(); }
    t = double_tail(p);
  } else {
    t = AddTail(pd, rd, u1, s1, fq_mul(p.zz, q.zz), fq_mul(p.zzz, q.zzz), true);
  }
  return add_tail(t);
}

// 2p through the addition's doubling branch (4 products more than a bare doubling; the kernels
// double only in the reduction, a few hundred times per window).
fn xyzz_double(p: Xyzz) -> Xyzz { return xyzz_add(p, p); }
