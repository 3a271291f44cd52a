/**
 * groth16.prover(zkey): a prover prepared for repeated proofs of one circuit. The key's header,
 * coefficients and point sections are read once, in the form each proof reads them (proof-key.ts),
 * and kept; each prove() / fullProve() then starts at the witness. It holds the key in memory:
 * `byteLength` bytes (about the .zkey's size; a key given as bytes is kept whole, the sections
 * being views of it), until dispose() or until the prover is no longer referenced.
 */
import { ZkgpuError } from '../../core/errors.js';
import { checkOptions, proveOn, withRuntime, type Groth16ProveResult, type ProveOptions } from './prove.js';
import { fullProveOn, parseInput, type CircuitInput } from './full-prove.js';
import { readProofKey, type ProofKey } from './proof-key.js';
import type { ZkeyHeader } from '../formats/zkey.js';
import type { BinSource } from '../formats/source.js';

export interface Groth16Prover {
  /** The key's Groth16 header (curve, nVars, nPublic, domainSize, ...). */
  readonly header: ZkeyHeader;
  /** Bytes of key sections the prover holds (0 once disposed). */
  readonly byteLength: number;
  /** groth16.prove with this key; `options` add to (and override) the prover's. */
  prove(wtns: BinSource, options?: ProveOptions): Promise<Groth16ProveResult>;
  /** groth16.fullProve with this key. */
  fullProve(input: CircuitInput, wasm: BinSource, options?: ProveOptions): Promise<Groth16ProveResult>;
  /** Drops the key (a runtime it was given stays open; the default runtime too). Later proofs fail with DISPOSED. */
  dispose(): Promise<void>;
}

/** Reads the key now; `options` (runtime, threads, backend, qap, callbacks) become each proof's defaults. */
export async function prover(zkeySource: BinSource, options: ProveOptions = {}): Promise<Groth16Prover> {
  checkOptions(options);
  const { key, byteLength } = await readProofKey(zkeySource);
  return new PreparedProver(key, byteLength, options);
}

class PreparedProver implements Groth16Prover {
  #key: ProofKey | null;
  #byteLength: number;

  constructor(
    key: ProofKey,
    byteLength: number,
    private readonly defaults: ProveOptions,
  ) {
    this.#key = key;
    this.#byteLength = byteLength;
    this.header = key.header;
  }

  readonly header: ZkeyHeader;

  get byteLength(): number {
    return this.#byteLength;
  }

  async prove(wtns: BinSource, options: ProveOptions = {}): Promise<Groth16ProveResult> {
    const merged = this.merge(options);
    const prepared = this.key();
    return withRuntime(merged, (runtime) => proveOn(runtime, { prepared }, wtns, merged, {}));
  }

  async fullProve(input: CircuitInput, wasm: BinSource, options: ProveOptions = {}): Promise<Groth16ProveResult> {
    const merged = this.merge(options);
    const prepared = this.key();
    const parsed = parseInput(input);
    return withRuntime(merged, (runtime) => fullProveOn(runtime, parsed, wasm, { prepared }, merged));
  }

  async dispose(): Promise<void> {
    this.#key = null;
    this.#byteLength = 0;
  }

  private merge(options: ProveOptions): ProveOptions {
    if (typeof options !== 'object' || options === null) checkOptions(options);
    return { ...this.defaults, ...options };
  }

  private key(): ProofKey {
    if (!this.#key) throw new ZkgpuError('DISPOSED', 'this groth16 prover has been disposed');
    return this.#key;
  }
}
