/**
 * `zkgpu calibrate`: times each kernel on each backend here (scheduler/calibration/calibrate.ts), stores the
 * fitted cost models in the calibration cache for this host, and prints them. Progress goes to
 * stderr, the table (or --json) to stdout. The runtime it opens is disposed before returning.
 */
import { parseArgs } from 'node:util';
import { calibrate, calibrationLocation, createRuntime, saveCalibration, type CalibrateResult, type CalibrationBackend, type MeasuredModel } from '../index.js';
import type { CliIO } from './io.js';

export const CALIBRATE_USAGE = `Usage: zkgpu calibrate [options]

Times MSM (BN254 and BLS12-381, G1 and G2) and NTT (BN254 and BLS12-381 Fr, BabyBear) on the
CPU workers and the GPU at a few sizes each, fits "fixed ms + ns per element" to the medians,
and stores the models for this machine, where the scheduler's plans then use them
(plan.calibrated: true). About 20-30 s; --quick takes a few seconds and measures small sizes only.

The cache is $ZKGPU_CACHE_DIR, else $XDG_CACHE_HOME/zkgpu, else ~/.cache/zkgpu; one file per
host (CPU, thread count, Node version, zkgpu version), GPU models kept per adapter.

Options:
  --quick                 fewer and smaller sizes (a first look; less accurate)
  --json                  print the result as JSON on stdout
  --threads N             worker threads (default: all available cores, capped by a cgroup quota)
  --backend LIST          comma-separated: wasm, webgpu (default: wasm, and webgpu when a GPU is found)
  -h, --help              this text

Exit code: 0 done, 1 a measurement failed or a backend asked for is missing, 2 bad usage.`;

class CalibrateUsageError extends Error {
  readonly code = 'USAGE';
}

interface Flags {
  help: boolean;
  quick: boolean;
  json: boolean;
  threads?: number;
  backends?: CalibrationBackend[];
}

function parseFlags(argv: readonly string[]): Flags {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        quick: { type: 'boolean' },
        json: { type: 'boolean' },
        threads: { type: 'string' },
        backend: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new CalibrateUsageError((e as Error).message);
  }
  const v = parsed.values;
  const flags: Flags = { help: v.help === true, quick: v.quick === true, json: v.json === true };
  if (v.threads !== undefined) {
    if (!/^\d+$/.test(v.threads) || Number(v.threads) < 1 || Number(v.threads) > 256) {
      throw new CalibrateUsageError(`--threads must be an integer from 1 to 256; got "${v.threads}"`);
    }
    flags.threads = Number(v.threads);
  }
  if (v.backend !== undefined) {
    const list = v.backend.split(',').map((s) => s.trim());
    for (const b of list) {
      if (b !== 'wasm' && b !== 'webgpu') throw new CalibrateUsageError(`--backend takes wasm and/or webgpu, comma-separated; got "${b}"`);
    }
    flags.backends = [...new Set(list as CalibrationBackend[])];
  }
  return flags;
}

const sizeLabel = (n: number) => `2^${Math.log2(n)}`;
const fmt = (x: number, digits: number) => x.toFixed(digits);

function tableLines(models: readonly MeasuredModel[]): string[] {
  const rows = models.map((m) => [
    m.kernel,
    m.backend === 'wasm' ? `wasm x${m.threads}` : 'webgpu',
    fmt(m.fixedMs, 2),
    fmt(m.perElementNs, m.perElementNs >= 100 ? 0 : 1),
    m.samples.map((s) => sizeLabel(s.n)).join(','),
    String(m.samples[0].runsMs.length),
    fmt(m.firstRunExtraMs, 0),
    m.clamped ? 'clamped' : '',
  ]);
  const head = ['kernel', 'backend', 'fixed ms', 'ns/element', 'sizes', 'runs', 'first-run extra ms', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = new Set([2, 3, 5, 6]);
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}

export async function runCalibrate(argv: string[], io: CliIO): Promise<number> {
  const flags = parseFlags(argv);
  if (flags.help) {
    io.out(CALIBRATE_USAGE);
    return 0;
  }
  const wantGpu = flags.backends === undefined || flags.backends.includes('webgpu');
  const runtime = await createRuntime({ threads: flags.threads, gpu: wantGpu ? undefined : false });
  try {
    if (flags.backends?.includes('webgpu') && !runtime.gpu) {
      io.err('zkgpu calibrate: --backend webgpu: no WebGPU adapter found');
      return 1;
    }
    const gpuNote = runtime.gpu ? `, GPU ${runtime.gpu.description || runtime.gpu.vendor}` : wantGpu ? ', no GPU found' : '';
    io.err(`calibrating on ${runtime.threads} worker thread(s)${gpuNote}${flags.quick ? ' (quick)' : ''}...`);
    const result: CalibrateResult = await calibrate(runtime, {
      quick: flags.quick,
      backends: flags.backends,
      onProgress: (p) => io.err(`  ${p.kernel} ${p.backend} ${sizeLabel(p.n)}: ${fmt(p.medianMs, 1)} ms (warm-up ${fmt(p.warmupMs, 0)} ms)`),
    });
    const saved = result.calibration.models.length > 0 ? await saveCalibration(result.calibration, { warn: io.err }) : null;
    const location = saved?.location ?? null;
    if (flags.json) {
      io.out(JSON.stringify({ ...result, location, stored: saved?.calibration ?? null }, null, 2));
    } else {
      for (const l of tableLines(result.calibration.models)) io.out(l);
      for (const m of result.calibration.models) if (m.clamped) io.out(`${m.kernel} ${m.backend}: ${m.clamped}`);
      for (const s of result.skipped) io.out(`not calibrated: ${s.kernel} on ${s.backend}: ${s.reason}`);
      io.out(`measured in ${(result.elapsedMs / 1000).toFixed(1)} s`);
      io.out(location ? `written to ${location}` : `not written (${(await calibrationLocation(result.calibration.host)) ?? 'no storage here'})`);
    }
    return result.skipped.length > 0 ? 1 : 0;
  } finally {
    await runtime.dispose();
  }
}
