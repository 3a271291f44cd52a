/**
 * Linux control-group limits (CPU quota, memory limit) of this process, as pure functions over the
 * text of /proc/self/cgroup, /proc/self/mountinfo and the controller files, plus one thin reader.
 *
 * Why not just read /sys/fs/cgroup/...: that is the root of the hierarchy, not the process's own
 * group. The process's group is the path in /proc/self/cgroup, and where that path lives on disk
 * comes from the cgroup mounts in /proc/self/mountinfo (a container may mount a sub-tree, so the
 * mount's root is stripped from the path). Limits are hierarchical: the effective one is the
 * smallest along the path from the process's group up to the mount, so every level is read.
 */

export type CgroupVersion = 1 | 2;
export type CgroupController = 'cpu' | 'memory';

/** One line of /proc/self/cgroup: `id:controllers:path` (v2 is `0::path`). */
export interface ProcCgroupEntry {
  id: number;
  controllers: string[];
  path: string;
}

/** A cgroup file system mount from /proc/self/mountinfo. */
export interface CgroupMount {
  version: CgroupVersion;
  /** Where it is mounted. */
  mountPoint: string;
  /** Which cgroup of the hierarchy is the mount's top (a container may see only its sub-tree). */
  root: string;
  /** v1: the controllers of this hierarchy (from the super options); v2: empty. */
  controllers: string[];
}

/** Where one controller's files are for this process. */
export interface CgroupLocation {
  version: CgroupVersion;
  /** The process's own group directory first, then each parent up to the mount point. */
  dirs: string[];
}

export interface CgroupCpuLimit {
  /** CPUs the quota allows (quota / period, may be fractional). */
  cpus: number;
  source: string;
  /** The directory whose file set the limit. */
  dir: string;
}

export interface CgroupMemoryLimit {
  bytes: number;
  source: string;
  dir: string;
}

export interface CgroupLimits {
  cpu: CgroupCpuLimit | null;
  memory: CgroupMemoryLimit | null;
  /** What was looked at and not found (no cgroup mount, no quota set): for the report. */
  notes: string[];
}

export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const out: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    // The path may itself contain ':', so split only at the first two.
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    const id = Number(line.slice(0, a));
    if (!Number.isInteger(id)) continue;
    const list = line.slice(a + 1, b);
    out.push({ id, controllers: list === '' ? [] : list.split(','), path: line.slice(b + 1) });
  }
  return out;
}

/** mountinfo escapes space, tab, newline and backslash in paths as octal (\040 ...). */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    // id parent major:minor root mountpoint options [optional fields...] - fstype source superoptions
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    if (left.length < 5 || right.length < 1) continue;
    const fstype = right[0];
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const root = unescapeMountPath(left[3]);
    const mountPoint = unescapeMountPath(left[4]);
    if (fstype === 'cgroup2') {
      out.push({ version: 2, mountPoint, root, controllers: [] });
    } else {
      const superOptions = (right[2] ?? '').split(',');
      out.push({ version: 1, mountPoint, root, controllers: superOptions.filter((o) => o !== 'rw' && o !== 'ro' && !o.includes('=')) });
    }
  }
  return out;
}

function joinPath(base: string, rel: string): string {
  const parts = rel.split('/').filter((p) => p !== '');
  return parts.length === 0 ? base : `${base.replace(/\/+$/, '')}/${parts.join('/')}`;
}

/** The group's directory and each parent up to the mount point (the mount point last). */
function dirsFromMount(mount: CgroupMount, groupPath: string): string[] {
  // Strip the mount's root when the group lies under it; a path outside it (seen with cgroup
  // namespaces, shown as "/.."-relative) cannot be reached, so the mount's top is all we can read.
  const root = mount.root === '/' ? '' : mount.root.replace(/\/+$/, '');
  let rel = '';
  if (root === '') rel = groupPath;
  else if (groupPath === root || groupPath.startsWith(`${root}/`)) rel = groupPath.slice(root.length);
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return [mount.mountPoint];
  const dirs: string[] = [];
  for (let i = parts.length; i >= 0; i--) dirs.push(joinPath(mount.mountPoint, parts.slice(0, i).join('/')));
  return dirs;
}

/**
 * Where the `controller` files of this process are: a v1 hierarchy that has the controller, else the
 * v2 unified hierarchy (line `0::path`). Null when neither is mounted (not Linux, or no cgroupfs).
 */
export function locateController(procCgroup: string, mountinfo: string, controller: CgroupController): CgroupLocation | null {
  const entries = parseProcCgroup(procCgroup);
  const mounts = parseMountinfo(mountinfo);
  const v1Entry = entries.find((e) => e.id !== 0 && e.controllers.includes(controller));
  if (v1Entry) {
    const mount = mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
    if (mount) return { version: 1, dirs: dirsFromMount(mount, v1Entry.path) };
  }
  const v2Entry = entries.find((e) => e.id === 0 && e.controllers.length === 0);
  const v2Mount = mounts.find((m) => m.version === 2);
  if (v2Entry && v2Mount) return { version: 2, dirs: dirsFromMount(v2Mount, v2Entry.path) };
  return null;
}

