/**
 * The planner: which backend runs which elements of one job, pure and synchronous (no I/O).
 *
 * Model: a backend runs its chunks one after another, each costing fixedMs + count * perElementNs;
 * backends run side by side, so a plan takes as long as its busiest backend. Budgets are what a
 * backend holds at once. A GPU holds `inFlightChunks` (2: its queue uploads the next chunk while
 * one computes), so an MSM chunk gets 1/inFlightChunks of the GPU's budgets; an NTT, which is
 * never split, may take the whole budget and is then marked `overlap: false` (it runs alone).
 *
 * - MSM: split across backends so they finish together. For a target time T each backend can take
 *   M_i(T) elements (chunks of at most its capacity, each paying its fixed cost); the smallest T
 *   with sum M_i(T) >= n is found by bisection, and the few elements over n are taken back from the
 *   backends that would finish last. A backend whose fixed cost is at least T gets nothing: that is
 *   how a job too small to repay a GPU's fixed cost stays on the CPU.
 * - NTT: never split across backends (the transform is not decomposed here): the fastest backend
 *   that holds all n elements in one chunk takes it; none -> PLAN_INFEASIBLE.
 * - `backend` in the job pins it: an id or a kind ('wasm', 'webgpu'); 'auto' or absent lets the
 *   planner choose, and then leaves out what the 'auto' policy leaves out (policy.ts: software
 *   GPU adapters, unless the runtime's backends list names 'webgpu').
 */
import { ZkgpuError } from '../core/errors.js';
import { checkCurve, checkGroup } from '../core/validate.js';
import type { CurveName, GroupName } from '../math/index.js';
import type { BytesPerElement, CostModel, PlanOp } from './models.js';
import { autoLeavesOut } from './policy.js';

export interface PlanJob {
  op: PlanOp;
  curve: CurveName;
  group?: GroupName;
  /** Points (MSM) or field elements (NTT). */
  n: number;
  /**
   * MSM only: what the job costs, in uniform-scalar points (models.ts msmEffectiveElements of its
   * scalar profile); default n. The cost models were measured on uniform scalars, so each of the n
   * elements is planned at effectiveElements / n of the model's time: an MSM of 0/1 scalars (a
   * SHA-256 witness: 62,483 terms costing like ~1,100) no longer looks dense, so it does not repay
   * a GPU's fixed cost and its backlog is what it will really take. Chunks still split the n elements.
   */
  effectiveElements?: number;
  /** 'auto' (default), a kind ('wasm' | 'webgpu') or a backend id. */
  backend?: string;
}

export interface BackendDescription {
  id: string;
  kind: 'webgpu' | 'wasm';
  /** The cost model for this job's op, curve and group. */
  model: CostModel;
  /** The most elements one chunk may have (binding and buffer limits, wasm32's 4 GiB). */
  maxChunkElements: number;
  /** Memory the backend may hold at once: device memory for 'webgpu', host memory for 'wasm'. */
  budgetBytes: number;
  /** 'webgpu' only: host memory for staging copies (absent: unchecked). */
  hostBudgetBytes?: number;
  bytesPerElement: BytesPerElement;
  /** Treated as a software GPU adapter: left out under 'auto' (policy.ts autoTreatsAsSoftware sets it). */
  software?: boolean;
  /**
   * 'webgpu' only: chunks the device holds at once (default 1). 2 when its queue uploads the next
   * chunk while the current one computes: the budgets must then cover two chunks' buffers.
   */
  inFlightChunks?: number;
  /**
   * Work already queued on this backend (other jobs' planned chunks), in ms: this job's chunks
   * start after it. Concurrent jobs therefore spread: a G1 MSM planned while a G2 MSM holds the
   * workers leans to the GPU (the Groth16 graph). Default 0.
   */
  busyForMs?: number;
}

export interface PlanChunk {
  backend: string;
  offset: number;
  count: number;
  hostBytes: number;
  deviceBytes: number;
  estimateMs: number;
  /**
   * True when inFlightChunks such chunks fit the backend's budgets together, so the device queue
   * may upload another while this one computes (always for a GPU MSM chunk; false on the workers
   * and for an NTT that needs more than its share).
   */
  overlap: boolean;
}

