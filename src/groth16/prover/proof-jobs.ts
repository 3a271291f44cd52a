/**
 * How one proof calls the runtime (prove.ts): the MSMs over the key's point sections, the QAP's
 * worker tasks and transforms, and the blinding MSMs. Each job is timed as its proof stage
 * (ProofRun.timed), gets a signal of its own from the ProofRun, and labels its job reports with
 * its stage. Where and in which order the jobs are queued is prove.ts's business, not this file's.
 */
import { isZkgpuError, ZkgpuError } from '../../core/errors.js';
import { concatBytes } from '../../core/bytes.js';
import { encodePoint, pointBytes, type CurveName, type G1Point, type G2Point, type GroupName } from '../../math/index.js';
import type { Backend, Runtime } from '../../runtime/runtime.js';
import { defaultWasmModel, msmEffectiveElements, msmScalarProfile, type MsmScalarProfile } from '../../scheduler/models.js';
import { encodeFrArray } from '../formats/fr.js';
import { ZKEY_SECTION, type ZkeyFile } from '../formats/zkey.js';
import type { CoefficientContext } from './qap.js';
import { buildAbcOnWorker, hScalarsOnWorker, quotientOnWorker, type AbcBytes } from './qap-wasm.js';
import type { ProofRun, ProofStage } from './proof-run.js';
import type { WorkerLayout } from './layout.js';
import { sectionGroup } from './proof-key.js';

/** Pool priority of the proof's critical path (A, B, C, the transforms, the quotient, the H MSM). */
export const CRITICAL_PATH = 1;

/** The key's point sections, each the points of one witness MSM (H: of the quotient's). */
export type PointSection = 'pointsA' | 'pointsB1' | 'pointsB2' | 'pointsC' | 'pointsH';

/** The proof stage of each point section's MSM. */
export const MSM_STAGE = { pointsA: 'msmA', pointsB1: 'msmB1', pointsB2: 'msmB2', pointsC: 'msmC', pointsH: 'msmH' } as const satisfies Record<PointSection, ProofStage>;

/** What the H scalars are made from. */
export interface QapInputs {
  /** Section 4 as read, its count word included. */
  coefficients: Uint8Array;
  /** The .wtns values, 32 bytes each. */
  witness: Uint8Array;
  context: CoefficientContext;
  /** w_2n: the transforms end on the coset w_2n <w_n>. */
  shift: bigint;
}

/** A term of a blinding MSM: a point (encoded, or as the key's header holds it) and its scalar. */
export type BlindingTerm = [Uint8Array | G1Point | G2Point, bigint];

export class ProofJobs {
  private readonly curve: CurveName;
  /** Estimated worker-ms of each witness MSM not finished yet (workMs): what would keep workers busy. */
  private readonly unfinished = new Map<ProofStage, number>();

  constructor(
    readonly runtime: Runtime,
    private readonly run: ProofRun,
    private readonly key: ZkeyFile,
    private readonly backend: Backend | undefined,
    readonly layout: WorkerLayout,
  ) {
    this.curve = key.header.curve;
  }

  /**
   * The MSM of a point section with `scalars`, as its proof stage ('msmA' for pointsA, ...).
   * `workers` overrides the layout's share (the tail MSM); `priority` puts it on the critical path.
   */
  keyMsm(section: PointSection, points: Uint8Array, scalars: Uint8Array, placement: { priority?: number; workers?: number } = {}): Promise<Uint8Array> {
    const stage = MSM_STAGE[section];
    const group = sectionGroup(section);
    const workers = placement.workers ?? (group === 'g2' ? this.layout.g2Workers : this.layout.g1Workers);
    // H's scalars are the quotient's, dense by construction: no pass over them on the critical path.
    const profile = section === 'pointsH' ? denseProfile(scalars.length >>> 5) : msmScalarProfile(scalars);
    this.estimate(stage, group, profile, workers);
    if (section !== 'pointsH') this.unfinished.set(stage, this.workMs(group, profile));
    const done = () => this.unfinished.delete(stage);
    return this.run.timed(stage, () => this.sectionMsm(section, points, scalars, { workers, priority: placement.priority ?? 0, first: 0 }).finally(done));
  }

