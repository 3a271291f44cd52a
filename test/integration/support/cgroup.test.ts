/**
 * test/support/cgroup.ts on a real memory cgroup: a child that touches more memory than its group
 * allows is reported OOM-killed; one that stays under is not, and its peak is at least what it
 * touched. Small limits (96 and 256 MiB) so the test costs well under a second of memory pressure.
 *
 * No writable memory controller (not root, no cgroup mount): skipped with the reason, except where
 * CI is set (CI runs as root on cgroup v1, so a skip there would hide a broken harness).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cgroupMemorySupport, describeEnd, runInMemoryCgroup } from '../../support/cgroup.js';

const MiB = 2 ** 20;
const support = cgroupMemorySupport();
if (!support.ok && process.env.CI) throw new Error(`CI must run the memory cgroup tests, but: ${support.reason}`);
const skipReason = support.ok ? '' : `no memory cgroup: ${support.reason}`;

/** A node child that fills `mib` MiB, one MiB at a time (each filled, so every page is resident). */
function allocator(mib: number): string[] {
  return [process.execPath, '-e', `const keep = []; for (let i = 0; i < ${mib}; i++) keep.push(Buffer.alloc(${MiB}, 1)); console.log('filled', keep.length);`];
}

describe.skipIf(!support.ok)(`a command in a memory cgroup${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('past its limit: OOM-killed, peak at the limit, the group removed', async () => {
    const limit = 96 * MiB;
    const r = await runInMemoryCgroup(allocator(256), { limitBytes: limit, label: 'over', timeoutMs: 60_000 });
    console.log(`[cgroup] 256 MiB in a 96 MiB group: ${describeEnd(r)}, peak ${r.peakBytes} (${r.peakSource}), VmHWM ${r.vmHwmBytes}`);
    expect(r.oomKilled, r.stderr).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).not.toContain('filled');
    expect(r.timedOut).toBe(false);
    if (r.peakBytes !== null) {
      expect(r.peakBytes).toBeLessThanOrEqual(limit);
      expect(r.peakBytes).toBeGreaterThan(limit - 16 * MiB);
    }
    expect(existsSync(r.group)).toBe(false);
  });

  it('under its limit: exits 0, not OOM-killed, peak at least what it filled and within the limit', async () => {
    const limit = 256 * MiB;
    const r = await runInMemoryCgroup(allocator(64), { limitBytes: limit, label: 'under', timeoutMs: 60_000 });
    console.log(`[cgroup] 64 MiB in a 256 MiB group: ${describeEnd(r)}, peak ${r.peakBytes} (${r.peakSource}), VmHWM ${r.vmHwmBytes}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.oomKilled).toBe(false);
    expect(r.stdout.trim()).toBe('filled 64');
    expect(r.vmHwmBytes).toBeGreaterThanOrEqual(64 * MiB);
    if (r.peakBytes !== null) {
      expect(r.peakBytes).toBeGreaterThanOrEqual(64 * MiB);
      expect(r.peakBytes).toBeLessThanOrEqual(limit);
    }
    expect(existsSync(r.group)).toBe(false);
  });

  it('no limit: the peak is measured all the same', async () => {
    const r = await runInMemoryCgroup(allocator(128), { limitBytes: null, label: 'unlimited', timeoutMs: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.oomKilled).toBe(false);
    if (r.version === 1 || r.peakBytes !== null) expect(r.peakBytes).toBeGreaterThanOrEqual(128 * MiB);
  });

  it('a timeout kills the command and says so', async () => {
    const r = await runInMemoryCgroup([process.execPath, '-e', 'setInterval(() => {}, 1000)'], { limitBytes: 128 * MiB, label: 'timeout', timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(r.oomKilled).toBe(false);
    expect(existsSync(r.group)).toBe(false);
  });
});
