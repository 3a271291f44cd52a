/** The "This device" panel: adapter, limits, cores, memory, isolation, and what the scheduler detected and planned. */
import type { Runtime } from '../../src/index.js';
import { formatMs } from './analysis.js';
import { $, el, kv } from './dom.js';
import { type PanelInfo, panelInfo } from './hardware.js';

export async function renderHardware(rt: Runtime | null): Promise<void> {
  const info = await panelInfo(rt, []);
  $('hw-body').replaceChildren(hardwareView(info));
  $('hw-body').classList.remove('muted');
}

function hardwareView(info: PanelInfo): HTMLElement {
  const box = el('div');
  const gpu = info.gpu;
  box.append(
    kv([
      [
        'WebGPU',
        gpu
          ? `${gpu.description || gpu.device || '(no description)'} — vendor ${gpu.vendor || '?'}, architecture ${gpu.architecture || '?'}`
          : info.webgpuApi
            ? 'the browser has the API but gave no adapter'
            : 'not available in this browser',
      ],
      ['hardwareConcurrency', String(info.hardwareConcurrency ?? 'unknown')],
      ['deviceMemory', info.deviceMemoryGiB === null ? 'not reported' : `${info.deviceMemoryGiB} GiB (rounded and capped by the browser)`],
      ['crossOriginIsolated', info.crossOriginIsolated ? 'yes' : 'no (SharedArrayBuffer unavailable: serve the page with COOP/COEP, e.g. npx zkgpu page)'],
      ['user agent', info.userAgent],
      ...(info.detected
        ? ([
            ['scheduler: CPU threads', `${info.detected.cpu.threads} (${info.detected.cpu.source})`],
            ['scheduler: memory budget', `${Math.round(info.detected.memory.budgetBytes / 2 ** 20)} MiB (${info.detected.memory.source})`],
          ] as [string, string][])
        : []),
      ...info.plans.map(
        (p) =>
          [
            `plan: ${p.job}`,
            `${p.plan.chunks.map((c) => `${c.backend} ${c.count}`).join(' + ')}, estimate ${formatMs(p.plan.estimateMs)}${p.plan.calibrated ? '' : ' (uncalibrated defaults)'}: ${p.plan.reason}`,
          ] as [string, string],
      ),
    ]),
  );
  if (gpu) {
    const limits = el('details', {}, el('summary', { textContent: `adapter limits (${Object.keys(gpu.limits).length}) and features (${gpu.features.length})` }));
    limits.append(
      el('pre', {
        textContent: `${Object.entries(gpu.limits)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n')}\n\nfeatures: ${gpu.features.join(', ')}`,
      }),
    );
    box.append(limits);
  }
  if (info.detected)
    box.append(el('details', {}, el('summary', { textContent: 'runtime.hardware() as detected' }), el('pre', { textContent: JSON.stringify(info.detected, null, 2) })));
  for (const n of info.notes) box.append(el('p', { className: 'muted', textContent: n }));
  return box;
}
