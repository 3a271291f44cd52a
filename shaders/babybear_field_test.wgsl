// Test kernel for babybear_field.wgsl: for each pair i,
//   out[4i] = bb_mulhi(a, b), out[4i+1] = bb_mont_mul(a, b), out[4i+2] = bb_add(a, b),
//   out[4i+3] = bb_sub(a, b).
// Driven by gpuMont31Ops (src/ntt/babybear-gpu.ts) on BabyBear and on small primes.

// @standalone-begin
const BB_P: u32 = 2013265921u;
fn bb_mulhi(a: u32, b: u32) -> u32 { return a; }
fn bb_add(a: u32, b: u32) -> u32 { return a; }
fn bb_sub(a: u32, b: u32) -> u32 { return a; }
fn bb_mont_mul(a: u32, b: u32) -> u32 { return a; }
// @standalone-end

struct TestParams { count: u32, stride_x: u32 }

@group(0) @binding(0) var<storage, read> in_a: array<u32>;
@group(0) @binding(1) var<storage, read> in_b: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> tparams: TestParams;

@compute @workgroup_size(64)
fn bb_field_test(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * tparams.stride_x;
  if (i >= tparams.count) { return; }
  let a = in_a[i];
  let b = in_b[i];
  out[4u * i] = bb_mulhi(a, b);
  out[4u * i + 1u] = bb_mont_mul(a, b);
  out[4u * i + 2u] = bb_add(a, b);
  out[4u * i + 3u] = bb_sub(a, b);
}
