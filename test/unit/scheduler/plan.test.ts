/**
 * The planner's contract, as properties over fake backends of random speeds, limits and budgets
 * (seeded by test/support/seed.ts; replay with ZKGPU_SEED). Every check recomputes what it needs
 * (times, capacities, optimum) here, independently of plan.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../support/seed.js';
import { isZkgpuError } from '../../../src/core/errors.js';
import { plan, type BackendDescription, type Plan, type PlanJob } from '../../../src/scheduler/plan.js';
import { describeBackends } from '../../../src/scheduler/backends.js';
import { msmEffectiveElements } from '../../../src/scheduler/models.js';
import type { HardwareReport } from '../../../src/scheduler/hardware/types.js';

type Kind = 'wasm' | 'webgpu';

const backendArb = (i: number): fc.Arbitrary<BackendDescription> =>
  fc
    .record({
      kind: fc.constantFrom<Kind>('wasm', 'webgpu'),
      fixedMs: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 50, noNaN: true })),
      perElementNs: fc.double({ min: 1, max: 1e5, noNaN: true }),
      maxChunkElements: fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.constant(Infinity)),
      budgetBytes: fc.integer({ min: 0, max: 2_000_000 }),
      hostBudgetBytes: fc.option(fc.integer({ min: 0, max: 2_000_000 }), { nil: undefined }),
      // 0 bytes per element (with maxChunkElements Infinity) makes an unbounded backend: one chunk.
      host: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 })),
      device: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 })),
      software: fc.boolean(),
      calibrated: fc.boolean(),
    })
    .map((r) => ({
      id: `b${i}`,
      kind: r.kind,
      model: { fixedMs: r.fixedMs, perElementNs: r.perElementNs, calibrated: r.calibrated, source: 'test' },
      maxChunkElements: r.maxChunkElements,
      budgetBytes: r.budgetBytes,
      ...(r.kind === 'webgpu' && r.hostBudgetBytes !== undefined ? { hostBudgetBytes: r.hostBudgetBytes } : {}),
      bytesPerElement: { host: r.host, device: r.kind === 'wasm' ? 0 : r.device },
      software: r.kind === 'webgpu' && r.software,
    }));

const backendsArb = (min = 1, max = 4) => fc.integer({ min, max }).chain((k) => fc.tuple(...Array.from({ length: k }, (_, i) => backendArb(i))));

const msm = (n: number, backend?: string): PlanJob => ({ op: 'msm', curve: 'bn254', group: 'g1', n, backend });

// --- independent reference computations -------------------------------------------------------

/** Elements one chunk may hold on b, from its description alone. */
function capacityOf(b: BackendDescription): number {
  const per = (budget: number, bpe: number) => (bpe === 0 ? Infinity : Math.floor(budget / bpe));
  let cap = b.maxChunkElements;
  if (b.kind === 'wasm') cap = Math.min(cap, per(b.budgetBytes, b.bytesPerElement.host));
  else {
    cap = Math.min(cap, per(b.budgetBytes, b.bytesPerElement.device));
    if (b.hostBudgetBytes !== undefined) cap = Math.min(cap, per(b.hostBudgetBytes, b.bytesPerElement.host));
  }
  return cap;
}

/** Time for m elements on b in chunks of at most cap: one fixed cost per chunk. */
function timeOf(b: BackendDescription, m: number): number {
  if (m === 0) return 0;
  const cap = capacityOf(b);
  const chunks = cap === Infinity ? 1 : Math.ceil(m / cap);
  return chunks * b.model.fixedMs + (m * b.model.perElementNs) / 1e6;
}

function eligible(backends: BackendDescription[], pin?: string): BackendDescription[] {
  const pool = pin === undefined || pin === 'auto' ? backends.filter((b) => !(b.kind === 'webgpu' && b.software)) : backends.filter((b) => b.id === pin || b.kind === pin);
  return pool.filter((b) => capacityOf(b) >= 1);
}

function elementsOn(p: Plan): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of p.chunks) m.set(c.backend, (m.get(c.backend) ?? 0) + c.count);
  return m;
}

function makespan(p: Plan, backends: BackendDescription[]): number {
  const on = elementsOn(p);
  return Math.max(0, ...backends.map((b) => timeOf(b, on.get(b.id) ?? 0)));
}

