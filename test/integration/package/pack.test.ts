/**
 * The npm-installed experience, as a user meets it: `npm pack` of this repository, the tarball
 * installed with npm into an empty directory (dependencies from the registry, devDependencies
 * absent: no ffjavascript of our own, no @noble/curves), then the CLI run there with npx.
 * snarkjs (from this repository) verifies the proof the installed package makes, and the bench
 * report is validated with the report schema.
 *
 * Slow by nature: the install builds better-sqlite3 from source where no prebuilt binary can be
 * downloaded (about 3 minutes on 2 cores), and the whole file takes several minutes. It runs the
 * package's install scripts as a user's npm would: --ignore-scripts would skip exactly the native
 * build a user's install has to get through.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBenchReport } from '../../../bench/core/schema.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const TINY = join(REPO, 'test/vectors/groth16/bn128/tiny');
const MINUTE = 60_000;

const work = mkdtempSync(join(tmpdir(), 'zkgpu-pack-'));
const app = join(work, 'app');
const timings: [string, number][] = [];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The child's environment: this one without what vitest or a parent npm put there. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp', npm_config_audit: 'false', npm_config_fund: 'false' };
  for (const key of Object.keys(env)) if (key === 'NODE_OPTIONS' || key.startsWith('VITEST') || key.startsWith('npm_lifecycle') || key === 'npm_package_json') delete env[key];
  return env;
}

function run(step: string, cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<Run> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: userEnv(), timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      timings.push([step, performance.now() - t0]);
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr: error && code === -1 ? `${stderr}\n${error.message}` : stderr });
    });
  });
}

function expectOk(r: Run, what: string): void {
  expect(r.code, `${what} failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).toBe(0);
}

let tarball: string;
let packedFiles: string[];

beforeAll(async () => {
  // The build the package ships; `npm pack` would run it again through "prepare", hence
  // --ignore-scripts on the pack (only there). ZKGPU_PACK_PREBUILT=1: dist/ was built by the
  // caller just before (a CI job that already ran `npm run build`).
  if (process.env.ZKGPU_PACK_PREBUILT !== '1') expectOk(await run('npm run build', 'npm', ['run', 'build'], REPO, 10 * MINUTE), 'npm run build');
  const pack = await run('npm pack', 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO, 5 * MINUTE);
  expectOk(pack, 'npm pack');
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info.filename);
  packedFiles = info.files.map((f) => f.path);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'zkgpu-user', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  expectOk(await run('npm install <tarball>', 'npm', ['install', tarball], app, 20 * MINUTE), 'npm install of the tarball');
}, 40 * MINUTE);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  const total = timings.reduce((a, [, ms]) => a + ms, 0);
  console.log(`package test steps: ${timings.map(([s, ms]) => `${s} ${(ms / 1000).toFixed(1)} s`).join(', ')}; total ${(total / 1000).toFixed(1)} s`);
});

describe('the packed package', () => {
  it('ships the built library, CLI, wasm and shaders, and nothing from test/', () => {
    for (const path of [
      'package.json',
      'bin/zkgpu.js',
      'dist/src/index.js',
      'dist/src/math/index.js',
      'dist/src/cli/main.js',
      // The proving verbs' bundle (scripts/bundle-cli.mjs), what `npx zkgpu prove` below runs.
      'dist/src/cli/groth16.bundle.js',
      'dist/bench/node/run.js',
      'dist/bench/core/schema.js',
      'dist/wasm/pkg/zkgpu.wasm',
      'README.md',
    ]) {
      expect(packedFiles, path).toContain(path);
    }
    expect(packedFiles.some((p) => p.startsWith('dist/shaders/') && p.endsWith('.wgsl'))).toBe(true);
    expect(packedFiles.filter((p) => /(^|\/)test\/|\.test\.[jt]s$/.test(p))).toEqual([]);
    // Every compiled module has its source (a bundle, the source of what it bundles): nothing
    // stale from files that were moved or deleted.
    const stale = packedFiles.filter((p) => /^dist\/(src|bench|workers)\/.*\.js$/.test(p) && !existsSync(join(REPO, p.replace(/^dist\//, '').replace(/(\.bundle)?\.js$/, '.ts'))));
    expect(stale).toEqual([]);
  });

  it('installs without the devDependencies', () => {
    expect(existsSync(join(app, 'node_modules/zkgpu/package.json'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/vitest'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/typescript'))).toBe(false);
  });

  it('npx zkgpu --help lists the commands, bench groth16 included', async () => {
    const r = await run('npx zkgpu --help', 'npx', ['zkgpu', '--help'], app, 2 * MINUTE);
    expectOk(r, 'zkgpu --help');
    expect(r.stdout).toContain('Usage: zkgpu <command>');
    for (const command of ['bench', 'prove', 'verify', 'info']) expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(r.stdout).toContain('bench groth16');
  });

  it('npx zkgpu info describes the machine', async () => {
    const r = await run('npx zkgpu info', 'npx', ['zkgpu', 'info', '--json'], app, 2 * MINUTE);
    expectOk(r, 'zkgpu info');
    const info = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(JSON.stringify(info)).toMatch(/thread/i);
  });

  it('npx zkgpu prove makes a proof that snarkjs verifies', async () => {
    const r = await run('npx zkgpu prove', 'npx', ['zkgpu', 'prove', join(TINY, 'circuit.zkey'), join(TINY, 'witness.wtns'), 'proof.json', 'public.json'], app, 5 * MINUTE);
    expectOk(r, 'zkgpu prove');
    const proof = JSON.parse(readFileSync(join(app, 'proof.json'), 'utf8'));
    const publicSignals = JSON.parse(readFileSync(join(app, 'public.json'), 'utf8'));
    const vkey = JSON.parse(readFileSync(join(TINY, 'vkey.json'), 'utf8'));
    expect(await snarkjs.groth16.verify(vkey, publicSignals, proof)).toBe(true);
    expect(publicSignals).toEqual(JSON.parse(readFileSync(join(TINY, 'public.json'), 'utf8')));
  });

  it('npx zkgpu bench --quick checks and times zkgpu at every size, without the missing peers', async () => {
    const r = await run('npx zkgpu bench --quick', 'npx', ['zkgpu', 'bench', '--quick', '--json', 'bench.json'], app, 20 * MINUTE);
    expectOk(r, 'zkgpu bench --quick');
    const report = parseBenchReport(JSON.parse(readFileSync(join(app, 'bench.json'), 'utf8')), 'bench.json');
    expect(report.failures).toEqual([]);
    for (const op of ['msm', 'ntt'] as const) {
      for (const logN of [12, 14]) {
        const rows = report.results.filter((x) => x.impl === 'zkgpu' && x.op === op && x.logN === logN);
        expect(rows.length, `${op} 2^${logN}`).toBeGreaterThan(0);
        for (const row of rows) {
          expect(row.checked).toBe(true);
          expect(row.checkedAgainst?.length, `${op} 2^${logN} ${row.backend}`).toBeGreaterThan(0);
        }
      }
    }
    // Peers that are not installed are said once, with how to add them, and listed in the report.
    const missing = (['ffjavascript', 'noble'] as const).filter((p) => !existsSync(join(app, 'node_modules', p === 'noble' ? '@noble/curves' : p)));
    expect(report.missingPeers ?? []).toEqual(missing);
    for (const p of missing) {
      const pkg = p === 'noble' ? '@noble/curves' : p;
      expect(r.stderr.split(`not installed: `).length - 1).toBe(1);
      expect(r.stderr).toContain(`npm i -D`);
      expect(r.stderr).toContain(pkg);
    }
    expect(r.stdout).toContain('checked against');
  });

  it('without ffjavascript either (a strict layout, as pnpm makes), zkgpu/math checks every zkgpu row', async () => {
    // npm hoists snarkjs's ffjavascript next to zkgpu; pnpm would not. Hide it for this run only.
    const ffjavascript = join(app, 'node_modules/ffjavascript');
    const hidden = join(app, 'node_modules/.ffjavascript-hidden');
    const wasThere = existsSync(ffjavascript);
    if (wasThere) renameSync(ffjavascript, hidden);
    let r: Run;
    try {
      r = await run('npx zkgpu bench (no peers)', 'npx', ['zkgpu', 'bench', '--sizes', '10,12', '--runs', '1', '--backend', 'wasm', '--json', 'oracle.json'], app, 10 * MINUTE);
    } finally {
      if (wasThere) renameSync(hidden, ffjavascript);
    }
    expectOk(r, 'zkgpu bench without peers');
    const report = parseBenchReport(JSON.parse(readFileSync(join(app, 'oracle.json'), 'utf8')), 'oracle.json');
    expect(report.missingPeers).toEqual(['ffjavascript', 'noble']);
    expect(report.results.map((x) => `${x.op}/${x.impl}/${x.logN}/${x.checkedAgainst?.join('+')}`)).toEqual([
      'msm/zkgpu/10/zkgpu/math',
      'msm/zkgpu/12/zkgpu/math',
      'ntt/zkgpu/10/zkgpu/math',
      'ntt/zkgpu/12/zkgpu/math',
    ]);
    expect(r.stderr.split('not installed: ').length - 1).toBe(1);
    expect(r.stderr).toContain('not installed: ffjavascript, @noble/curves; add them with npm i -D ffjavascript @noble/curves');
    expect(r.stdout).toMatch(/^msm .*zkgpu-wasm .*zkgpu\/math$/m);
  });
});
