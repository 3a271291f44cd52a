/**
 * XYZZ point arithmetic as a table of base-field steps over a register file, for the G2 kernels
 * (shaders/curve_g2.wgsl runs the table; msm_g2_*.wgsl move points in and out of the registers).
 *
 * Why a table: Mesa's NIR inlines every call, so a pipeline's code is (call sites) x (body), and
 * lavapipe compiled the straight-line G2 formulas (15 Fp2 products per addition, 3 Fp products
 * each) in 130-165 s for BN254's five pipelines and 1076 s for BLS12-381's. Here an operation is a
 * list of (op, x, y, z) steps over registers holding one Fp element each, and the shader runs it
 * in a loop whose body holds one fe_mul, one fe_add and one fe_sub: the inlined code no longer
 * grows with the formula. The generator writes G1 (Fq = Fp, coordFp 1) and G2 (Fq = Fp2 with
 * u^2 = -1, coordFp 2) tables; only G2 runs them on the GPU.
 *
 * Formulas (EFD g1p/shortw, a = 0): add-2008-s (12M + 2S), madd-2008-s (8M + 2S), dbl-2008-s-1
 * (6M + 3S). Infinity is ZZ = 0 (X, Y are then arbitrary), and every branch is a step: an
 * operand at infinity copies the other one out, an addition whose P = U2 - U1 is zero jumps to
 * the doubling (R = 0) or writes ZZ = ZZZ = 0 (R != 0, so q = -p).
 *
 * `runPointProgram` interprets a table on BigInts exactly as the shader does: the unit tests check
 * every branch against the BigInt oracle without a GPU.
 */

/** Step opcodes (bits 28..31 of a step word). */
export const STEP_OP = {
  /** End: the result is in the output registers. */
  halt: 0,
  /** r[x] = r[y] r[z] */
  mul: 1,
  /** r[x] = r[y] + r[z] */
  add: 2,
  /** r[x] = r[y] - r[z] */
  sub: 3,
  /** Jump to step x when r[y] != 0 or r[z] != 0 (an Fp2 coordinate is two registers). */
  jumpNonZero: 4,
  /** r[x] = r[y] */
  copy: 5,
  /** Jump to step x. */
  jump: 6,
} as const;

/** Field widths of a step word: x is 12 bits (a register or a step index), y and z 8 bits each. */
const X_BITS = 12;
const Y_SHIFT = 12;
const Z_SHIFT = 20;
const OP_SHIFT = 28;

/**
 * The operations: out = p + q, p + affine q, p - affine q (q's Y negated in its registers first),
 * 2p. An affine q is (X, Y, ZZ = ZZZ = 1), or ZZ = ZZZ = 0 for infinity: the kernels load it so.
 */
export type PointEntry = 'add' | 'addAffine' | 'subAffine' | 'double';

export interface PointProgram {
  /** Fp registers per coordinate: 1 (G1) or 2 (G2: c0, c1). */
  coordFp: 1 | 2;
  /** Registers per XYZZ point: 4 coordFp (X, Y, ZZ, ZZZ in this order). */
  pointRegs: number;
  /** The step words. */
  steps: number[];
  /** Registers the steps and the kernels use. */
  registers: number;
  /** First step of each operation. */
  entry: Record<PointEntry, number>;
  /** First register of the operands p, q and the result out; 'double' reads p only. */
  p: number;
  q: number;
  out: number;
  /** Two point slots the steps never touch: the kernels keep running sums there. */
  slotA: number;
  slotB: number;
  /** A register that stays zero (negation, infinity). */
  zero: number;
}

type Value = number;
type Coord = Value[];

interface Step {
  op: number;
  /** Destination value, or a step index for jumps (patched from `jumps`). */
  x: number;
  y: Value;
  z: Value;
}

interface XyzzValues {
  x: Coord;
  y: Coord;
  zz: Coord;
  zzz: Coord;
}

/** Builds steps over SSA values; `allocate` maps them to registers afterwards. */
class StepBuilder {
  readonly steps: Step[] = [];
  readonly labels = new Map<string, number>();
  /** Jumps waiting for their label's step index: (step, label). */
  readonly jumps: [number, string][] = [];
  /** Values pinned to a register (inputs, outputs, the zero register). */
  readonly pinned = new Map<Value, number>();
  #next = 0;

  constructor(readonly coordFp: 1 | 2) {}

  pin(register: number): Value {
    const v = this.#next++;
    this.pinned.set(v, register);
    return v;
  }