/** Checks coverage, limits and budgets of any plan; throws on a breach (plain checks: plans can have 10^4 chunks). */
function checkPlanShape(p: Plan, n: number, backends: BackendDescription[]): void {
  const byId = new Map(backends.map((b) => [b.id, b]));
  const sorted = [...p.chunks].sort((a, b) => a.offset - b.offset);
  // Typed as never on the const itself, so a call narrows like a throw (`b` below is defined after it).
  const fail: (what: string, c: unknown) => never = (what, c) => {
    throw new Error(`${what}: ${JSON.stringify(c)}`);
  };
  let next = 0;
  for (const c of sorted) {
    if (c.offset !== next) fail(`gap or overlap at ${next}`, c);
    if (!(c.count >= 1)) fail('empty chunk', c);
    next += c.count;
    const b = byId.get(c.backend);
    if (!b) fail('unknown backend', c);
    if (c.count > b.maxChunkElements) fail('over maxChunkElements', c);
    if (c.hostBytes !== c.count * b.bytesPerElement.host || c.deviceBytes !== c.count * b.bytesPerElement.device) fail('bytes miscounted', c);
    if (b.kind === 'wasm' && c.hostBytes > b.budgetBytes) fail('over the host budget', c);
    if (b.kind === 'webgpu' && c.deviceBytes > b.budgetBytes) fail('over the device budget', c);
    if (b.kind === 'webgpu' && b.hostBudgetBytes !== undefined && c.hostBytes > b.hostBudgetBytes) fail('over the staging budget', c);
    const t = b.model.fixedMs + (c.count * b.model.perElementNs) / 1e6;
    if (Math.abs(c.estimateMs - t) > 1e-9 * Math.max(1, t)) fail(`estimate is not ${t}`, c);
  }
  expect(next).toBe(n); // covers [0, n) exactly once
  const used = [...elementsOn(p).keys()].map((id) => byId.get(id)!);
  expect(p.calibrated).toBe(used.every((b) => b.model.calibrated));
  // Relative: a plan of ~50k one-element chunks sums ~50k floats (about 1e6 ms), off in the 13th digit.
  const span = makespan(p, backends);
  expect(Math.abs(p.estimateMs - span)).toBeLessThanOrEqual(1e-9 * Math.max(1, span));
}

function expectInfeasible(f: () => unknown, ...fragments: string[]): void {
  try {
    f();
  } catch (e) {
    expect(isZkgpuError(e, 'PLAN_INFEASIBLE'), String(e)).toBe(true);
    for (const s of fragments) expect((e as Error).message).toContain(s);
    return;
  }
  throw new Error('expected PLAN_INFEASIBLE');
}

// --- MSM -------------------------------------------------------------------------------------

