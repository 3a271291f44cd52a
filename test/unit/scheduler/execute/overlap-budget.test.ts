/**
 * Two GPU chunks in flight (the next uploads while one computes) must fit the device budget
 * together. Properties, no GPU: the planner sizes GPU chunks so inFlightChunks of them fit the
 * budgets, and the device queue never holds more than two chunks' buffers, nor two unless both
 * are marked `overlap`. Seeded by test/support/seed.ts (replay with ZKGPU_SEED).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../../support/seed.js';
import { plan, type BackendDescription } from '../../../../src/scheduler/plan.js';
import { DeviceQueue } from '../../../../src/scheduler/execute/device-queue.js';

const gpuArb = (i: number): fc.Arbitrary<BackendDescription> =>
  fc
    .record({
      perElementNs: fc.double({ min: 1, max: 1e5, noNaN: true }),
      fixedMs: fc.double({ min: 0, max: 50, noNaN: true }),
      maxChunkElements: fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.constant(Infinity)),
      budgetBytes: fc.integer({ min: 0, max: 2_000_000 }),
      hostBudgetBytes: fc.option(fc.integer({ min: 0, max: 2_000_000 }), { nil: undefined }),
      host: fc.integer({ min: 0, max: 400 }),
      device: fc.integer({ min: 1, max: 400 }),
      inFlightChunks: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    })
    .map((r) => ({
      id: i === 0 ? 'webgpu' : `webgpu:${i}`,
      kind: 'webgpu' as const,
      model: { fixedMs: r.fixedMs, perElementNs: r.perElementNs, calibrated: true, source: 'test' },
      maxChunkElements: r.maxChunkElements,
      budgetBytes: r.budgetBytes,
      ...(r.hostBudgetBytes === undefined ? {} : { hostBudgetBytes: r.hostBudgetBytes }),
      bytesPerElement: { host: r.host, device: r.device },
      ...(r.inFlightChunks === undefined ? {} : { inFlightChunks: r.inFlightChunks }),
    }));

const wasm: BackendDescription = {
  id: 'wasm',
  kind: 'wasm',
  model: { fixedMs: 2, perElementNs: 5000, calibrated: true, source: 'test' },
  maxChunkElements: Infinity,
  budgetBytes: 1e12,
  bytesPerElement: { host: 480, device: 0 },
};

const backendsArb = fc.integer({ min: 1, max: 3 }).chain((k) => fc.tuple(...Array.from({ length: k }, (_, i) => gpuArb(i))));

/**
 * inFlightChunks chunks of the largest size on `b` fit its device and host staging budgets: any
 * of its chunks (this job's or another's) may be in flight beside each other.
 */
function pairFits(b: BackendDescription, counts: number[]): boolean {
  const worst = (b.inFlightChunks ?? 1) * Math.max(0, ...counts);
  return worst * b.bytesPerElement.device <= b.budgetBytes && (b.hostBudgetBytes === undefined || worst * b.bytesPerElement.host <= b.hostBudgetBytes);
}

describe('plan: chunks in flight together fit the GPU budget', () => {
  it('every GPU MSM chunk fits its 1/inFlightChunks share of the budgets and is marked overlap when inFlightChunks > 1', () => {
    fc.assert(
      fc.property(backendsArb, fc.integer({ min: 1, max: 50_000 }), fc.boolean(), (gpus, n, withCpu) => {
        const backends = withCpu ? [wasm, ...gpus] : gpus;
        let p;
        try {
          p = plan({ op: 'msm', curve: 'bn254', group: 'g1', n, backend: withCpu ? 'auto' : 'webgpu' }, backends);
        } catch (e) {
          // Only when no GPU holds one element in its share and there is no CPU to take the job.
          expect((e as { code?: string }).code).toBe('PLAN_INFEASIBLE');
          expect(withCpu).toBe(false);
          return;
        }
        expect(p.chunks.reduce((a, c) => a + c.count, 0)).toBe(n);
        for (const b of gpus) {
          const mine = p.chunks.filter((c) => c.backend === b.id);
          expect(
            pairFits(
              b,
              mine.map((c) => c.count),
            ),
            `${b.id}: ${JSON.stringify(mine)}`,
          ).toBe(true);
          for (const c of mine) expect(c.overlap).toBe((b.inFlightChunks ?? 1) > 1);
        }
        for (const c of p.chunks.filter((x) => x.backend === 'wasm')) expect(c.overlap).toBe(false);
      }),
    );
  });

  it('an NTT may take the whole budget (its feasibility does not change), and is marked overlap only when its share holds it', () => {
    fc.assert(
      fc.property(backendsArb, fc.integer({ min: 0, max: 14 }), (gpus, logN) => {
        const n = 2 ** logN;
        const job = { op: 'ntt' as const, curve: 'bn254' as const, n, backend: 'webgpu' };
        const alone = gpus.map((b) => ({ ...b, inFlightChunks: 1 }));
        let p;
        try {
          p = plan(job, gpus);
        } catch (e) {
          expect(() => plan(job, alone)).toThrow(); // infeasible with one chunk in flight too
          return;
        }
        expect(plan(job, alone).chunks[0].backend).toBe(p.chunks[0].backend);
        const [c] = p.chunks;
        const b = gpus.find((x) => x.id === c.backend)!;
        expect(c.deviceBytes).toBeLessThanOrEqual(b.budgetBytes);
        if (c.overlap) expect(pairFits(b, [c.count])).toBe(true);
        else if ((b.inFlightChunks ?? 1) > 1) expect(pairFits(b, [c.count])).toBe(false);
      }),
    );
  });
});

