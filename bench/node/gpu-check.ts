/**
 * The part of bench/gpu-check.sh that `zkgpu bench` does not do: an MSM split across every GPU
 * and the workers ('auto' with backends ['webgpu', 'wasm'], so the planner weighs them by their
 * cost models) against each engine alone, on the same input, each result checked against the
 * workers' before any time is printed; and whether this runtime has a G2 MSM on WebGPU (the G2
 * rows run only then). Public API only. Writes JSON (kind 'gpu-check-split', not the bench
 * schema v1, which has no split backend) to the path given.
 *
 *   node dist/bench/node/gpu-check.js --sizes 16,18,20,22 --runs 3 --json $OUT/split.json
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createRuntime, version, type GroupName, type JobReport, type Runtime } from '../../src/index.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '16,18,20,22' },
    runs: { type: 'string', default: '3' },
    group: { type: 'string', default: 'g1' },
    json: { type: 'string' },
    'g2-probe': { type: 'boolean' },
  },
});

/** Whether the runtime plans a G2 MSM on WebGPU (the other engineer's kernel; a plan error says no). */
async function g2OnGpu(rt: Runtime): Promise<boolean> {
  try {
    const p = await rt.plan({ op: 'msm', curve: 'bn254', group: 'g2', n: 1 << 16, backend: 'webgpu' });
    return p.chunks.some((c) => c.backend !== 'wasm');
  } catch {
    return false;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function main(): Promise<number> {
  const rt = await createRuntime({ backends: ['webgpu', 'wasm'], gpuTimestamps: true });
  try {
    if (values['g2-probe']) {
      console.log((await g2OnGpu(rt)) ? 'g2-on-webgpu: yes' : 'g2-on-webgpu: no');
      return 0;
    }
    const group = values.group as GroupName;
    if (rt.gpus.length === 0) {
      console.log('gpu-check split: no GPU device: nothing to split');
      return 1;
    }
    console.log(`gpu-check split: ${rt.gpus.map((g) => `${g.id} ${g.adapter?.description ?? '?'}`).join('; ')}; ${rt.threads} worker(s)`);
    const rows: unknown[] = [];
    let failed = false;
    for (const log of values.sizes!.split(',').map(Number)) {
      const n = 1 << log;
      const points = await rt.samplePoints({ curve: 'bn254', group, n, seed: log });
      const scalars = new Uint8Array(n * 32);
      for (let i = 0; i < n; i++) for (let j = 0; j < 31; j++) scalars[i * 32 + j] = (i * 131 + j * 7 + log) & 0xff;
      const row: Record<string, unknown> = { op: 'msm', curve: 'bn254', group, n, log };
      let reference: string | null = null;
      for (const backend of ['wasm', 'webgpu', 'auto'] as const) {
        const label = backend === 'auto' ? 'split' : backend;
        try {
          let report: JobReport | undefined;
          const first = await rt.msm({ curve: 'bn254', group, points, scalars, backend, onReport: (r) => (report = r) });
          if (reference === null) reference = hex(first);
          else if (hex(first) !== reference) throw new Error(`${label} result differs from the workers'`);
          const times: number[] = [];
          for (let r = 0; r < Number(values.runs); r++) {
            const t0 = performance.now();
            await rt.msm({ curve: 'bn254', group, points, scalars, backend });
            times.push(performance.now() - t0);
          }
          const shares = new Map<string, number>();
          for (const c of report!.chunks) shares.set(c.backend, (shares.get(c.backend) ?? 0) + c.count);
          row[label] = { medianMs: median(times), runsMs: times, firstMs: report!.ms, shares: Object.fromEntries(shares) };
          console.log(
            `  msm ${group} 2^${log} ${label.padEnd(6)} median ${median(times).toFixed(1)} ms (first ${report!.ms.toFixed(0)} ms) ${[...shares].map(([k, v]) => `${k} ${((100 * v) / n).toFixed(0)}%`).join(' / ')}`,
          );
        } catch (e) {
          failed = true;
          row[label] = { error: (e as Error).message };
          console.log(`  msm ${group} 2^${log} ${label}: FAILED ${(e as Error).message}`);
        }
      }
      rows.push(row);
    }
    const out = { kind: 'gpu-check-split', zkgpu: version, gpus: rt.gpus, threads: rt.threads, stats: rt.stats(), rows };
    if (values.json) writeFileSync(values.json, JSON.stringify(out, null, 2));
    return failed ? 1 : 0;
  } finally {
    await rt.dispose();
  }
}

process.exitCode = await main();
