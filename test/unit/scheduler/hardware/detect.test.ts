/**
 * Host detection: the pure decisions (threads capped by a quota, budget = smallest figure x 0.75,
 * user caps win) on made-up figures, then detectHardware() on this real machine, checked against
 * what Node and /proc say independently. The GPU memory probe is checked on a fake device whose
 * allocations fail after a set amount.
 */
import { availableParallelism, freemem, totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { detectHardware } from '../../../../src/scheduler/hardware/detect.js';
import { cpuReport, HOST_SAFETY_FACTOR, memoryReport } from '../../../../src/scheduler/hardware/detect-host.js';
import { budgetFromLimits, probeGpuAllocation } from '../../../../src/scheduler/hardware/gpu-budget.js';
import type { CgroupLimits } from '../../../../src/scheduler/hardware/cgroup.js';

const noCgroup: CgroupLimits = { cpu: null, memory: null, notes: [] };
const quota = (cpus: number): CgroupLimits => ({ cpu: { cpus, source: 'cgroup v2 cpu.max', dir: '/g' }, memory: null, notes: [] });
const GiB = 2 ** 30;

describe('cpuReport', () => {
  it('takes the platform count without a quota', () => {
    expect(cpuReport({ count: 8, source: 'os.availableParallelism()' }, noCgroup)).toMatchObject({ threads: 8, source: 'os.availableParallelism()' });
  });
  it('caps by the quota, rounding a fractional quota up (1.5 CPUs -> 2 threads, 0.5 -> 1)', () => {
    expect(cpuReport({ count: 8, source: 'p' }, quota(1.5))).toMatchObject({ threads: 2, source: 'cgroup v2 cpu.max: 1.5 CPUs' });
    expect(cpuReport({ count: 8, source: 'p' }, quota(0.5)).threads).toBe(1);
  });
  it('a quota above the platform count changes nothing', () => {
    expect(cpuReport({ count: 2, source: 'p' }, quota(16))).toMatchObject({ threads: 2, source: 'p' });
  });
  it('with no count at all, 1 thread and says so', () => {
    expect(cpuReport(null, noCgroup)).toMatchObject({ threads: 1, source: expect.stringContaining('assumed 1') });
  });
});

describe('memoryReport', () => {
  const figures = [
    { bytes: 32 * GiB, source: 'os.totalmem()' },
    { bytes: 20 * GiB, source: 'os.freemem()' },
  ];
  it('smallest figure x 0.75', () => {
    const r = memoryReport({ platformThreads: null, cgroup: noCgroup, memory: figures });
    expect(r.budgetBytes).toBe(Math.floor(20 * GiB * HOST_SAFETY_FACTOR));
    expect(r.source).toBe('os.freemem() x 0.75');
    expect(r.safetyFactor).toBe(0.75);
  });
  it('a cgroup limit below the others decides', () => {
    const cg: CgroupLimits = { cpu: null, memory: { bytes: 2 * GiB, source: 'cgroup v1 memory.limit_in_bytes', dir: '/m' }, notes: [] };
    const r = memoryReport({ platformThreads: null, cgroup: cg, memory: figures });
    expect(r.budgetBytes).toBe(1.5 * GiB);
    expect(r.source).toBe('cgroup v1 memory.limit_in_bytes (/m) x 0.75');
  });
  it('maxHostBytes always wins, even above the machine', () => {
    const r = memoryReport({ platformThreads: null, cgroup: noCgroup, memory: figures, maxHostBytes: 64 * GiB });
    expect(r).toMatchObject({ budgetBytes: 64 * GiB, source: 'maxHostBytes option', safetyFactor: 1 });
  });
  it('no figure: a stated 1 GiB assumption', () => {
    expect(memoryReport({ platformThreads: null, cgroup: noCgroup, memory: [] }).source).toMatch(/no memory figure/);
  });
  it('a bad maxHostBytes is INVALID_ARGUMENT naming it', () => {
    expect(() => memoryReport({ platformThreads: null, cgroup: noCgroup, memory: figures, maxHostBytes: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('maxHostBytes') }),
    );
  });
});

describe('GPU budget from limits', () => {
  it('4 storage bindings, capped by maxBufferSize', () => {
    expect(budgetFromLimits({ maxBufferSize: 2 ** 32 - 1, maxStorageBufferBindingSize: 2 ** 27 })).toEqual({ bytes: 2 ** 29, source: 'limits: 4 x maxStorageBufferBindingSize' });
    expect(budgetFromLimits({ maxBufferSize: 2 ** 28, maxStorageBufferBindingSize: 2 ** 27 })).toEqual({ bytes: 2 ** 28, source: 'limits: maxBufferSize' });
  });
});

/** A GPUDevice stand-in: allocations beyond `capacity` bytes report out-of-memory in their scope. */
function fakeDevice(capacity: number) {
  let held = 0;
  const scopes: { filter: string; error: unknown }[] = [];
  const live = new Set<{ size: number }>();
  const device = {
    pushErrorScope: (filter: string) => scopes.push({ filter, error: null }),
    popErrorScope: async () => scopes.pop()!.error,
    createBuffer: ({ size }: { size: number }) => {
      const buffer = { size, destroy: () => live.delete(buffer) && (held -= size) };
      if (held + size > capacity) {
        const scope = [...scopes].reverse().find((s) => s.filter === 'out-of-memory')!;
        scope.error = { message: 'out of memory' };
      } else {
        held += size;
        live.add(buffer);
      }
      return buffer;
    },
  };
  return { device: device as unknown as GPUDevice, live, held: () => held };
}

describe('probeGpuAllocation (fake device)', () => {
  it('stops at the first out-of-memory and frees everything', async () => {
    const fake = fakeDevice(700 * 2 ** 20);
    const r = await probeGpuAllocation(fake.device, 2 ** 32 - 1, 4 * GiB);
    expect(r).toEqual({ allocatedBytes: 512 * 2 ** 20, hitLimit: true, buffers: 2 }); // 256 MiB steps: the third fails
    expect(fake.live.size).toBe(0);
    expect(fake.held()).toBe(0);
  });
  it('stops at the cap without failure; steps no larger than maxBufferSize', async () => {
    const fake = fakeDevice(100 * GiB);
    const r = await probeGpuAllocation(fake.device, 64 * 2 ** 20, 200 * 2 ** 20);
    expect(r).toEqual({ allocatedBytes: 200 * 2 ** 20, hitLimit: false, buffers: 4 }); // 64 + 64 + 64 + 8 MiB
    expect(fake.live.size).toBe(0);
  });
});

describe('detectHardware on this machine', () => {
  it('threads >= 1, a positive budget, every figure with a source; JSON round-trips', async () => {
    const r = await detectHardware();
    console.log('[scheduler] hardware report:', JSON.stringify(r));
    expect(r.cpu.threads).toBeGreaterThanOrEqual(1);
    expect(r.cpu.threads).toBeLessThanOrEqual(availableParallelism());
    expect(r.cpu.source).not.toBe('');
    expect(r.cpu.figures).toContainEqual({ count: availableParallelism(), source: 'os.availableParallelism()' });
    expect(r.memory.budgetBytes).toBeGreaterThan(0);
    expect(r.memory.budgetBytes).toBeLessThanOrEqual(totalmem() * 0.75);
    expect(r.memory.figures.find((f) => f.source === 'os.totalmem()')?.bytes).toBe(totalmem());
    // freemem moves between calls: only check the figure is a plausible reading.
    const free = r.memory.figures.find((f) => f.source === 'os.freemem()')!.bytes;
    expect(free).toBeGreaterThan(0);
    expect(Math.abs(free - freemem())).toBeLessThan(totalmem() / 4);
    for (const f of [...r.cpu.figures, ...r.memory.figures]) expect(f.source.length).toBeGreaterThan(0);
    expect(r.memory.wasmInstanceBytes.bytes).toBe(2 ** 32);
    expect(r.gpus).toEqual([]);
    expect(r.platform.runtime).toBe('node');
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('maxHostBytes wins over the detected figures', async () => {
    const r = await detectHardware({ maxHostBytes: 123_456_789 });
    expect(r.memory).toMatchObject({ budgetBytes: 123_456_789, source: 'maxHostBytes option' });
  });

  it('given cgroup limits (test hook) are applied', async () => {
    const r = await detectHardware({
      cgroup: {
        cpu: { cpus: 1, source: 'cgroup v1 cpu.cfs_quota_us/cpu.cfs_period_us', dir: '/x' },
        memory: { bytes: 256 * 2 ** 20, source: 'cgroup v1 memory.limit_in_bytes', dir: '/y' },
        notes: [],
      },
    });
    expect(r.cpu.threads).toBe(1);
    expect(r.memory.budgetBytes).toBe(192 * 2 ** 20);
  });
});