describe('plan: MSM', () => {
  it('covers [0, n) exactly once, every chunk within its backend limits and budgets (or PLAN_INFEASIBLE when nothing holds one element)', () => {
    fc.assert(
      fc.property(backendsArb(), fc.integer({ min: 0, max: 50_000 }), (backends, n) => {
        if (n > 0 && eligible(backends).length === 0) {
          expectInfeasible(() => plan(msm(n), backends), `of ${n} points`);
          return;
        }
        checkPlanShape(plan(msm(n), backends), n, backends);
      }),
    );
  });

  it('finishes as early as any split could (brute force over every split, small n)', () => {
    fc.assert(
      fc.property(backendsArb(1, 3), fc.integer({ min: 1, max: 40 }), (backends, n) => {
        const lanes = eligible(backends);
        fc.pre(lanes.length > 0);
        const p = plan(msm(n), backends);
        let best = Infinity;
        const walk = (i: number, left: number, worst: number): void => {
          if (worst >= best) return;
          if (i === lanes.length - 1) {
            best = Math.min(best, Math.max(worst, timeOf(lanes[i], left)));
            return;
          }
          for (let m = 0; m <= left; m++) walk(i + 1, left - m, Math.max(worst, timeOf(lanes[i], m)));
        };
        walk(0, n, 0);
        expect(makespan(p, backends)).toBeLessThanOrEqual(best * (1 + 1e-9) + 1e-9);
      }),
    );
  });

  it('without fixed costs or limits, splits in proportion to throughput (within one element per backend)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1, max: 1e5, noNaN: true }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 1_000_000 }), (speeds, n) => {
        const backends: BackendDescription[] = speeds.map((ns, i) => ({
          id: `b${i}`,
          kind: i === 0 ? 'wasm' : 'webgpu',
          model: { fixedMs: 0, perElementNs: ns, calibrated: true, source: 'test' },
          maxChunkElements: Infinity,
          budgetBytes: 0,
          bytesPerElement: { host: 0, device: 0 },
        }));
        const p = plan(msm(n), backends);
        checkPlanShape(p, n, backends);
        const on = elementsOn(p);
        const totalRate = speeds.reduce((s, ns) => s + 1 / ns, 0);
        speeds.forEach((ns, i) => {
          const ideal = (n * (1 / ns)) / totalRate;
          expect(Math.abs((on.get(`b${i}`) ?? 0) - ideal)).toBeLessThanOrEqual(speeds.length);
        });
      }),
    );
  });

  it('backends given work finish together (within one element and one chunk fixed cost per backend); a backend whose fixed cost exceeds the job elsewhere gets nothing', () => {
    fc.assert(
      fc.property(backendsArb(2, 4), fc.integer({ min: 1, max: 50_000 }), (backends, n) => {
        const lanes = eligible(backends);
        fc.pre(lanes.length > 0);
        const p = plan(msm(n), backends);
        const on = elementsOn(p);
        const t = makespan(p, backends);
        for (const b of lanes) {
          const m = on.get(b.id) ?? 0;
          const others = lanes.filter((o) => o !== b);
          const alone = Math.min(...others.map((o) => timeOf(o, n)));
          if (others.length > 0 && b.model.fixedMs >= alone) expect(m).toBe(0);
        }
        // Together: a backend with work ends no earlier than t minus one element and one chunk's
        // fixed cost for each backend (rounding hands back at most one element per backend).
        const slack = lanes.length * Math.max(...lanes.map((b) => b.model.perElementNs / 1e6 + b.model.fixedMs));
        for (const b of lanes) {
          const m = on.get(b.id) ?? 0;
          if (m > 0) expect(timeOf(b, m)).toBeGreaterThanOrEqual(t - slack - 1e-9);
        }
      }),
    );
  });

  it('a job too small to repay the GPU fixed cost stays on the CPU; a large one goes mostly to a faster GPU', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 100, max: 20_000, noNaN: true }), // CPU ns per element
        fc.double({ min: 2, max: 100, noNaN: true }), // GPU speed-up
        fc.double({ min: 1, max: 50, noNaN: true }), // GPU fixed ms
        fc.integer({ min: 1, max: 1 << 22 }),
        (cpuNs, speedup, gpuFixed, n) => {
          const backends: BackendDescription[] = [
            {
              id: 'wasm',
              kind: 'wasm',
              model: { fixedMs: 2, perElementNs: cpuNs, calibrated: false, source: 't' },
              maxChunkElements: Infinity,
              budgetBytes: 1e12,
              bytesPerElement: { host: 480, device: 0 },
            },
            {
              id: 'webgpu',
              kind: 'webgpu',
              model: { fixedMs: gpuFixed, perElementNs: cpuNs / speedup, calibrated: false, source: 't' },
              maxChunkElements: 1 << 22,
              budgetBytes: 1e12,
              bytesPerElement: { host: 192, device: 288 },
            },
          ];
          const p = plan(msm(n), backends);
          checkPlanShape(p, n, backends);
          const on = elementsOn(p);
          const cpuAlone = 2 + (n * cpuNs) / 1e6;
          if (gpuFixed >= cpuAlone) {
            expect(on.get('webgpu') ?? 0).toBe(0);
            expect(p.reason).toContain('on wasm');
            expect(p.backends.find((b) => b.backend === 'webgpu')!.excluded).toMatch(/fixed cost/);
          }
          if (gpuFixed * 4 < cpuAlone) expect(on.get('webgpu') ?? 0).toBeGreaterThan(n / 2);
        },
      ),
    );
  });

  it('a pinned backend (by id or kind) gets everything, chunked to fit; PLAN_INFEASIBLE when it cannot hold one element', () => {
    fc.assert(
      fc.property(backendsArb(), fc.integer({ min: 1, max: 50_000 }), fc.nat(), fc.boolean(), (backends, n, pick, byKind) => {
        const target = backends[pick % backends.length];
        const pin = byKind ? target.kind : target.id;
        const pinned = backends.filter((b) => b.id === pin || b.kind === pin);
        if (eligible(backends, pin).length === 0) {
          expectInfeasible(() => plan(msm(n, pin), backends), 'cannot hold one element');
          return;
        }
        const p = plan(msm(n, pin), backends);
        checkPlanShape(p, n, backends);
        const allowed = new Set(pinned.map((b) => b.id));
        expect(p.chunks.filter((c) => !allowed.has(c.backend))).toEqual([]);
      }),
    );
  });

  it("'auto' leaves software GPU adapters out; pinning 'webgpu' uses them", () => {
    const backends: BackendDescription[] = [
      {
        id: 'wasm',
        kind: 'wasm',
        model: { fixedMs: 2, perElementNs: 5000, calibrated: false, source: 't' },
        maxChunkElements: Infinity,
        budgetBytes: 1e12,
        bytesPerElement: { host: 480, device: 0 },
      },
      {
        id: 'webgpu',
        kind: 'webgpu',
        software: true,
        model: { fixedMs: 0, perElementNs: 1, calibrated: false, source: 't' },
        maxChunkElements: 1 << 20,
        budgetBytes: 1e12,
        bytesPerElement: { host: 192, device: 288 },
      },
    ];
    const auto = plan(msm(1 << 20), backends);
    expect([...elementsOn(auto).keys()]).toEqual(['wasm']);
    expect(auto.backends.find((b) => b.backend === 'webgpu')!.excluded).toMatch(/software adapter/);
    const pinned = plan(msm(1 << 20, 'webgpu'), backends);
    expect([...elementsOn(pinned).keys()]).toEqual(['webgpu']);
    expect(pinned.chunks).toHaveLength(1);
  });

  it('pinning a backend that does not exist is PLAN_INFEASIBLE naming what exists', () => {
    const wasm: BackendDescription = {
      id: 'wasm',
      kind: 'wasm',
      model: { fixedMs: 2, perElementNs: 5000, calibrated: false, source: 't' },
      maxChunkElements: 100,
      budgetBytes: 1e9,
      bytesPerElement: { host: 480, device: 0 },
    };
    expectInfeasible(() => plan(msm(10, 'webgpu'), [wasm]), "backend 'webgpu'", 'have: wasm');
  });

  it('n = 0 gives an empty plan', () => {
    const wasm: BackendDescription = {
      id: 'wasm',
      kind: 'wasm',
      model: { fixedMs: 2, perElementNs: 5000, calibrated: false, source: 't' },
      maxChunkElements: 100,
      budgetBytes: 1e9,
      bytesPerElement: { host: 480, device: 0 },
    };
    const p = plan(msm(0), [wasm]);
    expect(p.chunks).toEqual([]);
    expect(p.estimateMs).toBe(0);
  });
});

