/**
 * The pure parts of test/support/cgroup.ts over fixture text: the v1 and v2 controller files that
 * say how a run ended (oom_control, memory.events, counters), /proc/PID/status's VmHWM, the group
 * names it sweeps, and where a new group may go on v1, v2 and hybrid layouts. Nothing here reads
 * this machine; test/integration/support/cgroup.test.ts runs the real thing.
 */
import { describe, expect, it } from 'vitest';
import {
  creatorPidOf,
  describeEnd,
  memoryGroupParents,
  parseCounter,
  parseKeyedCounts,
  parseMemoryEvents,
  parsePids,
  parseV1OomControl,
  parseVmHwm,
} from '../../support/cgroup.js';
import { locateController } from '../../../src/scheduler/hardware/cgroup.js';

describe('v1 memory.oom_control', () => {
  it('reads an OOM kill (kernel 4.13+ has the oom_kill line)', () => {
    expect(parseV1OomControl('oom_kill_disable 0\nunder_oom 0\noom_kill 1\n')).toEqual({ oomKillDisable: false, underOom: false, oomKill: 1 });
  });
  it('says null, not 0, for a kernel without the oom_kill counter', () => {
    expect(parseV1OomControl('oom_kill_disable 1\nunder_oom 1\n')).toEqual({ oomKillDisable: true, underOom: true, oomKill: null });
  });
  it('an empty or unreadable file gives nothing', () => {
    expect(parseV1OomControl('')).toEqual({ oomKillDisable: false, underOom: false, oomKill: null });
  });
});

describe('v2 memory.events', () => {
  it('reads max (limit hits), oom and oom_kill', () => {
    const text = 'low 0\nhigh 0\nmax 1234\noom 2\noom_kill 1\noom_group_kill 0\n';
    expect(parseMemoryEvents(text)).toEqual({ max: 1234, oom: 2, oomKill: 1 });
  });
  it('missing keys are null (an older kernel), zero stays zero', () => {
    expect(parseMemoryEvents('low 0\nhigh 0\nmax 0\noom 0\n')).toEqual({ max: 0, oom: 0, oomKill: null });
  });
});

describe('keyed counts and counters', () => {
  it('skips lines that are not "key integer"', () => {
    expect([...parseKeyedCounts('a 1\nb x\n\nc  22  \nd -3\n e 4\n')]).toEqual([
      ['a', 1],
      ['c', 22],
    ]);
  });
  it('parseCounter takes one integer and nothing else', () => {
    expect(parseCounter('536870912\n')).toBe(536870912);
    expect(parseCounter('0')).toBe(0);
    expect(parseCounter('max\n')).toBeNull();
    expect(parseCounter('')).toBeNull();
    expect(parseCounter('12 34')).toBeNull();
  });
});

describe('/proc/PID/status VmHWM', () => {
  const status = 'Name:\tnode\nState:\tS (sleeping)\nVmPeak:\t11846204 kB\nVmSize:\t11780668 kB\nVmHWM:\t  493308 kB\nVmRSS:\t  401224 kB\n';
  it('is in kB; the result is bytes', () => {
    expect(parseVmHwm(status)).toBe(493308 * 1024);
  });
  it('a zombie (no memory lines) gives null', () => {
    expect(parseVmHwm('Name:\tnode\nState:\tZ (zombie)\nTgid:\t42\n')).toBeNull();
  });
  it('does not take VmPeak or VmRSS for it', () => {
    expect(parseVmHwm('VmPeak:\t100 kB\nVmRSS:\t50 kB\n')).toBeNull();
  });
});

describe('cgroup.procs', () => {
  it('one pid per line, blank lines ignored', () => {
    expect(parsePids('123\n456\n\n')).toEqual([123, 456]);
    expect(parsePids('')).toEqual([]);
  });
});

