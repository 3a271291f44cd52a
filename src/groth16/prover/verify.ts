/**
 * A proof checked before it leaves (ProveOptions.verify): snarkjs's verifier equation
 *   e(-pi_a, pi_b) e(vk_x, gamma2) e(pi_c, delta2) e(alpha1, beta2) = 1,  vk_x = IC_0 + sum s_i IC_i
 * against the key's own verification data (header alpha1, beta2, gamma2, delta2; section 3 IC),
 * computed by ffjavascript's pairing (through snarkjs's curves): an implementation independent of
 * the prover's MSMs, so a wrong key, a wrong witness or a device that computed garbage all show.
 *
 * The curve is built single-threaded and kept for the process: snarkjs.groth16.verify builds a
 * multi-threaded one (worker threads that keep Node alive and cannot start inside a worker).
 *
 * For the prepared prover (and any other caller): `verificationData(key)` once per key, then
 * `checkProof(data, proof, publicSignals)` per proof (true/false), or `rejectInvalidProof(...)`
 * for the PROOF_INVALID error with the devices of each part.
 */
import { ZkgpuError } from '../../core/errors.js';
import { showValue } from '../../core/show.js';
import { decodePoints, type CurveName, type G1Point } from '../../math/index.js';
import type { JobReport } from '../../runtime/runtime.js';
import { g1ToJson, g2ToJson, type Groth16Proof, type G1Json, type G2Json } from '../formats/proof-format.js';
import { SNARKJS_CURVE_NAME, type SnarkjsCurveName } from '../formats/curve-id.js';
import { ZKEY_SECTION, type ZkeyFile, type ZkeyHeader } from '../formats/zkey.js';

/** ProveOptions.verify: 'auto' (default) checks where the check costs under ~2% of the proof (checkCostsLittle). */
export type VerifyOption = 'auto' | boolean;

/** The key's verification data, as the check reads it (snarkjs's vkey fields, without vk_alphabeta_12). */
export interface VerificationData {
  curve: CurveName;
  alpha1: G1Json;
  beta2: G2Json;
  gamma2: G2Json;
  delta2: G2Json;
  /** nPublic + 1 points. */
  ic: G1Json[];
}

export function parseVerifyOption(value: unknown): VerifyOption {
  if (value === undefined) return 'auto';
  if (value === 'auto' || value === true || value === false) return value;
  throw new ZkgpuError('INVALID_ARGUMENT', `verify must be 'auto', true or false, got ${showValue(value)}`, { details: { field: 'verify' } });
}

/**
 * Smallest domain where 'auto' checks: where the check costs under ~2% of the proof. Measured
 * again after the provers got faster (2026-12-06, BN254, 2 worker threads on a 2-core VM,
 * backend 'wasm', warm runtime): the check (vk_x and four pairings, one thread) takes ~9 ms with
 * one or two public inputs (50 ms with 513) once the curve is built; proofs take merkle (2^14)
 * ~350 ms (the check 2.6%: off), bits and sha256 (2^16, 0/1 witnesses) ~620-670 ms (1.4%: on),
 * dense 2^16 ~1550 ms (0.6%); proof time about doubles per size, so 2^15 is the first under 2%.
 * (It was 2^12 when a 2^16 proof took ~12 s.) Below it 'auto' also never builds snarkjs's curve:
 * ~30 MiB of peak RSS and one slowed proof, ~0.7 s of CPU, in a process proving small circuits.
 */
export const AUTO_VERIFY_MIN_DOMAIN = 1 << 15;

/**
 * Whether a proof over `domainSize` is checked under `option`. The first check in a process also
 * loads snarkjs and builds ffjavascript's curve: 0.4-0.7 s import + ~1.1 s build, ~0.7 s of CPU
 * (measured here), as much as a whole 2^16 proof's tail, so 'auto' checks only once that curve
 * is ready: a one-shot `zkgpu prove` stays as fast as before, and the first 'auto' proof of a
 * process starts building the curve for the ones after it (a service, a prepared prover, a loop).
 */
export function checkCostsLittle(option: VerifyOption, domainSize: number, curve: CurveName): boolean {
  if (option !== 'auto') return option;
  if (domainSize < AUTO_VERIFY_MIN_DOMAIN) return false;
  if (ready.has(SNARKJS_CURVE_NAME[curve])) return true;
  curveFor(curve).catch(() => {}); // warm for the next proof; a failure shows when a check needs it
  return false;
}

