// Element-wise G2 operations of curve_g2.wgsl's steps, for the tests against the BigInt oracle.
// a, b: XYZZ points in storage layout (X ‖ Y ‖ ZZ ‖ ZZZ, each c0 ‖ c1); for ops 1 and 3 only X ‖ Y
// of b are read, as an affine point (all zero = infinity, the .zkey convention).
//   op 0: out = a + b     op 1: out = a + affine(b)     op 2: out = 2a     op 3: out = a - affine(b)

// @standalone-begin
const STEP_P: u32 = 0u;
const STEP_Q: u32 = 8u;
const STEP_OUT: u32 = 16u;
const STEP_ADD: u32 = 0u;
const STEP_ADD_AFFINE: u32 = 1u;
const STEP_DOUBLE: u32 = 2u;
const STEP_SUB_AFFINE: u32 = 3u;
const STEP_CODE_VEC4S: u32 = 1u;
fn step_run(entry: u32) {}
fn xyzz_vec4s() -> u32 { return 16u; }
fn affine_vec4s() -> u32 { return 8u; }
fn point_vec4(r: u32, i: u32) -> vec4<u32> { return vec4<u32>(); }
fn point_set_vec4(r: u32, i: u32, q: vec4<u32>) {}
fn point_set_affine_z(r: u32, finite: bool) {}
// @standalone-end

struct CurveTestParams {
  count: u32,
  op: u32,
  _pad1: u32,
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> in_a: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read> in_b: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> params: CurveTestParams;
// The step table and point sizes (src/msm/prelude.ts stepTableWords).
struct StepTable {
  sizes: vec4<u32>,
  code: array<vec4<u32>, STEP_CODE_VEC4S>,
}
@group(0) @binding(4) var<uniform> step_table: StepTable;

@compute @workgroup_size(64)
fn msm_g2_curve_test(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) { return; }
  let n = xyzz_vec4s();
  let affine = params.op == 1u || params.op == 3u;
  var bits = vec4<u32>();
  for (var j = 0u; j < n; j++) {
    point_set_vec4(STEP_P, j, in_a[i * n + j]);
    let q = in_b[i * n + j];
    point_set_vec4(STEP_Q, j, q);
    if (j < affine_vec4s()) { bits |= q; }
  }
  if (affine) { point_set_affine_z(STEP_Q, any(bits != vec4<u32>())); }
  var entry = STEP_ADD;
  switch params.op {
    case 1u: { entry = STEP_ADD_AFFINE; }
    case 2u: { entry = STEP_DOUBLE; }
    case 3u: { entry = STEP_SUB_AFFINE; }
    default: {}
  }
  step_run(entry);
  for (var j = 0u; j < n; j++) { out[i * n + j] = point_vec4(STEP_OUT, j); }
}