// --- NTT -------------------------------------------------------------------------------------

describe('plan: NTT', () => {
  it('runs whole on the fastest backend that holds it, or PLAN_INFEASIBLE naming the sizes', () => {
    fc.assert(
      fc.property(backendsArb(), fc.integer({ min: 0, max: 16 }), fc.option(fc.nat(), { nil: undefined }), (backends, logN, pick) => {
        const n = 2 ** logN;
        const pin = pick === undefined ? undefined : backends[pick % backends.length].id;
        const job: PlanJob = { op: 'ntt', curve: 'bn254', n, backend: pin };
        const whole = eligible(backends, pin).filter((b) => capacityOf(b) >= n);
        if (whole.length === 0) {
          expectInfeasible(() => plan(job, backends), `${n}`);
          return;
        }
        const p = plan(job, backends);
        checkPlanShape(p, n, backends);
        expect(p.chunks).toHaveLength(1);
        const fastest = Math.min(...whole.map((b) => timeOf(b, n)));
        expect(p.estimateMs).toBeCloseTo(fastest, 9);
      }),
    );
  });

  it('is not split when no backend holds it: the message gives n and every backend capacity', () => {
    const mk = (id: string, kind: Kind, cap: number): BackendDescription => ({
      id,
      kind,
      model: { fixedMs: 1, perElementNs: 100, calibrated: false, source: 't' },
      maxChunkElements: cap,
      budgetBytes: 1e12,
      bytesPerElement: { host: 64, device: 160 },
    });
    expectInfeasible(
      () => plan({ op: 'ntt', curve: 'bn254', n: 1 << 23 }, [mk('wasm', 'wasm', 1 << 22), mk('webgpu', 'webgpu', 1 << 22)]),
      `${1 << 23} elements`,
      `wasm holds at most ${1 << 22}`,
      `webgpu holds at most ${1 << 22}`,
      'not split',
    );
  });
});

