/** buildJobReport (src/runtime/report.ts): which engine a report names, and what it carries. */
import { describe, expect, it } from 'vitest';
import { buildJobReport, stageName, type JobInfo } from '../../../src/runtime/report.js';

const adapter = { vendor: 'v', architecture: 'a', description: 'd', device: '' };
const ctx = { id: 7, reason: 'planned', ms: 12, adapterOf: (id: string) => (id === 'webgpu' ? adapter : null), threads: 2 };
const job: JobInfo = { op: 'msm', curve: 'bn254', group: 'g1', n: 100, requested: 'auto', failover: true };
const chunk = (backend: string, count: number) => ({ backend, offset: 0, count, ms: 1, attempts: 1 });

describe('buildJobReport', () => {
  it('names the engine with most elements; adapter and threads only where chunks ran', () => {
    const gpu = buildJobReport(job, { chunks: [chunk('webgpu', 60), chunk('wasm', 40)], gpuMs: 3 }, ctx);
    expect(gpu).toMatchObject({ id: 7, op: 'msm', curve: 'bn254', group: 'g1', n: 100, backend: 'webgpu', adapter, threads: 2, gpuMs: 3, reason: 'planned', ms: 12 });
    const cpu = buildJobReport(job, { chunks: [chunk('wasm', 100)], gpuMs: 3 }, ctx);
    expect(cpu).toMatchObject({ backend: 'wasm', adapter: null, threads: 2 });
    expect(cpu).not.toHaveProperty('gpuMs');
    expect(cpu).not.toHaveProperty('fallback');
  });

  it('a job with no elements reports the pinned engine, else wasm', () => {
    expect(buildJobReport({ ...job, requested: 'webgpu' }, { chunks: [] }, ctx)).toMatchObject({ backend: 'webgpu', adapter, threads: null });
    expect(buildJobReport(job, { chunks: [] }, ctx)).toMatchObject({ backend: 'wasm', adapter: null, threads: 2 });
  });

  it('a GPU failure moved to the workers sets fallback and says so in the reason', () => {
    const r = buildJobReport(job, { chunks: [chunk('wasm', 100)], fallback: 'device lost' }, ctx);
    expect(r.fallback).toEqual({ from: 'webgpu', error: 'device lost' });
    expect(r.reason).toBe('planned; GPU work re-run on the workers after a GPU failure');
  });

  it('a BabyBear NTT has a field, no curve or group', () => {
    const r = buildJobReport({ op: 'ntt', field: 'babybear', n: 8, requested: 'wasm', failover: true }, { chunks: [chunk('wasm', 8)] }, ctx);
    expect(r.field).toBe('babybear');
    expect(r).not.toHaveProperty('curve');
    expect(r).not.toHaveProperty('group');
    expect(stageName({ op: 'ntt', field: 'babybear' })).toBe('NTT babybear');
    expect(stageName(job)).toBe('MSM bn254 g1');
  });
});
