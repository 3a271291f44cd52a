/**
 * `zkgpu profile`: proves once and prints where the proof spent its time and memory, stage by
 * stage and device by device, and which device bounds it (groth16.profile). Same files, flags and
 * exit codes as `zkgpu prove`, but nothing is written: the proof is only in the --json output.
 */
import { groth16, isZkgpuError, type Groth16ProfileReport } from '../index.js';
import type { Groth16CliIO } from './groth16.js';
import { expectPositionals, parseProveArgs } from './groth16.js';
import { stageProgress, ttyProgressSink } from './progress.js';

export const PROFILE_USAGE = `Usage: zkgpu profile <circuit.zkey> <witness.wtns> [options]

Proves once and prints a table per stage (key and witness reads, the QAP's worker tasks, each
NTT, each MSM): the device it ran on, its wall time and the device time it used, each as a share,
bytes moved, peak memory, each device's utilisation, and the device and stage that bound the
proof: what hardware would make this circuit faster. Nothing is written to disk.

Options:
  --threads N                 worker threads (default: all available cores)
  --backend webgpu|wasm|auto  engine for every MSM and NTT (default auto: the GPU only for a
                              hardware adapter and large inputs)
  --qap one-task|stages|auto  how the H scalars are made: one wasm task (A, B, C, the NTTs and the
                              quotient on one worker), or stage by stage through the runtime
                              (each NTT its own job); default auto: one task below 6 threads
                              unless a hardware GPU could take the NTTs
  --json                      print the whole report (proof and public signals included) as JSON
  -h, --help                  this text

Exit code: 0 done, 1 a file could not be read or is invalid, 2 bad usage.`;

export async function runProfile(argv: readonly string[], io: Groth16CliIO): Promise<number> {
  const flags = parseProveArgs(argv);
  if (flags.help) {
    io.out(PROFILE_USAGE);
    return 0;
  }
  const [zkey, wtns] = expectPositionals(flags, ['circuit.zkey', 'witness.wtns']);
  const progress = stageProgress(io.progress !== undefined ? io.progress : ttyProgressSink());
  let report: Groth16ProfileReport;
  try {
    report = await groth16.profile(zkey, wtns, { threads: flags.threads, backend: flags.backend, qap: flags.qap, onProgress: progress.onProgress });
  } catch (e) {
    if (isZkgpuError(e)) {
      io.err(`zkgpu profile: ${e.message} [${e.code}]`);
      return 1;
    }
    throw e;
  } finally {
    progress.finish();
  }
  if (flags.json) io.out(JSON.stringify(report, null, 2));
  else for (const line of groth16.formatProfile(report)) io.out(line);
  return 0;
}
