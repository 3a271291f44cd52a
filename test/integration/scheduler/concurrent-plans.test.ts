/**
 * Concurrent jobs plan around each other (the Groth16 graph): work already queued on a device is
 * the planner's busyForMs, so a G1 MSM planned while a G2 MSM (pinned to the workers) holds the
 * workers goes to the GPU, and the same MSM on idle devices is split. Lavapipe + 2
 * workers, with a calibration that makes the costs explicit; answers checked against the BigInt
 * oracle (src/math), seed logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, hardwareFingerprint, type Calibration, type JobReport, type MeasuredModel, type Runtime } from '../../../src/index.js';
import { CURVES, encodePoint, encodePoints, encodeScalars, g2, msmNaive } from '../../../src/math/index.js';
import { rngFor, SEED } from '../../support/seed.js';
import { progressionCase } from '../../support/msm-inputs.js';

process.env.XDG_RUNTIME_DIR ??= '/tmp';

function model(kernel: string, backend: 'wasm' | 'webgpu', perElementNs: number, adapter?: MeasuredModel['adapter']): MeasuredModel {
  return {
    kernel,
    backend,
    fixedMs: 1,
    perElementNs,
    rmsResidualMs: 0,
    firstRunExtraMs: 0,
    samples: [{ n: 256, medianMs: 1, runsMs: [1], warmupMs: 1 }],
    measuredAt: '2026-12-04T12:00:00.000Z',
    quick: true,
    ...(backend === 'wasm' ? { threads: 2 } : { adapter }),
  };
}

let rt: Runtime;
beforeAll(async () => {
  const probe = await createRuntime({ threads: 1 });
  const info = probe.gpu;
  await probe.dispose();
  if (!info) throw new Error('no WebGPU adapter: this suite needs one (lavapipe works; XDG_RUNTIME_DIR=/tmp)');
  const adapter = { vendor: info.vendor, architecture: info.architecture, description: info.description };
  const { host } = await hardwareFingerprint();
  // G1: the GPU and the workers equally fast (20 us per point); G2: 1 ms per point on the workers.
  const calibration: Calibration = {
    schema: 1,
    host,
    updatedAt: '2026-12-04T12:00:00.000Z',
    models: [model('msm:bn254:g1', 'wasm', 20_000), model('msm:bn254:g1', 'webgpu', 20_000, adapter), model('msm:bn254:g2', 'wasm', 1_000_000)],
  };
  rt = await createRuntime({ threads: 2, backends: ['webgpu', 'wasm'], calibration });
  console.log(`[graph] ${info.description} seed ${SEED}`);
  // lavapipe compiles the MSM pipelines at the first dispatch (seconds): pay it here.
  const warm = progressionCase('bn254', 64, 'graph-warm');
  await rt.msm({ curve: 'bn254', group: 'g1', points: warm.points, scalars: warm.scalars, backend: 'webgpu' });
}, 300_000);
afterAll(() => rt?.dispose());

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const queued = (id: string) => rt.stats().devices.find((d) => d.id === id)?.queuedMs ?? 0;

describe('concurrent jobs plan around queued work', () => {
  it('idle: a G1 MSM is split between the GPU and the workers', async () => {
    const p = await rt.plan({ op: 'msm', curve: 'bn254', group: 'g1', n: 1000 });
    const on = new Set(p.chunks.map((c) => c.backend));
    expect(on).toEqual(new Set(['wasm', 'webgpu']));
    expect(queued('wasm')).toBe(0);
  });

  it('a G2 MSM on the workers queues its work; a G1 MSM started meanwhile runs on the GPU; both answers right', async () => {
    const rng = rngFor('graph-g2');
    const G = g2('bn254');
    const n2 = 150;
    const pts = Array.from({ length: n2 }, () => G.random(rng));
    const ks = Array.from({ length: n2 }, () => rng.nextBigInt(CURVES.bn254.r));
    const g2Job = rt.msm({ curve: 'bn254', group: 'g2', points: encodePoints('bn254', 'g2', pts), scalars: encodeScalars(ks), backend: 'wasm' });
    // Observed now, so a failing assertion below cannot leave it an unhandled rejection at dispose.
    g2Job.catch(() => {});
    // The G2 job's plan joins the backlog when it is made (after its input checks).
    await expect.poll(() => queued('wasm'), { timeout: 10_000, interval: 5 }).toBeGreaterThan(100);
    const planned = await rt.plan({ op: 'msm', curve: 'bn254', group: 'g1', n: 1000 });
    expect(planned.chunks.map((c) => c.backend)).toEqual(['webgpu']);
    expect(planned.backends.find((b) => b.backend === 'wasm')!.excluded).toMatch(/busy for [\d.]+ ms with queued work/);

    const c = progressionCase('bn254', 1000, 'graph-g1');
    let report: JobReport | undefined;
    const g1 = await rt.msm({ curve: 'bn254', group: 'g1', points: c.points, scalars: c.scalars, onReport: (r) => (report = r) });
    expect(hex(g1)).toBe(hex(c.expected));
    expect(report!.chunks.every((x) => x.backend === 'webgpu')).toBe(true);
    expect(hex(await g2Job)).toBe(hex(encodePoint('bn254', 'g2', msmNaive('bn254', 'g2', pts, ks))));
    // Everything finished: nothing queued any more.
    expect(queued('wasm')).toBe(0);
    expect(queued('webgpu')).toBe(0);
  });
});
