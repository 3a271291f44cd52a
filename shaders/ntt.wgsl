// Radix-2 NTT over Fr on 16-bit Montgomery limbs (field.wgsl). Elements are stored packed as
// FE_LIMBS/2 u32 words (two 16-bit limbs per word, i.e. the 32-byte little-endian encoding),
// so the input bytes upload unchanged and memory is halved against one limb per word.
// Entry points (each binds src, dst, table, params; passes ping-pong between two buffers):
//   ntt_prep:  dst[perm(i)] = to_mont(src[i]) * (coset ? table[nat(i)] : 1)   (to bit-reversed order)
//   ntt_stage: one DIT butterfly stage of half-size params.half, twiddle table[half + k]
//   ntt_post:  dst[out(j)] = from_mont(src[j] * (scale ? table[j] : 1))       (natural -> requested order)
//   ntt_powers: builds the twiddle / coset / scale tables on the GPU from a few bases (below)

// @standalone-begin
const FE_LIMBS: u32 = 16u;
alias Fe = array<u32, 16>;
const FE_ONE: Fe = Fe(1u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
fn fe_add(a: Fe, b: Fe) -> Fe { return a; }
fn fe_sub(a: Fe, b: Fe) -> Fe { return a; }
fn fe_mul(a: Fe, b: Fe) -> Fe { return a; }
fn fe_to_mont(a: Fe) -> Fe { return a; }
fn fe_from_mont(a: Fe) -> Fe { return a; }
// @standalone-end

const WORDS: u32 = FE_LIMBS / 2u;

struct NttParams {
  n: u32,
  log_n: u32,
  half: u32,
  // bit 0: input is bit-reversed; bit 1: multiply by table (coset / scale); bit 2: output bit-reversed
  flags: u32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> table: array<u32>;
@group(0) @binding(3) var<storage, read> params: NttParams;

fn unpack(w: array<u32, WORDS>) -> Fe {
  var r: Fe;
  for (var k = 0u; k < WORDS; k++) {
    r[2u * k] = w[k] & 0xffffu;
    r[2u * k + 1u] = w[k] >> 16u;
  }
  return r;
}

fn load_src(i: u32) -> Fe {
  var w: array<u32, WORDS>;
  for (var k = 0u; k < WORDS; k++) { w[k] = src[i * WORDS + k]; }
  return unpack(w);
}

fn load_table(i: u32) -> Fe {
  var w: array<u32, WORDS>;
  for (var k = 0u; k < WORDS; k++) { w[k] = table[i * WORDS + k]; }
  return unpack(w);
}

fn store_dst(i: u32, x: Fe) {
  for (var k = 0u; k < WORDS; k++) { dst[i * WORDS + k] = x[2u * k] | (x[2u * k + 1u] << 16u); }
}

fn bitrev(i: u32, log_n: u32) -> u32 {
  if (log_n == 0u) { return 0u; }
  return reverseBits(i) >> (32u - log_n);
}

fn thread_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * 64u;
}

@compute @workgroup_size(64)
fn ntt_prep(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = thread_index(gid, nwg);
  if (i >= params.n) { return; }
  let input_rev = (params.flags & 1u) != 0u;
  // natural index of the value at position i, and its position in bit-reversed order
  let nat = select(i, bitrev(i, params.log_n), input_rev);
  var x = fe_to_mont(load_src(i));
  if ((params.flags & 2u) != 0u) { x = fe_mul(x, load_table(nat)); }
  store_dst(bitrev(nat, params.log_n), x);
}

@compute @workgroup_size(64)
fn ntt_stage(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = thread_index(gid, nwg);
  if (t >= params.n / 2u) { return; }
  let half = params.half;
  let k = t & (half - 1u);
  let i = ((t - k) << 1u) + k;
  let j = i + half;
  let u = load_src(i);
  let v = fe_mul(load_src(j), load_table(half + k));
  store_dst(i, fe_add(u, v));
  store_dst(j, fe_sub(u, v));
}

@compute @workgroup_size(64)
fn ntt_post(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = thread_index(gid, nwg);
  if (j >= params.n) { return; }
  var x = load_src(j);
  if ((params.flags & 2u) != 0u) { x = fe_mul(x, load_table(j)); }
  let out_rev = (params.flags & 4u) != 0u;
  store_dst(select(j, bitrev(j, params.log_n), out_rev), fe_from_mont(x));
}

// Workgroup tiling: the first TILE_LOG stages (half = 1 .. TILE/2) only touch pairs inside aligned
// blocks of TILE = 256 elements (bit-reversed DIT input), so one workgroup loads a block into
// workgroup memory (256 * 32 B = 8 KiB, under the 16 KiB WebGPU minimum), runs those stages with
// barriers, and writes it back: one global round trip instead of 8. params.half = stages to run
// (min(log_n, TILE_LOG)); 128 threads do one butterfly each per stage.
const TILE_LOG: u32 = 8u;
const TILE: u32 = 256u;
var<workgroup> tile: array<u32, TILE * WORDS>;

fn tile_load(i: u32) -> Fe {
  var w: array<u32, WORDS>;
  for (var k = 0u; k < WORDS; k++) { w[k] = tile[i * WORDS + k]; }
  return unpack(w);
}

fn tile_store(i: u32, x: Fe) {
  for (var k = 0u; k < WORDS; k++) { tile[i * WORDS + k] = x[2u * k] | (x[2u * k + 1u] << 16u); }
}

@compute @workgroup_size(128)
fn ntt_tile(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
  let size = min(params.n, TILE);
  let base = (wg.x + wg.y * nwg.x) * TILE;
  if (base >= params.n) { return; }   // uniform per workgroup
  for (var e = lid; e < size * WORDS; e += 128u) { tile[e] = src[base * WORDS + e]; }
  workgroupBarrier();
  for (var s = 0u; s < params.half; s++) {
    let half = 1u << s;
    if (lid < size / 2u) {
      let k = lid & (half - 1u);
      let i = ((lid - k) << 1u) + k;
      let j = i + half;
      let u = tile_load(i);
      let v = fe_mul(tile_load(j), load_table(half + k));
      tile_store(i, fe_add(u, v));
      tile_store(j, fe_sub(u, v));
    }
    workgroupBarrier();
  }
  for (var e = lid; e < size * WORDS; e += 128u) { dst[base * WORDS + e] = tile[e]; }
}

// Tables on the GPU: an n-entry table from O(log n) host BigInt work instead of O(n) (2^24
// twiddles took tens of seconds of BigInt on the host). Each thread raises its base by square
// and multiply: at most log2(n) squarings and as many products, about 3x one NTT's field work,
// paid once per (curve, size, direction) because the tables stay cached on the device.
// `table` holds the bases in Montgomery form; params.flags selects the table:
//   0 (twiddles): table[b] = ω_{2^(b+1)}; dst[i] = table[b]^(i - 2^b) with b = floor(log2 i), dst[0] = 0
//      (so dst[h + k] = ω_{2h}^k, the layout ntt_stage and ntt_tile read)
//   1 (powers):   table[0] = g, table[1] = c; dst[j] = c * g^j (coset factors, inverse scale)
@compute @workgroup_size(64)
fn ntt_powers(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = thread_index(gid, nwg);
  // A phony read keeps binding 0 in the 'auto' layout, so every entry point binds the same four.
  _ = src[0];
  if (i >= params.n) { return; }
  var x: Fe;
  var acc: Fe = FE_ONE;
  var e: u32;
  if (params.flags == 0u) {
    if (i == 0u) {
      var zero: Fe;
      store_dst(0u, zero);
      return;
    }
    let b = firstLeadingBit(i);
    x = load_table(b);
    e = i - (1u << b);
  } else {
    x = load_table(0u);
    acc = load_table(1u);
    e = i;
  }
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) != 0u) { acc = fe_mul(acc, x); }
    e = e >> 1u;
    if (e != 0u) { x = fe_mul(x, x); }
  }
  store_dst(i, acc);
}
