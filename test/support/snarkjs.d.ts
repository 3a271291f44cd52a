/** The part of snarkjs (no bundled types) the Groth16 tests call. */
declare module 'snarkjs' {
  type Source = string | Uint8Array | { type: 'mem'; data?: Uint8Array };
  export const groth16: {
    prove(zkey: Source, wtns: Source): Promise<{ proof: any; publicSignals: string[] }>;
    fullProve(input: Record<string, unknown>, wasm: Source, zkey: Source): Promise<{ proof: any; publicSignals: string[] }>;
    verify(vkey: unknown, publicSignals: unknown, proof: unknown): Promise<boolean>;
  };
  export const wtns: {
    calculate(input: Record<string, unknown>, wasm: Source, out: Source): Promise<void>;
  };
}
