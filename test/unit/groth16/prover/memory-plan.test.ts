/**
 * The proof's memory plan (src/groth16/prover/memory-plan.ts) as a pure function of the key's
 * header, the threads, the runtime's footprint and the budget: whole when the comfortable figure
 * fits, streamed with the largest piece that fits, PLAN_INFEASIBLE with both figures below the
 * minimum. The figures themselves were fitted to measured peaks (the file's header); here the rules.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isZkgpuError } from '../../../../src/core/errors.js';
import { MAX_PIECE_ELEMENTS, MIN_PIECE_ELEMENTS, planProofMemory, type ProofMemoryInputs } from '../../../../src/groth16/prover/memory-plan.js';

const MiB = 2 ** 20;
/** The bench chain's headers (bn128-16 and bn128-18 as make-groth16-fixtures writes them). */
const header16 = { curve: 'bn254' as const, nVars: 65474, nPublic: 3, domainSize: 1 << 16, nCoefficients: 76071 };
const header18 = { curve: 'bn254' as const, nVars: 262082, nPublic: 3, domainSize: 1 << 18, nCoefficients: 300600 };

function inputs(over: Partial<ProofMemoryInputs> & { budgetBytes?: number; explicit?: boolean } = {}): ProofMemoryInputs {
  return {
    header: over.header ?? header18,
    threads: over.threads ?? 2,
    runtimeBytes: over.runtimeBytes ?? 150 * MiB,
    verifyCurve: over.verifyCurve ?? false,
    budget: over.budget ?? { bytes: over.budgetBytes ?? 16 * 2 ** 30, source: 'test budget', explicit: over.explicit ?? true },
  };
}

function infeasible(i: ProofMemoryInputs) {
  try {
    planProofMemory(i);
  } catch (e) {
    if (isZkgpuError(e, 'PLAN_INFEASIBLE')) return e;
    throw e;
  }
  throw new Error('expected PLAN_INFEASIBLE');
}

describe('planProofMemory', () => {
  it('runs whole when the comfortable figure fits, and says how much that is', () => {
    const plan = planProofMemory(inputs());
    expect(plan.mode).toBe('whole');
    expect(plan.pieceElements).toBeNull();
    expect(plan.plannedBytes).toBe(plan.comfortableBytes);
    expect(plan.minimalBytes).toBeLessThan(plan.comfortableBytes);
    // Sections 4 to 9 of the bench 2^18 key as its file holds them: 13,226,404 + 2 x 16,773,248 + 33,546,496 + 16,772,992 + 16,777,216.
    expect(plan.keySectionBytes).toBe(113_869_604);
  });

  it('streams with the largest piece that fits between the minimum and the comfortable figure', () => {
    const { minimalBytes, comfortableBytes } = planProofMemory(inputs());
    for (const budget of [minimalBytes, Math.round((minimalBytes + comfortableBytes) / 2), comfortableBytes - 1]) {
      const plan = planProofMemory(inputs({ budgetBytes: budget }));
      expect(plan.mode).toBe('streamed');
      expect(plan.plannedBytes).toBeLessThanOrEqual(budget);
      expect(plan.pieceElements).toBeGreaterThanOrEqual(MIN_PIECE_ELEMENTS);
      expect(plan.pieceElements).toBeLessThanOrEqual(MAX_PIECE_ELEMENTS);
      expect(plan.inflight).toBe(3);
    }
    const tight = planProofMemory(inputs({ budgetBytes: minimalBytes }));
    expect(tight.pieceElements).toBe(MIN_PIECE_ELEMENTS);
  });

  it('refuses a budget below the minimum with both figures, the budget and its source', () => {
    const { minimalBytes, comfortableBytes } = planProofMemory(inputs());
    const e = infeasible(inputs({ budgetBytes: minimalBytes - 1 }));
    expect(e.details?.field).toBe('maxHostBytes');
    expect(e.details?.memory).toEqual({ minimalBytes, comfortableBytes, budgetBytes: minimalBytes - 1, runtimeBytes: 150 * MiB });
    expect(e.message).toMatch(/needs at least \d+ MiB of working memory \(\d+ MiB to run whole/);
    expect(e.message).toContain('test budget');
  });

  it('takes the runtime footprint off a detected budget, not off a given one', () => {
    const detected = planProofMemory(inputs({ budget: { bytes: 2 ** 30, source: 'cgroup v1 memory.limit_in_bytes x 0.9', explicit: false }, runtimeBytes: 200 * MiB }));
    expect(detected.budgetBytes).toBe(2 ** 30 - 200 * MiB);
    expect(detected.budgetSource).toBe("cgroup v1 memory.limit_in_bytes x 0.9, less the runtime's own 200 MiB");
    const given = planProofMemory(inputs({ budgetBytes: 2 ** 30, runtimeBytes: 200 * MiB }));
    expect(given.budgetBytes).toBe(2 ** 30);
  });

  it("counts snarkjs's curve when the check may build it", () => {
    const without = planProofMemory(inputs());
    const withCurve = planProofMemory(inputs({ verifyCurve: true }));
    expect(withCurve.minimalBytes - without.minimalBytes).toBe(48 * MiB);
  });

  it('never asks a tiny key for more than its whole way needs', () => {
    const tiny = { curve: 'bn254' as const, nVars: 5, nPublic: 1, domainSize: 4, nCoefficients: 6 };
    const plan = planProofMemory(inputs({ header: tiny }));
    expect(plan.minimalBytes).toBe(plan.comfortableBytes);
  });

  it('is monotone: more budget never gives smaller pieces, and any plan fits its budget', () => {
    const { minimalBytes, comfortableBytes } = planProofMemory(inputs({ header: header16 }));
    fc.assert(
      fc.property(fc.integer({ min: minimalBytes, max: comfortableBytes * 2 }), fc.integer({ min: 0, max: 64 * MiB }), (budget, more) => {
        const a = planProofMemory(inputs({ header: header16, budgetBytes: budget }));
        const b = planProofMemory(inputs({ header: header16, budgetBytes: budget + more }));
        expect(a.plannedBytes).toBeLessThanOrEqual(budget);
        const size = (p: typeof a) => (p.mode === 'whole' ? Number.POSITIVE_INFINITY : p.pieceElements!);
        expect(size(b)).toBeGreaterThanOrEqual(size(a));
      }),
    );
  });
});
