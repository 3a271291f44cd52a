import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('../../support/children/pool-exit.ts', import.meta.url));

function runFixture(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', fixture, ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('process lifetime', () => {
  it('Node exits after dispose()', () => {
    const result = runFixture([]);
    expect(result.error, 'the process did not exit in time').toBeUndefined();
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('done 64');
  });

  it('idle workers do not keep Node alive even without dispose()', () => {
    const result = runFixture(['--no-dispose']);
    expect(result.error, 'the process did not exit in time').toBeUndefined();
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('done 64');
  });

  it('workers prestarted before the runtime (the CLI) are taken by it, the same sum comes out, and the unused one does not keep Node alive', () => {
    const plain = runFixture(['--no-dispose']);
    const early = runFixture(['--prestart', '3', '--no-dispose']);
    expect(early.error, 'the process did not exit in time').toBeUndefined();
    expect(early.status, early.stderr).toBe(0);
    // Two of the three went to the runtime's pool.
    expect(early.stdout).toContain('prestarted left 1');
    expect(plain.stdout).toContain('prestarted left 0');
    const sum = (out: string) => /done 64 ([0-9a-f]+)/.exec(out)?.[1];
    expect(sum(early.stdout)).toBeDefined();
    expect(sum(early.stdout)).toBe(sum(plain.stdout));
  });
});