export interface BackendShare {
  backend: string;
  elements: number;
  chunks: number;
  /** When this backend finishes its chunks (0 when it has none). */
  estimateMs: number;
  /** The most elements one of its chunks can hold (limits and budgets). */
  capacity: number;
  /** Why it got nothing, when it got nothing. */
  excluded?: string;
}

export interface Plan {
  op: PlanOp;
  n: number;
  chunks: PlanChunk[];
  /** When the last backend finishes. */
  estimateMs: number;
  reason: string;
  /** True only when every backend given work has a measured model. */
  calibrated: boolean;
  backends: BackendShare[];
}

const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toPrecision(2));

function bad(where: string, what: string): never {
  throw new ZkgpuError('INVALID_ARGUMENT', `plan: ${where}: ${what}`);
}

function checkNonNegative(where: string, v: unknown): void {
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0) bad(where, `must be a number >= 0, got ${String(v)}`);
}

function checkJob(job: PlanJob): void {
  if (job?.op !== 'msm' && job?.op !== 'ntt') bad('job.op', `must be 'msm' or 'ntt', got ${JSON.stringify(job?.op)}`);
  checkCurve(job.curve);
  if (job.op === 'msm' && job.group !== undefined) checkGroup(job.group);
  if (!Number.isSafeInteger(job.n) || job.n < 0) bad('job.n', `must be a non-negative integer, got ${String(job.n)}`);
  if (job.backend !== undefined && (typeof job.backend !== 'string' || job.backend === '')) bad('job.backend', `must be a non-empty string, got ${JSON.stringify(job.backend)}`);
  const e = job.effectiveElements;
  if (e !== undefined) {
    if (job.op !== 'msm') bad('job.effectiveElements', `applies to MSMs only, got it for op '${job.op}'`);
    if (typeof e !== 'number' || !Number.isFinite(e) || e < 0) bad('job.effectiveElements', `must be a finite number >= 0, got ${String(e)}`);
  }
}

/**
 * The share of the model's per-element time each of the job's elements costs: effectiveElements / n
 * (at least one element's worth in all, so a job of a single 1-scalar term still has a cost).
 */
export function workScale(job: Pick<PlanJob, 'n' | 'effectiveElements'>): number {
  if (job.effectiveElements === undefined || job.n === 0) return 1;
  return Math.max(job.effectiveElements, 1) / job.n;
}

function checkBackends(backends: readonly BackendDescription[]): void {
  if (!Array.isArray(backends)) bad('backends', 'must be an array');
  const ids = new Set<string>();
  backends.forEach((b, i) => {
    const at = `backends[${i}]`;
    if (typeof b?.id !== 'string' || b.id === '') bad(`${at}.id`, 'must be a non-empty string');
    if (ids.has(b.id)) bad(`${at}.id`, `'${b.id}' is used twice`);
    ids.add(b.id);
    if (b.kind !== 'wasm' && b.kind !== 'webgpu') bad(`${at}.kind`, `must be 'wasm' or 'webgpu', got ${JSON.stringify(b.kind)}`);
    checkNonNegative(`${at}.model.fixedMs`, b.model?.fixedMs);
    if (!(typeof b.model.perElementNs === 'number' && b.model.perElementNs > 0 && Number.isFinite(b.model.perElementNs))) {
      bad(`${at}.model.perElementNs`, `must be a finite number > 0, got ${String(b.model.perElementNs)}`);
    }
    const m = b.maxChunkElements;
    if (!(m === Infinity || (Number.isSafeInteger(m) && m >= 0))) bad(`${at}.maxChunkElements`, `must be an integer >= 0 or Infinity, got ${String(m)}`);
    checkNonNegative(`${at}.budgetBytes`, b.budgetBytes);
    if (b.hostBudgetBytes !== undefined) checkNonNegative(`${at}.hostBudgetBytes`, b.hostBudgetBytes);
    checkNonNegative(`${at}.bytesPerElement.host`, b.bytesPerElement?.host);
    checkNonNegative(`${at}.bytesPerElement.device`, b.bytesPerElement.device);
    if (b.busyForMs !== undefined) checkNonNegative(`${at}.busyForMs`, b.busyForMs);
    if (b.inFlightChunks !== undefined && !(Number.isSafeInteger(b.inFlightChunks) && b.inFlightChunks >= 1)) {
      bad(`${at}.inFlightChunks`, `must be an integer >= 1, got ${String(b.inFlightChunks)}`);
    }
  });
}