  /**
   * One piece of a streamed point section (streamed.ts): points [first, first + count) of
   * `section` with their scalars, on one worker, untimed (the stream is timed as the stage). A
   * point off the curve is FILE_FORMAT at its offset in the whole section.
   */
  pieceMsm(section: PointSection, points: Uint8Array, scalars: Uint8Array, first: number, priority: number): Promise<Uint8Array> {
    return this.sectionMsm(section, points, scalars, { workers: 1, priority, first });
  }

  /** The runtime MSM of (part of) a point section, its points checked, a bad one FILE_FORMAT at its offset in the section. */
  private sectionMsm(section: PointSection, points: Uint8Array, scalars: Uint8Array, at: { workers: number; priority: number; first: number }): Promise<Uint8Array> {
    const stage = MSM_STAGE[section];
    const group = sectionGroup(section);
    return this.runtime
      .msm({
        curve: this.curve,
        group,
        points,
        scalars,
        backend: this.backend,
        // Key points are checked to be on the curve on the way, so a corrupted point section is an
        // error naming the section, not a proof that fails verification later. Cost measured on a
        // 2^14-constraint BN254 proof, 2 threads, median of 4: 2084 ms checked vs 2050 ms unchecked (~2%).
        validatePoints: true,
        maxWorkers: at.workers,
        priority: at.priority,
        signal: this.run.jobSignal(),
        onReport: this.run.reportTo(stage),
      })
      .catch((e) => {
        throw keyPointError(e, this.key, section, group, stage, at.first);
      });
  }

  /**
   * Estimated worker-ms of an MSM with these scalars on the workers (default wasm model at one
   * worker, effective elements from the scalar profile): ratios between the proof's MSMs, for
   * poleWorkers. ~0.5 ms per 2^16 scalars on the main thread.
   */
  workMs(group: GroupName, profile: MsmScalarProfile): number {
    const model = defaultWasmModel({ op: 'msm', curve: this.curve, group }, 1);
    return (msmEffectiveElements(profile, this.curve) * model.perElementNs) / 1e6;
  }

  /** Estimated worker-ms of the witness MSMs still running. */
  get unfinishedMs(): number {
    let ms = 0;
    for (const v of this.unfinished.values()) ms += v;
    return ms;
  }

  /**
   * The planner's estimate for a witness MSM from its scalar profile (zeros dropped, ones summed,
   * the rest at their bit length: scheduler/models.ts msmEffectiveElements), on the share of
   * workers it gets; kept in the ProofRun for the profile's estimate-vs-measured rows. Only when
   * the profile asks (withMsmEstimates): the profile pass is ~1 ms per 2^16 scalars.
   */
  private estimate(stage: ProofStage, group: GroupName, profile: MsmScalarProfile, workers: number): void {
    if (!this.run.wantsEstimates) return;
    const effective = msmEffectiveElements(profile, this.curve);
    const threads = this.runtime.threads;
    const planned = this.runtime
      .plan({
        op: 'msm',
        curve: this.curve,
        group,
        // As runtime.msm plans it: the terms it keeps (zeros dropped), weighed by their work.
        n: profile.terms - profile.zeros,
        effectiveElements: effective,
        backend: this.backend ?? 'auto',
      })
      .then((plan) => {
        // The job alone (plan.estimateMs also counts work queued before it): its chunks' estimates
        // per backend, the slowest backend ending it; on the workers the model spreads over every
        // worker, and this MSM gets `workers` of them.
        const perBackend = new Map<string, number>();
        for (const c of plan.chunks) perBackend.set(c.backend, (perBackend.get(c.backend) ?? 0) + c.estimateMs);
        const wasmMs = (perBackend.get('wasm') ?? 0) * (threads / Math.min(threads, workers));
        const estimateMs = Math.max(wasmMs, ...[...perBackend].filter(([b]) => b !== 'wasm').map(([, ms]) => ms));
        this.run.estimates[stage] = { ...profile, effectiveElements: Math.round(effective), estimateMs, calibrated: plan.calibrated };
      })
      .catch(() => {});
    this.run.track(planned);
  }