// --- input checks and the bridge from a hardware report ---------------------------------------

describe('plan: bad input', () => {
  const ok: BackendDescription = {
    id: 'wasm',
    kind: 'wasm',
    model: { fixedMs: 2, perElementNs: 5000, calibrated: false, source: 't' },
    maxChunkElements: 100,
    budgetBytes: 1e9,
    bytesPerElement: { host: 480, device: 0 },
  };
  const cases: [string, () => unknown, string][] = [
    ['negative n', () => plan(msm(-1), [ok]), 'job.n'],
    ['fractional n', () => plan(msm(1.5), [ok]), 'job.n'],
    ['unknown op', () => plan({ op: 'fft' as 'ntt', curve: 'bn254', n: 4 }, [ok]), 'job.op'],
    ['unknown curve', () => plan({ op: 'msm', curve: 'secp256k1' as 'bn254', n: 4 }, [ok]), 'unknown curve "secp256k1"'],
    ['duplicate id', () => plan(msm(4), [ok, ok]), "backends[1].id: 'wasm' is used twice"],
    ['zero speed', () => plan(msm(4), [{ ...ok, model: { ...ok.model, perElementNs: 0 } }]), 'backends[0].model.perElementNs'],
    ['NaN budget', () => plan(msm(4), [{ ...ok, budgetBytes: NaN }]), 'backends[0].budgetBytes'],
    ['fractional chunk', () => plan(msm(4), [{ ...ok, maxChunkElements: 2.5 }]), 'backends[0].maxChunkElements'],
  ];
  for (const [name, f, where] of cases) {
    it(`${name} -> a ZkgpuError naming ${where}`, () => {
      const code = name === 'unknown curve' ? 'UNKNOWN_CURVE' : 'INVALID_ARGUMENT';
      expect(f).toThrow(expect.objectContaining({ code, message: expect.stringContaining(where) }));
    });
  }
});

function fakeReport(gpu: { software: boolean; binding: number; budget: number } | null): HardwareReport {
  return {
    platform: { runtime: 'node', os: 'linux', arch: 'x64', version: '20' },
    cpu: { threads: 2, source: 'test', figures: [] },
    memory: { budgetBytes: 8 * 2 ** 30, source: 'test', safetyFactor: 0.75, figures: [], wasmInstanceBytes: { bytes: 2 ** 32, source: 'wasm32' } },
    gpus: gpu
      ? [
          {
            vendor: 'v',
            architecture: 'a',
            description: 'd',
            device: 'x',
            software: gpu.software,
            limits: { maxStorageBufferBindingSize: gpu.binding, maxBufferSize: 2 ** 32 - 1 },
            features: [],
            budgetBytes: gpu.budget,
            source: 'test',
            figures: [],
          },
        ]
      : [],
    notes: [],
  };
}

describe('describeBackends + plan (default models)', () => {
  it('without calibration the plan says calibrated: false; a lavapipe-like adapter gets no MSM under auto', () => {
    const job = { op: 'msm', curve: 'bn254', group: 'g1', n: 1 << 20 } as const;
    const backends = describeBackends(fakeReport({ software: true, binding: 128 * 2 ** 20, budget: 512 * 2 ** 20 }), job);
    expect(backends.map((b) => b.id)).toEqual(['wasm', 'webgpu']);
    const p = plan(job, backends);
    expect(p.calibrated).toBe(false);
    expect(p.reason).toContain('uncalibrated');
    expect([...elementsOn(p).keys()]).toEqual(['wasm']);
    checkPlanShape(p, job.n, backends);
  });

  it('the default hardware-GPU placeholder takes small MSMs on the CPU and large ones mostly on the GPU', () => {
    const report = fakeReport({ software: false, binding: 2 ** 31, budget: 4 * 2 ** 30 });
    const small = { op: 'msm', curve: 'bn254', group: 'g1', n: 64 } as const;
    expect([...elementsOn(plan(small, describeBackends(report, small))).keys()]).toEqual(['wasm']);
    const large = { ...small, n: 1 << 20 };
    const p = plan(large, describeBackends(report, large));
    expect(elementsOn(p).get('webgpu')!).toBeGreaterThan(large.n / 2);
    checkPlanShape(p, large.n, describeBackends(report, large));
  });

  it('a pinned NTT over the GPU binding limit is PLAN_INFEASIBLE (128 MiB binding holds 2^22 Fr values)', () => {
    const report = fakeReport({ software: true, binding: 128 * 2 ** 20, budget: 4 * 2 ** 30 });
    const job = { op: 'ntt', curve: 'bn254', n: 1 << 23, backend: 'webgpu' } as const;
    expectInfeasible(() => plan(job, describeBackends(report, job)), `webgpu holds at most ${1 << 22}`);
    const fits = { ...job, n: 1 << 22 };
    expect(plan(fits, describeBackends(report, fits)).chunks).toEqual([expect.objectContaining({ backend: 'webgpu', offset: 0, count: 1 << 22 })]);
  });
});

