/** The one AbortError every layer rejects with when a caller's AbortSignal fires. */
import { ZkgpuError } from './errors.js';

export function abortError(signal?: AbortSignal): ZkgpuError {
  const reason = signal?.reason;
  const detail = reason instanceof Error ? `: ${reason.message}` : reason !== undefined ? `: ${String(reason)}` : '';
  return new ZkgpuError('ABORTED', `operation aborted${detail}`, { cause: reason });
}