  /** qap 'one-task': A, B, C, the six transforms and the quotient as one worker task (stage 'qap'). */
  hScalarsInOneTask(q: QapInputs): Promise<Uint8Array> {
    return this.run.timed('qap', () => hScalarsOnWorker(this.runtime, this.curve, q.coefficients, q.witness, q.context, q.shift, this.run.jobSignal(), CRITICAL_PATH));
  }

  /** qap 'stages', first step: A, B, C at the domain points, one worker task (stage 'buildABC'). */
  buildAbc(q: QapInputs): Promise<AbcBytes> {
    return this.run.timed('buildABC', () => buildAbcOnWorker(this.runtime, this.curve, q.coefficients, q.witness, q.context, this.run.jobSignal(), CRITICAL_PATH));
  }

  /** qap 'stages': evaluations on the domain -> coefficients -> evaluations on the coset `shift` <w_n> (stages ifftX, then fftX). */
  toCoset(name: 'A' | 'B' | 'C', values: Uint8Array, shift: bigint): Promise<Uint8Array> {
    return this.run
      .timed(`ifft${name}`, () => this.ntt(`ifft${name}`, values, { inverse: true }))
      .then((coefficients) => this.run.timed(`fft${name}`, () => this.ntt(`fft${name}`, coefficients, { coset: shift })));
  }

  /** qap 'stages', last step: A B - C at the coset points, one worker task (stage 'quotient'). */
  quotient(a: Uint8Array, b: Uint8Array, c: Uint8Array): Promise<Uint8Array> {
    return this.run.timed('quotient', () => quotientOnWorker(this.runtime, this.curve, a, b, c, this.run.jobSignal(), CRITICAL_PATH));
  }

  /**
   * A blinding MSM of the 'finalize' stage. Always on the workers: 3 to 7 points are below any
   * GPU's break-even.
   */
  blindingMsm(group: GroupName, terms: BlindingTerm[]): Promise<Uint8Array> {
    return this.runtime.msm({
      curve: this.curve,
      group,
      points: concatBytes(terms.map(([p]) => (p instanceof Uint8Array ? p : encodePoint(this.curve, group, p)))),
      scalars: encodeFrArray(terms.map(([, k]) => k)),
      backend: 'wasm',
      signal: this.run.jobSignal(),
      onReport: this.run.reportTo('finalize'),
    });
  }

  private ntt(stage: ProofStage, values: Uint8Array, transform: { inverse?: boolean; coset?: bigint }): Promise<Uint8Array> {
    return this.runtime.ntt({
      curve: this.curve,
      values,
      ...transform,
      backend: this.backend,
      maxWorkers: this.layout.nttWorkers,
      priority: CRITICAL_PATH,
      signal: this.run.jobSignal(),
      onReport: this.run.reportTo(stage),
    });
  }
}

/** The runtime's POINT_NOT_ON_CURVE (details.index: the point's index in the section) as FILE_FORMAT at its file offset. */
function keyPointError(e: unknown, key: ZkeyFile, section: PointSection, group: GroupName, stage: ProofStage, first = 0): unknown {
  if (!isZkgpuError(e, 'POINT_NOT_ON_CURVE')) return e;
  const id = ZKEY_SECTION[section];
  const index = e.details?.index === undefined ? undefined : first + e.details.index;
  const sectionOffset = key.bin.section(id).offset;
  const offset = index === undefined ? sectionOffset : sectionOffset + index * pointBytes(key.header.curve, group);
  const which = index === undefined ? 'a point' : `point ${index}`;
  return new ZkgpuError(
    'FILE_FORMAT',
    `${key.name}: ${key.bin.label(id)}: ${which} is not on the ${key.header.curve} ${group.toUpperCase()} curve or has a coordinate not below q (byte offset ${offset})`,
    { cause: e, details: { file: key.name, section: id, offset, stage, ...(index === undefined ? {} : { index }) } },
  );
}

function denseProfile(terms: number): MsmScalarProfile {
  return { terms, zeros: 0, ones: 0, dense: terms, maxBits: 254 };
}
