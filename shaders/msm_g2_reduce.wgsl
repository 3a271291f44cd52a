// G2 bucket reduction and window combination: msm_reduce.wgsl's algorithm and bindings over
// curve_g2.wgsl's registers (see msm_reduce.wgsl for the group / window / Horner split). Each
// kernel runs ONE step_run in a loop whose steps copy their operands into STEP_P and STEP_Q; the
// running sums live in STEP_SLOT_A and STEP_SLOT_B. Doublings run the doubling steps (STEP_DOUBLE,
// 9 Fp2 products) rather than an addition of a point to itself (13 products before it branches).

// @standalone-begin
const STEP_P: u32 = 0u;
const STEP_Q: u32 = 8u;
const STEP_OUT: u32 = 16u;
const STEP_SLOT_A: u32 = 24u;
const STEP_SLOT_B: u32 = 32u;
const STEP_ADD: u32 = 0u;
const STEP_DOUBLE: u32 = 3u;
fn step_run(entry: u32) {}
fn xyzz_vec4s() -> u32 { return 16u; }
fn affine_vec4s() -> u32 { return 8u; }
fn point_vec4(r: u32, i: u32) -> vec4<u32> { return vec4<u32>(); }
fn point_set_vec4(r: u32, i: u32, q: vec4<u32>) {}
fn point_copy(dst: u32, src: u32) {}
fn point_set_infinity(r: u32) {}
const STEP_CODE_VEC4S: u32 = 1u;
// @standalone-end

struct ReduceParams {
  windows: u32,
  buckets: u32,     // B per window
  groups: u32,      // G per window
  group_len: u32,   // L = B / G
  c: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<storage, read> buckets: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> groups: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> windows: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> params: ReduceParams;
// The step table and the point sizes (src/msm/prelude.ts stepTableWords), one upload per device:
// as a WGSL const array the table became a per-invocation copy of 351 stores in lavapipe.
struct StepTable {
  sizes: vec4<u32>,   // vec4s of an XYZZ and of an affine point (curve_g2.wgsl xyzz_vec4s)
  code: array<vec4<u32>, STEP_CODE_VEC4S>,
}
@group(0) @binding(4) var<uniform> step_table: StepTable;

const REDUCE_WG: u32 = 64u;

fn reduce_thread(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * REDUCE_WG;
}

fn load_bucket(k: u32, r: u32) {
  for (var j = 0u; j < xyzz_vec4s(); j++) { point_set_vec4(r, j, buckets[k * xyzz_vec4s() + j]); }
}

fn load_group(k: u32, r: u32) {
  for (var j = 0u; j < xyzz_vec4s(); j++) { point_set_vec4(r, j, groups[k * xyzz_vec4s() + j]); }
}

fn load_window(k: u32, r: u32) {
  for (var j = 0u; j < xyzz_vec4s(); j++) { point_set_vec4(r, j, windows[k * xyzz_vec4s() + j]); }
}

fn store_group(k: u32, r: u32) {
  for (var j = 0u; j < xyzz_vec4s(); j++) { groups[k * xyzz_vec4s() + j] = point_vec4(r, j); }
}

fn store_window(k: u32, r: u32) {
  for (var j = 0u; j < xyzz_vec4s(); j++) { windows[k * xyzz_vec4s() + j] = point_vec4(r, j); }
}

// Every entry point touches all four bindings so they share one 'auto' layout.
fn touch_all() {
  _ = buckets[0];
  _ = groups[0];
  _ = windows[0];
}

@compute @workgroup_size(REDUCE_WG)
fn msm_g2_reduce_groups(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = reduce_thread(gid, nwg);
  if (id == 0u) { touch_all(); }
  let g_count = params.groups;
  if (id >= params.windows * g_count) { return; }
  let w = id / g_count;
  let g = id % g_count;
  let len = params.group_len;
  let first = w * params.buckets + g * len;
  let running = STEP_SLOT_A;
  let sum = STEP_SLOT_B;
  point_set_infinity(running);
  point_set_infinity(sum);
  // step 2i: running += bucket[len - 1 - i]; step 2i + 1: sum += running
  for (var s = 0u; s < 2u * len; s++) {
    let even = (s & 1u) == 0u;
    if (even) {
      point_copy(STEP_P, running);
      load_bucket(first + len - 1u - s / 2u, STEP_Q);
    } else {
      point_copy(STEP_P, sum);
      point_copy(STEP_Q, running);
    }
    step_run(STEP_ADD);
    point_copy(select(sum, running, even), STEP_OUT);
  }
  store_group(2u * id, sum);
  store_group(2u * id + 1u, running);
}

@compute @workgroup_size(REDUCE_WG)
fn msm_g2_reduce_windows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = reduce_thread(gid, nwg);
  if (w == 0u) { touch_all(); }
  if (w >= params.windows) { return; }
  let g_count = params.groups;
  let base = w * g_count;
  // phase 1 (2 (G - 1) steps), g = G-1 .. 1: run += S_g, acc += run   -> acc = Σ_g g S_g
  // phase 2 (log2 L steps): acc += acc                                  -> acc = L Σ_g g S_g
  // phase 3 (G steps), g = 0 .. G-1: acc += R_g
  let p1 = 2u * (g_count - 1u);
  let p2 = p1 + countTrailingZeros(params.group_len);
  let steps = p2 + g_count;
  let run = STEP_SLOT_A;
  let acc = STEP_SLOT_B;
  point_set_infinity(run);
  point_set_infinity(acc);
  for (var s = 0u; s < steps; s++) {
    let into_run = s < p1 && (s & 1u) == 0u;
    point_copy(STEP_P, select(acc, run, into_run));
    if (into_run) {
      load_group(2u * (base + g_count - 1u - s / 2u) + 1u, STEP_Q);
    } else if (s < p1) {
      point_copy(STEP_Q, run);
    } else if (s >= p2) {
      load_group(2u * (base + s - p2), STEP_Q);
    }
    step_run(select(STEP_ADD, STEP_DOUBLE, s >= p1 && s < p2));
    point_copy(select(acc, run, into_run), STEP_OUT);
  }
  store_window(w, acc);
}

@compute @workgroup_size(1)
fn msm_g2_reduce_final() {
  touch_all();
  // window w (from the top) takes c doubling steps, then one step adding T_w
  let c = params.c;
  point_set_infinity(STEP_P);
  for (var s = 0u; s < params.windows * (c + 1u); s++) {
    let w = params.windows - 1u - s / (c + 1u);
    let doubling = s % (c + 1u) != c;
    if (!doubling) { load_window(w, STEP_Q); }
    step_run(select(STEP_ADD, STEP_DOUBLE, doubling));
    point_copy(STEP_P, STEP_OUT);
  }
  store_window(0u, STEP_P);   // every window was read above; the host reads back this one point
}