describe('queued work on a backend (busyForMs): concurrent jobs spread over the devices', () => {
  const lane = (id: string, kind: Kind, perElementNs: number, busyForMs?: number): BackendDescription => ({
    id,
    kind,
    model: { fixedMs: 0, perElementNs, calibrated: true, source: 't' },
    maxChunkElements: Infinity,
    budgetBytes: 1e12,
    bytesPerElement: { host: 0, device: 0 },
    ...(busyForMs === undefined ? {} : { busyForMs }),
  });

  it('two equal backends split evenly when idle; a backlog on one moves the split so both still finish together', () => {
    const n = 10_000; // 1000 ns each: 10 ms on one backend, 5 ms each when split
    const idle = elementsOn(plan(msm(n), [lane('wasm', 'wasm', 1000), lane('webgpu', 'webgpu', 1000)]));
    expect(idle.get('wasm')).toBe(5000);
    const busy = plan(msm(n), [lane('wasm', 'wasm', 1000, 4), lane('webgpu', 'webgpu', 1000)]);
    // wasm free at 4 ms: finish together at t with (t - 4) + t = 10 ms of work, t = 7 ms.
    expect(elementsOn(busy).get('wasm')).toBe(3000);
    expect(elementsOn(busy).get('webgpu')).toBe(7000);
    expect(busy.estimateMs).toBeCloseTo(7, 6);
    expect(busy.reason).toContain('after 4.0 ms of queued work on wasm');
  });

  it('a backend busy past the time the others need gets nothing, and says why', () => {
    const p = plan(msm(1000), [lane('wasm', 'wasm', 1000, 50), lane('webgpu', 'webgpu', 1000)]);
    expect([...elementsOn(p).keys()]).toEqual(['webgpu']);
    expect(p.backends.find((b) => b.backend === 'wasm')!.excluded).toMatch(/busy for 50\.0 ms with queued work/);
  });

  it('an NTT goes to the backend that finishes it first, backlog included', () => {
    const job: PlanJob = { op: 'ntt', curve: 'bn254', n: 1 << 10 };
    const fastButBusy = lane('wasm', 'wasm', 100, 10);
    const slowIdle = lane('webgpu', 'webgpu', 1000); // 1.02 ms
    expect(plan(job, [fastButBusy, slowIdle]).chunks[0].backend).toBe('webgpu');
    expect(plan(job, [{ ...fastButBusy, busyForMs: 0.5 }, slowIdle]).chunks[0].backend).toBe('wasm');
  });

  it('property: with random backlogs every element is planned once and no used backend finishes after the best single backend would', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50_000 }),
        fc.array(fc.tuple(fc.double({ min: 1, max: 1e4, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true })), { minLength: 1, maxLength: 4 }),
        (n, specs) => {
          const backends = specs.map(([ns, busy], i) => lane(`b${i}`, i === 0 ? 'wasm' : 'webgpu', ns, busy));
          const p = plan(msm(n), backends);
          expect(p.chunks.reduce((s, c) => s + c.count, 0)).toBe(n);
          const bestAlone = Math.min(...backends.map((b) => (b.busyForMs ?? 0) + (n * b.model.perElementNs) / 1e6));
          for (const share of p.backends) if (share.elements > 0) expect(share.estimateMs).toBeLessThanOrEqual(bestAlone * (1 + 1e-9) + 1e-6);
        },
      ),
    );
  });
});

