/**
 * Runs a command inside a fresh memory cgroup with a limit, and reports how it ended and how much
 * memory it used: exit code or signal, stdout and stderr, the group's peak, whether the kernel's OOM
 * killer struck, and the largest VmHWM of its processes. The group is always removed afterwards.
 *
 * Used by the memory benchmark (bench/node/memory.ts) and, through test/support/cgroup.ts, by the
 * tests; it lives here because shipped bench code may not import test/.
 *
 * Where the group goes: under this process's own memory group, so whatever limit the machine
 * already puts on us still holds and no other group is touched.
 * - cgroup v1: `memory.limit_in_bytes` (and `memory.memsw.limit_in_bytes` when swap is accounted,
 *   so swapping cannot stretch the limit); the peak is `memory.max_usage_in_bytes`; an OOM kill is
 *   counted by `oom_kill` in `memory.oom_control` (kernel 4.13+).
 * - cgroup v2: `memory.max` (and `memory.swap.max` 0); the peak is `memory.peak` (kernel 5.19+,
 *   null before); an OOM kill is `oom_kill` in `memory.events`. v2 forbids controllers for the
 *   children of a group that holds processes itself (the no-internal-process rule), so when our own
 *   group refuses, each parent up to the mount is tried.
 *
 * The command starts as `sh -c 'echo $$ > cgroup.procs; exec CMD'`: the shell joins the group
 * before exec, so every byte the command touches is charged to the group (a pid moved in after
 * spawn would keep its earlier charges outside: v1 does not move charges by default).
 *
 * Both peaks include what the command cannot help: v1/v2 charge the page cache of files it reads to
 * the group (reclaimed under a limit before any OOM kill), so an unlimited run's group peak is above
 * its RSS; VmHWM is resident memory only, sampled every VMHWM_POLL_MS (a lower bound).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';

export type CgroupVersion = 1 | 2;

/** Where groups can be made, or why they cannot. */
export type CgroupMemorySupport = { ok: true; version: CgroupVersion; parent: string } | { ok: false; reason: string };

export interface CgroupRunOptions {
  /** The group's memory limit in bytes; null runs the command in a group of its own with no limit (to measure its peak). */
  limitBytes: number | null;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kills every process of the group after this long (then `timedOut` is true). */
  timeoutMs?: number;
  /** Prefix of the group's name (a pid and a counter are added). */
  label?: string;
}

export interface CgroupRunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The group's peak charge in bytes (RSS + page cache + kernel memory); null where the kernel has no peak file. */
  peakBytes: number | null;
  /** Which file gave peakBytes. */
  peakSource: string;
  /** The kernel's OOM killer killed a process of the group. */
  oomKilled: boolean;
  /** OOM kills counted in the group (v1 oom_control, v2 memory.events); null where the kernel does not count them. */
  oomKills: number | null;
  /** Times the group hit its limit (v1 memory.failcnt, v2 memory.events `max`): reclaim, not necessarily a kill. */
  limitHits: number | null;
  /** The largest VmHWM (peak RSS) seen among the group's processes, sampled; null if none was read. */
  vmHwmBytes: number | null;
  timedOut: boolean;
  wallMs: number;
  version: CgroupVersion;
  /** The group's directory (already removed). */
  group: string;
  limitBytes: number | null;
}

/** How often the group's processes' VmHWM is read: a process's peak is gone once it exits. */
export const VMHWM_POLL_MS = 50;

// ---------------------------------------------------------------------------------------------
// Pure parts (unit-tested): the controller files' text.

/** `memory.oom_control` (v1): "oom_kill_disable 0\nunder_oom 0\noom_kill 1". oomKill is null on kernels before 4.13. */
export function parseV1OomControl(text: string): { oomKillDisable: boolean; underOom: boolean; oomKill: number | null } {
  const fields = parseKeyedCounts(text);
  return { oomKillDisable: fields.get('oom_kill_disable') === 1, underOom: fields.get('under_oom') === 1, oomKill: fields.get('oom_kill') ?? null };
}

/** `memory.events` (v2): "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n...". Missing keys read as absent, not 0. */
export function parseMemoryEvents(text: string): { max: number | null; oom: number | null; oomKill: number | null } {
  const fields = parseKeyedCounts(text);
  return { max: fields.get('max') ?? null, oom: fields.get('oom') ?? null, oomKill: fields.get('oom_kill') ?? null };
}

/** "key value" lines with integer values; other lines are skipped. */
export function parseKeyedCounts(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\d+)\s*$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

