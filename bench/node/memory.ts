/**
 * Memory of a Groth16 proof, as a CLI user meets it: peak and time of `zkgpu prove` (the built CLI,
 * node bin/zkgpu.js) at several memory budgets, beside snarkjs's CLI on the same key and witness.
 * Every run is its own child process in its own memory cgroup (bench/node/cgroup.ts); every proof
 * is verified with snarkjs.groth16.verify before its time is printed.
 *
 *   node --import tsx bench/node/memory.ts [--sizes 16,18,20] [--runs N]
 *        [--budgets unbounded,1GiB,512MiB,min] [--snarkjs unbounded,1GiB|none] [--json FILE]
 *
 * Circuits: the bench circuits in .cache/groth16/bench/bn128-<k>/ (node scripts/make-groth16-fixtures.mjs
 * --bench <k> --dev-setup). Budgets:
 *   unbounded  a group with no limit (to measure), no --max-host-bytes
 *   1GiB, 512MiB, ... (any size)  the group limited to it, and --max-host-bytes set to fill it as a
 *              user who knows their container's limit would: the CLI's budget is the proof's working
 *              memory beside the runtime's own footprint, so the flag is the limit less the
 *              runtimeBytes the CLI states (--budget-flag detect: no flag, the CLI finds the limit)
 *   min        --max-host-bytes the minimum the CLI states for the circuit (`prove --dry-run --json`:
 *              minimalBytes), in a group of exactly minimalBytes + runtimeBytes
 * Each zkgpu row also records the plan the CLI states for its limit and flags (its mode: whole or
 * streamed). A CLI without --dry-run (before issue 17) gets no flags and no "min" row.
 * snarkjs runs `snarkjs groth16 prove` (its CLI, node_modules/snarkjs/build/cli.cjs, started by
 * node directly: `npx` would add npm's own process to the group), with no limit and at the given
 * limits to show whether it survives them.
 *
 * Figures per run: the group's peak (page cache of the key and witness included: both files are
 * dropped from the cache before each run, so every run reads them cold and pays the same), the
 * largest VmHWM of its processes (resident memory; it also counts the node binary's shared pages,
 * which the group does not), and the wall time from spawn to exit (start-up, reading the key,
 * proving, writing). With --runs N > 1: median time and its spread, and the largest peak.
 *
 * Exit code: 0 every zkgpu run that was asked for proved and verified (snarkjs may fail a limit);
 * 1 otherwise; 2 bad command line or no cgroup.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from '../core/stats.js';
import { cgroupMemorySupport, describeEnd, runInMemoryCgroup, type CgroupRunResult } from './cgroup.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DEFAULT_CLI = join(ROOT, 'bin/zkgpu.js');
const BUILT_CLI = join(ROOT, 'dist/src/cli/main.js');
const SNARKJS_CLI = join(ROOT, 'node_modules/snarkjs/build/cli.cjs');
const MiB = 2 ** 20;
const GiB = 2 ** 30;

export const MEMORY_BENCH_USAGE = `Usage: node --import tsx bench/node/memory.ts [options]

Peak memory and time of \`zkgpu prove\` at several memory budgets (each run in its own memory
cgroup, --max-host-bytes set to the limit) beside \`snarkjs groth16 prove\`; every proof verified.
Needs root and a cgroup memory controller, and the built CLI (npm run build).

Options:
  --sizes 16,18,20        log2 sizes of the bench circuits in .cache/groth16/bench/bn128-<k>/
                          (default 16,18; make them: node scripts/make-groth16-fixtures.mjs --bench K --dev-setup)
  --runs N                runs per row (default 1)
  --budgets LIST          zkgpu budgets: unbounded, min (the stated minimum) or a size such as
                          1GiB, 512MiB, 300000000 (default unbounded,1GiB,512MiB,min)
  --snarkjs LIST|none     snarkjs limits: unbounded or sizes (default unbounded,1GiB)
  --threads N             zkgpu --threads (default: the CLI's own choice)
  --timeout-s S           kill a run after S seconds (default 1800)
  --budget-flag fill|detect
                          fill (default): a size budget also passes --max-host-bytes, the limit less
                          the runtime footprint the CLI states (its budget is working memory beside
                          that footprint); detect: no flag, the CLI finds the limit in its cgroup
  --cli PATH              the zkgpu CLI to measure (default bin/zkgpu.js of this checkout; another
                          build's bin/zkgpu.js gives "before" figures beside "after" ones)
  --json FILE             also write the report as JSON
  -h, --help              this text`;

class UsageError extends Error {}

export type Budget = { kind: 'unbounded' } | { kind: 'min' } | { kind: 'bytes'; bytes: number };

/** "unbounded" | "min" | "512MiB" | "1GiB" | "1.5GiB" | "300000000" (bytes). */
export function parseBudget(text: string): Budget {
  const t = text.trim();
  if (t === 'unbounded') return { kind: 'unbounded' };
  if (t === 'min') return { kind: 'min' };
  const m = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB)?$/i.exec(t);
  if (!m) throw new UsageError(`budget "${text}": expected unbounded, min, or a size such as 512MiB, 1GiB or a byte count`);
  const unit = (m[2] ?? 'B').toLowerCase();
  const bytes = Math.floor(Number(m[1]) * (unit === 'gib' ? GiB : unit === 'mib' ? MiB : unit === 'kib' ? 1024 : 1));
  // 32 MiB: below that Node itself does not start, so a smaller figure is a typo.
  if (!(bytes >= 32 * MiB)) throw new UsageError(`budget "${text}": at least 32MiB`);
  return { kind: 'bytes', bytes };
}