/**
 * Whether a proof over this domain may build snarkjs's curve (memory-plan.ts counts its memory):
 * the check may run ('auto' warms the curve on its first proof) and the curve is not built yet.
 */
export function mayBuildCurve(option: VerifyOption, domainSize: number, curve: CurveName): boolean {
  if (option === false || ready.has(SNARKJS_CURVE_NAME[curve])) return false;
  return option === true || domainSize >= AUTO_VERIFY_MIN_DOMAIN;
}

/** Read once per key: kept under the header object, which a prepared key shares with the file it was read from. */
const known = new WeakMap<ZkeyHeader, Promise<VerificationData>>();

/**
 * The key's verification data: its header's points and its IC section (read from the open file;
 * a prepared prover calls this before closing its file, and later calls find it by the header).
 */
export function verificationData(key: Pick<ZkeyFile, 'header' | 'bin'>): Promise<VerificationData> {
  const h = key.header;
  let vk = known.get(h);
  if (!vk) {
    vk = key.bin.readSection(ZKEY_SECTION.ic).then((bytes) => {
      const ic = decodePoints(h.curve, 'g1', bytes).map((p: G1Point) => g1ToJson(p));
      return { curve: h.curve, alpha1: g1ToJson(h.alpha1), beta2: g2ToJson(h.beta2), gamma2: g2ToJson(h.gamma2), delta2: g2ToJson(h.delta2), ic };
    });
    known.set(h, vk);
    vk.catch(() => known.delete(h));
  }
  return vk;
}

/** snarkjs/ffjavascript's curve, as far as the check uses it. */
interface Curve {
  G1: CurveGroup;
  G2: CurveGroup;
  Fr: { p: bigint };
  pairingEq(...pairs: unknown[]): Promise<boolean>;
}
interface CurveGroup {
  fromObject(o: unknown): unknown;
  add(a: unknown, b: unknown): unknown;
  neg(a: unknown): unknown;
  timesScalar(a: unknown, k: bigint): unknown;
  isValid(a: unknown): boolean;
}
interface SnarkjsCurves {
  curves: { getCurveFromName(name: string, options: { singleThread: boolean }): Promise<Curve> };
}
// snarkjs ships no type declarations: loaded through a computed specifier, typed with what is used.
const SNARKJS = 'snarkjs';
const curves = new Map<SnarkjsCurveName, Promise<Curve>>();
/** Curves whose build has finished (checkCostsLittle's 'auto' rule). */
const ready = new Set<SnarkjsCurveName>();

function curveFor(curve: CurveName): Promise<Curve> {
  const name = SNARKJS_CURVE_NAME[curve];
  let c = curves.get(name);
  if (!c) {
    c = import(/* @vite-ignore */ SNARKJS).then((s: SnarkjsCurves) => s.curves.getCurveFromName(name, { singleThread: true }));
    c.then(
      () => ready.add(name),
      () => {},
    );
    curves.set(name, c);
    c.catch(() => curves.delete(name));
  }
  return c;
}

const big = (s: string) => BigInt(s);
const g1 = (p: G1Json) => p.map(big);
const g2 = (p: G2Json) => p.map((c) => c.map(big));

/** Whether `proof` verifies for `publicSignals` against `vk` (snarkjs's groth16 verifier, same checks). */
export async function checkProof(vk: VerificationData, proof: Groth16Proof, publicSignals: readonly string[]): Promise<boolean> {
  const curve = await curveFor(vk.curve);
  const { G1, G2 } = curve;
  if (publicSignals.length !== vk.ic.length - 1) return false;
  const signals = publicSignals.map(big);
  if (signals.some((s) => s < 0n || s >= curve.Fr.p)) return false;
  let vkX = G1.fromObject(g1(vk.ic[0]));
  signals.forEach((s, i) => (vkX = G1.add(vkX, G1.timesScalar(G1.fromObject(g1(vk.ic[i + 1])), s))));
  const a = G1.fromObject(g1(proof.pi_a));
  const b = G2.fromObject(g2(proof.pi_b));
  const c = G1.fromObject(g1(proof.pi_c));
  if (!G1.isValid(a) || !G2.isValid(b) || !G1.isValid(c)) return false;
  return curve.pairingEq(G1.neg(a), b, vkX, G2.fromObject(g2(vk.gamma2)), c, G2.fromObject(g2(vk.delta2)), G1.fromObject(g1(vk.alpha1)), G2.fromObject(g2(vk.beta2)));
}

