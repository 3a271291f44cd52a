/**
 * How much host memory one proof needs, and how it runs within the budget it is given.
 *
 * Two ways to run a proof (prove.ts):
 *   whole     every point section read whole and each MSM given to the runtime at once (fastest;
 *             the planner splits each MSM over the workers);
 *   streamed  each point section read in pieces of `pieceElements` points, at most `inflight`
 *             pieces held at once, each piece's MSM a runtime job of its own and the partial sums
 *             added at the end (streamed.ts). The witness, the QAP's inputs and the H scalars are
 *             held whole in both ways: they are what the minimum is made of.
 *
 * The figures are the proof's working memory, on top of the runtime's own footprint (the process's
 * resident memory before the proof: Node, the workers' wasm instances, their staging buffers),
 * which the plan states separately. The budget is the proof's or the runtime's maxHostBytes, else
 * the smallest detected figure (cgroup limit, available memory) x PROOF_HEADROOM less that
 * footprint.
 *
 * The factors below were fitted to measurements (VmHWM of the process less its resident memory just
 * before the proof; BN254 bench chain, 2 worker threads, verify off):
 *              whole            streamed (pieces)
 *   2^16       136 MiB          85 MiB (2^12)      key sections 27 MiB
 *   2^18       478 MiB          266 MiB (2^15)     key sections 109 MiB
 *   2^20       -                745 MiB (2^12)     key sections 434 MiB (893 MiB peak in a 1 GiB cgroup)
 * The QAP worker's wasm memory dominates the minimum: ~560 bytes per domain point (A, B, C and the
 * witness in the engine's 72-byte working form, two twiddle tables kept for the next proof, the
 * inputs and output); the rest is the main thread's witness and H scalars, staging buffers and
 * ~32 MiB of allocator and message slack seen at every size.
 */
import { ZkgpuError } from '../../core/errors.js';
import { pointBytes, SCALAR_BYTES } from '../../core/sizes.js';
import type { Runtime } from '../../runtime/runtime.js';
import type { MemoryReport } from '../../scheduler/hardware/types.js';
import { COEFFICIENT_BYTES, type ZkeyHeader } from '../formats/zkey.js';
import type { ProveOptions } from './types.js';
import { mayBuildCurve, parseVerifyOption } from './verify.js';

export type ProofMemoryMode = 'whole' | 'streamed';

export interface ProofMemoryPlan {
  mode: ProofMemoryMode;
  /** Working memory this proof may use. */
  budgetBytes: number;
  /** Where the budget comes from ("the maxHostBytes option of the proof", "cgroup v1 memory.limit_in_bytes (...) x 0.9, less the runtime's own 160 MiB"). */
  budgetSource: string;
  /** The process's resident memory before the proof: the runtime's own footprint (not part of the budget; 0 where it cannot be read). */
  runtimeBytes: number;
  /** Smallest working memory the proof runs in: streamed with the smallest pieces (or whole, for a key so small that it needs less). */
  minimalBytes: number;
  /** Working memory of the whole way, the fastest. */
  comfortableBytes: number;
  /** Expected working memory of the way chosen. */
  plannedBytes: number;
  /** Streamed only: points per piece, and pieces held at once. */
  pieceElements: number | null;
  inflight: number | null;
  /** Bytes of the key's sections a proof reads (coefficients and the five point sections). */
  keySectionBytes: number;
}

/** Pieces below this many points spend more on per-job overhead than they save (~1 ms a job). */
export const MIN_PIECE_ELEMENTS = 1 << 12;
/**
 * Pieces above this gain little: Pippenger's cost per point falls with log2(n) only (2^18 pieces of
 * a 2^20 MSM: ~8% more bucket additions than one 2^20 MSM).
 */
export const MAX_PIECE_ELEMENTS = 1 << 18;

/**
 * Copies of a piece's bytes alive at once: the buffer read from the key, the worker's staging copy,
 * the copy in the worker's wasm memory; plus the Pippenger buckets and digits (about another copy
 * at these sizes).
 */
