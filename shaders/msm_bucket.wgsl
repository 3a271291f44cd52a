// Bucket accumulation over the CSR from msm_sort.wgsl, load-balanced by fixed-size segments.
//   msm_accumulate: thread t sums the entries csr[t S .. t S + S) (S = params.seg) with mixed XYZZ
//     additions of the affine points (negated for a negative digit). Every thread does S additions
//     whatever the scalar distribution: with all scalars equal, one bucket per window holds every
//     point and is simply spread over n / S threads. A bucket lying wholly inside the segment is
//     written to buckets[k]; the part of a bucket that started before the segment goes to
//     head[t] = parts[t], the part of the bucket that runs past its end to tail[t] = parts[T + t].
//   msm_combine: one thread per bucket k: empty -> infinity; split over threads t0 < t1 ->
//     tail[t0] + head[t0 + 1] + ... + head[t1] (every thread strictly inside the bucket wrote its
//     whole segment as head). The sequential sum is n / (S W) additions at worst: with S chosen as
//     W n / 2^16 on a large input (src/msm/plan.ts), about as many as one segment.
// Point indices in csr carry the digit's sign in bit 31; an input point of all zero words is
// infinity and is skipped.

// @standalone-begin
const FE_LIMBS: u32 = 16u;
alias Fe = array<u32, 16>;
const FE_WORDS: u32 = 8u;
const AFFINE_WORDS: u32 = 16u;
const XYZZ_WORDS: u32 = 32u;
struct Xyzz { x: Fe, y: Fe, zz: Fe, zzz: Fe, }
struct Affine { x: Fe, y: Fe, infinity: bool, }
fn fe_unpack(w: array<u32, FE_WORDS>) -> Fe { var r: Fe; return r; }
fn fe_pack(x: Fe) -> array<u32, FE_WORDS> { var w: array<u32, FE_WORDS>; return w; }
fn xyzz_infinity() -> Xyzz { var p: Xyzz; return p; }
fn affine_neg(a: Affine) -> Affine { return a; }
fn xyzz_add(p: Xyzz, q: Xyzz) -> Xyzz { return p; }
fn xyzz_add_affine(p: Xyzz, q: Affine) -> Xyzz { return p; }
// @standalone-end

struct BucketParams {
  bucket_count: u32,   // K = W B
  seg: u32,            // S: csr entries per accumulate thread
  threads: u32,        // T: accumulate threads (parts holds 2T points)
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> points: array<u32>;
@group(0) @binding(1) var<storage, read> csr: array<u32>;
@group(0) @binding(2) var<storage, read> offsets: array<u32>;
@group(0) @binding(3) var<storage, read_write> buckets: array<u32>;
@group(0) @binding(4) var<storage, read_write> parts: array<u32>;
@group(0) @binding(5) var<storage, read> params: BucketParams;

const BUCKET_WG: u32 = 64u;
const SIGN_BIT: u32 = 0x80000000u;

fn bucket_thread(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * BUCKET_WG;
}

fn load_point(i: u32) -> Affine {
  var xw: array<u32, FE_WORDS>;
  var yw: array<u32, FE_WORDS>;
  var bits = 0u;
  let base = i * AFFINE_WORDS;
  for (var k = 0u; k < FE_WORDS; k++) {
    xw[k] = points[base + k];
    yw[k] = points[base + FE_WORDS + k];
    bits |= xw[k] | yw[k];
  }
  return Affine(fe_unpack(xw), fe_unpack(yw), bits == 0u);
}

fn store_xyzz_bucket(k: u32, p: Xyzz) {
  let base = k * XYZZ_WORDS;
  let x = fe_pack(p.x);
  let y = fe_pack(p.y);
  let zz = fe_pack(p.zz);
  let zzz = fe_pack(p.zzz);
  for (var j = 0u; j < FE_WORDS; j++) {
    buckets[base + j] = x[j];
    buckets[base + FE_WORDS + j] = y[j];
    buckets[base + 2u * FE_WORDS + j] = zz[j];
    buckets[base + 3u * FE_WORDS + j] = zzz[j];
  }
}

fn store_xyzz_part(t: u32, p: Xyzz) {
  let base = t * XYZZ_WORDS;
  let x = fe_pack(p.x);
  let y = fe_pack(p.y);
  let zz = fe_pack(p.zz);
  let zzz = fe_pack(p.zzz);
  for (var j = 0u; j < FE_WORDS; j++) {
    parts[base + j] = x[j];
    parts[base + FE_WORDS + j] = y[j];
    parts[base + 2u * FE_WORDS + j] = zz[j];
    parts[base + 3u * FE_WORDS + j] = zzz[j];
  }
}

fn load_xyzz_part(t: u32) -> Xyzz {
  var x: array<u32, FE_WORDS>;
  var y: array<u32, FE_WORDS>;
  var zz: array<u32, FE_WORDS>;
  var zzz: array<u32, FE_WORDS>;
  let base = t * XYZZ_WORDS;
  for (var j = 0u; j < FE_WORDS; j++) {
    x[j] = parts[base + j];
    y[j] = parts[base + FE_WORDS + j];
    zz[j] = parts[base + 2u * FE_WORDS + j];
    zzz[j] = parts[base + 3u * FE_WORDS + j];
  }
  return Xyzz(fe_unpack(x), fe_unpack(y), fe_unpack(zz), fe_unpack(zzz));
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

fn flush(t: u32, k: u32, a: u32, b: u32, acc: Xyzz) {
  let start = offsets[k];
  let end = offsets[k + 1u];
  if (start >= a && end <= b) {
    store_xyzz_bucket(k, acc);
  } else if (start < a) {
    store_xyzz_part(t, acc);                    // head: began in an earlier segment
  } else {
    store_xyzz_part(params.threads + t, acc);   // tail: runs into a later segment
  }
}

@compute @workgroup_size(BUCKET_WG)
fn msm_accumulate(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = bucket_thread(gid, nwg);
  if (t >= params.threads) { return; }
  let total = offsets[params.bucket_count];
  let a = t * params.seg;
  if (a >= total) { return; }
  let b = min(a + params.seg, total);
  var k = bucket_of(a);
  var end = offsets[k + 1u];
  var acc = xyzz_infinity();
  for (var e = a; e < b; e++) {
    if (e == end) {
      flush(t, k, a, b, acc);
      acc = xyzz_infinity();
      k += 1u;
      while (offsets[k + 1u] <= e) { k += 1u; }   // skip empty buckets
      end = offsets[k + 1u];
    }
    let entry = csr[e];
    var p = load_point(entry & ~SIGN_BIT);
    if ((entry & SIGN_BIT) != 0u) { p = affine_neg(p); }
    acc = xyzz_add_affine(acc, p);
  }
  flush(t, k, a, b, acc);
}

@compute @workgroup_size(BUCKET_WG)
fn msm_combine(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = bucket_thread(gid, nwg);
  if (k == 0u) { _ = points[0]; _ = csr[0]; }   // keep the shared 'auto' layout (see msm_sort.wgsl)
  if (k >= params.bucket_count) { return; }
  let start = offsets[k];
  let end = offsets[k + 1u];
  if (start == end) {
    store_xyzz_bucket(k, xyzz_infinity());
    return;
  }
  let t0 = start / params.seg;
  let t1 = (end - 1u) / params.seg;
  if (t0 == t1) { return; }   // written whole by msm_accumulate
  var acc = load_xyzz_part(params.threads + t0);
  for (var t = t0 + 1u; t <= t1; t++) { acc = xyzz_add(acc, load_xyzz_part(t)); }
  store_xyzz_bucket(k, acc);
}
