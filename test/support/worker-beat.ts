/** A fleet worker's heartbeat for the fleet's pure rules (tests without Redis): a live, ready 2-thread CPU worker, with `extra` on top. */
import type { WorkerBeat } from '../../src/serve/fleet.js';

export function workerBeat(id: string, circuits: string[], extra: Partial<WorkerBeat> = {}): WorkerBeat {
  return {
    id,
    class: 'cpu-2t',
    host: 'h',
    pid: 1,
    startedAt: 0,
    lastSeen: 0,
    ready: true,
    notReady: null,
    hardware: { threads: 2, hostBudgetBytes: 1, hostBudgetSource: 's', fixedBytes: 0, backend: 'wasm', gpu: null },
    circuits,
    refused: [],
    concurrency: 2,
    current: [],
    proofsDone: 0,
    proofsFailed: 0,
    utilisation: 0,
    costPerHour: 0,
    costPerProofUsd: null,
    perCircuit: {},
    ...extra,
  };
}
