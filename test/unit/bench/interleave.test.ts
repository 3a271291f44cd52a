import { describe, expect, it } from 'vitest';
import { type ProofProcessRun, proveSeriesInterleaved } from '../../../bench/node/proof-process.js';

/** A fake prover: each call logs its name and returns a run whose ms is its call number. */
function prover(name: string, log: string[], failOnCall?: number) {
  let calls = 0;
  return async (): Promise<ProofProcessRun> => {
    calls++;
    log.push(`${name}${calls}`);
    if (calls === failOnCall) throw new Error(`${name} failed on call ${calls}`);
    return { ms: calls, proof: { name }, publicSignals: [], peakRssBytes: calls * 1000 };
  };
}

describe('proveSeriesInterleaved (bench --cli: the provers take turns)', () => {
  it('warm-ups first, then one proof of each prover per round, in the given order', async () => {
    const log: string[] = [];
    const out = await proveSeriesInterleaved(
      new Map([
        ['a', prover('a', log)],
        ['b', prover('b', log)],
      ]),
      3,
    );
    expect(log).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'a4', 'b4']);
    const a = out.get('a');
    if (a === undefined || a instanceof Error) throw new Error('a has no series');
    expect(a.warmUp.ms).toBe(1);
    expect(a.timed.map((r) => r.ms)).toEqual([2, 3, 4]);
    expect(a.peakRssBytes).toBe(4000);
  });

  it('a prover that fails keeps its error and leaves the later rounds; the others go on', async () => {
    const log: string[] = [];
    const out = await proveSeriesInterleaved(
      new Map([
        ['a', prover('a', log, 2)],
        ['b', prover('b', log)],
      ]),
      3,
    );
    expect(log).toEqual(['a1', 'b1', 'a2', 'b2', 'b3', 'b4']);
    expect(out.get('a')).toBeInstanceOf(Error);
    expect(String(out.get('a'))).toMatch(/a failed on call 2/);
    const b = out.get('b');
    if (b === undefined || b instanceof Error) throw new Error('b has no series');
    expect(b.timed).toHaveLength(3);
  });
});
