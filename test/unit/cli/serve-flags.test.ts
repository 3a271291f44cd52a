/** `zkgpu serve`'s byte-size flags take what `zkgpu prove --max-host-bytes` takes: bytes or a binary unit. */
import { describe, expect, it } from 'vitest';
import { runServe } from '../../../src/cli/serve.js';

const io = { out: () => {}, err: () => {} };

describe('zkgpu serve byte sizes', () => {
  it('refuses a size that is not bytes or a number with a binary unit, naming the flag', async () => {
    for (const flag of ['--max-host-bytes', '--max-gpu-bytes', '--max-body']) {
      for (const bad of ['lots', '0', '-5', '1.5XB']) {
        await expect(runServe([`${flag}=${bad}`, '--circuit', 'tiny=/k.zkey'], io)).rejects.toThrow(`${flag} must be a positive size in bytes, optionally with a unit`);
      }
    }
  });
});