/** A single integer file (memory.max_usage_in_bytes, memory.peak, memory.failcnt); null when it is not one. */
export function parseCounter(text: string): number | null {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : null;
}

/** `VmHWM:    123456 kB` from /proc/PID/status, in bytes; null for a zombie or kernel thread (no such line). */
export function parseVmHwm(status: string): number | null {
  const m = /^VmHWM:\s+(\d+)\s+kB\s*$/m.exec(status);
  return m ? Number(m[1]) * 1024 : null;
}

/** cgroup.procs: one pid per line. */
export function parsePids(text: string): number[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

/** A group name this module made: `<label>-<creator pid>-<counter>`; the creator's pid, or null for any other name. */
export function creatorPidOf(groupName: string): number | null {
  const m = /^zkgpu-mem-[a-z0-9-]*?-(\d+)-\d+$/.exec(groupName);
  return m ? Number(m[1]) : null;
}

/** mountinfo escapes space, tab, newline and backslash in paths as octal (\040 ...). */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * The directories that may hold a new memory group, best first: this process's own group, then (v2
 * only, for the no-internal-process rule) each parent up to the mount. Null when no memory
 * controller is mounted. The same reading as the library's src/scheduler/hardware/cgroup.ts
 * (locateController), which bench code may not import; a unit test holds the two to the same answers.
 */
export function memoryGroupParents(procCgroup: string, mountinfo: string): { version: CgroupVersion; candidates: string[] } | null {
  const groups = procCgroup
    .split('\n')
    .map((line) => /^(\d+):([^:]*):(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ id: Number(m[1]), controllers: m[2] === '' ? [] : m[2].split(','), path: m[3] }));
  const mounts = mountinfo
    .split('\n')
    .filter((line) => line.includes(' - '))
    .map((line) => {
      const [left, right] = line.split(' - ');
      const [fstype, , superOptions = ''] = right.split(' ');
      const f = left.split(' ');
      return { fstype, root: unescapeMountPath(f[3] ?? ''), point: unescapeMountPath(f[4] ?? ''), options: superOptions.split(',') };
    });
  const v1Group = groups.find((g) => g.id !== 0 && g.controllers.includes('memory'));
  const v1Mount = mounts.find((m) => m.fstype === 'cgroup' && m.options.includes('memory'));
  if (v1Group && v1Mount) return { version: 1, candidates: [groupDirs(v1Mount, v1Group.path)[0]] };
  const v2Group = groups.find((g) => g.id === 0 && g.controllers.length === 0);
  const v2Mount = mounts.find((m) => m.fstype === 'cgroup2');
  if (v2Group && v2Mount) return { version: 2, candidates: groupDirs(v2Mount, v2Group.path) };
  return null;
}

/** The group's directory and each parent up to the mount point; a path outside the mount's root (a cgroup namespace) gives the mount point alone. */
function groupDirs(mount: { root: string; point: string }, groupPath: string): string[] {
  const root = mount.root === '/' ? '' : mount.root.replace(/\/+$/, '');
  let rel = '';
  if (root === '') rel = groupPath;
  else if (groupPath === root || groupPath.startsWith(`${root}/`)) rel = groupPath.slice(root.length);
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return [mount.point];
  const base = mount.point.replace(/\/+$/, '');
  const dirs: string[] = [];
  for (let i = parts.length; i >= 0; i--) dirs.push(i === 0 ? mount.point : `${base}/${parts.slice(0, i).join('/')}`);
  return dirs;
}

// ---------------------------------------------------------------------------------------------
// The real thing.

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function mountIsWritable(dir: string, mountinfo: string): boolean {
  let best: { point: string; options: string } | null = null;
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    const point = unescapeMountPath(f[4] ?? '');
    if (f.length > 5 && (dir === point || dir.startsWith(`${point}/`)) && (!best || point.length > best.point.length)) best = { point, options: f[5] };
  }
  return best?.options.split(',').includes('rw') === true;
}

let supportCache: CgroupMemorySupport | null = null;

/**
 * Whether this process can make memory groups, and where. Probes by making (and removing) one
 * group, so "ok" means it really worked here. Cached per process.
 */
export function cgroupMemorySupport(): CgroupMemorySupport {
  supportCache ??= probeSupport();
  return supportCache;
}

