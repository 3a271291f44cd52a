/**
 * snarkjs 0.7 as the Groth16 peer: its prover (the one zkgpu replaces) and its verifier (the judge
 * of both provers' proofs). snarkjs ships no type declarations, so it is loaded through a computed
 * specifier and typed here with the members used (node_modules/snarkjs/src/groth16_prove.js,
 * groth16_verify.js, zkey_export_verificationkey.js; ffjavascript's threadman.js for the pool).
 */

export interface SnarkjsGroth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

interface FfCurve {
  tm: { concurrency: number };
  terminate(): Promise<void>;
}

interface SnarkjsModule {
  groth16: {
    /** options.singleThread: build the curve without workers (passed on to getCurveFromQ). */
    prove(zkey: string, wtns: string, logger?: unknown, options?: { singleThread?: boolean }): Promise<{ proof: SnarkjsGroth16Proof; publicSignals: string[] }>;
    verify(vk: unknown, publicSignals: unknown, proof: unknown, logger?: unknown): Promise<boolean>;
  };
  zKey: { exportVerificationKey(zkey: string): Promise<Record<string, unknown>> };
  curves: { getCurveFromName(name: string, options?: { singleThread?: boolean }): Promise<FfCurve> };
}

const SPECIFIER = 'snarkjs';

export interface SnarkjsPeer {
  prove(zkey: string, wtns: string): Promise<{ proof: SnarkjsGroth16Proof; publicSignals: string[] }>;
  verify(vk: unknown, publicSignals: unknown, proof: unknown): Promise<boolean>;
  exportVerificationKey(zkey: string): Promise<Record<string, unknown>>;
  /** Worker threads snarkjs's curve runs on: os.cpus().length (at most 64), or 1 when single-threaded. */
  threads(curve: string): Promise<number>;
  /** Ends the worker pools of every curve snarkjs built, so the process can exit. */
  close(): Promise<void>;
}

/**
 * `singleThread`: snarkjs knows only "all cores" or "none" (ffjavascript sizes its pool from
 * os.cpus()); the bench asks for single-threaded snarkjs only when zkgpu runs on one thread.
 */
export function createSnarkjsPeer({ singleThread = false }: { singleThread?: boolean } = {}): SnarkjsPeer {
  let mod: Promise<SnarkjsModule> | null = null;
  const load = () => (mod ??= import(SPECIFIER) as Promise<SnarkjsModule>);
  return {
    async prove(zkey, wtns) {
      const s = await load();
      return s.groth16.prove(zkey, wtns, undefined, { singleThread });
    },
    async verify(vk, publicSignals, proof) {
      return (await load()).groth16.verify(vk, publicSignals, proof);
    },
    async exportVerificationKey(zkey) {
      return (await load()).zKey.exportVerificationKey(zkey);
    },
    async threads(curve) {
      if (singleThread) return 1;
      return (await (await load()).curves.getCurveFromName(curve)).tm.concurrency;
    },
    async close() {
      // ffjavascript caches one multi-threaded curve per name (globalThis.curve_bn128 / curve_bls12381)
      // and clears the slot in terminate(). Single-threaded curves hold no workers.
      const g = globalThis as unknown as Record<string, FfCurve | null | undefined>;
      for (const key of ['curve_bn128', 'curve_bls12381']) await g[key]?.terminate();
    },
  };
}