describe('effectiveElements: a job planned by what its scalars cost', () => {
  const wasmLane: BackendDescription = {
    id: 'wasm',
    kind: 'wasm',
    model: { fixedMs: 2, perElementNs: 5000, calibrated: true, source: 't' },
    maxChunkElements: Infinity,
    budgetBytes: 1e12,
    bytesPerElement: { host: 0, device: 0 },
  };

  it('effectiveElements = n plans exactly as without it (property over random backends)', () => {
    fc.assert(
      fc.property(backendsArb(), fc.integer({ min: 1, max: 5000 }), (backends, n) => {
        const run = (job: PlanJob) => {
          try {
            return plan(job, backends);
          } catch (e) {
            return isZkgpuError(e) ? e.code : e;
          }
        };
        expect(run({ ...msm(n), effectiveElements: n })).toEqual(run(msm(n)));
      }),
      { numRuns: 200 },
    );
  });

  it('each element costs effectiveElements / n of the model: the estimate is fixedMs + effectiveElements x perElementNs', () => {
    const n = 62_483;
    const effective = 1_075; // SHA-256's witness MSM A: 25,377 ones, 64 dense scalars of <= 128 bits
    const p = plan({ ...msm(n), effectiveElements: effective }, [wasmLane]);
    expect(p.chunks).toEqual([expect.objectContaining({ backend: 'wasm', offset: 0, count: n })]);
    expect(p.estimateMs).toBeCloseTo(2 + (effective * 5000) / 1e6, 9);
    expect(p.reason).toContain(`MSM bn254 g1 of ${n} points (work of ~${effective} uniform-scalar points)`);
    // The same n, dense, costs n elements' time.
    expect(plan(msm(n), [wasmLane]).estimateMs).toBeCloseTo(2 + (n * 5000) / 1e6, 9);
  });

  it('a job of work 0 (a single 1-scalar term) still costs one element', () => {
    const p = plan({ ...msm(1), effectiveElements: 0 }, [wasmLane]);
    expect(p.estimateMs).toBeCloseTo(2 + 5000 / 1e6, 9);
    expect(p.chunks).toHaveLength(1);
  });

  it('a 0/1 witness MSM stays on the CPU where the same n of dense scalars goes mostly to a hardware GPU (default models)', () => {
    const report = fakeReport({ software: false, binding: 2 ** 31, budget: 4 * 2 ** 30 });
    const n = 1 << 12;
    const dense = { op: 'msm', curve: 'bn254', group: 'g1', n } as const;
    const backends = describeBackends(report, dense);
    const densePlan = plan(dense, backends);
    expect(elementsOn(densePlan).get('webgpu')!).toBeGreaterThan(n / 2);
    // All ones: n - 1 batch-affine additions, against ~20 per dense term at this size.
    const ones = { terms: n, zeros: 0, ones: n, dense: 0, maxBits: 0 };
    const effectiveElements = msmEffectiveElements(ones, 'bn254');
    expect(effectiveElements).toBeLessThan(n / 10);
    const p = plan({ ...dense, effectiveElements }, backends);
    expect([...elementsOn(p).keys()]).toEqual(['wasm']);
    expect(p.backends.find((b) => b.backend === 'webgpu')!.excluded).toContain('fixed cost');
    expect(p.chunks.reduce((m, c) => m + c.count, 0)).toBe(n);
  });

  it("a sparse job's chunks carry its work (what the runtime's backlog adds for the jobs planned next), not n dense elements' time", () => {
    const n = 60_000;
    const chunkMs = (p: Plan) => p.chunks.reduce((t, c) => t + c.estimateMs, 0);
    const sparse = plan({ ...msm(n), effectiveElements: 1_000 }, [wasmLane]);
    expect(chunkMs(sparse)).toBeCloseTo(2 + (1_000 * 5000) / 1e6, 9);
    expect(chunkMs(plan(msm(n), [wasmLane]))).toBeCloseTo(2 + (n * 5000) / 1e6, 9);
  });

  const bad: [string, PlanJob, string][] = [
    ['negative', { ...msm(4), effectiveElements: -1 }, 'job.effectiveElements: must be a finite number >= 0, got -1'],
    ['NaN', { ...msm(4), effectiveElements: NaN }, 'job.effectiveElements: must be a finite number >= 0, got NaN'],
    ['Infinity', { ...msm(4), effectiveElements: Infinity }, 'job.effectiveElements'],
    ['on an NTT', { op: 'ntt', curve: 'bn254', n: 4, effectiveElements: 4 }, "job.effectiveElements: applies to MSMs only, got it for op 'ntt'"],
  ];
  for (const [name, job, message] of bad) {
    it(`effectiveElements ${name} -> INVALID_ARGUMENT naming it`, () => {
      expect(() => plan(job, [wasmLane])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(message) }));
    });
  }
});