/** Elements per budget; Infinity when an element costs nothing there. */
function perBudget(budget: number, bytesPerElement: number): number {
  return bytesPerElement === 0 ? Infinity : Math.floor(budget / bytesPerElement);
}

/** Chunks `b` holds at once: inFlightChunks on a GPU, 1 on the workers (their pool queues chunks). */
function inFlight(b: BackendDescription): number {
  return b.kind === 'webgpu' ? (b.inFlightChunks ?? 1) : 1;
}

/**
 * The most elements one chunk can have on `b`, and what bounds it. A GPU chunk gets its share of
 * the budgets (1/inFlightChunks) so the chunks the device holds at once fit together; `alone`
 * gives it the whole budgets (an NTT that then runs without overlap).
 */
export function chunkCapacity(b: BackendDescription, alone = false): { elements: number; boundBy: string } {
  const bounds: { elements: number; boundBy: string }[] = [{ elements: b.maxChunkElements, boundBy: `maxChunkElements ${b.maxChunkElements}` }];
  if (b.kind === 'wasm') {
    bounds.push({ elements: perBudget(b.budgetBytes, b.bytesPerElement.host), boundBy: `host budget ${b.budgetBytes} B at ${b.bytesPerElement.host} B/element` });
  } else {
    const k = alone ? 1 : inFlight(b);
    const share = k > 1 ? ` shared by ${k} chunks in flight` : '';
    bounds.push({ elements: perBudget(b.budgetBytes, k * b.bytesPerElement.device), boundBy: `device budget ${b.budgetBytes} B${share} at ${b.bytesPerElement.device} B/element` });
    if (b.hostBudgetBytes !== undefined) {
      bounds.push({
        elements: perBudget(b.hostBudgetBytes, k * b.bytesPerElement.host),
        boundBy: `host staging budget ${b.hostBudgetBytes} B${share} at ${b.bytesPerElement.host} B/element`,
      });
    }
  }
  return bounds.reduce((a, c) => (c.elements < a.elements ? c : a));
}

/** Whether a GPU chunk of `count` elements fits its share, so another may be in flight beside it. */
function overlaps(b: BackendDescription, count: number): boolean {
  return b.kind === 'webgpu' && inFlight(b) > 1 && count <= chunkCapacity(b).elements;
}

interface Lane {
  b: BackendDescription;
  cap: number;
  /** ms per element. */
  rate: number;
  /** When the lane is free for this job (its backlog). */
  busy: number;
}

/** When a lane finishes `m` elements of this job: its backlog, then one fixed cost per chunk. */
function laneFinish(l: Lane, m: number): number {
  return m <= 0 ? 0 : l.busy + laneTime(l, m);
}

/** Time for `m` elements on a lane: one fixed cost per chunk. */
function laneTime(l: Lane, m: number): number {
  if (m <= 0) return 0;
  const chunks = l.cap === Infinity ? 1 : Math.ceil(m / l.cap);
  return chunks * l.b.model.fixedMs + m * l.rate;
}

/** The most elements a lane finishes by `at` ms (its backlog first). */
function laneCapacity(l: Lane, at: number): number {
  const t = at - l.busy;
  if (t <= 0) return 0;
  const f = l.b.model.fixedMs;
  if (l.cap === Infinity) return t > f ? Math.floor((t - f) / l.rate) : 0;
  const full = f + l.cap * l.rate;
  const k = Math.floor(t / full);
  const rest = t - k * full;
  const extra = rest > f ? Math.min(l.cap, Math.floor((rest - f) / l.rate)) : 0;
  return k * l.cap + extra;
}

