import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench } from '../../../bench/run.js';
import { validateReport, type BenchReport } from '../../../bench/schema.js';

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
        'msm/zkgpu/4', 'msm/ffjavascript/4', 'msm/noble/4', 'msm/zkgpu/5', 'msm/ffjavascript/5', 'msm/noble/5',
        'ntt/zkgpu/4', 'ntt/ffjavascript/4', 'ntt/zkgpu/5', 'ntt/ffjavascript/5',
      ].sort(),
    );
    expect(report.results.find((r) => r.impl === 'zkgpu')).toMatchObject({ backend: 'wasm', threads: 2, runs: 2 });
    expect(report.comparisons).toHaveLength(6);
    expect(t.out.join('\n')).toContain('seed 99');
  });

  it('BLS12-381 G2 with --peers none: ffjavascript still checks but is not timed', async () => {
    const t = capture();
    const code = await runBench(['msm', '--curve', 'bls12-381', '--group', 'g2', '--sizes', '3', '--runs', '1', '--peers', 'none', '--backend', 'wasm'], t.io);
    expect(code).toBe(0);
    expect(t.out.some((l) => l.includes('zkgpu-wasm'))).toBe(true);
    expect(t.out.some((l) => /^msm .*ffjavascript/.test(l))).toBe(false);
  });
});
