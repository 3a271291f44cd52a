/**
 * A Groth16 proof inside a memory limit, as a user meets it: the built CLI (`node bin/zkgpu.js
 * prove`, from dist/) as a child process in a fresh memory cgroup (test/support/cgroup.ts), on the
 * 2^18 benchmark circuit (.cache/groth16/bench/bn128-18: made here by
 * scripts/make-groth16-fixtures.mjs --bench 18 --dev-setup when missing, ~2 min on 2 cores).
 *
 * - In a 512 MiB group with no flag, the prover finds the limit itself (cgroup-aware budget) and
 *   its proof verifies with snarkjs against the fixture's vkey.json. The group's peak is logged.
 * - `--dry-run --json` states the plan: minimal and comfortable bytes, the minimum (with the
 *   runtime's own footprint beside it) within 512 MiB, the detected budget within the limit; it
 *   writes no proof.
 * - `--max-host-bytes` below the stated minimum is PLAN_INFEASIBLE, naming both figures, before any
 *   work: no proof file, and the refusal's own peak stays below the minimum it names (so it cannot
 *   have loaded the key to find out). The minimum is the edge: exactly it plans, one byte less is
 *   refused (dry runs).
 *
 * No writable memory controller (not root, no cgroup mount): skipped with the reason, except where
 * CI is set (CI runs as root on cgroup v1).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupMemorySupport, describeEnd, runInMemoryCgroup, type CgroupRunResult } from '../../support/cgroup.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIXTURE = join(ROOT, '.cache/groth16/bench/bn128-18');
const CLI = join(ROOT, 'bin/zkgpu.js');
const BUILT_CLI = join(ROOT, 'dist/src/cli/main.js');
const MiB = 2 ** 20;
const LIMIT = 512 * MiB;
const scale = Number(process.env.ZKGPU_TEST_TIMEOUT_SCALE ?? 1);
/** The fixture took 125 s here beside other work (circom 21 s, dev setup 48 s, snarkjs's checking proof 47 s). */
const FIXTURE_TIMEOUT_MS = 20 * 60_000 * scale;
/** A 2^18 proof on 2 threads: about a minute unbounded; a streamed one may take several. */
const PROOF_TIMEOUT_MS = 8 * 60_000 * scale;
const PLAN_TIMEOUT_MS = 2 * 60_000 * scale;

const support = cgroupMemorySupport();
if (!support.ok && process.env.CI) throw new Error(`CI must run the memory-limit tests, but: ${support.reason}`);
const skipReason = support.ok ? '' : ` (skipped: no memory cgroup: ${support.reason})`;

interface MemoryPlan {
  minimalBytes: number;
  comfortableBytes: number;
  runtimeBytes: number;
  budgetBytes: number;
  mode: 'whole' | 'streamed';
}

let work = '';
let plan: MemoryPlan | null = null;

const fixture = (f: string) => join(FIXTURE, f);

/** `node bin/zkgpu.js prove <key> <witness> <proof> <public> ...extra` in a group limited to `limitBytes`. */
function prove(tag: string, limitBytes: number | null, extra: string[], timeoutMs: number): Promise<CgroupRunResult & { proofPath: string; publicPath: string }> {
  const proofPath = join(work, `${tag}.proof.json`);
  const publicPath = join(work, `${tag}.public.json`);
  const argv = [process.execPath, CLI, 'prove', fixture('circuit.zkey'), fixture('witness.wtns'), proofPath, publicPath, ...extra];
  return runInMemoryCgroup(argv, {
    limitBytes,
    label: `prove18-${tag}`,
    cwd: ROOT,
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
    timeoutMs,
  }).then((r) => ({ ...r, proofPath, publicPath }));
}

