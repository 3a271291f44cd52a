/**
 * The fleet's pure rules, without Redis: which failures are retried (and for how long), how
 * BullMQ's failedReason reads back as a job error, and why a circuit's jobs wait for a worker.
 */
import { describe, expect, it } from 'vitest';
import { whyUnschedulable, fleetView } from '../../../src/serve/fleet.js';
import { retryJob } from '../../../src/serve/fleet-worker.js';
import { errorOfReason, queueNameOf, waitListKeyOf } from '../../../src/serve/queue/redis.js';
import { workerBeat as beat } from '../../support/worker-beat.js';

describe('fleet rules', () => {
  it('retries faults another machine may not have, up to maxAttempts starts; never a fault of the job itself', () => {
    for (const code of ['PROOF_INVALID', 'WORKER_CRASHED', 'WASM_ERROR', 'GPU_DEVICE_LOST', 'PROVER_ERROR']) {
      expect(retryJob(code, 1, 3), code).toBe(true);
      expect(retryJob(code, 2, 3), code).toBe(true);
      expect(retryJob(code, 3, 3), code).toBe(false);
    }
    for (const code of ['INPUT_INVALID', 'WITNESS_INVALID', 'WITNESS_MISMATCH', 'PROOF_TIMEOUT', 'FILE_FORMAT', 'CANCELLED']) expect(retryJob(code, 1, 3), code).toBe(false);
  });

  it("reads BullMQ's failedReason back: CODE: message, a stall limit as INTERRUPTED, anything else PROVER_ERROR", () => {
    expect(errorOfReason('PROOF_TIMEOUT: the job ran past: its timeout')).toEqual({ code: 'PROOF_TIMEOUT', message: 'the job ran past: its timeout' });
    expect(errorOfReason('job stalled more than allowable limit').code).toBe('INTERRUPTED');
    expect(errorOfReason('something odd')).toEqual({ code: 'PROVER_ERROR', message: 'something odd' });
    expect(errorOfReason(undefined).code).toBe('PROVER_ERROR');
  });

  it('says why a circuit waits: no worker, too large for all (with their figures), none ready; null when one takes it', () => {
    expect(whyUnschedulable('big', [])?.message).toMatch(/no worker is live/);
    const small = beat('s', ['tiny'], { refused: [{ circuit: 'big', code: 'CIRCUIT_TOO_LARGE', message: 'needs ~130 MiB, budget leaves 70 MiB' }] });
    const w = whyUnschedulable('big', [small]);
    expect(w?.code).toBe('NO_WORKER');
    expect(w?.message).toMatch(/too large for every live worker \(s: needs ~130 MiB/);
    expect(whyUnschedulable('big', [small, beat('b', ['big'], { ready: false, notReady: 'draining' })])?.code).toBe('NO_READY_WORKER');
    expect(whyUnschedulable('big', [small, beat('b', ['big', 'tiny'])])).toBeNull();
  });

  it('fleet view: circuits with their takers, classes with cost per proof weighted by proofs', () => {
    const a = beat('a', ['tiny'], { class: 'x', proofsDone: 3, costPerProofUsd: 1, perCircuit: { tiny: { done: 3, meanSeconds: 1, costPerProofUsd: 1 } } });
    const b = beat('b', ['tiny'], { class: 'x', proofsDone: 1, costPerProofUsd: 5, perCircuit: { tiny: { done: 1, meanSeconds: 1, costPerProofUsd: 5 } } });
    const v = fleetView(
      [a, b],
      new Map([
        ['tiny', { queued: 2, running: 1 }],
        ['big', { queued: 1, running: 0 }],
      ]),
    );
    expect(v.classes).toEqual([{ class: 'x', workers: 2, proofsDone: 4, costPerProofUsd: 2, perCircuit: { tiny: { done: 4, costPerProofUsd: 2 } } }]);
    expect(v.circuits.find((c) => c.name === 'tiny')).toMatchObject({ workers: ['a', 'b'], waiting: null });
    expect(v.circuits.find((c) => c.name === 'big')?.waiting?.code).toBe('NO_WORKER');
  });

  it('queue and wait-list names', () => {
    expect(queueNameOf('transfer')).toBe('zkgpu-transfer');
    expect(waitListKeyOf('transfer')).toBe('bull:zkgpu-transfer:wait');
  });
});