/** v2 `cpu.max`: "quota period" or "max period"; CPUs allowed, or null for no limit. */
export function parseCpuMax(text: string): number | null {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max') return null;
  const q = Number(quota);
  const p = period === undefined ? 100_000 : Number(period); // the kernel's default period, 100 ms
  if (!(q > 0) || !(p > 0)) return null;
  return q / p;
}

/** v1 `cpu.cfs_quota_us` and `cpu.cfs_period_us`; quota -1 means no limit. */
export function parseCfsQuota(quotaText: string, periodText: string): number | null {
  const q = Number(quotaText.trim());
  const p = Number(periodText.trim());
  if (!Number.isFinite(q) || !Number.isFinite(p) || q <= 0 || p <= 0) return null;
  return q / p;
}

/** v2 `memory.max`: bytes, or "max" (no limit). */
export function parseMemoryMax(text: string): number | null {
  const t = text.trim();
  if (t === '' || t === 'max') return null;
  const v = Number(t);
  return Number.isFinite(v) && v > 0 ? v : null;
}

/**
 * v1 never says "unlimited": an unset `memory.limit_in_bytes` reads as PAGE_COUNTER_MAX rounded to
 * the page size (9223372036854771712 with 4 KiB pages, other values with 16/64 KiB pages). Anything
 * at or above 2^60 bytes (1 EiB, far beyond any machine) is read as "no limit".
 */
export const V1_UNLIMITED_THRESHOLD = 2n ** 60n;

export function parseMemoryLimitV1(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const v = BigInt(t);
  if (v === 0n || v >= V1_UNLIMITED_THRESHOLD) return null;
  return Number(v);
}

/** Reads one file; null when it is missing or unreadable. */
export type FileReader = (path: string) => string | null;

/**
 * The effective limits, walking from the process's group up to the mount: the smallest quota and
 * the smallest memory limit on the way. Pure given `read` (tests pass a map of fixture files).
 */
export function cgroupLimitsFrom(read: FileReader, procCgroup: string | null, mountinfo: string | null): CgroupLimits {
  const notes: string[] = [];
  if (procCgroup === null || mountinfo === null) {
    notes.push('no /proc/self/cgroup or /proc/self/mountinfo (not Linux, or /proc not mounted)');
    return { cpu: null, memory: null, notes };
  }
  let cpu: CgroupCpuLimit | null = null;
  const cpuAt = locateController(procCgroup, mountinfo, 'cpu');
  if (!cpuAt) notes.push('no cgroup cpu controller mounted');
  else {
    for (const dir of cpuAt.dirs) {
      let cpus: number | null = null;
      let source = '';
      if (cpuAt.version === 2) {
        const text = read(`${dir}/cpu.max`);
        cpus = text === null ? null : parseCpuMax(text);
        source = 'cgroup v2 cpu.max';
      } else {
        const q = read(`${dir}/cpu.cfs_quota_us`);
        const p = read(`${dir}/cpu.cfs_period_us`);
        cpus = q === null || p === null ? null : parseCfsQuota(q, p);
        source = 'cgroup v1 cpu.cfs_quota_us/cpu.cfs_period_us';
      }
      if (cpus !== null && (cpu === null || cpus < cpu.cpus)) cpu = { cpus, source, dir };
    }
    if (!cpu) notes.push(noLimitNote('CPU quota', cpuAt));
  }
  let memory: CgroupMemoryLimit | null = null;
  const memAt = locateController(procCgroup, mountinfo, 'memory');
  if (!memAt) notes.push('no cgroup memory controller mounted');
  else {
    for (const dir of memAt.dirs) {
      const file = memAt.version === 2 ? 'memory.max' : 'memory.limit_in_bytes';
      const text = read(`${dir}/${file}`);
      const bytes = text === null ? null : memAt.version === 2 ? parseMemoryMax(text) : parseMemoryLimitV1(text);
      if (bytes !== null && (memory === null || bytes < memory.bytes)) memory = { bytes, source: `cgroup v${memAt.version} ${file}`, dir };
    }
    if (!memory) notes.push(noLimitNote('memory limit', memAt));
  }
  return { cpu, memory, notes };
}

/** "cgroup v1: no CPU quota set in /sys/fs/cgroup/cpu", or "... in /a/b/c nor its 2 parent groups up to /a". */
function noLimitNote(what: string, at: CgroupLocation): string {
  const [own, ...parents] = at.dirs;
  const where = parents.length === 0 ? own : `${own} nor its ${parents.length} parent group${parents.length > 1 ? 's' : ''} up to ${parents[parents.length - 1]}`;
  return `cgroup v${at.version}: no ${what} set in ${where}`;
}

/** The thin reader: this process's limits (Node on Linux); no limits and a note elsewhere. */
export async function readCgroupLimits(): Promise<CgroupLimits> {
  const g = globalThis as { process?: { versions?: { node?: string }; platform?: string } };
  if (!g.process?.versions?.node) return { cpu: null, memory: null, notes: ['not Node: no cgroups'] };
  if (g.process.platform !== 'linux') return { cpu: null, memory: null, notes: [`${g.process.platform}: no cgroups`] };
  const spec = 'node:fs';
  const fs = (await import(/* @vite-ignore */ spec)) as typeof import('node:fs');
  const read: FileReader = (path) => {
    try {
      return fs.readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  };
  return cgroupLimitsFrom(read, read('/proc/self/cgroup'), read('/proc/self/mountinfo'));
}
