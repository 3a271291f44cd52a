/**
 * `zkgpu info`: through the CLI's own entry (main) for the output, and as a child process for the
 * exit (the GPU device must be destroyed, or Node would stay alive).
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../../src/cli/main.js';
import type { HardwareReport } from '../../../src/scheduler/hardware/types.js';

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s) };
}

describe('zkgpu info', () => {
  it('--json parses and has the fields, with the GPU it found', async () => {
    const io = capture();
    expect(await main(['info', '--json'], io)).toBe(0);
    const r = JSON.parse(io.stdout.join('\n')) as HardwareReport;
    expect(r.cpu.threads).toBeGreaterThanOrEqual(1);
    expect(r.cpu.threads).toBeLessThanOrEqual(availableParallelism());
    expect(typeof r.cpu.source).toBe('string');
    expect(r.memory.budgetBytes).toBeGreaterThan(0);
    expect(r.memory.source).toMatch(/x 0\.75$/);
    // This machine has Dawn + lavapipe: a missing GPU here is a failure, not a skip.
    expect(r.gpus).toHaveLength(1);
    expect(r.gpus[0].description).not.toBe('');
    expect(r.gpus[0].budgetBytes).toBeGreaterThan(0);
    expect(typeof r.gpus[0].software).toBe('boolean');
  });

  it('--no-gpu --max-host-bytes: no GPU, the cap as budget; text output names every section', async () => {
    const io = capture();
    expect(await main(['info', '--no-gpu', '--json', '--max-host-bytes', '1000000'], io)).toBe(0);
    const r = JSON.parse(io.stdout.join('\n')) as HardwareReport;
    expect(r.gpus).toEqual([]);
    expect(r.memory).toMatchObject({ budgetBytes: 1_000_000, source: 'maxHostBytes option' });
    expect(r.notes).toContain('--no-gpu: no GPU looked for');

    const text = capture();
    expect(await main(['info', '--no-gpu'], text)).toBe(0);
    const out = text.stdout.join('\n');
    expect(out).toMatch(/^cpu\s+\d+ thread\(s\) \(/m);
    expect(out).toMatch(/^memory\s+budget .* \(.*x 0\.75\)/m);
    expect(out).toMatch(/^gpu\s+none/m);
  });

  it('bad usage exits 2 with the usage text', async () => {
    const io = capture();
    expect(await main(['info', '--max-host-bytes', 'lots'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/--max-host-bytes must be a positive size in bytes.*\n[\s\S]*Usage: zkgpu info/);
    const io2 = capture();
    expect(await main(['info', '--bogus'], io2)).toBe(2);
  });

  it('the process exits by itself after printing (the device is destroyed)', () => {
    const started = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'info', '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/kept the process alive/);
    expect(JSON.parse(r.stdout).gpus).toHaveLength(1);
    console.log(`[scheduler] zkgpu info --json exited in ${Date.now() - started} ms`);
  });
});
