import { describe, expect, it } from 'vitest';
import { BenchUsageError, DEFAULT_RUNS, DEFAULT_SIZES, QUICK_RUNS, QUICK_SIZES, parseBenchArgs } from '../../../bench/node/args.js';

describe('bench argument parsing', () => {
  it('defaults: both ops, bn254 g1, both peers', () => {
    const a = parseBenchArgs([]);
    expect(a.help).toBe(false);
    expect(a.seed).toBeNull();
    expect(a.config).toEqual({
      ops: ['msm', 'ntt'],
      curve: 'bn254',
      group: 'g1',
      sizes: DEFAULT_SIZES,
      runs: DEFAULT_RUNS,
      threads: null,
      backends: null,
      peers: ['ffjavascript', 'noble'],
      json: null,
      quick: false,
    });
  });

  it('--backend takes a list of engines, deduplicated in the given order', () => {
    expect(parseBenchArgs(['--backend', 'webgpu,wasm,webgpu']).config.backends).toEqual(['webgpu', 'wasm']);
    expect(parseBenchArgs(['--backend', 'wasm']).config.backends).toEqual(['wasm']);
    expect(() => parseBenchArgs(['--backend', 'cuda'])).toThrow(/--backend must be one of wasm, webgpu; got "cuda"/);
    expect(() => parseBenchArgs(['--backend', ','])).toThrow(/--backend needs a list/);
  });

  it('--quick picks the small set; explicit options win', () => {
    const q = parseBenchArgs(['--quick']);
    expect(q.config.sizes).toEqual(QUICK_SIZES);
    expect(q.config.runs).toBe(QUICK_RUNS);
    expect(q.config.ops).toEqual(['msm', 'ntt']);
    const q2 = parseBenchArgs(['--quick', '--runs', '7', '--sizes', '10']);
    expect(q2.config.runs).toBe(7);
    expect(q2.config.sizes).toEqual([10]);
  });

  it('parses every option', () => {
    const a = parseBenchArgs([
      'ntt',
      'msm',
      'ntt',
      '--curve',
      'bls12-381',
      '--group',
      'g2',
      '--sizes',
      '16, 12,14,12',
      '--runs',
      '9',
      '--threads',
      '4',
      '--peers',
      'noble',
      '--seed',
      '42',
      '--json',
      'out.json',
    ]);
    expect(a.seed).toBe('42');
    expect(a.config).toMatchObject({
      ops: ['msm', 'ntt'],
      curve: 'bls12-381',
      group: 'g2',
      sizes: [12, 14, 16],
      runs: 9,
      threads: 4,
      peers: ['noble'],
      json: 'out.json',
    });
  });

  it('--peers none means no timed peers', () => {
    expect(parseBenchArgs(['--peers', 'none']).config.peers).toEqual([]);
  });

  it('-h and --help', () => {
    expect(parseBenchArgs(['-h']).help).toBe(true);
    expect(parseBenchArgs(['msm', '--help']).help).toBe(true);
  });

  const bad: [string[], RegExp][] = [
    [['fft'], /unknown op "fft"/],
    [['--curve', 'secp256k1'], /--curve must be one of bn254, bls12-381/],
    [['--group', 'g3'], /--group must be one of g1, g2/],
    [['--sizes', '12,x'], /--sizes entry 2 \("x"\)/],
    [['--sizes', '12,27'], /--sizes entry 2 \(27\) must be between 1 and 26/],
    [['--sizes', ','], /at least one/],
    [['--runs', '0'], /--runs must be between 1/],
    [['--runs', '2.5'], /--runs must be an integer/],
    [['--threads', '-1'], /threads/],
    [['--peers', 'snarkjs'], /--peers must be one of ffjavascript, noble/],
    [['--seed', '4294967296'], /--seed must be between 0 and 4294967295/],
    [['--seed', 'abc'], /--seed must be an integer/],
    [['--json', ''], /--json needs a file name/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--runs'], /argument missing|--runs/],
  ];
  it.each(bad)('rejects %j', (argv, message) => {
    let err: unknown;
    try {
      parseBenchArgs(argv);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BenchUsageError);
    expect((err as BenchUsageError).code).toBe('USAGE');
    expect((err as Error).message).toMatch(message);
  });
});