  coordAt(register: number): Coord {
    return Array.from({ length: this.coordFp }, (_, i) => this.pin(register + i));
  }

  pointAt(register: number): XyzzValues {
    const k = this.coordFp;
    return { x: this.coordAt(register), y: this.coordAt(register + k), zz: this.coordAt(register + 2 * k), zzz: this.coordAt(register + 3 * k) };
  }

  label(name: string): void {
    if (this.labels.has(name)) throw new Error(`point program: label ${name} defined twice`);
    this.labels.set(name, this.steps.length);
  }

  private fp(op: number, a: Value, b: Value, out?: Value): Value {
    const v = out ?? this.#next++;
    this.steps.push({ op, x: v, y: a, z: b });
    return v;
  }

  add(a: Coord, b: Coord, out?: Coord): Coord {
    return a.map((ai, i) => this.fp(STEP_OP.add, ai, b[i], out?.[i]));
  }

  sub(a: Coord, b: Coord, out?: Coord): Coord {
    return a.map((ai, i) => this.fp(STEP_OP.sub, ai, b[i], out?.[i]));
  }

  copy(a: Coord, out: Coord): void {
    a.forEach((ai, i) => this.fp(STEP_OP.copy, ai, ai, out[i]));
  }

  copyPoint(a: XyzzValues, out: XyzzValues): void {
    this.copy(a.x, out.x);
    this.copy(a.y, out.y);
    this.copy(a.zz, out.zz);
    this.copy(a.zzz, out.zzz);
  }

  /** Fp: one product. Fp2 (u^2 = -1), Karatsuba: v0 = a0 b0, v1 = a1 b1, c0 = v0 - v1, c1 = (a0 + a1)(b0 + b1) - v0 - v1. */
  mul(a: Coord, b: Coord, out?: Coord): Coord {
    if (this.coordFp === 1) return [this.fp(STEP_OP.mul, a[0], b[0], out?.[0])];
    const v0 = this.fp(STEP_OP.mul, a[0], b[0]);
    const v1 = this.fp(STEP_OP.mul, a[1], b[1]);
    const s = this.fp(STEP_OP.mul, this.fp(STEP_OP.add, a[0], a[1]), this.fp(STEP_OP.add, b[0], b[1]));
    const c0 = this.fp(STEP_OP.sub, v0, v1, out?.[0]);
    const c1 = this.fp(STEP_OP.sub, this.fp(STEP_OP.sub, s, v0), v1, out?.[1]);
    return [c0, c1];
  }

  /** Fp2: (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u, two products. */
  sqr(a: Coord, out?: Coord): Coord {
    if (this.coordFp === 1) return [this.fp(STEP_OP.mul, a[0], a[0], out?.[0])];
    const c0 = this.fp(STEP_OP.mul, this.fp(STEP_OP.add, a[0], a[1]), this.fp(STEP_OP.sub, a[0], a[1]), out?.[0]);
    const c1 = this.fp(STEP_OP.mul, this.fp(STEP_OP.add, a[0], a[0]), a[1], out?.[1]);
    return [c0, c1];
  }

  jumpNonZero(a: Coord, label: string): void {
    this.jumps.push([this.steps.length, label]);
    this.steps.push({ op: STEP_OP.jumpNonZero, x: 0, y: a[0], z: a[a.length - 1] });
  }

  jump(label: string): void {
    this.jumps.push([this.steps.length, label]);
    this.steps.push({ op: STEP_OP.jump, x: 0, y: -1, z: -1 });
  }

  halt(): void {
    this.steps.push({ op: STEP_OP.halt, x: 0, y: -1, z: -1 });
  }
}

/**
 * The shared tail: PP = P^2, PPP = P PP, Q = U1 PP, X3 = R^2 - PPP - 2Q, Y3 = R(Q - X3) - S1 PPP,
 * ZZ3 = ZZ PP, ZZZ3 = ZZZ PPP, written to the output registers.
 */
function addTail(b: StepBuilder, t: { p: Coord; r: Coord; u1: Coord; s1: Coord; zz: Coord; zzz: Coord }, out: XyzzValues): void {
  const pp = b.sqr(t.p);
  const ppp = b.mul(t.p, pp);
  const q = b.mul(t.u1, pp);
  const x3 = b.sub(b.sub(b.sub(b.sqr(t.r), ppp), q), q, out.x);
  b.sub(b.mul(t.r, b.sub(q, x3)), b.mul(t.s1, ppp), out.y);
  b.mul(t.zz, pp, out.zz);
  b.mul(t.zzz, ppp, out.zzz);
  b.halt();
}

