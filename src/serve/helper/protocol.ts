/**
 * Messages between the service and its helper thread (helper/worker.ts), which computes witnesses
 * and checks proofs with snarkjs, so neither blocks the event loop that serves HTTP and feeds the
 * prover's workers (a 2^16 witness takes 250-400 ms here, a BN254 pairing check ~10 ms).
 */

export type HelperRequest =
  | { id: number; op: 'load'; circuit: string; wasm: Uint8Array | null; vkey: unknown }
  /** Input values are decimal strings (normalised at submission), arrays nested as the signal. */
  | { id: number; op: 'witness'; circuit: string; input: Record<string, unknown> }
  | { id: number; op: 'verify'; circuit: string; proof: unknown; publicSignals: string[] };

export type HelperResponse = { id: number; ok: true; wtns?: Uint8Array; valid?: boolean; ms: number } | { id: number; ok: false; error: { code: string; message: string } };