function probeSupport(): CgroupMemorySupport {
  if (process.platform !== 'linux') return { ok: false, reason: `${process.platform} has no cgroups` };
  if (process.getuid?.() !== 0) return { ok: false, reason: `not root (uid ${process.getuid?.()}): making memory cgroups and moving processes into them needs root` };
  const procCgroup = readOrNull('/proc/self/cgroup');
  const mountinfo = readOrNull('/proc/self/mountinfo');
  if (procCgroup === null || mountinfo === null) return { ok: false, reason: 'no /proc/self/cgroup or /proc/self/mountinfo' };
  const parents = memoryGroupParents(procCgroup, mountinfo);
  if (!parents) return { ok: false, reason: 'no cgroup memory controller mounted (neither a v1 memory hierarchy nor cgroup v2 in /proc/self/mountinfo)' };
  const tried: string[] = [];
  for (const parent of parents.candidates) {
    if (!mountIsWritable(parent, mountinfo)) {
      tried.push(`${parent}: its cgroup mount is read-only`);
      continue;
    }
    sweepStaleGroups(parent);
    const probe = `${parent}/zkgpu-mem-probe-${process.pid}-0`;
    try {
      if (parents.version === 2) enableV2Memory(parent);
      mkdirSync(probe);
      try {
        const limitFile = parents.version === 1 ? 'memory.limit_in_bytes' : 'memory.max';
        if (!existsSync(`${probe}/${limitFile}`)) throw new Error(`the new group has no ${limitFile}`);
      } finally {
        rmdirSync(probe);
      }
      return { ok: true, version: parents.version, parent };
    } catch (e) {
      tried.push(`${parent}: ${(e as Error).message}`);
    }
  }
  return { ok: false, reason: `no writable cgroup v${parents.version} memory controller: ${tried.join('; ')}` };
}

/** v2: children of `dir` get the memory controller only if `dir` hands it down (subtree_control). */
function enableV2Memory(dir: string): void {
  const controllers = (readOrNull(`${dir}/cgroup.controllers`) ?? '').split(/\s+/);
  if (!controllers.includes('memory')) throw new Error('the memory controller is not available here (cgroup.controllers)');
  const subtree = (readOrNull(`${dir}/cgroup.subtree_control`) ?? '').split(/\s+/);
  if (!subtree.includes('memory')) writeFileSync(`${dir}/cgroup.subtree_control`, '+memory');
}