/** Splits `count` into `parts` near-equal pieces, larger first. */
function evenSplit(count: number, parts: number): number[] {
  const base = Math.floor(count / parts);
  const extra = count % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

function chunksFor(l: Lane, offset: number, m: number): PlanChunk[] {
  if (m === 0) return [];
  const parts = l.cap === Infinity ? 1 : Math.ceil(m / l.cap);
  const out: PlanChunk[] = [];
  for (const count of evenSplit(m, parts)) {
    out.push({
      backend: l.b.id,
      offset,
      count,
      hostBytes: count * l.b.bytesPerElement.host,
      deviceBytes: count * l.b.bytesPerElement.device,
      estimateMs: l.b.model.fixedMs + count * l.rate,
      overlap: overlaps(l.b, count),
    });
    offset += count;
  }
  return out;
}

/** Shares of an MSM over `lanes` (all with cap >= 1) so they finish together. */
function balance(lanes: Lane[], n: number): number[] {
  // Upper bound: the best single lane doing everything; nudged up so rounding cannot lose an element.
  let hi = Math.min(...lanes.map((l) => laneFinish(l, n)));
  hi = hi * (1 + 1e-9) + 1e-9;
  let lo = 0;
  const total = (t: number) => lanes.reduce((s, l) => s + laneCapacity(l, t), 0);
  for (let i = 0; i < 200 && hi - lo > hi * 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (total(mid) >= n) hi = mid;
    else lo = mid;
  }
  const shares = lanes.map((l) => Math.min(n, laneCapacity(l, hi)));
  let excess = shares.reduce((s, m) => s + m, 0) - n;
  // Take the surplus back one element at a time from whichever lane finishes last.
  while (excess > 0) {
    let worst = -1;
    for (let i = 0; i < lanes.length; i++) {
      if (shares[i] === 0) continue;
      if (worst < 0 || laneFinish(lanes[i], shares[i]) > laneFinish(lanes[worst], shares[worst])) worst = i;
    }
    const take = Math.min(excess, 1);
    shares[worst] -= take;
    excess -= take;
  }
  return shares;
}

function candidates(job: PlanJob, backends: readonly BackendDescription[], shares: Map<string, BackendShare>): BackendDescription[] {
  const pin = job.backend ?? 'auto';
  if (pin === 'auto') {
    return backends.filter((b) => {
      const leftOut = autoLeavesOut(b);
      if (leftOut) shares.get(b.id)!.excluded = leftOut;
      return leftOut === null;
    });
  }
  const pinned = backends.filter((b) => b.id === pin || b.kind === pin);
  if (pinned.length === 0) {
    const have = backends.map((b) => b.id).join(', ') || 'none';
    throw new ZkgpuError('PLAN_INFEASIBLE', `backend '${pin}' was requested but there is no such backend (have: ${have})`);
  }
  for (const b of backends) if (!pinned.includes(b)) shares.get(b.id)!.excluded = `backend '${pin}' was requested`;
  return pinned;
}

function jobName(job: PlanJob): string {
  if (job.op === 'ntt') return `NTT ${job.curve} of ${job.n} elements`;
  const e = job.effectiveElements;
  const work = e === undefined || Math.round(e) === job.n ? '' : ` (work of ~${Math.round(Math.max(e, 1))} uniform-scalar points)`;
  return `MSM ${job.curve} ${job.group ?? 'g1'} of ${job.n} points${work}`;
}

export function plan(job: PlanJob, backends: readonly BackendDescription[]): Plan {
  checkJob(job);
  checkBackends(backends);
  const shares = new Map<string, BackendShare>(
    backends.map((b) => [b.id, { backend: b.id, elements: 0, chunks: 0, estimateMs: 0, capacity: chunkCapacity(b, job.op === 'ntt').elements }]),
  );
  const chosen = candidates(job, backends, shares);
  const lanes: Lane[] = [];
  const scale = workScale(job);
  for (const b of chosen) {
    // An NTT is one chunk: it may take the whole budget (then it runs alone, overlap false).
    const cap = chunkCapacity(b, job.op === 'ntt');
    if (cap.elements < 1) shares.get(b.id)!.excluded = `cannot hold one element: ${cap.boundBy}`;
    else lanes.push({ b, cap: cap.elements, rate: (b.model.perElementNs * scale) / 1e6, busy: b.busyForMs ?? 0 });
  }
  const finish = (perLane: number[], reason: string): Plan => {
    const chunks: PlanChunk[] = [];
    let offset = 0;
    lanes.forEach((l, i) => {
      const m = perLane[i];
      const share = shares.get(l.b.id)!;
      const cs = chunksFor(l, offset, m);
      chunks.push(...cs);
      offset += m;
      share.elements = m;
      share.chunks = cs.length;
      share.estimateMs = cs.length > 0 ? l.busy + cs.reduce((s, c) => s + c.estimateMs, 0) : 0;
    });
    const used = lanes.filter((_, i) => perLane[i] > 0);
    return {
      op: job.op,
      n: job.n,
      chunks,
      estimateMs: Math.max(0, ...[...shares.values()].map((s) => s.estimateMs)),
      reason: reason + (used.some((l) => !l.b.model.calibrated) ? ' (uncalibrated default model)' : ''),
      calibrated: used.every((l) => l.b.model.calibrated),
      backends: backends.map((b) => shares.get(b.id)!),
    };
  };
  if (job.n === 0)
    return finish(
      lanes.map(() => 0),
      `${jobName(job)}: nothing to do`,
    );
  if (lanes.length === 0) {
    const why = backends.map((b) => `${b.id}: ${shares.get(b.id)!.excluded ?? 'not considered'}`).join('; ');
    throw new ZkgpuError('PLAN_INFEASIBLE', `${jobName(job)} fits no backend (${why || 'no backends'})`);
  }
  return job.op === 'ntt' ? planNtt(job, lanes, shares, finish) : planMsm(job, lanes, shares, finish);
}

/** ', after 120 ms of queued work on wasm' for a lane with a backlog. */
function busyNote(l: Lane): string {
  return l.busy > 0 ? `, after ${fmtMs(l.busy)} ms of queued work on ${l.b.id}` : '';
}

function planNtt(job: PlanJob, lanes: Lane[], shares: Map<string, BackendShare>, finish: (perLane: number[], reason: string) => Plan): Plan {
  let best = -1;
  for (let i = 0; i < lanes.length; i++) {
    const l = lanes[i];
    if (l.cap < job.n) {
      shares.get(l.b.id)!.excluded = `holds at most ${l.cap} elements in one chunk (${chunkCapacity(l.b, true).boundBy}); an NTT is not split`;
      continue;
    }
    if (best < 0 || laneFinish(l, job.n) < laneFinish(lanes[best], job.n)) best = i;
  }
  if (best < 0) {
    const sizes = lanes.map((l) => `${l.b.id} holds at most ${l.cap} (${chunkCapacity(l.b, true).boundBy})`).join('; ');
    throw new ZkgpuError('PLAN_INFEASIBLE', `${jobName(job)}: no backend holds the whole transform and NTTs are not split across backends or chunks: ${sizes}`);
  }
  for (let i = 0; i < lanes.length; i++) {
    if (i !== best && lanes[i].cap >= job.n) {
      shares.get(lanes[i].b.id)!.excluded = `slower: done in ${fmtMs(laneFinish(lanes[i], job.n))} ms against ${fmtMs(laneFinish(lanes[best], job.n))} ms${busyNote(lanes[i])}`;
    }
  }
  const perLane = lanes.map((_, i) => (i === best ? job.n : 0));
  const pinned = job.backend !== undefined && job.backend !== 'auto';
  const reason = `${jobName(job)} on ${lanes[best].b.id}: ${pinned ? 'requested' : 'fastest that holds it whole'}, about ${fmtMs(laneTime(lanes[best], job.n))} ms${busyNote(lanes[best])}`;
  return finish(perLane, reason);
}

function planMsm(job: PlanJob, lanes: Lane[], shares: Map<string, BackendShare>, finish: (perLane: number[], reason: string) => Plan): Plan {
  const perLane = balance(lanes, job.n);
  const t = Math.max(...lanes.map((l, i) => laneFinish(l, perLane[i])));
  lanes.forEach((l, i) => {
    if (perLane[i] === 0) {
      shares.get(l.b.id)!.excluded =
        l.busy > 0 && l.busy >= t
          ? `busy for ${fmtMs(l.busy)} ms with queued work: the others finish the job in about ${fmtMs(t)} ms`
          : `its fixed cost ${fmtMs(l.b.model.fixedMs)} ms is not repaid: the job takes about ${fmtMs(t)} ms on the others`;
    }
  });
  const used = lanes.filter((_, i) => perLane[i] > 0);
  const split = used.map((l) => `${l.b.id} ${((100 * perLane[lanes.indexOf(l)]) / job.n).toFixed(1)}%`).join(' / ');
  const reason =
    used.length === 1
      ? `${jobName(job)} on ${used[0].b.id}${job.backend && job.backend !== 'auto' ? ' (requested)' : ''}: about ${fmtMs(t)} ms`
      : `${jobName(job)} split ${split} so they finish together in about ${fmtMs(t)} ms`;
  return finish(
    perLane,
    reason +
      lanes
        .filter((l) => l.busy > 0)
        .map(busyNote)
        .join(''),
  );
}
