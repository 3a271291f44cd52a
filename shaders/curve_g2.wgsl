// G2 point arithmetic (the twists of BN254 and BLS12-381, a = 0) in XYZZ coordinates over
// Fp2 = Fp[u] / (u^2 + 1), as a step machine: src/msm/point-program.ts writes the formulas as a
// table of (op, x, y, z) steps over step_reg, a file of Fp registers, and step_run executes it.
// Composed after the generated field prelude + field.wgsl + the G2 prelude of src/msm/prelude.ts
// (the STEP_* register numbers and entries); the kernel files (msm_g2_bucket.wgsl,
// msm_g2_reduce.wgsl, msm_g2_curve_test.wgsl) declare `step_table`, the uniform buffer holding the
// steps (prelude.ts stepTableWords), and move points between storage and the registers.
//
// Why: Mesa inlines every call and unrolls short loops, so lavapipe's compile time follows the
// code after inlining. The straight-line G2 formulas (45 Fp products per addition) compiled in
// 130-165 s for BN254's five pipelines (509 s of CPU in a rerun on a busier machine) and 1076 s
// for BLS12-381's; here a kernel inlines ONE fe_mul, fe_add and fe_sub (step_run's loop body)
// whatever the formula. Points never travel as WGSL values either: an Fp2 XYZZ point is 8 Fe
// (128 / 192 u32) and every word an unrolled copy moves costs its own bounds-checked SIMD gather
// in llvmpipe (a kernel that only loaded two such points, added them and stored the sum took
// 8.4 s to compile against 2.7 s for a bare load and store). So points move between storage and
// the registers as vec4s in rolled loops (see xyzz_vec4s).
// Keep it so: no unrolling hints, one step_run call site per kernel (each one inlines the loop
// again), and registers addressed through step_reg only.
//
// Register layout (src/msm/point-program.ts PointProgram): a point is STEP_POINT_REGS = 8
// registers X.c0, X.c1, Y.c0, Y.c1, ZZ.c0, ZZ.c1, ZZZ.c0, ZZZ.c1, each one Fp element in
// Montgomery form; infinity is ZZ = 0. A point in storage has the same words, i.e. the .zkey
// bytes (affine: x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1, all zero = infinity).

