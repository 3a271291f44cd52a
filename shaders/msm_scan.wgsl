// Exclusive prefix sum of u32 counts (the bucket histogram -> CSR offsets), in levels:
//   msm_scan_block: each workgroup scans a block of SCAN_BLOCK = 512 values (256 threads, 2 each:
//                   a Hillis-Steele scan over the 256 pair sums in workgroup memory), writes the
//                   exclusive prefix to dst and the block total to sums[block].
//   msm_scan_add:   dst[i] += sums[i / SCAN_BLOCK], with sums already scanned by the next level.
// The host recurses until one block remains: 2^19 + 1 counts (16 windows of 2^15 buckets) take
// three levels. Totals stay below 2^32 because at most 2^27 points x 20 windows are ever sorted.

struct ScanParams {
  count: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read_write> sums: array<u32>;
@group(0) @binding(3) var<storage, read> params: ScanParams;

const SCAN_WG: u32 = 256u;
const SCAN_BLOCK: u32 = 512u;

var<workgroup> partial: array<u32, SCAN_WG>;

@compute @workgroup_size(SCAN_WG)
fn msm_scan_block(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
  let block = wg.x + wg.y * nwg.x;
  let base = block * SCAN_BLOCK;   // uniform per workgroup: every thread reaches every barrier
  let count = params.count;
  if (base >= count) { return; }   // surplus workgroup of a 2-D dispatch (uniform: no barrier skipped by part of it)
  let i0 = base + 2u * lid;
  var a = 0u;
  var b = 0u;
  if (i0 < count) { a = src[i0]; }
  if (i0 + 1u < count) { b = src[i0 + 1u]; }
  let own = a + b;
  partial[lid] = own;
  workgroupBarrier();
  for (var step = 1u; step < SCAN_WG; step <<= 1u) {
    var add = 0u;
    if (lid >= step) { add = partial[lid - step]; }
    workgroupBarrier();
    partial[lid] += add;
    workgroupBarrier();
  }
  let incl = partial[lid];
  let excl = incl - own;
  if (i0 < count) { dst[i0] = excl; }
  if (i0 + 1u < count) { dst[i0 + 1u] = excl + a; }
  if (lid == SCAN_WG - 1u) { sums[block] = incl; }
}

@compute @workgroup_size(SCAN_WG)
fn msm_scan_add(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * SCAN_WG;
  if (i == 0u) { _ = src[0]; }   // keeps binding 0 in the 'auto' layout shared with msm_scan_block
  if (i >= params.count) { return; }
  dst[i] += sums[i / SCAN_BLOCK];
}