/** Builds the table for Fq = Fp (coordFp 1) or Fp2 with u^2 = -1 (coordFp 2). */
export function buildPointProgram(coordFp: 1 | 2): PointProgram {
  const b = new StepBuilder(coordFp);
  const pointRegs = 4 * coordFp;
  const layout = { p: 0, q: pointRegs, out: 2 * pointRegs, slotA: 3 * pointRegs, slotB: 4 * pointRegs, zero: 5 * pointRegs };
  const P = b.pointAt(layout.p);
  const Q = b.pointAt(layout.q);
  const zero = Array.from({ length: coordFp }, () => b.pin(layout.zero));
  // Every write of an output register is a value of its own, pinned there.
  const out = () => b.pointAt(layout.out);
  /** out = the operand at `finite` when the other one is at infinity, else fall through to `label`. */
  const infinityCases = (name: string, q: XyzzValues | null) => {
    if (q) {
      b.jumpNonZero(q.zz, `${name}:q`);
      b.copyPoint(P, out());
      b.halt();
      b.label(`${name}:q`);
    }
    b.jumpNonZero(P.zz, `${name}:finite`);
    if (q) b.copyPoint(q, out());
    else b.copyPoint(P, out());
    b.halt();
    b.label(`${name}:finite`);
  };
  /** P = U2 - U1 = 0: q = p doubles, q = -p (R != 0) is infinity. */
  const sameX = (name: string, pd: Coord, rd: Coord) => {
    b.jumpNonZero(pd, `${name}:generic`);
    b.jumpNonZero(rd, 'infinity');
    b.jump('double:finite');
    b.label(`${name}:generic`);
  };

  // add-2008-s
  b.label('add');
  {
    infinityCases('add', Q);
    const u1 = b.mul(P.x, Q.zz);
    const s1 = b.mul(P.y, Q.zzz);
    const pd = b.sub(b.mul(Q.x, P.zz), u1);
    const rd = b.sub(b.mul(Q.y, P.zzz), s1);
    sameX('add', pd, rd);
    addTail(b, { p: pd, r: rd, u1, s1, zz: b.mul(P.zz, Q.zz), zzz: b.mul(P.zzz, Q.zzz) }, out());
  }
  // madd-2008-s (ZZ2 = ZZZ2 = 1), after negating q's Y for a subtraction
  b.label('subAffine');
  b.sub(zero, Q.y, Q.y);
  b.label('addAffine');
  {
    infinityCases('addAffine', Q);
    const pd = b.sub(b.mul(Q.x, P.zz), P.x);
    const rd = b.sub(b.mul(Q.y, P.zzz), P.y);
    sameX('addAffine', pd, rd);
    addTail(b, { p: pd, r: rd, u1: P.x, s1: P.y, zz: P.zz, zzz: P.zzz }, out());
  }
  b.label('infinity');
  {
    const o = out();
    b.copy(zero, o.zz);
    b.copy(zero, o.zzz);
    b.halt();
  }
  // dbl-2008-s-1 with a = 0: U = 2Y, V = U^2, W = U V, S = X V, M = 3 X^2, X3 = M^2 - 2S,
  // Y3 = M(S - X3) - W Y, ZZ3 = V ZZ, ZZZ3 = W ZZZ. Y = 0 gives ZZ3 = 0: infinity.
  b.label('double');
  {
    infinityCases('double', null);
    const o = out();
    const u = b.add(P.y, P.y);
    const v = b.sqr(u);
    const w = b.mul(u, v);
    const s = b.mul(P.x, v);
    const xx = b.sqr(P.x);
    const m = b.add(b.add(xx, xx), xx);
    const x3 = b.sub(b.sub(b.sqr(m), s), s, o.x);
    b.sub(b.mul(m, b.sub(s, x3)), b.mul(w, P.y), o.y);
    b.mul(v, P.zz, o.zz);
    b.mul(w, P.zzz, o.zzz);
    b.halt();
  }
  const entry = { add: 0, addAffine: 0, subAffine: 0, double: 0 };
  for (const name of Object.keys(entry) as PointEntry[]) entry[name] = b.labels.get(name)!;
  return { coordFp, pointRegs, entry, ...layout, ...allocate(b, layout.zero + 1) };
}

