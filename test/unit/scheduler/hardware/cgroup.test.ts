/**
 * cgroup parsing over fixture strings: v1 (separate and combined controllers, the "unlimited"
 * PAGE_COUNTER_MAX value, a container's sub-tree mount), v2 ("max", nested limits), hybrid
 * layouts, missing files. The files are a map; nothing is read from this machine.
 */
import { describe, expect, it } from 'vitest';
import {
  cgroupLimitsFrom,
  locateController,
  parseCfsQuota,
  parseCpuMax,
  parseMemoryLimitV1,
  parseMemoryMax,
  parseMountinfo,
  parseProcCgroup,
} from '../../../../src/scheduler/hardware/cgroup.js';

const files = (m: Record<string, string>) => (path: string) => (Object.hasOwn(m, path) ? m[path] : null);

// This development machine's layout (v1 controllers, an empty v2 hierarchy for hugetlb only).
const V1_PROC = `9:name=systemd:/
8:pids:/
4:memory:/process_api/abc
2:cpuacct:/
1:cpu:/
0::/
`;
const V1_MOUNTINFO = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

// systemd on cgroup v2 only.
const V2_PROC = '0::/user.slice/user-1000.slice/session-3.scope\n';
const V2_MOUNTINFO = '30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n';
const V2_LEAF = '/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope';

describe('parsers', () => {
  it('reads /proc/self/cgroup lines, including a path with a colon', () => {
    expect(parseProcCgroup('4:cpu,cpuacct:/a/b\n0::/x:y\n\n')).toEqual([
      { id: 4, controllers: ['cpu', 'cpuacct'], path: '/a/b' },
      { id: 0, controllers: [], path: '/x:y' },
    ]);
  });

  it('reads cgroup mounts from mountinfo (optional fields, escaped spaces), skipping others', () => {
    const text = `${V1_MOUNTINFO}50 31 0:40 /docker/abc /sys/fs/my\\040cg rw,relatime shared:9 master:2 - cgroup cgroup rw,cpu,cpuacct\n`;
    const mounts = parseMountinfo(text);
    expect(mounts.map((m) => m.mountPoint)).toEqual([
      '/sys/fs/cgroup/cpu',
      '/sys/fs/cgroup/cpuacct',
      '/sys/fs/cgroup/memory',
      '/sys/fs/cgroup/systemd',
      '/sys/fs/cgroup/unified',
      '/sys/fs/my cg',
    ]);
    expect(mounts[5]).toEqual({ version: 1, mountPoint: '/sys/fs/my cg', root: '/docker/abc', controllers: ['cpu', 'cpuacct'] });
    expect(mounts[3].controllers).toEqual([]); // name=systemd is no controller
    expect(mounts[4].version).toBe(2);
  });

  it('cpu.max: "max" is no limit; quota/period in CPUs; period defaults to 100 ms', () => {
    expect(parseCpuMax('max 100000\n')).toBeNull();
    expect(parseCpuMax('max')).toBeNull();
    expect(parseCpuMax('150000 100000\n')).toBe(1.5);
    expect(parseCpuMax('50000')).toBe(0.5);
    expect(parseCpuMax('')).toBeNull();
    expect(parseCpuMax('garbage 100000')).toBeNull();
  });

  it('cfs quota: -1 is no limit', () => {
    expect(parseCfsQuota('-1\n', '100000\n')).toBeNull();
    expect(parseCfsQuota('200000\n', '100000\n')).toBe(2);
    expect(parseCfsQuota('25000', '50000')).toBe(0.5);
    expect(parseCfsQuota('100000', '0')).toBeNull();
  });

  it('memory.max: "max" is no limit', () => {
    expect(parseMemoryMax('max\n')).toBeNull();
    expect(parseMemoryMax('536870912\n')).toBe(536870912);
    expect(parseMemoryMax('')).toBeNull();
  });

  it('memory.limit_in_bytes: the page-rounded PAGE_COUNTER_MAX values (4K, 16K, 64K pages) are no limit', () => {
    expect(parseMemoryLimitV1('9223372036854771712\n')).toBeNull();
    expect(parseMemoryLimitV1('9223372036854759424\n')).toBeNull();
    expect(parseMemoryLimitV1('9223372036854710272\n')).toBeNull();
    expect(parseMemoryLimitV1('1152921504606846976')).toBeNull(); // exactly 2^60
    expect(parseMemoryLimitV1('1152921504606846975')).toBe(2 ** 60 - 1);
    expect(parseMemoryLimitV1('805306368\n')).toBe(805306368);
    expect(parseMemoryLimitV1('-1')).toBeNull();
  });
});

