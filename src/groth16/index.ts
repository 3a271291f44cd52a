/**
 * zkgpu's Groth16 prover, a drop-in for snarkjs.groth16.prove / fullProve on circom circuits:
 * reads snarkjs's .zkey and circom's .wtns, returns snarkjs's proof JSON.
 */
import { prove } from './prove.js';
import { fullProve } from './full-prove.js';
import { readZkeyHeader } from './zkey.js';
import { readWtns } from './wtns.js';
import { devSetup } from './dev-setup.js';
import { readR1csHeader } from './r1cs.js';
import { profileProof, formatProfile } from './profile.js';

/** devSetup is INSECURE (toxic waste from a seed): for tests and benchmarks only. */
export const groth16 = Object.freeze({ prove, fullProve, readZkeyHeader, readWtns, devSetup, readR1csHeader, profile: profileProof, formatProfile });
export { DEV_SETUP_WARNING } from './dev-setup.js';
export type { DevSetupOptions, DevSetupResult, DevSetupStage, Groth16VerificationKey } from './dev-setup.js';
export type { R1csHeader } from './r1cs.js';

export type { Groth16ProveResult, Groth16Timings, Groth16Progress, ProveOptions } from './prove.js';
export type { ProfileOptions, ProfileReport, ProfileMemory } from './profile.js';
export type { ProfileStage, StageOnDevice, ProfileDevice, ProfileVerdict, ProfileAttribution } from './profile-report.js';
export type { CircuitInput } from './full-prove.js';
export type { Groth16Proof, G1Json, G2Json } from './proof-format.js';
export type { ZkeyHeader } from './zkey.js';
export type { Witness } from './wtns.js';
export type { BinSource } from './source.js';
export type { SnarkjsCurveName } from './curve-id.js';
