/** The part of circom_runtime (no bundled types) that fullProve uses. */
declare module 'circom_runtime' {
  export interface WitnessCalculator {
    circom_version(): number;
    /** circom 2: a complete .wtns file. */
    calculateWTNSBin(input: Record<string, unknown>, sanityCheck?: boolean): Promise<Uint8Array>;
    prime: bigint;
    /** The circuit's instance; circom >= 2.1 exports getInputSignalSize(hashHigh32, hashLow32). */
    instance?: { exports?: { getInputSignalSize?: (hi: number, lo: number) => number } };
  }
  export function WitnessCalculatorBuilder(code: Uint8Array | WebAssembly.Module, options?: Record<string, unknown>): Promise<WitnessCalculator>;
}
