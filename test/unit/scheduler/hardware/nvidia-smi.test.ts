/**
 * nvidia-smi telemetry (src/scheduler/hardware/nvidia-smi.ts) against recorded outputs
 * (test/support/nvidia-smi/): parsing, throttle reasons, pairing with Dawn's adapters, and the
 * plain-words state when the tool is missing or prints something else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeSample, matchTelemetry, NvidiaSmiParseError, parseNvidiaSmi, telemetryFromRun, type NvidiaSmiRun } from '../../../../src/scheduler/hardware/nvidia-smi.js';

const dir = join(import.meta.dirname, '../../../support/nvidia-smi');
const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const MiB = 2 ** 20;

describe('parseNvidiaSmi', () => {
  it('an idle H100: every figure, in bytes, watts and 0..1; GPU idle is not a throttle', () => {
    const [g] = parseNvidiaSmi(read('h100.csv'));
    expect(g).toEqual({
      index: '0',
      name: 'NVIDIA H100 80GB HBM3',
      busId: '00000000:18:00.0',
      temperatureC: 34,
      utilisation: 0,
      memoryUsedBytes: 1 * MiB,
      memoryTotalBytes: 81559 * MiB,
      powerWatts: 71.52,
      throttleReasons: ['gpu_idle'],
      throttled: false,
    });
    expect(describeSample(g)).toMatch(/not throttled$/);
  });

  it('a throttled H100: the reasons by name, and the description says THROTTLED', () => {
    const [g] = parseNvidiaSmi(read('h100-throttled.csv'));
    expect(g.throttleReasons).toEqual(['sw_power_cap', 'sw_thermal_slowdown']);
    expect(g.throttled).toBe(true);
    expect(g.utilisation).toBe(1);
    expect(describeSample(g)).toContain('THROTTLED: sw_power_cap, sw_thermal_slowdown');
  });

  it('eight A10G: eight samples in index order', () => {
    const gpus = parseNvidiaSmi(read('a10g-8x.csv'));
    expect(gpus.map((g) => g.index)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(new Set(gpus.map((g) => g.name))).toEqual(new Set(['NVIDIA A10G']));
    expect(gpus[7].memoryUsedBytes).toBe(7168 * MiB);
    expect(gpus.every((g) => g.throttled === false && g.throttleReasons!.length === 0)).toBe(true);
  });

  it('[N/A] and [Not Supported] are null, never zero', () => {
    const [g] = parseNvidiaSmi(read('not-supported.csv'));
    expect(g).toMatchObject({ temperatureC: null, utilisation: null, memoryUsedBytes: 0, powerWatts: null, throttleReasons: null, throttled: null });
    expect(describeSample(g)).toContain('throttle reasons n/a');
  });

  it('unknown reason bits are kept by value', () => {
    const [g] = parseNvidiaSmi('0, X, [N/A], 1, 2, 3, 4, 5, 0x0000000000001008\n');
    expect(g.throttleReasons).toEqual(['hw_slowdown', 'unknown_0x1000']);
    expect(g.throttled).toBe(true);
  });

  it("output that is not the query's is refused, naming the line", () => {
    expect(() => parseNvidiaSmi(read('garbage.txt'))).toThrow(NvidiaSmiParseError);
    expect(() => parseNvidiaSmi(read('garbage.txt'))).toThrow(/line 1: expected 9 fields/);
    expect(() => parseNvidiaSmi('0, A, b, hot, 2, 3, 4, 5, 0x0\n')).toThrow(/a figure is not a number/);
    expect(() => parseNvidiaSmi('0, A, b, 1, 2, 3, 4, 5, 12\n')).toThrow(/not a hex mask/);
  });
});

describe('telemetryFromRun', () => {
  it('a missing binary is said plainly, with no figures', () => {
    const run = JSON.parse(read('missing-binary.json')) as NvidiaSmiRun;
    expect(telemetryFromRun(run)).toEqual({ available: false, reason: 'nvidia-smi not found on PATH: no GPU telemetry' });
  });

  it('garbage output is unavailable, with the reason', () => {
    const t = telemetryFromRun({ error: null, stdout: read('garbage.txt') });
    expect(t.available).toBe(false);
    expect(!t.available && t.reason).toMatch(/^nvidia-smi output unreadable \(nvidia-smi line 1: expected 9 fields/);
  });

  it('a failing tool names its first error line; an empty list is no GPU', () => {
    expect(telemetryFromRun({ error: { code: 9, message: 'Command failed: nvidia-smi\nNo devices were found' }, stdout: '' })).toEqual({
      available: false,
      reason: 'nvidia-smi failed: Command failed: nvidia-smi',
    });
    expect(telemetryFromRun({ error: null, stdout: '\n' })).toEqual({ available: false, reason: 'nvidia-smi listed no GPU' });
  });

  it('a normal run is available with its time', () => {
    const t = telemetryFromRun({ error: null, stdout: read('h100.csv') }, 'nvidia-smi', new Date('2026-12-06T10:00:00Z'));
    expect(t).toMatchObject({ available: true, sampledAt: '2026-12-06T10:00:00.000Z' });
  });
});

describe('matchTelemetry', () => {
  it('one H100: paired by name (Dawn lists the marketing name; info.device is its slug)', () => {
    const samples = parseNvidiaSmi(read('h100.csv'));
    expect(matchTelemetry(['NVIDIA H100 80GB HBM3'], samples)[0]).toMatchObject({ by: 'name', sample: { index: '0' } });
    expect(matchTelemetry(['nvidia-h100-80gb-hbm3'], samples)[0]).toMatchObject({ by: 'name', sample: { index: '0' } });
  });

  it('eight A10G: paired by order, and said to be a guess', () => {
    const samples = parseNvidiaSmi(read('a10g-8x.csv'));
    const m = matchTelemetry(Array(8).fill('NVIDIA A10G'), samples);
    expect(m.map((x) => x.sample?.index)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(m.every((x) => x.by === 'order' && /8 GPUs are named 'NVIDIA A10G'.*by order/.test(x.note ?? ''))).toBe(true);
  });

  it('a software adapter pairs with nothing; more adapters than GPUs are said so', () => {
    const samples = parseNvidiaSmi(read('h100.csv'));
    expect(matchTelemetry(['llvmpipe (LLVM 15.0.6, 256 bits)'], samples)[0]).toMatchObject({ by: 'none', sample: null });
    const two = matchTelemetry(['NVIDIA H100 80GB HBM3', 'NVIDIA H100 80GB HBM3'], samples);
    expect(two[1]).toMatchObject({ by: 'none', sample: null, note: "more adapters named 'NVIDIA H100 80GB HBM3' than nvidia-smi lists" });
  });
});