export function budgetLabel(b: Budget): string {
  return b.kind === 'bytes' ? formatMiB(b.bytes) : b.kind;
}

function formatMiB(bytes: number): string {
  return bytes % GiB === 0 ? `${bytes / GiB}GiB` : bytes % MiB === 0 ? `${bytes / MiB}MiB` : `${bytes}B`;
}

interface Args {
  sizes: number[];
  runs: number;
  budgets: Budget[];
  snarkjs: Budget[];
  threads?: number;
  timeoutMs: number;
  json?: string;
  cli: string;
  /** fill: a size budget passes --max-host-bytes (the limit less the runtime's stated footprint); detect: no flag, the CLI reads the limit from its cgroup. */
  budgetFlag: 'fill' | 'detect';
}

function parseCommandLine(argv: string[]): Args | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        sizes: { type: 'string', default: '16,18' },
        runs: { type: 'string', default: '1' },
        budgets: { type: 'string', default: 'unbounded,1GiB,512MiB,min' },
        snarkjs: { type: 'string', default: 'unbounded,1GiB' },
        threads: { type: 'string' },
        'timeout-s': { type: 'string', default: '1800' },
        json: { type: 'string' },
        cli: { type: 'string' },
        'budget-flag': { type: 'string', default: 'fill' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return null;
  const sizes = values.sizes.split(',').map((s) => Number(s.trim()));
  for (const k of sizes) if (!Number.isInteger(k) || k < 10 || k > 22) throw new UsageError(`--sizes: each a log2 size from 10 to 22; got "${values.sizes}"`);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw new UsageError(`--runs must be an integer from 1 to 100; got "${values.runs}"`);
  const budgets = values.budgets.split(',').map(parseBudget);
  const snarkjs = values.snarkjs.trim() === 'none' ? [] : values.snarkjs.split(',').map(parseBudget);
  if (snarkjs.some((b) => b.kind === 'min')) throw new UsageError('--snarkjs: "min" is zkgpu\'s stated minimum; give unbounded or sizes');
  let threads: number | undefined;
  if (values.threads !== undefined) {
    threads = Number(values.threads);
    if (!Number.isInteger(threads) || threads < 1 || threads > 1024) throw new UsageError(`--threads must be an integer from 1 to 1024; got "${values.threads}"`);
  }
  const timeoutS = Number(values['timeout-s']);
  if (!(timeoutS > 0)) throw new UsageError(`--timeout-s must be a positive number; got "${values['timeout-s']}"`);
  const cli = resolve(values.cli ?? DEFAULT_CLI);
  if (!existsSync(cli)) throw new UsageError(`--cli ${cli}: no such file`);
  const budgetFlag = values['budget-flag'];
  if (budgetFlag !== 'fill' && budgetFlag !== 'detect') throw new UsageError(`--budget-flag must be fill or detect; got "${budgetFlag}"`);
  return { sizes, runs, budgets, snarkjs, threads, timeoutMs: timeoutS * 1000, json: values.json, cli, budgetFlag };
}