const PIECE_COPIES = 4;
/** Whole way: the held sections and their staging and wasm copies, per byte of point sections (fitted: 2.5 at 2^16 and 2^18). */
const WHOLE_SECTION_FACTOR = 2.5;
/** The QAP task's wasm memory growth per domain point (fitted: 140 MiB at 2^18 over the instance's first 4 MiB, see the header). */
const QAP_BYTES_PER_DOMAIN_POINT = 560;
/** Allocator and message slack seen at every size (fitted, see the header). */
const SLACK_BYTES = 32 << 20;
/** snarkjs's single-threaded curve for the check (verify.ts), when it is not built yet: measured +19 MiB, with its module. */
export const VERIFY_CURVE_BYTES = 48 << 20;
/** Share of the detected memory a proof plans with (hostBudget). */
export const PROOF_HEADROOM = 0.9;
/** detect-host.ts's source for a runtime's maxHostBytes: a budget given, not detected. */
const EXPLICIT_HOST_SOURCE = 'maxHostBytes option';

export interface ProofMemoryInputs {
  header: Pick<ZkeyHeader, 'curve' | 'nVars' | 'nPublic' | 'domainSize' | 'nCoefficients'>;
  threads: number;
  runtimeBytes: number;
  /** Whether the proof may be checked while snarkjs's curve is not built yet. */
  verifyCurve: boolean;
  /** The budget as given (explicit) or detected (before the runtime's footprint is taken off). */
  budget: { bytes: number; source: string; explicit: boolean };
}

/** The five point sections' sizes in bytes, as the key's header implies them. */
export function pointSectionBytes(h: ProofMemoryInputs['header']): { pointsA: number; pointsB1: number; pointsB2: number; pointsC: number; pointsH: number } {
  const g1 = pointBytes(h.curve, 'g1');
  const g2 = pointBytes(h.curve, 'g2');
  return { pointsA: h.nVars * g1, pointsB1: h.nVars * g1, pointsB2: h.nVars * g2, pointsC: (h.nVars - h.nPublic - 1) * g1, pointsH: h.domainSize * g1 };
}

/**
 * Working memory every proof has, whichever way it runs: the QAP worker's wasm memory, the witness
 * and the coefficients as read (main thread), the H scalars back on the main thread, the slack.
 */
function fixedBytes(i: ProofMemoryInputs): number {
  const h = i.header;
  const witness = h.nVars * SCALAR_BYTES;
  const coefficients = 4 + h.nCoefficients * COEFFICIENT_BYTES;
  const hScalars = h.domainSize * SCALAR_BYTES;
  const qap = h.domainSize * QAP_BYTES_PER_DOMAIN_POINT;
  return qap + witness + coefficients + hScalars + SLACK_BYTES + (i.verifyCurve ? VERIFY_CURVE_BYTES : 0);
}

/** Bytes one piece of `elements` G2 points (the widest) keeps alive while its MSM runs. */
function pieceBytes(curve: ProofMemoryInputs['header']['curve'], elements: number): number {
  return elements * (pointBytes(curve, 'g2') + SCALAR_BYTES) * PIECE_COPIES;
}

/**
 * The proof's plan: 'whole' when its comfortable figure fits the budget, else 'streamed' with the
 * largest pieces that fit; PLAN_INFEASIBLE (both figures, and the budget's source) when even the
 * minimum does not.
 */