/** Removes groups this module left behind in `parent` when their creator died before its cleanup. */
function sweepStaleGroups(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = creatorPidOf(name);
    if (pid === null || pid === process.pid || processAlive(pid)) continue;
    try {
      rmdirSync(`${parent}/${name}`);
    } catch {
      // Still holds processes (an orphan still running): left for its owner to see.
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let groupCounter = 0;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Removes a group once its processes are gone (the kernel empties it a moment after the last exit). */
async function removeGroup(dir: string): Promise<void> {
  let lastError: Error | null = null;
  for (let i = 0; i < 100 && existsSync(dir); i++) {
    try {
      rmdirSync(dir);
      return;
    } catch (e) {
      lastError = e as Error;
      for (const pid of parsePids(readOrNull(`${dir}/cgroup.procs`) ?? '')) killQuietly(pid);
      await sleep(20);
    }
  }
  if (existsSync(dir)) throw new Error(`could not remove cgroup ${dir}: ${lastError?.message ?? 'unknown'}`);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * Runs `argv` (argv[0] is the program, found on PATH) in a new memory group with `limitBytes`.
 * Throws, with the reason, when this machine cannot make groups (check cgroupMemorySupport() first
 * to skip instead).
 */
export async function runInMemoryCgroup(argv: readonly string[], options: CgroupRunOptions): Promise<CgroupRunResult> {
  if (argv.length === 0) throw new Error('runInMemoryCgroup: empty command');
  const { limitBytes } = options;
  if (limitBytes !== null && !(Number.isSafeInteger(limitBytes) && limitBytes > 0))
    throw new Error(`runInMemoryCgroup: limitBytes must be a positive integer or null; got ${limitBytes}`);
  const support = cgroupMemorySupport();
  if (!support.ok) throw new Error(`cannot make a memory cgroup: ${support.reason}`);
  const { version, parent } = support;
  const label = (options.label ?? 'run').toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const group = `${parent}/zkgpu-mem-${label}-${process.pid}-${++groupCounter}`;
  mkdirSync(group);
  try {
    setLimit(version, group, limitBytes);
    return await runInGroup(argv, options, version, group);
  } finally {
    await removeGroup(group);
  }
}

function setLimit(version: CgroupVersion, group: string, limitBytes: number | null): void {
  if (version === 1) {
    if (limitBytes === null) return;
    writeFileSync(`${group}/memory.limit_in_bytes`, String(limitBytes));
    // memsw is memory + swap and must stay >= the memory limit; equal means no swap at all.
    if (existsSync(`${group}/memory.memsw.limit_in_bytes`)) writeFileSync(`${group}/memory.memsw.limit_in_bytes`, String(limitBytes));
  } else {
    writeFileSync(`${group}/memory.max`, limitBytes === null ? 'max' : String(limitBytes));
    if (limitBytes !== null && existsSync(`${group}/memory.swap.max`)) writeFileSync(`${group}/memory.swap.max`, '0');
  }
}

async function runInGroup(argv: readonly string[], options: CgroupRunOptions, version: CgroupVersion, group: string): Promise<CgroupRunResult> {
  const started = performance.now();
  // $0 is the procs file, "$@" the command: no quoting of the command through the shell.
  const child = spawn('sh', ['-c', 'echo $$ > "$0" && exec "$@"', `${group}/cgroup.procs`, ...argv], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => stdout.push(b));
  child.stderr.on('data', (b: Buffer) => stderr.push(b));

  const hwmByPid = new Map<number, number>();
  const sampleHwm = () => {
    for (const pid of parsePids(readOrNull(`${group}/cgroup.procs`) ?? '')) {
      const hwm = parseVmHwm(readOrNull(`/proc/${pid}/status`) ?? '');
      if (hwm !== null && hwm > (hwmByPid.get(pid) ?? 0)) hwmByPid.set(pid, hwm);
    }
  };
  const poll = setInterval(sampleHwm, VMHWM_POLL_MS);
  let timedOut = false;
  const timer =
    options.timeoutMs === undefined
      ? null
      : setTimeout(() => {
          timedOut = true;
          for (const pid of parsePids(readOrNull(`${group}/cgroup.procs`) ?? '')) killQuietly(pid);
        }, options.timeoutMs);

  let exit: { code: number | null; signal: NodeJS.Signals | null };
  try {
    exit = await new Promise((resolve, reject) => {
      child.on('error', reject);
      // 'close', not 'exit': the pipes are drained by then.
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
  } finally {
    clearInterval(poll);
    if (timer) clearTimeout(timer);
    // Children of the command that outlived it (a detached worker) must not keep the group alive.
    for (const pid of parsePids(readOrNull(`${group}/cgroup.procs`) ?? '')) killQuietly(pid);
  }
  const wallMs = performance.now() - started;

  let peakBytes: number | null;
  let peakSource: string;
  let oomKills: number | null;
  let limitHits: number | null;
  if (version === 1) {
    peakSource = 'cgroup v1 memory.max_usage_in_bytes';
    peakBytes = parseCounter(readOrNull(`${group}/memory.max_usage_in_bytes`) ?? '');
    oomKills = parseV1OomControl(readOrNull(`${group}/memory.oom_control`) ?? '').oomKill;
    limitHits = parseCounter(readOrNull(`${group}/memory.failcnt`) ?? '');
  } else {
    peakSource = 'cgroup v2 memory.peak';
    peakBytes = parseCounter(readOrNull(`${group}/memory.peak`) ?? '');
    if (peakBytes === null) peakSource = 'none (cgroup v2 without memory.peak: kernel before 5.19)';
    const events = parseMemoryEvents(readOrNull(`${group}/memory.events`) ?? '');
    oomKills = events.oomKill;
    limitHits = events.max;
  }
  // Without an oom_kill counter (old kernels), a SIGKILL nobody sent while the group sat at its
  // limit is the OOM killer's.
  const oomKilled = oomKills !== null ? oomKills > 0 : exit.signal === 'SIGKILL' && !timedOut && (limitHits ?? 0) > 0;
  const hwms = [...hwmByPid.values()];
  return {
    exitCode: exit.code,
    signal: exit.signal,
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
    peakBytes,
    peakSource,
    oomKilled,
    oomKills,
    limitHits,
    vmHwmBytes: hwms.length === 0 ? null : Math.max(...hwms),
    timedOut,
    wallMs,
    version,
    group,
    limitBytes: options.limitBytes,
  };
}

/** "exit 0", "SIGKILL (OOM-killed)", ... for messages. */
export function describeEnd(r: Pick<CgroupRunResult, 'exitCode' | 'signal' | 'oomKilled' | 'timedOut'>): string {
  const how = r.signal !== null ? r.signal : `exit ${r.exitCode}`;
  return `${how}${r.oomKilled ? ' (OOM-killed)' : ''}${r.timedOut ? ' (timed out)' : ''}`;
}