export interface RunRecord {
  wallMs: number;
  peakBytes: number | null;
  vmHwmBytes: number | null;
  exitCode: number | null;
  signal: string | null;
  oomKilled: boolean;
  timedOut: boolean;
  verified: boolean | null;
  /** The last lines of stderr of a failed run. */
  error?: string;
  /** zkgpu prove --json's stage timings. */
  timings?: unknown;
  loadAverage1m: number;
}

export interface RowRecord {
  size: number;
  prover: 'zkgpu' | 'snarkjs';
  budget: string;
  limitBytes: number | null;
  maxHostBytes: number | null;
  /** ok: every run proved and verified; oom: a run was OOM-killed; refused: PLAN_INFEASIBLE (the budget is below the stated minimum); failed: a run exited non-zero or timed out; invalid: a proof did not verify; skipped: not run (reason). */
  status: 'ok' | 'oom' | 'refused' | 'failed' | 'invalid' | 'skipped';
  reason?: string;
  medianMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  peakBytes: number | null;
  vmHwmBytes: number | null;
  /** zkgpu rows: the plan the CLI states for this row's limit and flags (prove --dry-run --json), null when it states none. */
  plan?: StatedPlan | null;
  runs: RunRecord[];
}

/** The part of `zkgpu prove --dry-run --json` the bench reads (groth16.plan's result). */
export interface StatedPlan {
  mode: string;
  minimalBytes: number;
  comfortableBytes: number;
  runtimeBytes: number;
  budgetBytes: number;
  plannedBytes?: number;
}

interface Snarkjs {
  groth16: { verify(vkey: unknown, publicSignals: unknown, proof: unknown): Promise<boolean> };
  curves: { getCurveFromName(name: string): Promise<{ terminate(): Promise<void> }> };
}
const SNARKJS = 'snarkjs';

/** Drops the file from the page cache (fadvise DONTNEED through dd) so each run reads it cold and the group is charged for it. */
function dropFromPageCache(path: string): void {
  try {
    execFileSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']);
  } catch {
    // No GNU dd: the runs after the first find the file cached (their group peak is lower by its size).
  }
}

/** The first lines of a failed run's stderr: the CLI's error (or a usage error's message) comes first. */
function head(text: string, lines = 3): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, lines)
    .join(' | ');
}

function loadAverage1m(): number {
  return Math.round(os.loadavg()[0] * 100) / 100;
}

