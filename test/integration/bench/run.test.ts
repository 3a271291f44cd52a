import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../../../src/index.js';
import { parseBenchReport, validateReport, type BenchReport } from '../../../bench/core/schema.js';
import { runSuite } from '../../../bench/core/suite.js';
import { runBench } from '../../../bench/node/run.js';
import { isNotInstalled, loadPeers, missingPeerNote } from '../../../bench/node/peers/load.js';
import { RssSampler } from '../../../bench/node/rss.js';

// End to end at tiny sizes: real runtime (wasm workers), ffjavascript as the reference.
const dir = mkdtempSync(join(tmpdir(), 'zkgpu-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) } };
}

describe('runBench end to end', () => {
  it('checks, times and writes a valid report (BN254, 2^4 and 2^5, ffjavascript + noble)', async () => {
    const json = join(dir, 'r.json');
    const t = capture();
    const code = await runBench(['--sizes', '4,5', '--runs', '2', '--threads', '2', '--seed', '99', '--backend', 'wasm', '--json', json], t.io);
    expect(t.err.filter((l) => l.includes('!!!'))).toEqual([]);
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as BenchReport;
    expect(validateReport(report)).toEqual([]);
    expect(report.config.seed).toBe('99');
    expect(report.config.backends).toEqual(['wasm']);
    // msm: zkgpu, ffjavascript, noble; ntt: zkgpu, ffjavascript; at two sizes
    expect(report.results.map((r) => `${r.op}/${r.impl}/${r.logN}`).sort()).toEqual(
      [
        'msm/zkgpu/4',
        'msm/ffjavascript/4',
        'msm/noble/4',
        'msm/zkgpu/5',
        'msm/ffjavascript/5',
        'msm/noble/5',
        'ntt/zkgpu/4',
        'ntt/ffjavascript/4',
        'ntt/zkgpu/5',
        'ntt/ffjavascript/5',
      ].sort(),
    );
    expect(report.results.find((r) => r.impl === 'zkgpu')).toMatchObject({ backend: 'wasm', threads: 2, runs: 2 });
    expect(report.comparisons).toHaveLength(6);
    expect(t.out.join('\n')).toContain('seed 99');
    // with both peers installed, zkgpu is checked against them (noble where it runs)
    const zk = (op: string, logN: number) => report.results.find((r) => r.impl === 'zkgpu' && r.op === op && r.logN === logN)!;
    expect(zk('msm', 4).checkedAgainst).toEqual(['ffjavascript', 'noble']);
    expect(zk('ntt', 5).checkedAgainst).toEqual(['ffjavascript']);
    expect(report.results.find((r) => r.impl === 'noble')!.checkedAgainst).toEqual(['zkgpu-wasm']);
    expect(report.missingPeers).toBeUndefined();
    expect(parseBenchReport(report).results).toHaveLength(10);
  });

  it('BLS12-381 G2 with --peers none: ffjavascript still checks but is not timed', async () => {
    const t = capture();
    const code = await runBench(['msm', '--curve', 'bls12-381', '--group', 'g2', '--sizes', '3', '--runs', '1', '--peers', 'none', '--backend', 'wasm'], t.io);
    expect(code).toBe(0);
    expect(t.out.some((l) => l.includes('zkgpu-wasm'))).toBe(true);
    // no ffjavascript row (the impl column), but it is what zkgpu's row was checked against
    expect(t.out.some((l) => /^msm\s+\S+\s+\S+\s+\d+\s+ffjavascript/.test(l))).toBe(false);
    expect(t.out.find((l) => l.includes('zkgpu-wasm') && l.startsWith('msm'))).toMatch(/ffjavascript$/);
  });

  it('without any peer installed, zkgpu/math checks every zkgpu row, which are all still timed', async () => {
    const rt = await createRuntime({ threads: 2, gpu: false });
    const notes: string[] = [];
    const failures: string[] = [];
    try {
      const outcome = await runSuite(
        { ops: ['msm', 'ntt'], curve: 'bn254', group: 'g1', sizes: [6, 9], runs: 2, seed: 5, backends: ['wasm'], timedPeers: ['ffjavascript', 'noble'] },
        { runtime: rt, peers: new Map(), sampler: new RssSampler(10), events: { row: () => {}, failure: (f) => void failures.push(f.message), note: (m) => void notes.push(m) } },
      );
      expect(failures).toEqual([]);
      expect(outcome.results.map((r) => `${r.op}/${r.impl}/${r.logN}/${r.checkedAgainst?.join('+')}`)).toEqual([
        'msm/zkgpu/6/zkgpu/math',
        'msm/zkgpu/9/zkgpu/math',
        'ntt/zkgpu/6/zkgpu/math',
        'ntt/zkgpu/9/zkgpu/math',
      ]);
      for (const r of outcome.results) expect(r.ms.all).toHaveLength(2);
    } finally {
      await rt.dispose();
    }
  });
});

describe('optional peers', () => {
  it('a package that is not installed is told apart from one that fails to load', async () => {
    const e = await import('zkgpu-no-such-package-' + 'for-this-test').catch((x: unknown) => x);
    expect(isNotInstalled(e, 'zkgpu-no-such-package-for-this-test')).toBe(true);
    expect(isNotInstalled(e, 'ffjavascript')).toBe(false);
    expect(isNotInstalled(new Error('boom'), 'ffjavascript')).toBe(false);
    expect(missingPeerNote([{ name: 'noble', packageName: '@noble/curves' }])).toBe('not installed: @noble/curves; add it with npm i -D @noble/curves');
    expect(
      missingPeerNote([
        { name: 'ffjavascript', packageName: 'ffjavascript' },
        { name: 'noble', packageName: '@noble/curves' },
      ]),
    ).toBe('not installed: ffjavascript, @noble/curves; add them with npm i -D ffjavascript @noble/curves');
  });

  it('installed peers load (this repository has both as devDependencies)', async () => {
    const { peers, missing } = await loadPeers(['ffjavascript', 'noble']);
    expect(missing).toEqual([]);
    expect([...peers.keys()]).toEqual(['ffjavascript', 'noble']);
    for (const p of peers.values()) await p.close();
  });
});
