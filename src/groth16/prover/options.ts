/** The options of groth16.prove, fullProve and the prepared prover, checked at the boundary. */
import { ZkgpuError } from '../../core/errors.js';
import { showValue } from '../../core/show.js';
import type { Runtime } from '../../runtime/runtime.js';
import type { ProveOptions } from './types.js';
import { parseVerifyOption } from './verify.js';

/** The options of prove, fullProve and the prepared prover, checked before any work (INVALID_ARGUMENT naming the option). */
export function checkOptions(options: ProveOptions): void {
  if (typeof options !== 'object' || options === null) throw new ZkgpuError('INVALID_ARGUMENT', `options must be an object, got ${showValue(options)}`);
  const { runtime, threads, signal } = options;
  if (runtime !== undefined && !isRuntime(runtime)) {
    throw new ZkgpuError('INVALID_ARGUMENT', `runtime must be a Runtime from createRuntime(), got ${showValue(runtime)}`, { details: { field: 'runtime' } });
  }
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new ZkgpuError('INVALID_ARGUMENT', `threads must be a positive integer, got ${showValue(threads)}`, { details: { field: 'threads' } });
  }
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw new ZkgpuError('INVALID_ARGUMENT', `signal must be an AbortSignal, got ${showValue(signal)}`, { details: { field: 'signal' } });
  }
  for (const name of ['onProgress', 'onJobReport'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new ZkgpuError('INVALID_ARGUMENT', `${name} must be a function, got ${showValue(options[name])}`, { details: { field: name } });
    }
  }
  if (options.backend !== undefined && options.backend !== 'auto' && options.backend !== 'wasm' && options.backend !== 'webgpu') {
    throw new ZkgpuError('INVALID_ARGUMENT', `backend must be 'webgpu', 'wasm' or 'auto', got ${showValue(options.backend)}`, { details: { field: 'backend' } });
  }
  if (options.qap !== undefined && options.qap !== 'auto' && options.qap !== 'one-task' && options.qap !== 'stages') {
    throw new ZkgpuError('INVALID_ARGUMENT', `qap must be 'auto', 'one-task' or 'stages', got ${showValue(options.qap)}`, { details: { field: 'qap' } });
  }
  if (options.maxHostBytes !== undefined && !(Number.isSafeInteger(options.maxHostBytes) && options.maxHostBytes > 0)) {
    throw new ZkgpuError('INVALID_ARGUMENT', `maxHostBytes must be a positive integer (bytes), got ${showValue(options.maxHostBytes)}`, { details: { field: 'maxHostBytes' } });
  }
  parseVerifyOption(options.verify);
}

/** A Runtime by its shape, not instanceof: a second copy of the package (dist beside src, two installs) has its own class. */
function isRuntime(v: unknown): v is Runtime {
  const r = v as Partial<Runtime> | null;
  return typeof r === 'object' && r !== null && typeof r.msm === 'function' && typeof r.ntt === 'function' && typeof r.runOnWorker === 'function' && typeof r.threads === 'number';
}

function isAbortSignal(v: unknown): v is AbortSignal {
  const s = v as Partial<AbortSignal> | null;
  return typeof s === 'object' && s !== null && typeof s.aborted === 'boolean' && typeof s.addEventListener === 'function';
}