export function planProofMemory(i: ProofMemoryInputs): ProofMemoryPlan {
  const h = i.header;
  const pointBytesTotal = Object.values(pointSectionBytes(h)).reduce((a, b) => a + b, 0);
  const keySectionBytes = pointBytesTotal + 4 + h.nCoefficients * COEFFICIENT_BYTES;
  const fixed = fixedBytes(i);
  const largestSection = Math.max(h.nVars, h.domainSize);
  const inflight = i.threads + 1; // one piece per worker, and the next one being read
  const smallestPiece = Math.min(MIN_PIECE_ELEMENTS, largestSection);
  const comfortableBytes = fixed + WHOLE_SECTION_FACTOR * pointBytesTotal;
  // A small key's whole way can need less than a streamed one's smallest pieces.
  const minimalBytes = Math.min(comfortableBytes, fixed + inflight * pieceBytes(h.curve, smallestPiece));

  const budgetBytes = i.budget.explicit ? i.budget.bytes : Math.max(0, i.budget.bytes - i.runtimeBytes);
  const budgetSource = i.budget.explicit ? i.budget.source : `${i.budget.source}, less the runtime's own ${mib(i.runtimeBytes)}`;
  const base = { budgetBytes, budgetSource, runtimeBytes: i.runtimeBytes, minimalBytes, comfortableBytes, keySectionBytes };

  if (comfortableBytes <= budgetBytes) return { ...base, mode: 'whole', plannedBytes: comfortableBytes, pieceElements: null, inflight: null };
  if (minimalBytes > budgetBytes) {
    throw new ZkgpuError(
      'PLAN_INFEASIBLE',
      `this proof (domain 2^${Math.log2(h.domainSize)}, ${h.nVars} variables, ${mib(keySectionBytes)} of key sections) needs at least ${mib(minimalBytes)} of working memory ` +
        `(${mib(comfortableBytes)} to run whole, the fastest), but its budget is ${mib(budgetBytes)} (${budgetSource}); ` +
        `the runtime itself holds ${mib(i.runtimeBytes)} besides. Give it more memory (maxHostBytes, a larger container limit) or use a machine with more`,
      { details: { field: 'maxHostBytes', memory: { minimalBytes, comfortableBytes, budgetBytes, runtimeBytes: i.runtimeBytes } } },
    );
  }
  // The largest power-of-two piece that fits, between the bounds above.
  const room = budgetBytes - fixed;
  let piece = MAX_PIECE_ELEMENTS;
  while (piece > smallestPiece && inflight * pieceBytes(h.curve, piece) > room) piece >>= 1;
  piece = Math.max(smallestPiece, Math.min(piece, largestSection));
  return { ...base, mode: 'streamed', plannedBytes: fixed + inflight * pieceBytes(h.curve, piece), pieceElements: piece, inflight };
}

/**
 * @internal Test seam: options[FORCE_PIECE_ELEMENTS] = n streams the proof in pieces of n points
 * whatever its budget (tests cover many pieces on keys smaller than MIN_PIECE_ELEMENTS).
 */
export const FORCE_PIECE_ELEMENTS = Symbol('zkgpu.forcePieceElements');

/** The plan of a proof with this key on `runtime`, its budget from the options or the runtime (see the file header). */
export async function proofMemoryPlan(runtime: Runtime, header: ZkeyHeader, options: Pick<ProveOptions, 'maxHostBytes' | 'verify'>): Promise<ProofMemoryPlan> {
  const forced = (options as Record<symbol, unknown>)[FORCE_PIECE_ELEMENTS];
  const plan = planProofMemory({
    header,
    threads: runtime.threads,
    runtimeBytes: residentBytes(),
    verifyCurve: mayBuildCurve(parseVerifyOption(options.verify), header.domainSize, header.curve),
    budget:
      options.maxHostBytes !== undefined ? { bytes: options.maxHostBytes, source: 'the maxHostBytes option of the proof', explicit: true } : hostBudget(await runtime.hostMemory()),
  });
  return typeof forced === 'number' ? { ...plan, mode: 'streamed', pieceElements: forced, inflight: runtime.threads + 1 } : plan;
}

/**
 * Of the host memory, what a proof plans with: the runtime's maxHostBytes as given, else the
 * smallest detected figure (cgroup limit, available memory) x PROOF_HEADROOM. Not the scheduler's
 * safety factor (0.75): that one stands for a footprint it does not know, while the plan takes off
 * the footprint it measures (runtimeBytes); what is left to cover is the garbage collector's lag.
 */
function hostBudget(m: MemoryReport): ProofMemoryInputs['budget'] {
  if (m.source === EXPLICIT_HOST_SOURCE) return { bytes: m.budgetBytes, source: "the runtime's maxHostBytes", explicit: true };
  const smallest = m.figures.filter((f) => Number.isFinite(f.bytes) && f.bytes > 0).sort((a, b) => a.bytes - b.bytes)[0];
  if (!smallest) return { bytes: m.budgetBytes, source: m.source, explicit: false };
  return { bytes: Math.floor(smallest.bytes * PROOF_HEADROOM), source: `${smallest.source} x ${PROOF_HEADROOM}`, explicit: false };
}

/** The process's resident memory (Node); 0 where it cannot be read (browsers). */
function residentBytes(): number {
  const p = (globalThis as { process?: { memoryUsage?: { rss?: () => number } } }).process;
  return typeof p?.memoryUsage?.rss === 'function' ? p.memoryUsage.rss() : 0;
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MiB`;
}
