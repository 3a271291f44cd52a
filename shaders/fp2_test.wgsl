// Test kernel for fp2.wgsl: out[i] = op(a[i], b[i]); an element is c0 then c1, FE_LIMBS u32 limbs
// each (Montgomery form). op: 0 add, 1 sub, 2 mul, 3 sqr (a only).

// @standalone-begin
const FE_LIMBS: u32 = 16u;
alias Fe = array<u32, 16>;
struct Fp2 { c0: Fe, c1: Fe, }
fn fp2_add(a: Fp2, b: Fp2) -> Fp2 { return a; }
fn fp2_sub(a: Fp2, b: Fp2) -> Fp2 { return a; }
fn fp2_mul(a: Fp2, b: Fp2) -> Fp2 { return a; }
fn fp2_sqr(a: Fp2) -> Fp2 { return a; }
// @standalone-end

struct Fp2TestParams { count: u32, op: u32 }

@group(0) @binding(0) var<storage, read> in_a: array<u32>;
@group(0) @binding(1) var<storage, read> in_b: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> params: Fp2TestParams;

@compute @workgroup_size(64)
fn fp2_test(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) { return; }
  let base = 2u * FE_LIMBS * i;
  var a: Fp2;
  var b: Fp2;
  for (var k = 0u; k < FE_LIMBS; k++) {
    a.c0[k] = in_a[base + k];
    a.c1[k] = in_a[base + FE_LIMBS + k];
    b.c0[k] = in_b[base + k];
    b.c1[k] = in_b[base + FE_LIMBS + k];
  }
  var r: Fp2;
  switch params.op {
    case 0u: { r = fp2_add(a, b); }
    case 1u: { r = fp2_sub(a, b); }
    case 2u: { r = fp2_mul(a, b); }
    default: { r = fp2_sqr(a); }
  }
  for (var k = 0u; k < FE_LIMBS; k++) {
    out[base + k] = r.c0[k];
    out[base + FE_LIMBS + k] = r.c1[k];
  }
}