/**
 * Which devices computed each part of a proof: proof stage -> backend ids, from the runtime's job
 * reports (a stage without reports, such as the one-task QAP, ran on the workers: 'wasm').
 */
export class DeviceLedger {
  readonly #stages = new Map<string, Set<string>>();

  add(stage: string, report: JobReport): void {
    let set = this.#stages.get(stage);
    if (!set) this.#stages.set(stage, (set = new Set()));
    for (const chunk of report.chunks) set.add(chunk.backend);
    if (report.chunks.length === 0) set.add(report.backend);
  }

  /** Stage -> devices, for PROOF_INVALID's details; `timedStages` adds the stages that made no report (on the workers). */
  devices(timedStages: readonly string[] = []): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const stage of timedStages) if (!this.#stages.has(stage)) out[stage] = ['wasm'];
    for (const [stage, set] of this.#stages) out[stage] = [...set].sort();
    return out;
  }
}

/** PROOF_INVALID for a proof that failed the check, naming the likely causes and each part's devices. */
export function invalidProofError(keyName: string, devices: Record<string, string[]>): ZkgpuError {
  const gpuParts = Object.entries(devices).filter(([, ids]) => ids.some((id) => id !== 'wasm'));
  const where = Object.entries(devices)
    .map(([stage, ids]) => `${stage} on ${ids.join('+')}`)
    .join(', ');
  const cause =
    gpuParts.length > 0
      ? `a device fault (GPU parts: ${gpuParts.map(([s]) => s).join(', ')}), or a proving key or witness altered while still well-formed`
      : 'the proving key or the witness was altered while still well-formed (a witness value changed, a key point replaced), or a worker computed a wrong value';
  return new ZkgpuError('PROOF_INVALID', `the proof does not verify against ${keyName}'s verification data: likely ${cause}. Computed: ${where || 'no job reports'}`, {
    details: { file: keyName, devices },
  });
}

/** What a proof run hands to the check: its result (timings are written to) and what it knows of the key. */
export interface CheckedProof {
  proof: Groth16Proof;
  publicSignals: string[];
  readonly timings: { verify?: number; total: number; qap?: number; buildABC?: number; quotient?: number };
}

/**
 * The end of a proof (prove.ts proveOn; a prepared prover calls it the same way, with a ledger fed
 * by its onJobReport): checks `result` against `key` when `option` says so, adds the check's time
 * to timings (`verify`, and `total`), and rejects with PROOF_INVALID when it fails.
 */
export async function verifyBeforeReturn(key: Pick<ZkeyFile, 'name' | 'header' | 'bin'>, result: CheckedProof, option: VerifyOption, ledger: DeviceLedger): Promise<void> {
  if (!checkCostsLittle(option, key.header.domainSize, key.header.curve)) return;
  const t0 = performance.now();
  const ok = await checkProof(await verificationData(key), result.proof, result.publicSignals);
  const ms = performance.now() - t0;
  const timings = result.timings as { verify?: number; total: number };
  timings.verify = ms;
  timings.total += ms;
  if (!ok) {
    const workerStages = (['qap', 'buildABC', 'quotient'] as const).filter((s) => result.timings[s] !== undefined);
    throw invalidProofError(key.name, ledger.devices(workerStages));
  }
}

/**
 * `options` with its onJobReport also feeding `ledger` (unless verify is false: then nothing
 * changes and no report is built that nobody reads).
 */
export function withDeviceLedger<O extends { verify?: unknown; onJobReport?: (stage: string, report: JobReport) => void }>(options: O, ledger: DeviceLedger): O {
  if (options.verify === false) return options;
  const user = options.onJobReport;
  return {
    ...options,
    onJobReport: (stage: string, report: JobReport) => {
      ledger.add(stage, report);
      user?.(stage, report);
    },
  };
}
