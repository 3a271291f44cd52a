/**
 * Detection inside a real cgroup: as root, make a group with a CPU quota of 1 CPU and a memory
 * limit under this process's own group (so the machine's other groups are untouched), a child group
 * inside it with no limits of its own, run detection in the child (a fresh node process moved there
 * before it starts), and check the report finds the parent's limits. The groups are removed after.
 *
 * Not root, or no writable cgroup hierarchy with the cpu and memory controllers: the test FAILS and
 * says why (the scheduler's cgroup reading is then unchecked on this machine). Only a platform
 * without cgroups at all (not Linux) skips.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { locateController } from '../../../../src/scheduler/hardware/cgroup.js';
import { HOST_SAFETY_FACTOR } from '../../../../src/scheduler/hardware/detect-host.js';
import type { HardwareReport } from '../../../../src/scheduler/hardware/types.js';

const LINUX = process.platform === 'linux';
const FIXTURE = fileURLToPath(new URL('../../../support/children/detect-hardware.ts', import.meta.url));
/** Above what node + tsx need (~150 MiB RSS) and far below this machine's figures, so it decides. */
const MEMORY_LIMIT = 768 * 2 ** 20;

interface Groups {
  version: 1 | 2;
  /** Directories to write limits into (v1: the cpu and memory hierarchies; v2: one). */
  limitDirs: { cpu: string; memory: string };
  /** Directories the child process is moved into. */
  procDirs: string[];
  /** Everything made, deepest first, for removal. */
  made: string[];
}

function writable(mountOptions: string): boolean {
  return mountOptions.split(',').includes('rw');
}

/** Makes the groups, or returns why it cannot. */
function makeGroups(name: string): Groups | string {
  if (process.getuid?.() !== 0) return `not root (uid ${process.getuid?.()}): only root can make cgroups and move processes`;
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '));
  const procCgroup = readFileSync('/proc/self/cgroup', 'utf8');
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  const cpuAt = locateController(procCgroup, mountinfo, 'cpu');
  const memAt = locateController(procCgroup, mountinfo, 'memory');
  if (!cpuAt || !memAt) return `no cgroup hierarchy with the ${!cpuAt ? 'cpu' : 'memory'} controller in /proc/self/mountinfo`;
  const mountFor = (dir: string) => mounts.filter((m) => (m[2] === 'cgroup' || m[2] === 'cgroup2') && dir.startsWith(m[1])).sort((a, b) => b[1].length - a[1].length)[0];
  for (const at of [cpuAt, memAt]) {
    const m = mountFor(at.dirs[0]);
    if (!m || !writable(m[3])) return `the cgroup mount holding ${at.dirs[0]} is not mounted read-write (${m?.join(' ') ?? 'not in /proc/mounts'})`;
  }
  const made: string[] = [];
  try {
    if (cpuAt.version === 1 && memAt.version === 1) {
      const cpu = `${cpuAt.dirs[0]}/${name}`;
      const memory = `${memAt.dirs[0]}/${name}`;
      for (const d of [cpu, memory, `${cpu}/inner`, `${memory}/inner`]) {
        mkdirSync(d);
        made.unshift(d);
      }
      writeFileSync(`${cpu}/cpu.cfs_period_us`, '100000');
      writeFileSync(`${cpu}/cpu.cfs_quota_us`, '100000');
      writeFileSync(`${memory}/memory.limit_in_bytes`, String(MEMORY_LIMIT));
      return { version: 1, limitDirs: { cpu, memory }, procDirs: [`${cpu}/inner`, `${memory}/inner`], made };
    }
    if (cpuAt.version === 2 && memAt.version === 2) {
      // v2: controllers must be enabled for the children of every group on the way; a group with
      // processes of its own cannot do that (the no-internal-process rule) unless it is the root.
      const own = cpuAt.dirs[0];
      const group = `${own}/${name}`;
      mkdirSync(group);
      made.unshift(group);
      writeFileSync(`${own}/cgroup.subtree_control`, '+cpu +memory');
      writeFileSync(`${group}/cgroup.subtree_control`, '+cpu +memory');
      mkdirSync(`${group}/inner`);
      made.unshift(`${group}/inner`);
      writeFileSync(`${group}/cpu.max`, '100000 100000');
      writeFileSync(`${group}/memory.max`, String(MEMORY_LIMIT));
      return { version: 2, limitDirs: { cpu: group, memory: group }, procDirs: [`${group}/inner`], made };
    }
    return `mixed layout: cpu on cgroup v${cpuAt.version}, memory on v${memAt.version} (not handled by this test)`;
  } catch (e) {
    removeGroups(made);
    return `making the test cgroups under ${cpuAt.dirs[0]} / ${memAt.dirs[0]} failed: ${(e as Error).message}`;
  }
}

function removeGroups(dirs: string[]): void {
  for (const d of dirs) {
    // A group empties a moment after its last process is reaped; retry briefly.
    for (let i = 0; i < 50 && existsSync(d); i++) {
      try {
        rmdirSync(d);
      } catch {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
  }
}

describe.skipIf(!LINUX)('detection inside a real cgroup (root only)', () => {
  it('finds the 1-CPU quota and the memory limit set on the parent of its group', () => {
    const name = `zkgpu-test-${process.pid}-${Date.now()}`;
    const groups = makeGroups(name);
    if (typeof groups === 'string') throw new Error(`cannot run the real cgroup test: ${groups}`);
    try {
      const moves = groups.procDirs.map((d) => `echo $$ > '${d}/cgroup.procs'`).join(' && ');
      const r = spawnSync('sh', ['-c', `${moves} && exec "$0" "$@"`, process.execPath, '--import', 'tsx', FIXTURE], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      const { procCgroup, report } = JSON.parse(r.stdout) as { procCgroup: string; report: HardwareReport };
      console.log(`[scheduler] in cgroup ${name}:`, JSON.stringify(report.cpu), JSON.stringify(report.memory));
      expect(procCgroup).toContain(`/${name}/inner`);
      const v = groups.version;
      const cpuSource = v === 1 ? 'cgroup v1 cpu.cfs_quota_us/cpu.cfs_period_us' : 'cgroup v2 cpu.max';
      const memSource = v === 1 ? 'cgroup v1 memory.limit_in_bytes' : 'cgroup v2 memory.max';
      expect(report.cpu.threads).toBe(1);
      expect(report.cpu.figures).toContainEqual({ count: 1, source: `${cpuSource} (${groups.limitDirs.cpu})` });
      expect(report.memory.figures).toContainEqual({ bytes: MEMORY_LIMIT, source: `${memSource} (${groups.limitDirs.memory})` });
      expect(report.memory.budgetBytes).toBe(Math.floor(MEMORY_LIMIT * HOST_SAFETY_FACTOR));
      expect(report.memory.source).toBe(`${memSource} (${groups.limitDirs.memory}) x ${HOST_SAFETY_FACTOR}`);
    } finally {
      removeGroups(groups.made);
    }
    for (const d of groups.made) expect(existsSync(d), `left behind: ${d}`).toBe(false);
  });
});
