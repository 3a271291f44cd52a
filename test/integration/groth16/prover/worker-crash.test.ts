/**
 * A proof's worker tasks outside the planner (the QAP: one task, or buildABC and the quotient
 * with qap 'stages') are retried like a chunk when their worker dies (runtime/worker-task.ts):
 * the worker is ended by the runtime's test-only fault hook inside the task (the same way the
 * executor's fault tests crash a chunk's worker), the pool replaces it, and the proof still
 * verifies with snarkjs. A worker that dies on every try rejects with CHUNK_FAILED naming the stage.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as snarkjs from 'snarkjs';
import { groth16 } from '../../../../src/groth16/index.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../../../src/runtime/runtime.js';
import { isZkgpuError } from '../../../../src/core/errors.js';
import { MAX_CHUNK_ATTEMPTS } from '../../../../src/scheduler/execute/retry-policy.js';
import type { FaultInjection } from '../../../../src/scheduler/execute/types.js';
import { fixture, readJson } from '../../../support/groth16/committed-vectors.js';

type Hook = NonNullable<FaultInjection['workerOnlyTask']>;
let hook: Hook | undefined;
const tries: { stage: string; attempt: number }[] = [];
const faultInjection: FaultInjection = {
  workerOnlyTask: (info) => {
    tries.push({ stage: info.stage, attempt: info.attempt });
    return hook?.(info);
  },
};

let runtime: Runtime;
const exits: unknown[] = [];

beforeAll(async () => {
  runtime = await createRuntime({ threads: 2, gpu: false, faultInjection } as RuntimeOptions);
  runtime.addEventListener('worker-exit', (e) => exits.push((e as CustomEvent).detail));
});

afterAll(async () => {
  await runtime?.dispose();
  for (const name of ['curve_bn128', 'curve_bls12381']) {
    const curve = (globalThis as unknown as Record<string, { terminate?: () => Promise<void> } | undefined>)[name];
    await curve?.terminate?.();
  }
});

const f = fixture('bn128/mulchain');
const vkey = readJson(f.vkey);

/** Crashes the worker of the first try of `stage`'s task, once. */
function crashFirstTryOf(stage: string): { crashed: () => boolean } {
  let crashed = false;
  hook = ({ stage: s, attempt, crash }) => {
    if (s === stage && attempt === 1 && !crashed) {
      crashed = true;
      crash();
    }
  };
  return { crashed: () => crashed };
}

describe('a proof whose worker task loses its worker', () => {
  // qap 'one-task': the whole QAP is one task ('qap'); 'stages': A, B, C ('buildABC') and the quotient are tasks.
  it.each([
    ['one-task', 'qap'],
    ['stages', 'buildABC'],
    ['stages', 'quotient'],
  ] as const)('qap %s: the %s task is retried on a replaced worker and the proof verifies', async (qap, stage) => {
    tries.length = 0;
    exits.length = 0;
    const fault = crashFirstTryOf(stage);
    const result = await groth16.prove(f.zkey, f.wtns, { runtime, backend: 'wasm', qap });
    hook = undefined;
    expect(fault.crashed()).toBe(true);
    expect(tries.filter((t) => t.stage === stage).map((t) => t.attempt)).toEqual([1, 2]);
    expect(await snarkjs.groth16.verify(vkey, result.publicSignals, result.proof)).toBe(true);
    // The pool reports the exit once the replacement has started, which may be after the proof.
    await vi.waitFor(() => expect(exits.length).toBeGreaterThanOrEqual(1), { timeout: 10_000 });
  });

  it.each([
    ['one-task', 'qap'],
    ['stages', 'quotient'],
  ] as const)('qap %s: a %s task whose worker dies on every try rejects with CHUNK_FAILED naming the stage', async (qap, stage) => {
    tries.length = 0;
    hook = ({ stage: s, crash }) => {
      if (s === stage) crash();
    };
    const err = await groth16.prove(f.zkey, f.wtns, { runtime, backend: 'wasm', qap }).catch((e) => e);
    hook = undefined;
    expect(isZkgpuError(err, 'CHUNK_FAILED')).toBe(true);
    expect(err.details?.stage).toBe(stage);
    expect(err.message).toContain(stage);
    expect(tries.filter((t) => t.stage === stage).map((t) => t.attempt)).toEqual(Array.from({ length: MAX_CHUNK_ATTEMPTS }, (_, i) => i + 1));
    // The runtime is whole afterwards: the replaced workers prove again.
    const again = await groth16.prove(f.zkey, f.wtns, { runtime, backend: 'wasm', qap });
    expect(await snarkjs.groth16.verify(vkey, again.publicSignals, again.proof)).toBe(true);
  });
});
