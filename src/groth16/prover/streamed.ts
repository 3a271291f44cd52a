/**
 * A proof within a memory budget (memory-plan.ts 'streamed'): each point section is read in pieces
 * of `pieceElements` points, each piece's MSM is a runtime job on one worker, and at most
 * `inflight` pieces are held at once (one per worker, and the next one being read); the partial
 * sums of a section are added by one small MSM at the end. The QAP runs as in the whole way, beside
 * the first section's pieces, its coefficients dropped once it has them.
 *
 * The sections go one after the other, in the whole way's order of need: B2 (the longest, beside
 * the QAP), C, A, B1, then H as soon as its scalars exist (the critical path's priority).
 */
import type { Witness } from '../formats/wtns.js';
import type { ProofRun } from './proof-run.js';
import { CRITICAL_PATH, MSM_STAGE, type PointSection, type ProofJobs } from './proof-jobs.js';
import { sectionGroup, type ProofKey } from './proof-key.js';
import type { ProofMemoryPlan } from './memory-plan.js';

export interface StreamedSums {
  a: Uint8Array;
  b1: Uint8Array;
  b2: Uint8Array;
  c: Uint8Array;
  h: Uint8Array;
}

export async function streamedProofSums(
  run: ProofRun,
  jobs: ProofJobs,
  key: ProofKey,
  wtns: Witness,
  plan: ProofMemoryPlan,
  hScalarsFrom: (coefficients: Uint8Array) => Promise<Uint8Array>,
): Promise<StreamedSums> {
  const h = key.header;
  const pieces = { size: plan.pieceElements ?? h.domainSize, inflight: plan.inflight ?? jobs.runtime.threads };
  // Not bound in this scope: the coefficients live only as long as the QAP needs them.
  const hScalars = run
    .addTime('readKey', () => key.readSections(['coefficients']))
    .then(([coefficients]) => {
      run.progress('readKey');
      return hScalarsFrom(coefficients);
    });
  run.track(hScalars);
  const stream = (section: PointSection, count: number, scalars: Uint8Array, priority = 0) =>
    run.timed(MSM_STAGE[section], () => streamSection(run, jobs, key, section, count, scalars, pieces, priority));

  const b2 = await stream('pointsB2', h.nVars, wtns.bytes);
  const c = await stream('pointsC', h.nVars - h.nPublic - 1, wtns.bytes.subarray((h.nPublic + 1) * 32));
  const a = await stream('pointsA', h.nVars, wtns.bytes);
  const b1 = await stream('pointsB1', h.nVars, wtns.bytes);
  const hSum = await stream('pointsH', h.domainSize, await hScalars, CRITICAL_PATH);
  return { a, b1, b2, c, h: hSum };
}

/** The MSM of one point section, piece by piece: `count` points, their scalars 32 bytes each. */
async function streamSection(
  run: ProofRun,
  jobs: ProofJobs,
  key: ProofKey,
  section: PointSection,
  count: number,
  scalars: Uint8Array,
  pieces: { size: number; inflight: number },
  priority: number,
): Promise<Uint8Array> {
  if (count === 0) return jobs.pieceMsm(section, new Uint8Array(0), new Uint8Array(0), 0, priority);
  const partials: Uint8Array[] = [];
  let next = 0;
  // `inflight` lanes, each reading a piece then waiting for its MSM: at most `inflight` pieces alive.
  const lane = async () => {
    while (next < count) {
      const first = next;
      const n = Math.min(pieces.size, count - first);
      next += n;
      run.checkAbort();
      const points = await key.readPiece(section, first, n);
      run.checkAbort();
      partials.push(await jobs.pieceMsm(section, points, scalars.subarray(first * 32, (first + n) * 32), first, priority));
    }
  };
  await Promise.all(Array.from({ length: Math.min(pieces.inflight, Math.ceil(count / pieces.size)) }, lane));
  if (partials.length === 1) return partials[0];
  return jobs.blindingMsm(
    sectionGroup(section),
    partials.map((p) => [p, 1n]),
  );
}
