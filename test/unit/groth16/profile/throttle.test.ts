/**
 * The profile's verdict names a throttled GPU (issue 19): nvidia-smi's last sample of the device,
 * as runtime.stats() pairs it, with a clock-lowering reason active. Samples parsed from the
 * recorded nvidia-smi outputs (test/support/nvidia-smi), not written by hand.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { throttleNote } from '../../../../src/groth16/profile/report.js';
import { parseNvidiaSmi } from '../../../../src/scheduler/hardware/nvidia-smi.js';

const FIXTURES = fileURLToPath(new URL('../../../support/nvidia-smi/', import.meta.url));
const sampleOf = (file: string) => parseNvidiaSmi(readFileSync(FIXTURES + file, 'utf8'))[0];

describe('throttleNote', () => {
  it('names a throttled GPU and its reasons, and nothing for a cool one or a device without a sample', () => {
    const files = readdirSync(FIXTURES);
    const throttledFile = files.find((f) => /throttl/i.test(f));
    const coolFile = files.find((f) => /h100/i.test(f) && !/throttl/i.test(f));
    expect(throttledFile, `fixtures: ${files.join(', ')}`).toBeDefined();
    expect(coolFile, `fixtures: ${files.join(', ')}`).toBeDefined();
    const hot = sampleOf(throttledFile!);
    const cool = sampleOf(coolFile!);
    expect(hot.throttled).toBe(true);
    expect(cool.throttled).toBe(false);
    const stats = { devices: [{ id: 'webgpu', gpuTelemetry: hot }, { id: 'webgpu:1', gpuTelemetry: cool }, { id: 'wasm' }] } as never;
    const note = throttleNote(stats, 'webgpu');
    expect(note).toMatch(/^throttled/);
    for (const reason of hot.throttleReasons ?? []) expect(note).toContain(reason);
    expect(throttleNote(stats, 'webgpu:1')).toBeNull();
    expect(throttleNote(stats, 'wasm')).toBeNull();
    expect(throttleNote(stats, 'webgpu:7')).toBeNull();
  });
});
