/**
 * `zkgpu info`: what zkgpu would run on here: CPU threads, host memory budget, each GPU's adapter,
 * limits and memory budget, each figure with its source. Text by default, `--json` for tools.
 * Public API only (describeHardware destroys the GPU device it opens, so the process exits).
 */
import { parseArgs } from 'node:util';
import { calibrationLocation, describeHardware, describeSample, hardwareFingerprint, loadCalibration, type ByteFigure, type GpuReport, type HardwareReport } from '../index.js';
import type { CliIO } from './io.js';
import { GPUS_USAGE } from './options.js';
import { byteSizeOption } from './options.js';

export const INFO_USAGE = `Usage: zkgpu info [options]

Prints the hardware zkgpu detects: CPU threads (capped by a cgroup CPU quota), the host memory
budget (smallest of total, available and cgroup limit, x 0.75), every adapter Dawn lists, and for
each GPU a runtime would open its adapter, limits, memory budget and (where nvidia-smi exists) its
temperature, utilisation, memory, power and throttle reasons, each figure with where it came from.

Options:
  --json                print the report as JSON
  --no-gpu              do not look for a GPU
  --probe               measure each GPU's memory by allocating growing buffers (up to 2 GiB), then free them
  --max-host-bytes SIZE host memory budget instead of the detected one (bytes, or e.g. 8GiB)
  --max-gpu-bytes SIZE  GPU memory budget instead of the detected one (bytes, or e.g. 40GiB)
${GPUS_USAGE}
  -h, --help            this text`;

class InfoUsageError extends Error {
  readonly code = 'USAGE';
}

export function formatBytes(b: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = b;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

const figure = (f: ByteFigure) => `${f.source}: ${formatBytes(f.bytes)}`;

export function formatReport(r: HardwareReport & { adapters?: { index: number; backend: string; name: string; software: boolean }[] }): string[] {
  const pad = (s: string) => s.padEnd(10);
  const more = (s: string) => `${' '.repeat(12)}${s}`;
  const lines = [`${pad('platform')}  ${[r.platform.runtime, r.platform.version, r.platform.os, r.platform.arch].filter(Boolean).join(' ')}`];
  lines.push(`${pad('cpu')}  ${r.cpu.threads} thread(s) (${r.cpu.source})`);
  for (const f of r.cpu.figures) lines.push(more(`${f.source}: ${f.count}`));
  lines.push(`${pad('memory')}  budget ${formatBytes(r.memory.budgetBytes)} (${r.memory.source})`);
  for (const f of r.memory.figures) lines.push(more(figure(f)));
  lines.push(more(figure(r.memory.wasmInstanceBytes)));
  for (const [i, a] of (r.adapters ?? []).entries()) {
    const opened = r.gpus.find((g) => g.name === a.name);
    lines.push(`${pad(i === 0 ? 'adapters' : '')}  ${a.index}: ${a.name} (${a.backend}${a.software ? ', software' : ''})${opened ? `: opened as ${opened.id}` : ': not opened'}`);
  }
  if (r.gpus.length === 0) lines.push(`${pad('gpu')}  none`);
  r.gpus.forEach((g, i) => {
    const kind = g.software ? 'software adapter' : 'hardware adapter';
    lines.push(`${pad(g.id ?? `gpu ${i}`)}  ${g.name || g.description || g.device || '(no description)'} (${[g.vendor, g.architecture].filter(Boolean).join(', ')}; ${kind})`);
    if (g.name && g.description) lines.push(more(`driver: ${g.description}`));
    lines.push(more(`budget ${formatBytes(g.budgetBytes)} (${g.source})`));
    for (const f of g.figures) lines.push(more(figure(f)));
    for (const k of ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup']) {
      if (g.limits[k] !== undefined) lines.push(more(`${k}: ${k.endsWith('Size') ? formatBytes(g.limits[k]) : g.limits[k]}`));
    }
    if (g.features.length > 0) lines.push(more(`features: ${g.features.join(', ')}`));
    if (g.unusable) lines.push(more(`unusable: ${g.unusable}`));
    if (g.telemetry) lines.push(more(`nvidia-smi: ${describeSample(g.telemetry)}`));
    if (g.telemetryNote) lines.push(more(`nvidia-smi: ${g.telemetryNote}`));
  });
  if (r.telemetry) {
    if (!r.telemetry.available) lines.push(`${pad('telemetry')}  none: ${r.telemetry.reason}`);
    else {
      const paired = new Set(r.gpus.map((g) => g.telemetry).filter(Boolean));
      for (const s of r.telemetry.gpus.filter((x) => !paired.has(x))) lines.push(`${pad('telemetry')}  not paired with an opened adapter: ${describeSample(s)}`);
    }
  }
  for (const [i, n] of r.notes.entries()) lines.push(`${pad(i === 0 ? 'notes' : '')}  ${n}`);
  return lines;
}

export async function runInfo(argv: string[], io: CliIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        'no-gpu': { type: 'boolean' },
        probe: { type: 'boolean' },
        'max-host-bytes': { type: 'string' },
        'max-gpu-bytes': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (e) {
    throw new InfoUsageError((e as Error).message);
  }
  if (values.help) {
    io.out(INFO_USAGE);
    return 0;
  }
  const maxHostBytes = byteSizeOption('max-host-bytes', values['max-host-bytes'], InfoUsageError);
  const maxGpuBytes = byteSizeOption('max-gpu-bytes', values['max-gpu-bytes'], InfoUsageError);
  const report = await describeHardware({ gpu: !values['no-gpu'], maxHostBytes, maxGpuBytes, probeGpu: values.probe === true });
  if (values['no-gpu']) report.notes.push('--no-gpu: no GPU looked for');
  const calibration = await calibrationSummary(report.gpus[0] ?? null, io);
  if (values.json) io.out(JSON.stringify({ ...report, calibration }, null, 2));
  else {
    for (const line of formatReport(report)) io.out(line);
    io.out(
      `${'calibrated'.padEnd(10)}  ${calibration.models > 0 ? `${calibration.models} model(s), updated ${calibration.updatedAt}, in ${calibration.location}` : 'none for this host (zkgpu calibrate measures one)'}`,
    );
  }
  return 0;
}

/** Whether `zkgpu calibrate` has stored models that hold here (a broken cache file is reported on stderr). */
async function calibrationSummary(gpu: GpuReport | null, io: CliIO): Promise<{ location: string | null; models: number; updatedAt: string | null }> {
  const fp = await hardwareFingerprint({ gpu });
  const cal = await loadCalibration(fp, { warn: io.err });
  return { location: await calibrationLocation(fp.host), models: cal?.models.length ?? 0, updatedAt: cal?.updatedAt ?? null };
}
