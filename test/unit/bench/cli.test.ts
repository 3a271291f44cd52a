import { describe, expect, it } from 'vitest';
import { COMMANDS, main, usage } from '../../../src/cli/main.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) } };
}

describe('zkgpu CLI dispatch', () => {
  it('lists every command in the usage', () => {
    for (const name of Object.keys(COMMANDS)) expect(usage()).toContain(`  ${name}`);
  });

  it('the usage points to bench groth16', () => {
    expect(usage()).toMatch(/^ {2}bench .*bench groth16/m);
  });

  it('--help and help exit 0 with usage on stdout', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const t = io();
      expect(await main(argv, t.io)).toBe(0);
      expect(t.out.join('\n')).toContain('Usage: zkgpu <command>');
    }
  });

  it('no command, an unknown command or an unknown global option exit 2 with usage on stderr', async () => {
    for (const [argv, msg] of [
      [[], 'Usage'],
      [['frobnicate'], 'unknown command "frobnicate"'],
      [['--nope'], 'unknown option --nope'],
    ] as const) {
      const t = io();
      expect(await main(argv, t.io)).toBe(2);
      expect(t.err.join('\n')).toContain(msg);
      expect(t.out).toEqual([]);
    }
  });

  it('a command usage error exits 2 with the command usage', async () => {
    const t = io();
    expect(await main(['bench', '--curve', 'nope'], t.io)).toBe(2);
    const err = t.err.join('\n');
    expect(err).toContain('--curve must be one of');
    expect(err).toContain('Usage: zkgpu bench');
  });

  it('bench --help exits 0', async () => {
    const t = io();
    expect(await main(['bench', '--help'], t.io)).toBe(0);
    expect(t.out.join('\n')).toContain('--peers');
  });
});
