/** The runtime's typed event map (src/runtime/events.ts): listeners get the detail types without casts. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { deviceLostEvent, JobEvent, RuntimeEventTarget, workerExitEvent, type DeviceLostDetail, type WorkerExitDetail } from '../../../src/runtime/events.js';
import type { JobReport, RetryDetail } from '../../../src/index.js';

describe('RuntimeEventTarget', () => {
  it('delivers each event to its typed listener, and removes it', () => {
    const target = new RuntimeEventTarget();
    const seen: string[] = [];
    const onLost = (e: CustomEvent<DeviceLostDetail>) => {
      expectTypeOf(e.detail.reacquire).toEqualTypeOf<boolean>();
      seen.push(`lost: ${e.detail.message}`);
    };
    target.addEventListener('device-lost', onLost);
    target.addEventListener('worker-exit', (e) => {
      expectTypeOf(e.detail).toEqualTypeOf<WorkerExitDetail>();
      seen.push(`exit ${e.detail.worker}`);
    });
    target.addEventListener('job', (e) => {
      expectTypeOf(e.report).toEqualTypeOf<JobReport>();
      seen.push(`job ${e.report.id}`);
    });
    target.addEventListener('retry', (e) => expectTypeOf(e.detail).toEqualTypeOf<RetryDetail>());
    const adapter = { vendor: '', architecture: '', description: 'gpu', device: '' };
    target.dispatchEvent(deviceLostEvent({ device: 'webgpu', adapter, message: 'gone', reacquire: true }));
    target.dispatchEvent(workerExitEvent({ worker: 1, reason: 'crashed', replaced: true }));
    target.dispatchEvent(new JobEvent({ id: 3 } as JobReport));
    target.removeEventListener('device-lost', onLost);
    target.dispatchEvent(deviceLostEvent({ device: 'webgpu', adapter, message: 'again', reacquire: false }));
    expect(seen).toEqual(['lost: gone', 'exit 1', 'job 3']);
  });
});
