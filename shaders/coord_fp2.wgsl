// The coordinate field of G2: Fq = Fp2 (fp2.wgsl), the same interface coord_fp.wgsl gives G1, so
// curve.wgsl and the MSM kernels run unchanged on the twist. Composed after the generated field
// prelude + field.wgsl + fp2.wgsl.
// Storage: FQ_WORDS = FE_LIMBS u32 words, c0 then c1, two 16-bit limbs per word: the .zkey bytes of
// one G2 coordinate (x.c0 ‖ x.c1, little-endian Montgomery form).

// @standalone-begin
const FE_LIMBS: u32 = 16u;
alias Fe = array<u32, 16>;
const FE_ONE: Fe = Fe(1u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
struct Fp2 { c0: Fe, c1: Fe, }
fn fp2_add(a: Fp2, b: Fp2) -> Fp2 { return a; }
fn fp2_sub(a: Fp2, b: Fp2) -> Fp2 { return a; }
fn fp2_mul(a: Fp2, b: Fp2) -> Fp2 { return a; }
fn fp2_sqr(a: Fp2) -> Fp2 { return a; }
fn fp2_is_zero(a: Fp2) -> bool { return true; }
// @standalone-end

alias Fq = Fp2;
const FQ_WORDS: u32 = FE_LIMBS;
// Words of one Fp coordinate inside the Fp2 storage.
const FP2_HALF_WORDS: u32 = FE_LIMBS / 2u;

fn fq_add(a: Fq, b: Fq) -> Fq { return fp2_add(a, b); }
fn fq_sub(a: Fq, b: Fq) -> Fq { return fp2_sub(a, b); }
fn fq_mul(a: Fq, b: Fq) -> Fq { return fp2_mul(a, b); }
fn fq_sqr(a: Fq) -> Fq { return fp2_sqr(a); }
fn fq_one() -> Fq { return Fp2(FE_ONE, Fe()); }
fn fq_is_zero(a: Fq) -> bool { return fp2_is_zero(a); }

fn fq_unpack(w: array<u32, FQ_WORDS>) -> Fq {
  var r: Fq;
  for (var k = 0u; k < FP2_HALF_WORDS; k++) {
    r.c0[2u * k] = w[k] & 0xffffu;
    r.c0[2u * k + 1u] = w[k] >> 16u;
    r.c1[2u * k] = w[FP2_HALF_WORDS + k] & 0xffffu;
    r.c1[2u * k + 1u] = w[FP2_HALF_WORDS + k] >> 16u;
  }
  return r;
}

fn fq_pack(x: Fq) -> array<u32, FQ_WORDS> {
  var w: array<u32, FQ_WORDS>;
  for (var k = 0u; k < FP2_HALF_WORDS; k++) {
    w[k] = x.c0[2u * k] | (x.c0[2u * k + 1u] << 16u);
    w[FP2_HALF_WORDS + k] = x.c1[2u * k] | (x.c1[2u * k + 1u] << 16u);
  }
  return w;
}
