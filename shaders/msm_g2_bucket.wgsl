// G2 bucket accumulation: msm_bucket.wgsl's algorithm and bindings (so src/msm/gpu.ts drives both
// groups alike) over curve_g2.wgsl's registers. See msm_bucket.wgsl for the segments, heads and
// tails; here the running sum lives in STEP_P and each point is loaded into STEP_Q.
//   msm_g2_accumulate: thread t sums csr[t S .. t S + S) with mixed additions (subtractions for a
//     negative digit), writing whole buckets to buckets[k], split ones to parts (head, tail).
//   msm_g2_combine: one thread per bucket: empty -> infinity; split -> tail + heads.

// @standalone-begin
const STEP_P: u32 = 0u;
const STEP_Q: u32 = 8u;
const STEP_OUT: u32 = 16u;
const STEP_ADD: u32 = 0u;
const STEP_ADD_AFFINE: u32 = 1u;
const STEP_SUB_AFFINE: u32 = 2u;
fn step_run(entry: u32) {}
fn xyzz_vec4s() -> u32 { return 16u; }
fn affine_vec4s() -> u32 { return 8u; }
fn point_vec4(r: u32, i: u32) -> vec4<u32> { return vec4<u32>(); }
fn point_set_vec4(r: u32, i: u32, q: vec4<u32>) {}
fn point_copy(dst: u32, src: u32) {}
fn point_set_infinity(r: u32) {}
fn point_set_affine_z(r: u32, finite: bool) {}
const STEP_CODE_VEC4S: u32 = 1u;
// @standalone-end

struct BucketParams {
  bucket_count: u32,   // K = W B
  seg: u32,            // S: csr entries per accumulate thread
  threads: u32,        // T: accumulate threads (parts holds 2T points)
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> points: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read> csr: array<u32>;
@group(0) @binding(2) var<storage, read> offsets: array<u32>;
@group(0) @binding(3) var<storage, read_write> buckets: array<vec4<u32>>;
@group(0) @binding(4) var<storage, read_write> parts: array<vec4<u32>>;
@group(0) @binding(5) var<storage, read> params: BucketParams;
// The step table and the point sizes (src/msm/prelude.ts stepTableWords), one upload per device:
// as a WGSL const array the table became a per-invocation copy of 351 stores in lavapipe.
struct StepTable {
  sizes: vec4<u32>,   // vec4s of an XYZZ and of an affine point (curve_g2.wgsl xyzz_vec4s)
  code: array<vec4<u32>, STEP_CODE_VEC4S>,
}
@group(0) @binding(6) var<uniform> step_table: StepTable;

const BUCKET_WG: u32 = 64u;
const SIGN_BIT: u32 = 0x80000000u;

fn bucket_thread(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * BUCKET_WG;
}

// Affine point i into STEP_Q (ZZ = ZZZ = 1, or 0 for the all-zero infinity).
fn load_point(i: u32) {
  var bits = vec4<u32>();
  for (var j = 0u; j < affine_vec4s(); j++) {
    let q = points[i * affine_vec4s() + j];
    point_set_vec4(STEP_Q, j, q);
    bits |= q;
  }
  point_set_affine_z(STEP_Q, any(bits != vec4<u32>()));
}

fn store_bucket(k: u32, r: u32) {
  for (var j = 0u; j < xyzz_vec4s(); j++) { buckets[k * xyzz_vec4s() + j] = point_vec4(r, j); }
}

fn store_part(t: u32, r: u32) {
  for (var j = 0u; j < xyzz_vec4s(); j++) { parts[t * xyzz_vec4s() + j] = point_vec4(r, j); }
}

fn load_part(t: u32, r: u32) {
  for (var j = 0u; j < xyzz_vec4s(); j++) { point_set_vec4(r, j, parts[t * xyzz_vec4s() + j]); }
}

// Largest k < K with offsets[k] <= e: the (non-empty) bucket holding csr entry e < offsets[K].
fn bucket_of(e: u32) -> u32 {
  var lo = 0u;
  var hi = params.bucket_count - 1u;
  while (lo < hi) {
    let mid = (lo + hi + 1u) / 2u;
    if (offsets[mid] <= e) { lo = mid; } else { hi = mid - 1u; }
  }
  return lo;
}

// The running sum (STEP_P) of bucket k's entries inside [a, b): whole, head or tail.
fn flush(t: u32, k: u32, a: u32, b: u32) {
  let start = offsets[k];
  let end = offsets[k + 1u];
  if (start >= a && end <= b) {
    store_bucket(k, STEP_P);
  } else {
    // head: began in an earlier segment; tail: runs into a later one
    store_part(select(params.threads + t, t, start < a), STEP_P);
  }
}

@compute @workgroup_size(BUCKET_WG)
fn msm_g2_accumulate(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = bucket_thread(gid, nwg);
  if (t >= params.threads) { return; }
  let total = offsets[params.bucket_count];
  let a = t * params.seg;
  if (a >= total) { return; }
  let b = min(a + params.seg, total);
  var k = bucket_of(a);
  var end = offsets[k + 1u];
  point_set_infinity(STEP_P);
  for (var e = a; e < b; e++) {
    if (e == end) {
      flush(t, k, a, b);
      point_set_infinity(STEP_P);
      k += 1u;
      while (offsets[k + 1u] <= e) { k += 1u; }   // skip empty buckets
      end = offsets[k + 1u];
    }
    let entry = csr[e];
    load_point(entry & ~SIGN_BIT);
    step_run(select(STEP_ADD_AFFINE, STEP_SUB_AFFINE, (entry & SIGN_BIT) != 0u));
    point_copy(STEP_P, STEP_OUT);
  }
  flush(t, k, a, b);
}

@compute @workgroup_size(BUCKET_WG)
fn msm_g2_combine(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = bucket_thread(gid, nwg);
  if (k == 0u) { _ = points[0]; _ = csr[0]; }   // keep the shared 'auto' layout (see msm_sort.wgsl)
  if (k >= params.bucket_count) { return; }
  let start = offsets[k];
  let end = offsets[k + 1u];
  if (start == end) {
    point_set_infinity(STEP_P);
    store_bucket(k, STEP_P);
    return;
  }
  let t0 = start / params.seg;
  let t1 = (end - 1u) / params.seg;
  if (t0 == t1) { return; }   // written whole by msm_g2_accumulate
  load_part(params.threads + t0, STEP_P);
  for (var t = t0 + 1u; t <= t1; t++) {
    load_part(t, STEP_Q);
    step_run(STEP_ADD);
    point_copy(STEP_P, STEP_OUT);
  }
  store_bucket(k, STEP_P);
}
