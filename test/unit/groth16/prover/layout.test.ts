/** How one proof's MSMs and transforms share the workers (layout.ts's workerLayout). */
import { describe, expect, it } from 'vitest';
import { poleWorkers, WHOLE_MSM_MAX_VARS, workerLayout } from '../../../../src/groth16/prover/layout.js';

describe('workerLayout', () => {
  it('runs every MSM but the last and every transform whole on one worker with 1 or 2 threads', () => {
    for (const threads of [1, 2]) {
      expect(workerLayout(threads, 65474, 65536)).toEqual({ g1Workers: 1, g2Workers: 1, nttWorkers: 1, tailWorkers: threads });
    }
  });

  it('splits the last MSM over every worker, whatever the size', () => {
    for (const threads of [1, 3, 8, 16]) {
      for (const nVars of [1000, 65474, WHOLE_MSM_MAX_VARS + 1]) expect(workerLayout(threads, nVars, 2 * nVars).tailWorkers).toBe(threads);
    }
  });

  it('gives the G2 MSM the largest share on many threads, every share within the pool and at least one', () => {
    for (const threads of [3, 4, 8, 16, 64]) {
      for (const [nVars, domain] of [
        [1000, 1024],
        [65474, 65536],
        [200_000, 1 << 18],
      ]) {
        const lay = workerLayout(threads, nVars, domain);
        for (const w of [lay.g1Workers, lay.g2Workers, lay.nttWorkers]) {
          expect(Number.isInteger(w) && w >= 1 && w <= threads).toBe(true);
        }
        expect(lay.g2Workers).toBeGreaterThanOrEqual(lay.g1Workers);
        // Five MSMs together ask for about the pool, not several times it.
        expect(4 * lay.g1Workers + lay.g2Workers).toBeLessThanOrEqual(threads + 5);
      }
    }
    expect(workerLayout(16, 65474, 65536).g2Workers).toBeGreaterThan(workerLayout(16, 65474, 65536).g1Workers);
  });

  it('spreads every MSM over all the workers for large circuits', () => {
    for (const threads of [1, 2, 8]) {
      expect(workerLayout(threads, WHOLE_MSM_MAX_VARS, 2 * WHOLE_MSM_MAX_VARS)).toMatchObject({ g1Workers: threads, g2Workers: threads });
      expect(workerLayout(threads, (1 << 20) + 5, 1 << 21)).toMatchObject({ g1Workers: threads, g2Workers: threads });
    }
  });
});

describe('poleWorkers', () => {
  const layout = workerLayout(2, 1 << 16, 1 << 16);
  it('keeps the last MSM on its share while the witness MSMs left cover its time (dense witness)', () => {
    expect(layout.g1Workers).toBe(1);
    expect(poleWorkers(layout, 2, 700, 5800)).toBe(1);
    expect(poleWorkers(layout, 2, 700, 350)).toBe(1);
  });
  it('splits it over every worker when they would leave the others idle (0/1 witness)', () => {
    expect(poleWorkers(layout, 2, 700, 349)).toBe(2);
    expect(poleWorkers(layout, 2, 700, 0)).toBe(2);
  });
  it('has nothing to split with one worker', () => {
    expect(poleWorkers(workerLayout(1, 1 << 16, 1 << 16), 1, 700, 0)).toBe(1);
  });
});