/** The plan as `--dry-run --json` prints it inside the 512 MiB group (computed once per file). */
async function statedPlan(): Promise<MemoryPlan> {
  if (plan) return plan;
  const r = await prove('plan', LIMIT, ['--dry-run', '--json'], PLAN_TIMEOUT_MS);
  expect(r.exitCode, `--dry-run --json: ${describeEnd(r)}\n${r.stderr}`).toBe(0);
  expect(existsSync(r.proofPath), '--dry-run wrote a proof').toBe(false);
  let parsed: MemoryPlan;
  try {
    // The CLI prints { command, dryRun, zkey, plan }; the plan itself is groth16.plan's result.
    const printed = JSON.parse(r.stdout) as { plan?: MemoryPlan } & MemoryPlan;
    parsed = printed.plan ?? printed;
  } catch (e) {
    throw new Error(`--dry-run --json printed no JSON plan (${(e as Error).message}):\n${r.stdout}`);
  }
  console.log(`[memory-limit] 2^18 plan in a 512 MiB group: ${JSON.stringify(parsed)}`);
  plan = parsed;
  return parsed;
}

/** Whether `text` states `bytes` in bytes (plain or with separators) or in KiB/MiB/GiB to 0-2 decimals. */
function statesBytes(text: string, bytes: number): boolean {
  const forms = new Set([String(bytes), bytes.toLocaleString('en-US')]);
  for (const [unit, size] of [
    ['KiB', 2 ** 10],
    ['MiB', 2 ** 20],
    ['GiB', 2 ** 30],
  ] as const) {
    for (const digits of [0, 1, 2]) {
      const v = bytes / size;
      for (const n of [v.toFixed(digits), (Math.floor(v * 10 ** digits) / 10 ** digits).toFixed(digits), (Math.ceil(v * 10 ** digits) / 10 ** digits).toFixed(digits)]) {
        forms.add(`${n} ${unit}`);
        forms.add(`${n}${unit}`);
      }
    }
  }
  return [...forms].some((f) => text.includes(f));
}

/** Warns (does not fail) when src/ has a file newer than the built CLI: the test runs dist/, as users do. */
function warnIfDistStale(): void {
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
  if (newer.length > 0) console.warn(`[memory-limit] dist/ is older than ${newer.length} file(s) in src/ (${newer.slice(0, 3).join(', ')}...): run npm run build to test them`);
}

