// Element-wise G1 operations from curve.wgsl, for the tests against the BigInt oracle.
// a, b: XYZZ points (X ‖ Y ‖ ZZ ‖ ZZZ, packed coordinates); for op 1 only X ‖ Y of b are used,
// as an affine point (all zero = infinity, the .zkey convention).
//   op 0: out = a + b (add-2008-s)     op 1: out = a + affine(b) (madd-2008-s)
//   op 2: out = 2a

// @standalone-begin
const FE_LIMBS: u32 = 16u;
alias Fe = array<u32, 16>;
const FE_WORDS: u32 = 8u;
const XYZZ_WORDS: u32 = 32u;
struct Xyzz { x: Fe, y: Fe, zz: Fe, zzz: Fe, }
struct Affine { x: Fe, y: Fe, infinity: bool, }
fn fe_unpack(w: array<u32, FE_WORDS>) -> Fe { var r: Fe; return r; }
fn fe_pack(x: Fe) -> array<u32, FE_WORDS> { var w: array<u32, FE_WORDS>; return w; }
fn fe_is_zero(a: Fe) -> bool { return true; }
fn xyzz_add(p: Xyzz, q: Xyzz) -> Xyzz { return p; }
fn xyzz_add_affine(p: Xyzz, q: Affine) -> Xyzz { return p; }
fn xyzz_double(p: Xyzz) -> Xyzz { return p; }
// @standalone-end

struct CurveTestParams {
  count: u32,
  op: u32,
  _pad1: u32,
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> in_a: array<u32>;
@group(0) @binding(1) var<storage, read> in_b: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> params: CurveTestParams;

fn load_coord_a(i: u32, c: u32) -> Fe {
  var w: array<u32, FE_WORDS>;
  for (var j = 0u; j < FE_WORDS; j++) { w[j] = in_a[i * XYZZ_WORDS + c * FE_WORDS + j]; }
  return fe_unpack(w);
}

fn load_coord_b(i: u32, c: u32) -> Fe {
  var w: array<u32, FE_WORDS>;
  for (var j = 0u; j < FE_WORDS; j++) { w[j] = in_b[i * XYZZ_WORDS + c * FE_WORDS + j]; }
  return fe_unpack(w);
}

fn store_coord(i: u32, c: u32, x: Fe) {
  let w = fe_pack(x);
  for (var j = 0u; j < FE_WORDS; j++) { out[i * XYZZ_WORDS + c * FE_WORDS + j] = w[j]; }
}

@compute @workgroup_size(64)
fn msm_curve_test(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) { return; }
  let a = Xyzz(load_coord_a(i, 0u), load_coord_a(i, 1u), load_coord_a(i, 2u), load_coord_a(i, 3u));
  let b = Xyzz(load_coord_b(i, 0u), load_coord_b(i, 1u), load_coord_b(i, 2u), load_coord_b(i, 3u));
  var r: Xyzz;
  switch params.op {
    case 0u: { r = xyzz_add(a, b); }
    case 1u: { r = xyzz_add_affine(a, Affine(b.x, b.y, fe_is_zero(b.x) && fe_is_zero(b.y))); }
    default: { r = xyzz_double(a); }
  }
  store_coord(i, 0u, r.x);
  store_coord(i, 1u, r.y);
  store_coord(i, 2u, r.zz);
  store_coord(i, 3u, r.zzz);
}
