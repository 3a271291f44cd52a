/**
 * `zkgpu bench --backend wasm,webgpu` on a real adapter (lavapipe in CI): both engines are checked
 * against ffjavascript before they are timed, the report names the adapter and its limits, and
 * the WebGPU rows carry GPU time from timestamp queries where the adapter has them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench } from '../../../bench/node/run.js';
import { validateReport, type BenchReport } from '../../../bench/core/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'zkgpu-gpu-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench with the WebGPU engine', () => {
  it('checks and times NTT on wasm and webgpu, recording the adapter', async () => {
    const json = join(dir, 'ntt.json');
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) };
    const code = await runBench(
      ['ntt', '--sizes', '6,8', '--runs', '2', '--threads', '2', '--seed', '7', '--peers', 'ffjavascript', '--backend', 'wasm,webgpu', '--json', json],
      io,
    );
    expect(err.filter((l) => l.includes('!!!'))).toEqual([]);
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as BenchReport;
    expect(validateReport(report)).toEqual([]);
    expect(report.hardware.gpu?.description).toMatch(/\S/);
    expect(report.hardware.gpu?.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(report.config.backends).toEqual(['wasm', 'webgpu']);
    const gpuRows = report.results.filter((r) => r.backend === 'webgpu');
    expect(gpuRows.map((r) => r.logN)).toEqual([6, 8]);
    for (const r of gpuRows) {
      expect(r.checked).toBe(true);
      if (report.hardware.gpu?.features.includes('timestamp-query')) {
        expect(r.gpuMs?.all).toHaveLength(2);
        expect(r.gpuMs!.median).toBeGreaterThan(0);
      }
    }
    expect(out.some((l) => /zkgpu-webgpu/.test(l))).toBe(true);
  });
});
