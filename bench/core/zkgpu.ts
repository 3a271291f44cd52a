/** zkgpu as a contender: one of its engines through the public API, plus the oracle reference for its output. */
import type { JobReport, Runtime } from '../../src/index.js';
import type { CaseReference } from './case-runner.js';
import type { Contender, MsmCase, NttCase } from './cases.js';
import { ORACLE_NAME, checkMsmByOracle, checkNttByOracle } from './oracle.js';
import type { BenchBackend } from './schema.js';

/** The input of one case: an MSM (points and scalars) or an NTT (values). */
export type CaseInput = { op: 'msm'; msm: MsmCase } | { op: 'ntt'; ntt: NttCase };

/**
 * One engine of zkgpu. The runtime's report of every run is checked, so that a row labelled
 * webgpu can never be a CPU result.
 */
export function zkgpuContender(rt: Runtime, backend: BenchBackend, input: CaseInput): Contender {
  const gpuMsLog: number[] = [];
  const onReport = (r: JobReport) => {
    if (r.backend !== backend) throw new Error(`asked for backend ${backend} but the runtime ran ${r.backend} (${r.reason})`);
    if (r.gpuMs !== undefined) gpuMsLog.push(r.gpuMs);
  };
  const run = (): Promise<Uint8Array> =>
    input.op === 'msm'
      ? rt.msm({ curve: input.msm.curve, group: input.msm.group, points: input.msm.points, scalars: input.msm.scalars, backend, onReport })
      : rt.ntt({ curve: input.ntt.curve, values: input.ntt.values, backend, onReport });
  return {
    impl: 'zkgpu',
    gpuMsLog,
    backend,
    threads: backend === 'wasm' ? rt.threads : 1,
    timed: true,
    prepare: async () => ({ run, output: async (raw) => raw as Uint8Array }),
  };
}

/**
 * zkgpu/math as the reference for zkgpu's output (bench/core/oracle.ts): the MSM check runs
 * zkgpu twice more on inputs the oracle knows the answer to, on the same engine.
 */
export function oracleReference(rt: Runtime, backend: BenchBackend, input: CaseInput, seed: number): CaseReference {
  return {
    name: ORACLE_NAME,
    check: async (output) => {
      if (input.op === 'ntt') return checkNttByOracle(input.ntt, output, seed);
      const m = input.msm;
      return checkMsmByOracle(m, output, (points, scalars) => rt.msm({ curve: m.curve, group: m.group, points, scalars, backend }), seed);
    },
  };
}
