/**
 * `zkgpu bench serve` end to end at its smallest: the service as a child process on loopback, the
 * library, the prepared prover and snarkjs in a loop, on the committed mulchain vector; every
 * proof is verified by snarkjs inside the command (exit code 1 otherwise). Figures are printed,
 * never asserted (speed is for the benchmark, not the test).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseServeBenchArgs } from '../../../bench/node/serve.js';
import { BenchUsageError } from '../../../bench/node/args.js';

const CLI = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

describe('zkgpu bench serve', () => {
  it('refuses bad options with a usage error naming the option', () => {
    expect(() => parseServeBenchArgs(['--only', '3'])).toThrow(BenchUsageError);
    expect(() => parseServeBenchArgs(['--rounds', '0'])).toThrow(/--rounds must be a positive integer/);
    expect(() => parseServeBenchArgs(['--only', '16', '--large', '/nonexistent'])).toThrow(/no circuit.zkey in \/nonexistent/);
  });

  it('times the service, the library, a prepared prover and snarkjs, every proof verified', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkgpu-serve-bench-'));
    try {
      const json = join(dir, 'serve.json');
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', CLI, 'bench', 'serve', '--only', 'small', '--rounds', '1', '--proofs-small', '3', '--clients', '2', '--threads', '2', '--json', json],
        { encoding: 'utf8', timeout: 300_000 },
      );
      console.log(r.stdout);
      expect(r.status, r.stderr).toBe(0);
      for (const way of ['service', 'library', 'prepared', 'snarkjs']) expect(r.stdout).toMatch(new RegExp(`mulchain 2\\^11\\s+${way}\\s+[\\d.]+ proofs/s.*all 3 verified`));
      expect(r.stdout).toMatch(/service time per proof vs library -?[\d.]+%, vs prepared -?[\d.]+%; service vs snarkjs loop [\d.]+x proofs\/s/);
      const figures = JSON.parse(readFileSync(json, 'utf8')) as { rows: { way: string; proofsPerSecond: number[] }[] };
      expect(figures.rows.map((row) => row.way)).toEqual(['service', 'library', 'prepared', 'snarkjs']);
      for (const row of figures.rows) expect(row.proofsPerSecond[0]).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 360_000);
});