describe('locating the process group', () => {
  it('v1: the controller hierarchy, the process path, each parent up to the mount', () => {
    expect(locateController(V1_PROC, V1_MOUNTINFO, 'memory')).toEqual({
      version: 1,
      dirs: ['/sys/fs/cgroup/memory/process_api/abc', '/sys/fs/cgroup/memory/process_api', '/sys/fs/cgroup/memory'],
    });
    expect(locateController(V1_PROC, V1_MOUNTINFO, 'cpu')).toEqual({ version: 1, dirs: ['/sys/fs/cgroup/cpu'] });
  });

  it('v1 in a container: the mount root /docker/abc is stripped from the path', () => {
    const proc = '3:cpu,cpuacct:/docker/abc\n2:memory:/docker/abc/inner\n';
    const mi = `1 0 0:1 /docker/abc /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
2 0 0:2 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
`;
    expect(locateController(proc, mi, 'cpu')?.dirs).toEqual(['/sys/fs/cgroup/cpu,cpuacct']);
    expect(locateController(proc, mi, 'memory')?.dirs).toEqual(['/sys/fs/cgroup/memory/inner', '/sys/fs/cgroup/memory']);
  });

  it('v2: the unified hierarchy (not /sys/fs/cgroup itself)', () => {
    expect(locateController(V2_PROC, V2_MOUNTINFO, 'cpu')?.dirs).toEqual([V2_LEAF, '/sys/fs/cgroup/user.slice/user-1000.slice', '/sys/fs/cgroup/user.slice', '/sys/fs/cgroup']);
  });

  it('a path outside the mounted sub-tree (cgroup namespace) falls back to the mount point', () => {
    const proc = '0::/../../other\n';
    const mi = '1 0 0:1 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n';
    expect(locateController(proc, mi, 'memory')?.dirs).toEqual(['/sys/fs/cgroup']);
  });

  it('no cgroup mounts: null', () => {
    expect(locateController(V2_PROC, '1 0 0:1 / / rw - ext4 /dev/sda1 rw\n', 'cpu')).toBeNull();
  });
});

describe('effective limits', () => {
  it('v2: the smallest limit on the way up wins (a parent can be tighter than the leaf)', () => {
    const read = files({
      [`${V2_LEAF}/cpu.max`]: '150000 100000\n',
      [`${V2_LEAF}/memory.max`]: '1073741824\n',
      '/sys/fs/cgroup/user.slice/user-1000.slice/cpu.max': 'max 100000\n',
      '/sys/fs/cgroup/user.slice/user-1000.slice/memory.max': '536870912\n',
      '/sys/fs/cgroup/user.slice/memory.max': 'max\n',
    });
    const limits = cgroupLimitsFrom(read, V2_PROC, V2_MOUNTINFO);
    expect(limits.cpu).toEqual({ cpus: 1.5, source: 'cgroup v2 cpu.max', dir: V2_LEAF });
    expect(limits.memory).toEqual({ bytes: 536870912, source: 'cgroup v2 memory.max', dir: '/sys/fs/cgroup/user.slice/user-1000.slice' });
    expect(limits.notes).toEqual([]);
  });

  it('v2 with "max" everywhere (or the files missing): no limits, and notes saying so', () => {
    const read = files({ [`${V2_LEAF}/cpu.max`]: 'max 100000\n', [`${V2_LEAF}/memory.max`]: 'max\n' });
    const limits = cgroupLimitsFrom(read, V2_PROC, V2_MOUNTINFO);
    expect(limits.cpu).toBeNull();
    expect(limits.memory).toBeNull();
    expect(limits.notes.join('\n')).toMatch(/no CPU quota/);
    expect(limits.notes.join('\n')).toMatch(/no memory limit/);
  });

  it('v1: quota and period, the unlimited memory value ignored, a limit on the parent found', () => {
    const read = files({
      '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '50000\n',
      '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
      '/sys/fs/cgroup/memory/process_api/abc/memory.limit_in_bytes': '9223372036854771712\n',
      '/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes': '2147483648\n',
      '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n',
    });
    const limits = cgroupLimitsFrom(read, V1_PROC, V1_MOUNTINFO);
    expect(limits.cpu).toEqual({ cpus: 0.5, source: 'cgroup v1 cpu.cfs_quota_us/cpu.cfs_period_us', dir: '/sys/fs/cgroup/cpu' });
    expect(limits.memory).toEqual({ bytes: 2147483648, source: 'cgroup v1 memory.limit_in_bytes', dir: '/sys/fs/cgroup/memory/process_api' });
  });

  it('v1 with quota -1 and unlimited memory: no limits', () => {
    const read = files({
      '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
      '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
      '/sys/fs/cgroup/memory/process_api/abc/memory.limit_in_bytes': '9223372036854771712\n',
    });
    const limits = cgroupLimitsFrom(read, V1_PROC, V1_MOUNTINFO);
    expect(limits.cpu).toBeNull();
    expect(limits.memory).toBeNull();
  });

  it('hybrid: a controller absent from v1 is looked up in the unified hierarchy', () => {
    const proc = '4:memory:/m\n0::/u\n';
    const mi = `35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
`;
    const read = files({ '/sys/fs/cgroup/unified/u/cpu.max': '200000 100000', '/sys/fs/cgroup/memory/m/memory.limit_in_bytes': '1000000' });
    const limits = cgroupLimitsFrom(read, proc, mi);
    expect(limits.cpu).toEqual({ cpus: 2, source: 'cgroup v2 cpu.max', dir: '/sys/fs/cgroup/unified/u' });
    expect(limits.memory?.source).toBe('cgroup v1 memory.limit_in_bytes');
  });

  it('no /proc files (not Linux): no limits, a note', () => {
    const limits = cgroupLimitsFrom(files({}), null, null);
    expect(limits).toEqual({ cpu: null, memory: null, notes: [expect.stringContaining('/proc/self/cgroup')] });
  });
});
