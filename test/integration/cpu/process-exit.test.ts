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
});