describe.skipIf(!support.ok)(`a 2^18 proof under a memory cgroup (the built CLI)${skipReason}`, () => {
  beforeAll(async () => {
    if (!existsSync(BUILT_CLI)) throw new Error(`the built CLI ${BUILT_CLI} is missing: run npm run build (the test runs node bin/zkgpu.js, as users do)`);
    warnIfDistStale();
    if (!existsSync(fixture('meta.json'))) {
      const t0 = performance.now();
      await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/make-groth16-fixtures.mjs'), '--bench', '18', '--dev-setup'], { cwd: ROOT, maxBuffer: 16 << 20 });
      console.log(`[memory-limit] built ${FIXTURE} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    work = mkdtempSync(join(tmpdir(), 'zkgpu-memory-limit-'));
  }, FIXTURE_TIMEOUT_MS);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(
    'proves inside 512 MiB with the budget it detects, and snarkjs verifies the proof',
    async () => {
      const r = await prove('512mib', LIMIT, [], PROOF_TIMEOUT_MS);
      console.log(
        `[memory-limit] 2^18 proof in a 512 MiB group: ${describeEnd(r)}, group peak ${mib(r.peakBytes)} (${r.peakSource}), ` +
          `VmHWM ${mib(r.vmHwmBytes)}, limit hits ${r.limitHits}, ${(r.wallMs / 1000).toFixed(1)} s; stdout: ${r.stdout.trim()}`,
      );
      expect(r.oomKilled, `OOM-killed at ${mib(r.peakBytes)}\n${r.stderr}`).toBe(false);
      expect(r.exitCode, `${describeEnd(r)}\n${r.stderr}`).toBe(0);
      const proof = JSON.parse(readFileSync(r.proofPath, 'utf8'));
      const publicSignals = JSON.parse(readFileSync(r.publicPath, 'utf8'));
      expect(publicSignals).toEqual(JSON.parse(readFileSync(fixture('public.json'), 'utf8')));
      const snarkjs = await import('snarkjs');
      const vkey = JSON.parse(readFileSync(fixture('vkey.json'), 'utf8'));
      expect(await snarkjs.groth16.verify(vkey, publicSignals, proof)).toBe(true);
    },
    PROOF_TIMEOUT_MS + 60_000,
  );

  it(
    '--dry-run --json states minimal and comfortable memory, the minimum within 512 MiB, and the detected budget',
    async () => {
      const p = await statedPlan();
      for (const k of ['minimalBytes', 'comfortableBytes', 'budgetBytes'] as const) {
        expect(Number.isSafeInteger(p[k]) && p[k] > 0, `${k}: ${p[k]}`).toBe(true);
      }
      expect(Number.isSafeInteger(p.runtimeBytes) && p.runtimeBytes >= 0, `runtimeBytes: ${p.runtimeBytes}`).toBe(true);
      expect(p.minimalBytes).toBeLessThanOrEqual(p.comfortableBytes);
      expect(p.minimalBytes).toBeLessThanOrEqual(LIMIT);
      // The budget is working memory beside the runtime's own footprint: both must fit in the group.
      expect(p.minimalBytes + p.runtimeBytes).toBeLessThanOrEqual(LIMIT);
      // No --max-host-bytes: the budget comes from the group's limit, so it cannot exceed it.
      expect(p.budgetBytes).toBeLessThanOrEqual(LIMIT);
      expect(['whole', 'streamed']).toContain(p.mode);
    },
    PLAN_TIMEOUT_MS + 30_000,
  );

  it(
    '--max-host-bytes below the stated minimum: PLAN_INFEASIBLE naming both figures, before any work',
    async () => {
      const { minimalBytes } = await statedPlan();
      // Three quarters of the minimum: far enough below it that the two figures differ in any unit.
      const budget = Math.floor(minimalBytes * 0.75);
      const r = await prove('infeasible', LIMIT, ['--max-host-bytes', String(budget)], PLAN_TIMEOUT_MS);
      console.log(`[memory-limit] --max-host-bytes ${budget}: ${describeEnd(r)}, group peak ${mib(r.peakBytes)}, ${(r.wallMs / 1000).toFixed(1)} s; stderr: ${r.stderr.trim()}`);
      expect(r.oomKilled).toBe(false);
      expect(r.exitCode === 0 || r.exitCode === null, `exit ${r.exitCode}`).toBe(false);
      expect(r.stderr).toContain('PLAN_INFEASIBLE');
      expect(statesBytes(r.stderr, minimalBytes), `the message names the minimum ${minimalBytes}: ${r.stderr}`).toBe(true);
      expect(statesBytes(r.stderr, budget), `the message names the budget ${budget}: ${r.stderr}`).toBe(true);
      expect(existsSync(r.proofPath)).toBe(false);
      expect(existsSync(r.publicPath)).toBe(false);
      if (r.peakBytes !== null) expect(r.peakBytes, 'the refusal used as much memory as a proof').toBeLessThan(minimalBytes);
    },
    PLAN_TIMEOUT_MS + 30_000,
  );

  it(
    'the stated minimum is the edge: a budget of exactly it plans, one byte less is PLAN_INFEASIBLE',
    async () => {
      const { minimalBytes } = await statedPlan();
      const at = await prove('at-minimum', LIMIT, ['--dry-run', '--json', '--max-host-bytes', String(minimalBytes)], PLAN_TIMEOUT_MS);
      expect(at.exitCode, `--max-host-bytes ${minimalBytes}: ${describeEnd(at)}\n${at.stderr}`).toBe(0);
      const printed = JSON.parse(at.stdout) as { plan?: MemoryPlan } & MemoryPlan;
      expect((printed.plan ?? printed).budgetBytes).toBe(minimalBytes);
      const below = await prove('below-minimum', LIMIT, ['--dry-run', '--json', '--max-host-bytes', String(minimalBytes - 1)], PLAN_TIMEOUT_MS);
      expect(below.exitCode === 0 || below.exitCode === null, `--max-host-bytes ${minimalBytes - 1}: ${describeEnd(below)}`).toBe(false);
      expect(below.stderr).toContain('PLAN_INFEASIBLE');
    },
    2 * PLAN_TIMEOUT_MS + 30_000,
  );
});

function mib(bytes: number | null): string {
  return bytes === null ? 'n/a' : `${(bytes / MiB).toFixed(1)} MiB`;
}
