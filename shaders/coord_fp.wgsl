// The coordinate field of G1: Fq = Fp (field.wgsl's Fe). curve.wgsl and the MSM kernels are written
// over Fq; G2 binds it to Fp2 instead (coord_fp2.wgsl), so the same formulas and kernels serve both
// groups. Composed after the generated field prelude + field.wgsl.
// Storage: FQ_WORDS = FE_LIMBS / 2 u32 words, two 16-bit limbs per word: exactly the .zkey bytes of
// one coordinate (little-endian Montgomery form).

// @standalone-begin
const FE_LIMBS: u32 = 16u;
alias Fe = array<u32, 16>;
const FE_ONE: Fe = Fe(1u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
fn fe_add(a: Fe, b: Fe) -> Fe { return a; }
fn fe_sub(a: Fe, b: Fe) -> Fe { return a; }
fn fe_mul(a: Fe, b: Fe) -> Fe { return a; }
// @standalone-end

alias Fq = Fe;
const FQ_WORDS: u32 = FE_LIMBS / 2u;

fn fq_add(a: Fq, b: Fq) -> Fq { return fe_add(a, b); }
fn fq_sub(a: Fq, b: Fq) -> Fq { return fe_sub(a, b); }
fn fq_mul(a: Fq, b: Fq) -> Fq { return fe_mul(a, b); }
fn fq_sqr(a: Fq) -> Fq { return fe_mul(a, a); }
fn fq_one() -> Fq { return FE_ONE; }

fn fq_is_zero(a: Fq) -> bool {
  var acc = 0u;
  for (var i = 0u; i < FE_LIMBS; i++) { acc |= a[i]; }
  return acc == 0u;
}

fn fq_unpack(w: array<u32, FQ_WORDS>) -> Fq {
  var r: Fq;
  for (var k = 0u; k < FQ_WORDS; k++) {
    r[2u * k] = w[k] & 0xffffu;
    r[2u * k + 1u] = w[k] >> 16u;
  }
  return r;
}

fn fq_pack(x: Fq) -> array<u32, FQ_WORDS> {
  var w: array<u32, FQ_WORDS>;
  for (var k = 0u; k < FQ_WORDS; k++) { w[k] = x[2u * k] | (x[2u * k + 1u] << 16u); }
  return w;
}
