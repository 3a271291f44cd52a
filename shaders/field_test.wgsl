// Test kernel for field.wgsl: out[i] = op(a[i], b[i]); elements are FE_LIMBS u32 limbs each.
// op: 0 add, 1 sub, 2 mont mul, 3 to mont (a only), 4 from mont (a only).

// @standalone-begin
const FE_LIMBS: u32 = 1u;
alias Fe = array<u32, 1>;
fn fe_add(a: Fe, b: Fe) -> Fe { return a; }
fn fe_sub(a: Fe, b: Fe) -> Fe { return a; }
fn fe_mul(a: Fe, b: Fe) -> Fe { return a; }
fn fe_to_mont(a: Fe) -> Fe { return a; }
fn fe_from_mont(a: Fe) -> Fe { return a; }
// @standalone-end

struct Params { count: u32, op: u32 }

@group(0) @binding(0) var<storage, read> in_a: array<u32>;
@group(0) @binding(1) var<storage, read> in_b: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * 65535u * 64u;
  if (i >= params.count) { return; }
  var a: Fe;
  var b: Fe;
  for (var k = 0u; k < FE_LIMBS; k++) {
    a[k] = in_a[i * FE_LIMBS + k];
    b[k] = in_b[i * FE_LIMBS + k];
  }
  var r: Fe;
  switch params.op {
    case 0u: { r = fe_add(a, b); }
    case 1u: { r = fe_sub(a, b); }
    case 2u: { r = fe_mul(a, b); }
    case 3u: { r = fe_to_mont(a); }
    default: { r = fe_from_mont(a); }
  }
  for (var k = 0u; k < FE_LIMBS; k++) { out[i * FE_LIMBS + k] = r[k]; }
}