// @standalone-begin
const FE_LIMBS: u32 = 16u;
alias Fe = array<u32, 16>;
const FE_ONE: Fe = Fe(1u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
fn fe_add(a: Fe, b: Fe) -> Fe { return a; }
fn fe_sub(a: Fe, b: Fe) -> Fe { return a; }
fn fe_mul(a: Fe, b: Fe) -> Fe { return a; }
const STEP_REGISTERS: u32 = 57u;
const STEP_POINT_REGS: u32 = 8u;
const STEP_P: u32 = 0u;
const STEP_Q: u32 = 8u;
const STEP_OUT: u32 = 16u;
const STEP_SLOT_A: u32 = 24u;
const STEP_SLOT_B: u32 = 32u;
const STEP_ADD: u32 = 0u;
const STEP_ADD_AFFINE: u32 = 1u;
const STEP_SUB_AFFINE: u32 = 2u;
const STEP_DOUBLE: u32 = 3u;
struct StepTable { sizes: vec4<u32>, code: array<vec4<u32>, 1>, }
@group(0) @binding(6) var<uniform> step_table: StepTable;
// @standalone-end

// Opcodes of src/msm/point-program.ts STEP_OP.
const OP_HALT: u32 = 0u;
const OP_MUL: u32 = 1u;
const OP_ADD: u32 = 2u;
const OP_SUB: u32 = 3u;
const OP_JUMP_NONZERO: u32 = 4u;
const OP_COPY: u32 = 5u;
const OP_JUMP: u32 = 6u;

// A register is one Fp element as its FE_LIMBS / 2 storage words (two 16-bit limbs each), held
// as REG_VEC4S vec4<u32>; a point is STEP_POINT_REGS such registers in storage order, so an XYZZ
// point is XYZZ_VEC4S vec4s both in storage and in the registers. FE_LIMBS is a multiple of 8 on
// both curves (16, 24; src/msm/prelude.ts checks it).
const REG_VEC4S: u32 = FE_LIMBS / 8u;

// Packed words in vec4s, not array<Fe, STEP_REGISTERS>: llvmpipe gathers every dynamically
// indexed element lane by lane (a bounds clamp and 8 scalar loads each), so the count of
// dynamic accesses sets the compile time. Limbs one per u32 in a nested array took 13.7 s to
// compile a step loop without its fe_mul (BN254); one vec4 of packed words moves 8 limbs.
var<private> step_reg: array<vec4<u32>, STEP_REGISTERS * REG_VEC4S>;

fn reg_load(r: u32) -> Fe {
  var a: Fe;
  for (var v = 0u; v < REG_VEC4S; v++) {
    let q = step_reg[r * REG_VEC4S + v];
    for (var c = 0u; c < 4u; c++) {
      a[8u * v + 2u * c] = q[c] & 0xffffu;
      a[8u * v + 2u * c + 1u] = q[c] >> 16u;
    }
  }
  return a;
}

fn reg_store(r: u32, a: Fe) {
  for (var v = 0u; v < REG_VEC4S; v++) {
    var q: vec4<u32>;
    for (var c = 0u; c < 4u; c++) { q[c] = a[8u * v + 2u * c] | (a[8u * v + 2u * c + 1u] << 16u); }
    step_reg[r * REG_VEC4S + v] = q;
  }
}

fn fp_is_zero(a: Fe) -> bool {
  var acc = 0u;
  for (var i = 0u; i < FE_LIMBS; i++) { acc |= a[i]; }
  return acc == 0u;
}

// Runs the steps from `entry` (STEP_ADD, ...): STEP_OUT = op(STEP_P, STEP_Q).
fn step_run(entry: u32) {
  var pc = entry;
  loop {
    let word = step_table.code[pc / 4u][pc % 4u];
    pc += 1u;
    let op = word >> 28u;
    if (op == OP_HALT) { return; }
    let x = word & 0xfffu;
    let a = reg_load((word >> 12u) & 0xffu);
    let b = reg_load((word >> 20u) & 0xffu);
    if (op == OP_JUMP_NONZERO) {
      if (!fp_is_zero(a) || !fp_is_zero(b)) { pc = x; }
    } else if (op == OP_JUMP) {
      pc = x;
    } else {
      // one reg_store site: each is FE_LIMBS dynamically indexed stores once unrolled
      var r = a;   // OP_COPY
      if (op == OP_MUL) {
        r = fe_mul(a, b);
      } else if (op == OP_ADD) {
        r = fe_add(a, b);
      } else if (op == OP_SUB) {
        r = fe_sub(a, b);
      }
      reg_store(x, r);
    }
  }
}

// Point moves loop over vec4s with the bound step_table.sizes.x = XYZZ_VEC4S (.y = AFFINE_VEC4S)
// read at run time: NIR unrolls loops of up to 32 known trips, and unrolled, each of the dozen
// copy sites became 16 / 24 dynamically indexed accesses (BLS12-381's five pipelines: 122 s of
// compile time with constant bounds).
fn xyzz_vec4s() -> u32 { return step_table.sizes.x; }
fn affine_vec4s() -> u32 { return step_table.sizes.y; }

// The vec4 `i` of the point at register r (storage layout: see REG_VEC4S).
fn point_vec4(r: u32, i: u32) -> vec4<u32> { return step_reg[r * REG_VEC4S + i]; }

fn point_set_vec4(r: u32, i: u32, q: vec4<u32>) { step_reg[r * REG_VEC4S + i] = q; }

fn point_copy(dst: u32, src: u32) {
  for (var i = 0u; i < xyzz_vec4s(); i++) { step_reg[dst * REG_VEC4S + i] = step_reg[src * REG_VEC4S + i]; }
}

// ZZ = ZZZ = 0 (X and Y are left as they are: infinity does not read them).
fn point_set_infinity(r: u32) {
  for (var i = xyzz_vec4s() / 2u; i < xyzz_vec4s(); i++) { step_reg[r * REG_VEC4S + i] = vec4<u32>(); }
}

// ZZ = ZZZ = 1 (Montgomery) for an affine point just loaded, or 0 when all its words were zero.
fn point_set_affine_z(r: u32, finite: bool) {
  point_set_infinity(r);
  if (finite) {
    reg_store(r + STEP_POINT_REGS / 2u, FE_ONE);        // ZZ.c0
    reg_store(r + 3u * STEP_POINT_REGS / 4u, FE_ONE);   // ZZZ.c0
  }
}
