// Pippenger bucket sort, one chunk of n scalars (no field code: the same pipelines serve both curves).
//   msm_clear:     counts[0 .. clear_count) = 0 (pooled buffers come back dirty)
//   msm_decompose: one thread per scalar: signed c-bit window digits d_w in (-2^(c-1), 2^(c-1)],
//                  digits[w n + i] = |d| | sign << 31, and a histogram counts[w B + |d| - 1] += 1
//   msm_scatter:   after offsets = exclusive scan of counts (msm_scan.wgsl): each nonzero digit
//                  takes a slot of its bucket, csr[slot] = i | sign << 31 (CSR: bucket k holds
//                  csr[offsets[k] .. offsets[k+1])). Slots are taken by atomicSub on counts, which
//                  leaves counts at zero; the order inside a bucket is unspecified.
// Windows: W = floor(frBits / c) + 1 covers every bit of a scalar < r < 2^frBits plus the final
// carry (the top window holds < 2^(frBits mod c) <= 2^(c-1), so no carry leaves it).
// Buckets: B = 2^(c-1) per window (digit magnitudes 1..B; zero digits are never stored).

struct SortParams {
  n: u32,
  c: u32,
  windows: u32,
  buckets: u32,        // B = 2^(c-1)
  clear_count: u32,    // W B + 1 (the extra zero makes the scan's last entry the total)
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

const SCALAR_WORDS: u32 = 8u;
const SIGN_BIT: u32 = 0x80000000u;

@group(0) @binding(0) var<storage, read> scalars: array<u32>;
@group(0) @binding(1) var<storage, read_write> digits: array<u32>;
@group(0) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read> offsets: array<u32>;
@group(0) @binding(4) var<storage, read_write> csr: array<u32>;
@group(0) @binding(5) var<storage, read> params: SortParams;

const SORT_WG: u32 = 256u;

fn sort_thread(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * SORT_WG;
}

// Every entry point touches all six bindings (phony reads where unused) so that one bind group
// layout, derived with layout 'auto', fits them all: the host binds the same six buffers.
fn touch_all() {
  _ = scalars[0];
  _ = digits[0];
  _ = atomicLoad(&counts[0]);
  _ = offsets[0];
  _ = csr[0];
}

@compute @workgroup_size(SORT_WG)
fn msm_clear(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = sort_thread(gid, nwg);
  if (i == 0u) { touch_all(); }
  if (i >= params.clear_count) { return; }
  atomicStore(&counts[i], 0u);
}

// Bits [bit, bit + c) of scalar i (c <= 31), zero above the 256 stored bits.
fn window_bits(i: u32, bit: u32, c: u32) -> u32 {
  let word = bit / 32u;
  let sh = bit % 32u;
  if (word >= SCALAR_WORDS) { return 0u; }
  var v = scalars[i * SCALAR_WORDS + word] >> sh;
  if (sh + c > 32u && word + 1u < SCALAR_WORDS) {
    v |= scalars[i * SCALAR_WORDS + word + 1u] << (32u - sh);
  }
  return v & ((1u << c) - 1u);
}

@compute @workgroup_size(SORT_WG)
fn msm_decompose(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = sort_thread(gid, nwg);
  if (i == 0u) { touch_all(); }
  let n = params.n;
  if (i >= n) { return; }
  let c = params.c;
  let half = params.buckets;
  var carry = 0u;
  for (var w = 0u; w < params.windows; w++) {
    let v = window_bits(i, w * c, c) + carry;
    var mag = v;
    var sign = 0u;
    carry = 0u;
    if (v > half) {
      // v - 2^c is negative: store its magnitude and borrow one from the next window
      mag = (1u << c) - v;
      sign = SIGN_BIT;
      carry = 1u;
    }
    if (mag == 0u) {
      digits[w * n + i] = 0u;
    } else {
      digits[w * n + i] = mag | sign;
      atomicAdd(&counts[w * half + mag - 1u], 1u);
    }
  }
}

@compute @workgroup_size(SORT_WG)
fn msm_scatter(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = sort_thread(gid, nwg);
  if (i == 0u) { touch_all(); }
  let n = params.n;
  if (i >= n) { return; }
  for (var w = 0u; w < params.windows; w++) {
    let d = digits[w * n + i];
    let mag = d & ~SIGN_BIT;
    if (mag != 0u) {
      let k = w * params.buckets + mag - 1u;
      let slot = offsets[k] + atomicSub(&counts[k], 1u) - 1u;
      csr[slot] = i | (d & SIGN_BIT);
    }
  }
}