/**
 * Registers for the SSA values: pinned values keep theirs; the others get the lowest free
 * register (from `firstFree` on) from their definition to their last use in step order. Every
 * jump goes forward and every value is defined before its uses in step order, so any path from a
 * definition to a use stays inside that interval: a register is never reused while live.
 */
function allocate(b: StepBuilder, firstFree: number): { steps: number[]; registers: number } {
  const { steps } = b;
  for (const [at, label] of b.jumps) {
    const target = b.labels.get(label);
    if (target === undefined) throw new Error(`point program: no label ${label}`);
    if (target <= at) throw new Error(`point program: the jump to ${label} goes backwards`);
    steps[at].x = target;
  }
  const writes = (op: number) => op === STEP_OP.mul || op === STEP_OP.add || op === STEP_OP.sub || op === STEP_OP.copy;
  const reads = (s: Step) => writes(s.op) || s.op === STEP_OP.jumpNonZero;
  const lastUse = new Map<Value, number>();
  steps.forEach((s, i) => {
    if (reads(s)) [s.y, s.z].forEach((v) => lastUse.set(v, i));
  });
  const reg = new Map<Value, number>(b.pinned);
  const free: number[] = [];
  let registers = firstFree;
  const take = () => {
    if (free.length === 0) return registers++;
    free.sort((x, y) => x - y);
    return free.shift()!;
  };
  const words = steps.map((s, i) => {
    const physical = (v: Value) => {
      const r = reg.get(v);
      if (r === undefined) throw new Error(`point program: value ${v} read at step ${i} before it is defined`);
      return r;
    };
    let [x, y, z] = [s.x, 0, 0];
    if (reads(s)) {
      [y, z] = [physical(s.y), physical(s.z)];
      // Operands read for the last time free their registers before the destination is chosen:
      // the shader reads both operands before it writes.
      for (const v of new Set([s.y, s.z])) if (lastUse.get(v) === i && !b.pinned.has(v)) free.push(reg.get(v)!);
    }
    if (writes(s.op)) {
      if (!reg.has(s.x)) reg.set(s.x, take());
      x = reg.get(s.x)!;
      if (!lastUse.has(s.x) && !b.pinned.has(s.x)) free.push(x);
    }
    if (x >= 1 << X_BITS || y >= 256 || z >= 256) throw new Error(`point program: step ${i} does not fit its word`);
    return ((s.op << OP_SHIFT) | (z << Z_SHIFT) | (y << Y_SHIFT) | x) >>> 0;
  });
  return { steps: words, registers };
}

export function decodeStep(word: number): { op: number; x: number; y: number; z: number } {
  return { op: word >>> OP_SHIFT, x: word & ((1 << X_BITS) - 1), y: (word >>> Y_SHIFT) & 0xff, z: (word >>> Z_SHIFT) & 0xff };
}

/**
 * Runs `entry` as the shader does, on Fp values mod p (plain or Montgomery form alike: only +, -
 * and x appear), with p and q in their registers (4 coordFp values each; a 'double' ignores q).
 * Returns the output registers (ZZ = 0: infinity). Throws when no halt is reached.
 */
export function runPointProgram(program: PointProgram, p: bigint, entry: PointEntry, inputs: { p: readonly bigint[]; q?: readonly bigint[] }): bigint[] {
  const r: bigint[] = new Array(program.registers).fill(0n);
  inputs.p.forEach((v, i) => (r[program.p + i] = v));
  inputs.q?.forEach((v, i) => (r[program.q + i] = v));
  let pc = program.entry[entry];
  for (let guard = 0; guard < program.steps.length; guard++) {
    const { op, x, y, z } = decodeStep(program.steps[pc++]);
    switch (op) {
      case STEP_OP.mul:
        r[x] = (r[y] * r[z]) % p;
        break;
      case STEP_OP.add:
        r[x] = (r[y] + r[z]) % p;
        break;
      case STEP_OP.sub:
        r[x] = (r[y] - r[z] + p) % p;
        break;
      case STEP_OP.copy:
        r[x] = r[y];
        break;
      case STEP_OP.jumpNonZero:
        if (r[y] !== 0n || r[z] !== 0n) pc = x;
        break;
      case STEP_OP.jump:
        pc = x;
        break;
      case STEP_OP.halt:
        return r.slice(program.out, program.out + program.pointRegs);
      default:
        throw new Error(`point program: bad opcode ${op} at step ${pc - 1}`);
    }
  }
  throw new Error('point program: no halt reached');
}
