import { afterEach, describe, expect, it } from 'vitest';
import { MAX_STAGING_BYTES, WorkerPool, postable } from '../../../src/cpu/pool.js';
import { isZkgpuError } from '../../../src/core/errors.js';
import { engineModule } from '../../support/engine-module.js';

// A BN254 G1 MSM of this many points keeps a worker busy for a noticeable time (~0.5 s here),
// long enough to abort or crash it while it runs.
const BUSY_N = 1 << 15;

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.dispose();
  pool = undefined;
});

async function busyInputs(p: WorkerPool) {
  const points = await p.run((api) => api.generatePoints('bn254', 'g1', BUSY_N, 7));
  const scalars = new Uint8Array(BUSY_N * 32).fill(0x55);
  for (let i = 31; i < scalars.length; i += 32) scalars[i] = 0x0f; // keep every scalar below r
  return { points, scalars };
}

describe('WorkerPool', () => {
  it('runs tasks on every worker and reports its size', async () => {
    pool = await WorkerPool.create({ threads: 2, module: await engineModule() });
    expect(pool.size).toBe(2);
    const seen = await Promise.all([0, 1, 2, 3].map(() => pool!.run(async (_api, worker) => worker)));
    expect(new Set(seen)).toEqual(new Set([0, 1]));
  });

  it('rejects a queued task with AbortError when its signal aborts, and keeps working', async () => {
    pool = await WorkerPool.create({ threads: 1, module: await engineModule() });
    const { points, scalars } = await busyInputs(pool);
    const running = pool.run((api) => api.msm('bn254', 'g1', points, scalars));
    const controller = new AbortController();
    const queued = pool.run((api) => api.memoryBytes(), controller.signal);
    expect(pool.pending).toBe(1);
    controller.abort(new Error('user cancelled'));
    await expect(queued).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    expect(pool.pending).toBe(0);
    await expect(running).resolves.toBeInstanceOf(Uint8Array);
  });

  it('rejects a running task with AbortError first, then replaces its worker', async () => {
    pool = await WorkerPool.create({ threads: 1, module: await engineModule() });
    const { points, scalars } = await busyInputs(pool);
    const controller = new AbortController();
    const running = pool.run((api) => api.msm('bn254', 'g1', points, scalars), controller.signal);
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await expect(running).rejects.toMatchObject({ code: 'ABORTED' });
    // The rejection does not wait for the MSM to finish.
    expect(Date.now() - started).toBeLessThan(5_000);
    // The replacement worker takes new work.
    await expect(pool.run((api) => api.memoryBytes())).resolves.toBeGreaterThan(0);
  });

  it('starts queued tasks by priority, equal priorities in arrival order', async () => {
    pool = await WorkerPool.create({ threads: 1, module: await engineModule() });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const started: string[] = [];
    const task = (label: string) => async () => {
      started.push(label);
    };
    const holding = pool.run(() => gate);
    const queued = [
      ['a', 0],
      ['b', 1],
      ['c', 0],
      ['d', 2],
      ['e', 1],
      ['f', -1],
    ].map(([label, priority]) => pool!.run(task(label as string), undefined, priority as number));
    expect(pool.pending).toBe(6);
    open();
    await Promise.all([holding, ...queued]);
    expect(started).toEqual(['d', 'b', 'e', 'a', 'c', 'f']);
  });

  it("gives a freed worker to the finished task's follow-up when it outranks what was waiting", async () => {
    // A prover queues its quotient when the last transform ends: the long MSM waiting at a lower
    // priority must not take the worker in between.
    pool = await WorkerPool.create({ threads: 1, module: await engineModule() });
    const started: string[] = [];
    const task = (label: string) => async () => {
      started.push(label);
    };
    const first = pool.run(task('transform'), undefined, 1);
    const waiting = pool.run(task('msm'), undefined, 0);
    const followUp = first.then(() => pool!.run(task('quotient'), undefined, 1));
    await Promise.all([first, waiting, followUp]);
    expect(started).toEqual(['transform', 'quotient', 'msm']);
  });

  it("stages inputs in each worker's own reused shared buffer; never posts or detaches the caller's", async () => {
    pool = await WorkerPool.create({ threads: 2, module: await engineModule() });
    const a = new Uint8Array(1000).map((_, i) => i & 0xff);
    const b = new Uint8Array(77).fill(9);
    const first = pool.stage(0, [a, b])!;
    expect(first[0].buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(first[0]).toEqual(a);
    expect(first[1]).toEqual(b);
    expect(first[1].byteOffset % 16).toBe(0);
    const again = pool.stage(0, [b])!;
    expect(again[0].buffer).toBe(first[0].buffer); // reused, not reallocated
    expect(pool.stage(1, [a])![0].buffer).not.toBe(first[0].buffer); // one buffer per worker
    expect(pool.stage(0, [new Uint8Array(MAX_STAGING_BYTES + 1)])).toBeNull();
    // What a task posts: staged views, or the caller's shared memory as it is; the caller's plain arrays stay whole.
    const shared = new Uint8Array(new SharedArrayBuffer(64)).fill(3);
    const [x, y] = postable(pool, 1, [a, shared]);
    expect(x.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(x).toEqual(a);
    expect(y).toBe(shared);
    expect(a.length).toBe(1000);
    // Each worker reads its own staging: two concurrent NTTs of different inputs give their own answers.
    const values = (seed: number) => new Uint8Array(32 * 1024).map((_, i) => (i % 32 === 31 ? 0 : (i * seed) & 0xff));
    const [v1, v2] = [values(3), values(5)];
    const alone = await Promise.all([v1, v2].map((v) => pool!.run((api) => api.ntt('bn254', v.slice(), {}))));
    const staged = await Promise.all([v1, v2].map((v) => pool!.run((api, worker) => api.ntt('bn254', postable(pool!, worker, [v])[0], {}))));
    expect(staged).toEqual(alone);
  });

  it('rejects an already-aborted signal without queuing', async () => {
    pool = await WorkerPool.create({ threads: 1, module: await engineModule() });
    await expect(pool.run((api) => api.memoryBytes(), AbortSignal.abort())).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('rejects the pending call of a worker that crashes, emits worker-exit, and replaces it', async () => {
    pool = await WorkerPool.create({ threads: 2, module: await engineModule() });
    const exits: Array<{ worker: number; replaced: boolean }> = [];
    pool.addEventListener('worker-exit', (e) => exits.push((e as CustomEvent).detail));
    const crashed = pool.run((api) => api.crash());
    await expect(crashed).rejects.toSatisfy((e: unknown) => isZkgpuError(e, 'WORKER_CRASHED'));
    await expect.poll(() => exits.length, { timeout: 10_000 }).toBe(1);
    expect(exits[0].replaced).toBe(true);
    expect(pool.liveWorkers).toBe(2);
    const results = await Promise.all([0, 1, 2, 3].map(() => pool!.run((api) => api.memoryBytes())));
    expect(results.every((b) => b > 0)).toBe(true);
  });

  it('dispose() rejects running and queued tasks with DISPOSED and refuses new ones', async () => {
    pool = await WorkerPool.create({ threads: 1, module: await engineModule() });
    const { points, scalars } = await busyInputs(pool);
    const running = expect(pool.run((api) => api.msm('bn254', 'g1', points, scalars))).rejects.toMatchObject({ code: 'DISPOSED' });
    const queued = expect(pool.run((api) => api.memoryBytes())).rejects.toMatchObject({ code: 'DISPOSED' });
    await pool.dispose();
    await running;
    await queued;
    await expect(pool.run((api) => api.memoryBytes())).rejects.toMatchObject({ code: 'DISPOSED' });
  });

  it('fails creation with a clear error when a worker cannot start, without respawning it', async () => {
    let spawned = 0;
    const spawn = async () => {
      spawned++;
      throw new Error('no threads available');
    };
    await expect(WorkerPool.create({ threads: 2, module: await engineModule(), spawn })).rejects.toMatchObject({
      code: 'WORKER_CRASHED',
      message: expect.stringContaining('no threads available'),
    });
    expect(spawned).toBe(2);
  });

  it('fails creation when the engine does not initialise in the worker', async () => {
    // A valid but empty wasm module: the worker starts, the engine finds none of its exports.
    const empty = await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    await expect(WorkerPool.create({ threads: 1, module: empty })).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
  });

  it('refuses a non-positive thread count', async () => {
    await expect(WorkerPool.create({ threads: 0, module: await engineModule() })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