function uptimeLine(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`;
  }
}

/** Files in src/ newer than the built CLI: the bench measures dist/, as users run it. */
function staleSources(): string[] {
  const builtAt = statSync(BUILT_CLI).mtimeMs;
  const newer: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && statSync(p).mtimeMs > builtAt) newer.push(p.slice(ROOT.length + 1));
    }
  };
  walk(join(ROOT, 'src'));
  return newer;
}

async function main(argv: string[]): Promise<number> {
  let args: Args | null;
  try {
    args = parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n${MEMORY_BENCH_USAGE}\n`);
    return 2;
  }
  if (args === null) {
    process.stdout.write(`${MEMORY_BENCH_USAGE}\n`);
    return 0;
  }
  const support = cgroupMemorySupport();
  if (!support.ok) {
    process.stderr.write(`bench/node/memory.ts needs memory cgroups: ${support.reason}\n`);
    return 2;
  }
  const CLI = args.cli;
  if (CLI === DEFAULT_CLI) {
    if (!existsSync(BUILT_CLI)) {
      process.stderr.write(`the built CLI ${BUILT_CLI} is missing: run npm run build\n`);
      return 2;
    }
    const stale = staleSources();
    if (stale.length > 0) process.stderr.write(`warning: dist/ is older than ${stale.length} file(s) in src/ (${stale.slice(0, 3).join(', ')}): npm run build to measure them\n`);
  }
  const missing = args.sizes.filter((k) => !existsSync(join(ROOT, `.cache/groth16/bench/bn128-${k}/meta.json`)));
  if (missing.length > 0) {
    process.stderr.write(`no bench circuit for 2^${missing.join(', 2^')}: node scripts/make-groth16-fixtures.mjs --bench ${missing[0]} --dev-setup (for each)\n`);
    return 2;
  }

  const startedUptime = uptimeLine();
  process.stderr.write(`memory bench: ${CLI}; cgroup v${support.version} under ${support.parent}; ${os.cpus().length} cores; ${startedUptime}\n`);
  const snarkjs = (await import(SNARKJS)) as Snarkjs;
  const work = mkdtempSync(join(os.tmpdir(), 'zkgpu-memory-bench-'));
  const rows: RowRecord[] = [];
  try {
    for (const k of args.sizes) {
      const dir = join(ROOT, `.cache/groth16/bench/bn128-${k}`);
      const zkey = join(dir, 'circuit.zkey');
      const wtns = join(dir, 'witness.wtns');
      const vkey = JSON.parse(readFileSync(join(dir, 'vkey.json'), 'utf8'));
      const expectedPublic = JSON.parse(readFileSync(join(dir, 'public.json'), 'utf8'));
      const env = { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' };
      const threadArgs = args.threads === undefined ? [] : ['--threads', String(args.threads)];

      /** What the CLI states it will do (`prove --dry-run --json` with these flags, in a group with this limit); null and why when it states nothing. */
      const statedPlan = async (limitBytes: number | null, flags: string[]): Promise<{ plan: StatedPlan | null; error: string }> => {
        const r = await runInMemoryCgroup(
          [process.execPath, CLI, 'prove', zkey, wtns, join(work, 'p.json'), join(work, 'q.json'), '--dry-run', '--json', ...threadArgs, ...flags],
          {
            limitBytes,
            label: `plan-${k}`,
            cwd: ROOT,
            env,
            timeoutMs: args.timeoutMs,
          },
        );
        try {
          if (r.exitCode !== 0) throw new Error(`${describeEnd(r)}: ${head(r.stderr, 2)}`);
          // The CLI prints { command, dryRun, zkey, plan }; the plan itself is groth16.plan's result.
          const printed = JSON.parse(r.stdout) as { plan?: StatedPlan } & StatedPlan;
          const plan = printed.plan ?? printed;
          if (!Number.isSafeInteger(plan.minimalBytes) || !Number.isSafeInteger(plan.runtimeBytes))
            throw new Error(`no minimalBytes and runtimeBytes in ${r.stdout.slice(0, 200)}`);
          return { plan, error: '' };
        } catch (e) {
          return { plan: null, error: `no stated plan (zkgpu prove --dry-run --json: ${(e as Error).message})` };
        }
      };
      // The circuit's figures, stated with no limit: "min" and the --max-host-bytes of each limit come from them.
      const base = await statedPlan(null, []);
      process.stderr.write(`2^${k}: ${base.plan ? `stated plan ${JSON.stringify(base.plan)}` : base.error}\n`);

      const measure = async (prover: 'zkgpu' | 'snarkjs', budget: Budget): Promise<RowRecord> => {
        let limitBytes: number | null = null;
        let maxHostBytes: number | null = null;
        let note: string | undefined;
        if (budget.kind === 'bytes') {
          limitBytes = budget.bytes;
          if (prover === 'zkgpu' && args.budgetFlag === 'fill') {
            // The CLI's budget is working memory on top of the runtime's own footprint: filling the
            // limit means the limit less that footprint.
            if (base.plan) maxHostBytes = limitBytes - base.plan.runtimeBytes;
            else note = `--max-host-bytes not passed: ${base.error}`;
          }
        }
        if (budget.kind === 'min') {
          if (!base.plan) return skipped(k, prover, budget, base.error);
          maxHostBytes = base.plan.minimalBytes;
          // Exactly what the plan says the proof needs: the minimum and the runtime beside it.
          limitBytes = base.plan.minimalBytes + base.plan.runtimeBytes;
        }
        const budgetFlags = maxHostBytes === null ? [] : ['--max-host-bytes', String(maxHostBytes)];
        const rowPlan = prover === 'zkgpu' && base.plan ? (await statedPlan(limitBytes, budgetFlags)).plan : null;
        const row: RowRecord = {
          size: k,
          prover,
          budget: budgetLabel(budget),
          limitBytes,
          maxHostBytes,
          status: 'ok',
          ...(note ? { reason: note } : {}),
          medianMs: null,
          minMs: null,
          maxMs: null,
          peakBytes: null,
          vmHwmBytes: null,
          ...(prover === 'zkgpu' ? { plan: rowPlan } : {}),
          runs: [],
        };
        for (let i = 0; i < args.runs; i++) {
          const proofPath = join(work, `${prover}-${k}-${row.budget}-${i}.proof.json`);
          const publicPath = join(work, `${prover}-${k}-${row.budget}-${i}.public.json`);
          const argvRun =
            prover === 'zkgpu'
              ? [process.execPath, CLI, 'prove', zkey, wtns, proofPath, publicPath, '--json', ...threadArgs, ...budgetFlags]
              : [process.execPath, SNARKJS_CLI, 'groth16', 'prove', zkey, wtns, proofPath, publicPath];
          dropFromPageCache(zkey);
          dropFromPageCache(wtns);
          const load = loadAverage1m();
          const r: CgroupRunResult = await runInMemoryCgroup(argvRun, { limitBytes, label: `${prover}-${k}`, cwd: ROOT, env, timeoutMs: args.timeoutMs });
          const run: RunRecord = {
            wallMs: Math.round(r.wallMs),
            peakBytes: r.peakBytes,
            vmHwmBytes: r.vmHwmBytes,
            exitCode: r.exitCode,
            signal: r.signal,
            oomKilled: r.oomKilled,
            timedOut: r.timedOut,
            verified: null,
            loadAverage1m: load,
          };
          if (prover === 'zkgpu' && r.exitCode === 0) {
            try {
              run.timings = JSON.parse(r.stdout).timings;
            } catch {
              // An older CLI without --json output: the wall time stands alone.
            }
          }
          if (r.exitCode === 0) {
            try {
              const proof = JSON.parse(readFileSync(proofPath, 'utf8'));
              const publicSignals = JSON.parse(readFileSync(publicPath, 'utf8'));
              run.verified = JSON.stringify(publicSignals) === JSON.stringify(expectedPublic) && (await snarkjs.groth16.verify(vkey, publicSignals, proof));
            } catch (e) {
              run.verified = false;
              run.error = `reading or verifying the proof: ${(e as Error).message}`;
            }
          } else {
            run.error = `${describeEnd(r)}: ${head(r.stderr)}`;
          }
          row.runs.push(run);
          process.stderr.write(
            `2^${k} ${prover} ${row.budget} run ${i + 1}/${args.runs}: ${describeEnd(r)}, ${(r.wallMs / 1000).toFixed(1)} s, ` +
              `group peak ${mibText(r.peakBytes)}, VmHWM ${mibText(r.vmHwmBytes)}, verified ${run.verified}, load ${load}\n`,
          );
          rmSync(proofPath, { force: true });
          rmSync(publicPath, { force: true });
          // A limit that kills once kills again: the other runs would only repeat it.
          if (run.verified !== true) break;
        }
        const bad = row.runs.find((r) => r.verified !== true);
        if (bad) {
          row.status = bad.oomKilled ? 'oom' : bad.verified === false && bad.exitCode === 0 ? 'invalid' : bad.error?.includes('PLAN_INFEASIBLE') ? 'refused' : 'failed';
          row.reason = [bad.error ?? 'the proof does not verify', note].filter(Boolean).join('; ');
        } else {
          const times = row.runs.map((r) => r.wallMs);
          row.medianMs = median(times);
          row.minMs = Math.min(...times);
          row.maxMs = Math.max(...times);
        }
        row.peakBytes = maxOrNull(row.runs.map((r) => r.peakBytes));
        row.vmHwmBytes = maxOrNull(row.runs.map((r) => r.vmHwmBytes));
        return row;
      };

      for (const b of args.budgets) rows.push(await measure('zkgpu', b));
      for (const b of args.snarkjs) rows.push(await measure('snarkjs', b));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    await (await snarkjs.curves.getCurveFromName('bn128').catch(() => null))?.terminate();
  }
  const endedUptime = uptimeLine();
  process.stdout.write(`${formatMemoryTable(rows)}\n`);
  process.stdout.write(`machine: ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / GiB).toFixed(1)} GiB, node ${process.version}\n`);
  process.stdout.write(`load: before ${startedUptime}\n      after  ${endedUptime}\n`);
  if (args.json) {
    const report = {
      kind: 'groth16-memory',
      version: 1,
      date: new Date().toISOString(),
      machine: {
        cpuModel: os.cpus()[0]?.model.trim() ?? null,
        cores: os.cpus().length,
        totalMemoryBytes: os.totalmem(),
        node: process.version,
        uptimeBefore: startedUptime,
        uptimeAfter: endedUptime,
      },
      cli: CLI,
      cgroup: { version: support.version, parent: support.parent },
      runsPerRow: args.runs,
      rows,
    };
    writeFileSync(args.json, `${JSON.stringify(report, null, 1)}\n`);
  }
  return rows.some((r) => r.prover === 'zkgpu' && r.status !== 'ok') ? 1 : 0;
}

function skipped(size: number, prover: 'zkgpu' | 'snarkjs', budget: Budget, reason: string): RowRecord {
  return {
    size,
    prover,
    budget: budgetLabel(budget),
    limitBytes: null,
    maxHostBytes: null,
    status: 'skipped',
    reason,
    medianMs: null,
    minMs: null,
    maxMs: null,
    peakBytes: null,
    vmHwmBytes: null,
    runs: [],
  };
}

function maxOrNull(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : Math.max(...known);
}

function mibText(bytes: number | null): string {
  return bytes === null ? 'n/a' : `${(bytes / MiB).toFixed(0)} MiB`;
}

/** One line per row; time only for rows whose every proof verified. */
export function formatMemoryTable(rows: readonly RowRecord[]): string {
  const header = ['size', 'prover', 'budget', 'limit', '--max-host-bytes', 'mode', 'status', 'time (median)', 'spread', 'group peak', 'VmHWM', 'runs'];
  const lines = rows.map((r) => [
    `2^${r.size}`,
    r.prover,
    r.budget,
    r.limitBytes === null ? 'none' : mibText(r.limitBytes),
    r.maxHostBytes === null ? '-' : mibText(r.maxHostBytes),
    r.plan?.mode ?? '-',
    r.status,
    r.medianMs === null ? '-' : `${(r.medianMs / 1000).toFixed(1)} s`,
    r.minMs === null || r.maxMs === null || r.runs.length < 2 ? '-' : `${(r.minMs / 1000).toFixed(1)}-${(r.maxMs / 1000).toFixed(1)} s`,
    mibText(r.peakBytes),
    mibText(r.vmHwmBytes),
    String(r.runs.length),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const notes = rows.filter((r) => r.reason).map((r) => `  2^${r.size} ${r.prover} ${r.budget}: ${r.reason}`);
  return [fmt(header), ...lines.map(fmt), ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename);
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
