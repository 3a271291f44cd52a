// Radix-2 NTT over BabyBear on native u32 (field ops: babybear_field.wgsl). Same semantics as the
// Fr NTT (shaders/ntt.wgsl, src/ntt/gpu.ts); values stay in standard form, the constants (twiddles,
// coset powers, 1/n) are in Montgomery form, so bb_mont_mul(x, c) = x * c with no conversions.
//
// One entry, bb_ntt_pass, run ceil(log_n / TILE_LOG) times (at least once). Pass number q runs the
// DIT stages s0 = 1 + TILE_LOG q .. s0 + k - 1 on a bit-reversed working array. Those stages only
// combine elements whose indices differ in bits L = s0-1 .. L+k-1, so the array splits into
// independent groups of 2^k elements: idx = low | t << L | high << (L + k), t < 2^k. A workgroup
// loads 2^(TILE_LOG - k) such groups (consecutive `low`) into workgroup memory, runs the k stages
// with barriers and writes them back: one global round trip per TILE_LOG = 11 stages (2^11 values
// * 4 B = 8 KiB of workgroup memory, half the 16 KiB WebGPU minimum). 2^20 takes 2 passes.
// The first pass also gathers from the caller's order (and multiplies by the coset powers); the
// last one also multiplies by n^-1 g^-j (inverse) and scatters to the requested order.

// @standalone-begin
const BB_P: u32 = 2013265921u;
fn bb_add(a: u32, b: u32) -> u32 { return a; }
fn bb_sub(a: u32, b: u32) -> u32 { return a; }
fn bb_mont_mul(a: u32, b: u32) -> u32 { return a; }
// @standalone-end

const TILE_LOG: u32 = 11u;
const TILE: u32 = 2048u;
const THREADS: u32 = 256u;

struct BbNttParams {
  log_n: u32,
  // first stage of this pass (1-based) and number of stages
  s0: u32,
  k: u32,
  // log2 of the elements per workgroup: min(log_n, TILE_LOG)
  log_tile: u32,
  // bit 0: first pass (gather from the input order); bit 1: input is bit-reversed;
  // bit 2: multiply by scale[nat] on load (forward coset); bit 3: last pass;
  // bit 4: multiply by scale[j] on store (inverse: n^-1 g^-j); bit 5: output bit-reversed
  flags: u32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> twiddles: array<u32>;
@group(0) @binding(3) var<storage, read> scale: array<u32>;
@group(0) @binding(4) var<storage, read> params: BbNttParams;

var<workgroup> tile: array<u32, TILE>;

fn bitrev(i: u32, log_n: u32) -> u32 {
  if (log_n == 0u) { return 0u; }
  return reverseBits(i) >> (32u - log_n);
}

// Working-array index of tile slot e in workgroup w (file comment), and the group's `low` bits.
fn slot_index(w: u32, e: u32) -> u32 {
  let k = params.k;
  let lg = params.s0 - 1u;
  let t = e & ((1u << k) - 1u);
  let g = (w << (params.log_tile - k)) + (e >> k);
  let low = g & ((1u << lg) - 1u);
  let high = g >> lg;
  return low | (t << lg) | (high << (lg + k));
}

@compute @workgroup_size(256)
fn bb_ntt_pass(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
  let w = wg.x + wg.y * nwg.x;
  let size = 1u << params.log_tile;
  // uniform per workgroup: whole workgroups past the end leave together
  if ((w << params.log_tile) >= (1u << params.log_n)) { return; }
  let flags = params.flags;
  for (var e = lid; e < size; e += THREADS) {
    let idx = slot_index(w, e);
    var x: u32;
    if ((flags & 1u) != 0u) {
      // working position idx holds natural element nat = bitrev(idx)
      let nat = bitrev(idx, params.log_n);
      x = src[select(nat, idx, (flags & 2u) != 0u)];
      if ((flags & 4u) != 0u) { x = bb_mont_mul(x, scale[nat]); }
    } else {
      x = src[idx];
    }
    tile[e] = x;
  }
  workgroupBarrier();
  let k = params.k;
  let lg = params.s0 - 1u;
  for (var s = 0u; s < k; s++) {
    let hl = 1u << s;            // half-size inside the group
    let h = hl << lg;            // global half-size of stage s0 + s
    for (var b = lid; b < size / 2u; b += THREADS) {
      let c = b >> (k - 1u);     // group inside the tile (k >= 1 here)
      let tb = b & ((1u << (k - 1u)) - 1u);
      let j = tb & (hl - 1u);
      let e1 = (c << k) | (((tb - j) << 1u) + j);
      let e2 = e1 + hl;
      let low = ((w << (params.log_tile - k)) + c) & ((1u << lg) - 1u);
      let tw = twiddles[h + (low | (j << lg))];
      let u = tile[e1];
      let v = bb_mont_mul(tile[e2], tw);
      tile[e1] = bb_add(u, v);
      tile[e2] = bb_sub(u, v);
    }
    workgroupBarrier();
  }
  for (var e = lid; e < size; e += THREADS) {
    let idx = slot_index(w, e);
    var x = tile[e];
    if ((flags & 8u) != 0u) {
      // after the last stage, working position idx holds output index idx
      if ((flags & 16u) != 0u) { x = bb_mont_mul(x, scale[idx]); }
      dst[select(idx, bitrev(idx, params.log_n), (flags & 32u) != 0u)] = x;
    } else {
      dst[idx] = x;
    }
  }
}