describe('group names the stale sweep may remove', () => {
  it('finds the creator pid after any label, digits and dashes included', () => {
    expect(creatorPidOf('zkgpu-mem-run-4242-1')).toBe(4242);
    expect(creatorPidOf('zkgpu-mem-prove-18-512mib-4242-17')).toBe(4242);
    expect(creatorPidOf('zkgpu-mem-probe-99-0')).toBe(99);
  });
  it('leaves every other group alone', () => {
    expect(creatorPidOf('process_api')).toBeNull();
    expect(creatorPidOf('zkgpu-test-4242-1700000000')).toBeNull();
    expect(creatorPidOf('zkgpu-mem-run')).toBeNull();
    expect(creatorPidOf('docker-zkgpu-mem-run-1-2')).toBeNull();
  });
});

describe('where a new memory group may go', () => {
  // This machine: v1 memory hierarchy, the process in a sub-group; an empty v2 hierarchy beside it.
  const hybridProc = '9:name=systemd:/\n4:memory:/process_api/abc\n1:cpu:/\n0::/\n';
  const hybridMounts = [
    '30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
    '31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
    '34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    '40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  ].join('\n');

  it('v1: only the process own group (v1 lets a group with processes have children)', () => {
    expect(memoryGroupParents(hybridProc, hybridMounts)).toEqual({ version: 1, candidates: ['/sys/fs/cgroup/memory/process_api/abc'] });
  });

  it('v2: the own group, then each parent up to the mount (the no-internal-process rule may refuse the own group)', () => {
    const proc = '0::/user.slice/user-0.slice/session-3.scope\n';
    const mounts = '25 1 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate';
    expect(memoryGroupParents(proc, mounts)).toEqual({
      version: 2,
      candidates: ['/sys/fs/cgroup/user.slice/user-0.slice/session-3.scope', '/sys/fs/cgroup/user.slice/user-0.slice', '/sys/fs/cgroup/user.slice', '/sys/fs/cgroup'],
    });
  });

  it('v2 in a container that sees its own group as the root: the mount itself', () => {
    expect(memoryGroupParents('0::/\n', '700 600 0:40 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw')).toEqual({ version: 2, candidates: ['/sys/fs/cgroup'] });
  });

  it('no memory controller mounted: null', () => {
    expect(memoryGroupParents('1:cpu:/\n', '31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu')).toBeNull();
  });

  it("agrees with the library's own reading (src/scheduler/hardware/cgroup.ts) on every layout", () => {
    const layouts: [string, string][] = [
      [hybridProc, hybridMounts],
      ['0::/user.slice/user-0.slice/session-3.scope\n', '25 1 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw'],
      // A container that mounts a sub-tree: the mount's root is stripped from the path.
      ['4:memory:/docker/abc/inner\n', '34 30 0:31 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory'],
      ['0::/docker/abc\n', '25 1 0:22 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw'],
      // A path outside the mount's root (cgroup namespace): only the mount point.
      ['0::/../other\n', '25 1 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw'],
      // An escaped space in the mount point.
      ['4:memory:/a\n', '34 30 0:31 / /mnt/cg\\040mem rw - cgroup cgroup rw,memory'],
      ['1:cpu:/\n', '31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu'],
    ];
    for (const [proc, mounts] of layouts) {
      const lib = locateController(proc, mounts, 'memory');
      const ours = memoryGroupParents(proc, mounts);
      expect(ours, proc).toEqual(lib === null ? null : { version: lib.version, candidates: lib.version === 1 ? [lib.dirs[0]] : lib.dirs });
    }
  });
});

describe('describeEnd', () => {
  it('names the signal and the OOM kill', () => {
    expect(describeEnd({ exitCode: null, signal: 'SIGKILL', oomKilled: true, timedOut: false })).toBe('SIGKILL (OOM-killed)');
    expect(describeEnd({ exitCode: 0, signal: null, oomKilled: false, timedOut: false })).toBe('exit 0');
    expect(describeEnd({ exitCode: null, signal: 'SIGKILL', oomKilled: false, timedOut: true })).toBe('SIGKILL (timed out)');
  });
});
