/// <reference types="vite/client" />
import type { BenchReport } from '../core/schema.js';

declare global {
  interface Window {
    /** The contract for automation: the report of the last finished run (schema zkgpu-bench v1). */
    zkgpuBenchReport?: BenchReport;
    /** The last proof each prover made in the last run (the report holds times only), for a verifier outside the page. */
    zkgpuBenchProofs?: { circuit: string; impl: string; proof: unknown; publicSignals: string[] }[];
  }
}
