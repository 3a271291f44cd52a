/**
 * `zkgpu prove` as a user runs it (a child process): what a one-shot proof starts. Under the
 * default `--backend auto`, a proof whose largest job is below the 'auto' GPU threshold opens no
 * GPU, so Dawn's native module is never loaded; the process exits by itself and snarkjs verifies
 * the proof. A probe preloaded into the child reads /proc/self/maps at exit; `zkgpu info` (which
 * opens the adapter this machine has: lavapipe) shows that the probe sees Dawn when it is there.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ONE_SHOT_GPU_MIN_ELEMENTS, proofGpuOptions, proofMayUseGpu } from '../../../src/cli/groth16.js';
import { AUTO_GPU_MIN_ELEMENTS } from '../../../src/index.js';
import { fixture, loadSnarkjs, readJson, terminateSnarkjsCurves } from '../../support/groth16/committed-vectors.js';

const BN = fixture('bn128/mulchain');
const dir = mkdtempSync(join(tmpdir(), 'zkgpu-cli-prove-'));

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await terminateSnarkjsCurves();
});

/** Preloaded into the child: at exit, whether Dawn's dawn.node is mapped into the process. */
const DAWN_PROBE =
  'data:text/javascript,import{readFileSync,writeSync}from"node:fs";' +
  'process.on("exit",()=>writeSync(2,"\\nzkgpu-probe dawn-loaded="+/dawn\\.node/.test(readFileSync("/proc/self/maps","utf8"))+"\\n"))';

function zkgpu(args: string[]): { status: number | null; stdout: string; stderr: string; dawnLoaded: boolean } {
  const r = spawnSync(process.execPath, ['--import', DAWN_PROBE, '--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
  });
  const probe = /zkgpu-probe dawn-loaded=(true|false)/.exec(r.stderr);
  if (!probe) throw new Error(`the probe did not report (status ${r.status}): ${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, dawnLoaded: probe[1] === 'true' };
}

describe('zkgpu prove: what a one-shot proof starts', () => {
  it('below the GPU threshold, --backend auto (the default) loads no Dawn; the proof verifies and the process exits by itself', async () => {
    const meta = readJson<{ domainSize: number; nVars: number }>(join(BN.dir, 'meta.json'));
    // The premise: every job of this proof is below the threshold, so 'auto' would keep it on the workers.
    expect(Math.max(meta.domainSize, meta.nVars)).toBeLessThan(AUTO_GPU_MIN_ELEMENTS);
    const r = zkgpu(['prove', BN.zkey, BN.wtns, join(dir, 'proof.json'), join(dir, 'public.json'), '--threads', '2']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/kept the process alive/);
    expect(r.dawnLoaded).toBe(false);
    const snarkjs = await loadSnarkjs();
    const proof = readJson(join(dir, 'proof.json'));
    const publicSignals = readJson(join(dir, 'public.json'));
    expect(publicSignals).toEqual(readJson(BN.snarkjsPublic));
    expect(await snarkjs.groth16.verify(readJson(BN.vkey), publicSignals, proof)).toBe(true);
  });

  it('the probe sees Dawn where a command opens the adapter (zkgpu info on this machine: lavapipe)', () => {
    const r = zkgpu(['info', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).gpus).toHaveLength(1);
    expect(r.dawnLoaded).toBe(true);
  });

  it('--dry-run plans on the runtime the proof would have: no Dawn for this key, the plan printed', () => {
    const r = zkgpu(['prove', BN.zkey, BN.wtns, join(dir, 'dry-proof.json'), join(dir, 'dry-public.json'), '--dry-run', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as { dryRun: boolean; plan: { mode: string; minimalBytes: number; comfortableBytes: number } };
    expect(printed.dryRun).toBe(true);
    expect(printed.plan.mode).toBe('whole');
    expect(printed.plan.minimalBytes).toBeGreaterThan(0);
    expect(printed.plan.minimalBytes).toBeLessThanOrEqual(printed.plan.comfortableBytes);
    expect(r.dawnLoaded).toBe(false);
    expect(() => readFileSync(join(dir, 'dry-proof.json'))).toThrow();
  });

  it('--gpus naming no adapter is still refused for a proof too small for a GPU (the named adapters are opened)', () => {
    const r = zkgpu(['prove', BN.zkey, BN.wtns, join(dir, 'g-proof.json'), join(dir, 'g-public.json'), '--gpus', 'no-such-adapter-zkgpu']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no adapter name contains 'no-such-adapter-zkgpu'\. Available adapters: .*llvmpipe/);
    expect(() => readFileSync(join(dir, 'g-proof.json'))).toThrow();
  });

  it('a bad key still fails as before (exit 1 naming the error), with no Dawn loaded', () => {
    const r = zkgpu(['prove', join(dir, 'missing.zkey'), BN.wtns, join(dir, 'p.json'), join(dir, 'q.json')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^zkgpu prove: .*missing\.zkey.*\[FILE_READ_ERROR\]$/m);
    expect(r.dawnLoaded).toBe(false);
    expect(() => readFileSync(join(dir, 'p.json'))).toThrow();
  });
});

describe('proofMayUseGpu (a one-shot CLI proof opens a GPU only for jobs that repay the opening)', () => {
  const at = (n: number) => ({ domainSize: n, nVars: 1 });
  const from = Math.max(ONE_SHOT_GPU_MIN_ELEMENTS, AUTO_GPU_MIN_ELEMENTS);
  it("'auto': from ONE_SHOT_GPU_MIN_ELEMENTS on (never below the runtime's own 'auto' threshold), by the larger of domainSize and nVars", () => {
    expect(from).toBeGreaterThanOrEqual(AUTO_GPU_MIN_ELEMENTS);
    expect(proofMayUseGpu(undefined, at(from - 1))).toBe(false);
    // A merkle-sized proof (2^14: 'auto' would give a hardware GPU its H MSM) opens none.
    expect(proofMayUseGpu('auto', at(1 << 14))).toBe(false);
    expect(proofMayUseGpu('auto', at(from))).toBe(true);
    expect(proofMayUseGpu(undefined, { domainSize: 2048, nVars: from })).toBe(true);
    expect(proofMayUseGpu('auto', { domainSize: 2048, nVars: from - 1 })).toBe(false);
  });

  it("the runtime's GPU options: named adapters as named; none below the threshold; hardware only under 'auto'; the default under 'webgpu'", () => {
    const big = at(from);
    expect(proofGpuOptions('auto', big, true)).toEqual({});
    expect(proofGpuOptions('auto', at(from - 1), false)).toEqual({ gpu: false });
    expect(proofGpuOptions(undefined, big, false)).toEqual({ gpus: 'hardware' });
    expect(proofGpuOptions('auto', big, false)).toEqual({ gpus: 'hardware' });
    expect(proofGpuOptions('webgpu', at(64), false)).toEqual({});
    expect(proofGpuOptions('wasm', big, false)).toEqual({ gpu: false });
  });

  it("'webgpu' always (a pinned GPU must be opened, even for a tiny proof); 'wasm' never", () => {
    expect(proofMayUseGpu('webgpu', at(64))).toBe(true);
    expect(proofMayUseGpu('wasm', at(1 << 20))).toBe(false);
  });
});
