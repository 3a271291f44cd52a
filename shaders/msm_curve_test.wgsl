// Element-wise point operations from curve.wgsl (G1 or G2, whichever Fq is bound), for the tests
// against the BigInt oracle.
// a, b: XYZZ points (X ‖ Y ‖ ZZ ‖ ZZZ, packed coordinates); for op 1 only X ‖ Y of b are used,
// as an affine point (all zero = infinity, the .zkey convention).
//   op 0: out = a + b (add-2008-s)     op 1: out = a + affine(b) (madd-2008-s)
//   op 2: out = 2a

// @standalone-begin
alias Fq = array<u32, 16>;
const FQ_WORDS: u32 = 8u;
const XYZZ_WORDS: u32 = 32u;
struct Xyzz { x: Fq, y: Fq, zz: Fq, zzz: Fq, }
struct Affine { x: Fq, y: Fq, infinity: bool, }
fn fq_unpack(w: array<u32, FQ_WORDS>) -> Fq { var r: Fq; return r; }
fn fq_pack(x: Fq) -> array<u32, FQ_WORDS> { var w: array<u32, FQ_WORDS>; return w; }
fn fq_is_zero(a: Fq) -> bool { return true; }
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

fn load_coord_a(i: u32, c: u32) -> Fq {
  var w: array<u32, FQ_WORDS>;
  for (var j = 0u; j < FQ_WORDS; j++) { w[j] = in_a[i * XYZZ_WORDS + c * FQ_WORDS + j]; }
  return fq_unpack(w);
}

fn load_coord_b(i: u32, c: u32) -> Fq {
  var w: array<u32, FQ_WORDS>;
  for (var j = 0u; j < FQ_WORDS; j++) { w[j] = in_b[i * XYZZ_WORDS + c * FQ_WORDS + j]; }
  return fq_unpack(w);
}

fn store_coord(i: u32, c: u32, x: Fq) {
  let w = fq_pack(x);
  for (var j = 0u; j < FQ_WORDS; j++) { out[i * XYZZ_WORDS + c * FQ_WORDS + j] = w[j]; }
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
    case 1u: { r = xyzz_add_affine(a, Affine(b.x, b.y, fq_is_zero(b.x) && fq_is_zero(b.y))); }
    default: { r = xyzz_double(a); }
  }
  store_coord(i, 0u, r.x);
  store_coord(i, 1u, r.y);
  store_coord(i, 2u, r.zz);
  store_coord(i, 3u, r.zzz);
}
