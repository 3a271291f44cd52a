/**
 * zkgpu's Groth16 prover, a drop-in for snarkjs.groth16.prove / fullProve on circom circuits:
 * reads snarkjs's .zkey and circom's .wtns, returns snarkjs's proof JSON.
 */
import { plan, prove } from './prover/prove.js';
import { fullProve } from './prover/full-prove.js';
import { readZkeyHeader } from './formats/zkey.js';
import { readWtns } from './formats/wtns.js';
import { devSetup } from './prover/dev-setup.js';
import { readR1csHeader } from './formats/r1cs.js';
import { profileProof, formatProfile } from './profile/profile.js';
import { prover } from './prover/prepared.js';
import { disposeDefaultRuntime } from './prover/default-runtime.js';

/** devSetup is INSECURE (toxic waste from a seed): for tests and benchmarks only. */
export const groth16 = Object.freeze({
  prove,
  fullProve,
  plan,
  prover,
  disposeDefaultRuntime,
  readZkeyHeader,
  readWtns,
  devSetup,
  readR1csHeader,
  profile: profileProof,
  formatProfile,
});
export { DEV_SETUP_WARNING } from './prover/dev-setup.js';
export type { DevSetupOptions, DevSetupResult, DevSetupStage, Groth16VerificationKey } from './prover/dev-setup.js';
export type { R1csHeader } from './formats/r1cs.js';

export type { Groth16ProveResult, Groth16Timings, Groth16Progress, ProveOptions } from './prover/prove.js';
export type { ProfileOptions, ProfileReport, ProfileMemory } from './profile/profile.js';
export type { ProfileStage, StageOnDevice, ProfileDevice, ProfileVerdict, ProfileAttribution } from './profile/report.js';
export type { CircuitInput } from './prover/full-prove.js';
export type { Groth16Prover } from './prover/prepared.js';
export type { ProofMemoryPlan, ProofMemoryMode } from './prover/memory-plan.js';
export type { Groth16Proof, G1Json, G2Json } from './formats/proof-format.js';
export type { ZkeyHeader } from './formats/zkey.js';
export type { Witness } from './formats/wtns.js';
export type { BinSource } from './formats/source.js';
export type { SnarkjsCurveName } from './formats/curve-id.js';