interface FakeChunk {
  bytes: number;
  uploadMs: number;
  computeMs: number;
  abort: boolean;
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('device queue: what is alive at once fits the budget', () => {
  it('never more than two chunks hold buffers, two only when both overlap (so both fit); computes run one at a time, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 100, max: 10_000 }),
        fc.array(
          fc.record({ bytes: fc.integer({ min: 1, max: 10_000 }), uploadMs: fc.integer({ min: 0, max: 3 }), computeMs: fc.integer({ min: 0, max: 3 }), abort: fc.boolean() }),
          { minLength: 1, maxLength: 8 },
        ),
        async (budget, chunks: FakeChunk[]) => {
          fc.pre(chunks.every((c) => c.bytes <= budget)); // the planner never gives more
          const q = new DeviceQueue();
          let live = 0;
          let held = 0;
          let peak = 0;
          let peakHeld = 0;
          let computing = 0;
          const order: number[] = [];
          const hold = (bytes: number) => {
            live += bytes;
            held++;
            peak = Math.max(peak, live);
            peakHeld = Math.max(peakHeld, held);
          };
          const free = (bytes: number) => {
            live -= bytes;
            held--;
          };
          const runs = chunks.map((c, i) => {
            const ac = new AbortController();
            if (c.abort) setTimeout(() => ac.abort(), c.uploadMs);
            return q
              .stage(
                {
                  overlap: 2 * c.bytes <= budget, // the planner's rule for two in flight
                  upload: async () => {
                    hold(c.bytes);
                    await tick(c.uploadMs);
                    return c.bytes;
                  },
                  compute: async (bytes) => {
                    expect(++computing).toBe(1);
                    order.push(i);
                    await tick(c.computeMs);
                    computing--;
                    free(bytes);
                    return i;
                  },
                  discard: async (bytes) => free(bytes),
                },
                ac.signal,
              )
              .then(
                (v) => expect(v).toBe(i),
                (e) => expect((e as { code?: string }).code).toBe('ABORTED'),
              );
          });
          await Promise.all(runs);
          expect(live).toBe(0);
          expect(peak).toBeLessThanOrEqual(budget);
          expect(peakHeld).toBeLessThanOrEqual(2);
          expect(order).toEqual([...order].sort((a, b) => a - b));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('device queue: overlap', () => {
  /** Two chunks; the first computes until released. Returns when the second's upload began. */
  async function secondUploadsDuringFirstCompute(overlap: [boolean, boolean]): Promise<boolean> {
    const q = new DeviceQueue();
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    let firstComputing = false;
    let secondUploadedDuring = false;
    const first = q.stage({
      overlap: overlap[0],
      upload: async () => 0,
      discard: async () => {},
      compute: async () => ((firstComputing = true), await hold, (firstComputing = false)),
    });
    const second = q.stage({ overlap: overlap[1], upload: async () => void (secondUploadedDuring = firstComputing), discard: async () => {}, compute: async () => 0 });
    await tick(5);
    release();
    await Promise.all([first, second]);
    return secondUploadedDuring;
  }

  it('the next chunk uploads while the current one computes when both overlap, and not when either runs alone', async () => {
    expect(await secondUploadsDuringFirstCompute([true, true])).toBe(true);
    expect(await secondUploadsDuringFirstCompute([true, false])).toBe(false);
    expect(await secondUploadsDuringFirstCompute([false, true])).toBe(false);
  });
});
