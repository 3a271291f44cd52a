/**
 * Which GPU adapters a runtime opens: the `gpus` option (or ZKGPU_GPUS), matched against the
 * adapters Dawn lists in Node; in browsers, the one adapter the page gets.
 *
 * Dawn lists adapters only in an error: `create(['adapter=NAME'])` with a NAME no adapter contains
 * rejects requestAdapter with "no suitable backends found\nAvailable adapters:\n * backend:
 * 'vulkan', name: '...'" (RECIPES.md, webgpu 0.6.2). The same flag with a real name selects the
 * first adapter whose name contains it, so adapters that share a name (8 identical cards) cannot
 * be told apart from one process: the selection opens such a name once and says so.
 */
import { ZkgpuError } from '../core/errors.js';
import { showValue } from '../core/show.js';
import { acquireGpu, dawnCreate, type GpuContext } from '../gpu/context.js';

/**
 * `gpus` option: 'all' (every hardware adapter; with none, the first adapter, software or not),
 * 'hardware' (every hardware adapter; with none, no GPU), indices into Dawn's list, or names.
 */
export type GpuSelection = 'all' | 'hardware' | number[] | string[];

/** One adapter as Dawn lists it. */
export interface ListedAdapter {
  /** Position in Dawn's list: what a number in `gpus` means. */
  index: number;
  backend: string;
  name: string;
  software: boolean;
}

/** A device the runtime opens, and how to open its replacement after a loss. */
export interface GpuOpening {
  /** What the selection asked for ('llvmpipe (LLVM 15...)', 'adapter 0'). */
  label: string;
  /** The adapter's name as Dawn lists it, when known. */
  name: string | null;
  open(): Promise<GpuContext | null>;
}

export interface AdapterPlan {
  openings: GpuOpening[];
  /** What was left out or could not be told apart, in words (for hardware().notes and zkgpu info). */
  notes: string[];
}

const GPU_DEVICE_NODES = '/dev/dri/renderD*, /dev/nvidia*, /dev/dxg';

/**
 * Linux: whether a hardware GPU could be there at all. A hardware Vulkan adapter needs a kernel
 * device node (a DRM render node for Mesa's drivers and AMD's/Intel's, /dev/nvidia* for NVIDIA's,
 * /dev/dxg under WSL2); without one, Dawn can only list software adapters, and listing them costs
 * ~0.14 s of the main thread and tens of MiB (lavapipe loads LLVM). Elsewhere (other systems,
 * browsers): true, and Dawn or the platform is asked.
 */
async function mayHaveGpuDevice(): Promise<boolean> {
  const g = globalThis as { process?: { platform?: string; versions?: { node?: string } } };
  if (!g.process?.versions?.node || g.process.platform !== 'linux') return true;
  // A computed specifier, as for Dawn: browser bundles never see a Node module here.
  const fsSpec = 'node:fs/promises';
  const { readdir } = (await import(/* @vite-ignore */ fsSpec)) as typeof import('node:fs/promises');
  const names = async (dir: string) => readdir(dir).catch(() => [] as string[]);
  if ((await names('/dev')).some((n) => /^nvidia\d+$/.test(n) || n === 'dxg')) return true;
  return (await names('/dev/dri')).some((n) => /^renderD\d+$/.test(n));
}

/** Never an adapter's name: asking for it makes Dawn list the real ones. */
const NO_SUCH_ADAPTER = 'zkgpu-list-adapters-\u0001';

/** Names of CPU implementations of Vulkan/D3D: Mesa's llvmpipe/lavapipe, SwiftShader, WARP. */
const SOFTWARE_NAME = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|warp/i;

/** Parses Dawn's "Available adapters:" lines (" * backend: 'vulkan', name: 'NVIDIA H100 80GB HBM3'"). */
export function parseAdapterList(message: string): ListedAdapter[] {
  const out: ListedAdapter[] = [];
  for (const line of message.split('\n')) {
    const m = /^\s*\*\s*backend:\s*'([^']*)',\s*name:\s*'(.*)'\s*$/.exec(line);
    if (m) out.push({ index: out.length, backend: m[1], name: m[2], software: SOFTWARE_NAME.test(m[2]) });
  }
  return out;
}

/** The adapters Dawn finds in this process (Node), in its order; null outside Node or without Dawn. */
export async function listDawnAdapters(): Promise<ListedAdapter[] | null> {
  const create = await dawnCreate();
  if (!create) return null;
  try {
    const adapter = await create([`adapter=${NO_SUCH_ADAPTER}`]).requestAdapter();
    // A Dawn that ignores the flag returns its default adapter: no list to read.
    return adapter ? null : [];
  } catch (e) {
    return parseAdapterList(String((e as Error)?.message ?? e));
  }
}

/**
 * Reads ZKGPU_GPUS: 'all', indices ('0,2') or names ('NVIDIA A10G,llvmpipe'). Unset or empty:
 * undefined (the default selection). Checked like the option, naming the variable.
 */
export function gpusFromEnv(value: string | undefined): GpuSelection | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (v === 'all' || v === 'hardware') return v;
  const parts = v.split(',').map((s) => s.trim());
  if (parts.some((p) => p === ''))
    throw new ZkgpuError('INVALID_ARGUMENT', `ZKGPU_GPUS: empty entry in ${JSON.stringify(value)} (use 'all', 'hardware', indices like '0,1' or adapter names)`, {
      details: { field: 'ZKGPU_GPUS' },
    });
  if (parts.every((p) => /^\d+$/.test(p))) return parts.map(Number);
  return parts;
}

/** Checks the `gpus` option at the boundary. */
export function checkGpuSelection(gpus: unknown, where = 'gpus'): GpuSelection {
  if (gpus === 'all' || gpus === 'hardware') return gpus;
  if (Array.isArray(gpus) && gpus.length > 0) {
    if (gpus.every((g) => Number.isSafeInteger(g) && g >= 0)) return gpus as number[];
    if (gpus.every((g) => typeof g === 'string' && g.trim() !== '')) return gpus as string[];
  }
  throw new ZkgpuError(
    'INVALID_ARGUMENT',
    `${where} must be 'all', 'hardware', a non-empty list of adapter indices (0, 1, ...) or a non-empty list of adapter names, got ${showValue(gpus)}`,
    {
      details: { field: where },
    },
  );
}

const listing = (adapters: readonly ListedAdapter[]) =>
  adapters.length === 0 ? 'none' : adapters.map((a) => `${a.index}: '${a.name}' (${a.backend}${a.software ? ', software' : ''})`).join('; ');

/** Opening by name: a fresh create() object per device, held by its context (RECIPES.md lifetime pitfall). */
function byName(create: (flags: string[]) => GPU, name: string, listed = name): GpuOpening {
  return { label: listed, name: listed, open: () => acquireGpu({ gpu: create([`adapter=${name}`]) }) };
}

/**
 * The devices to open for a selection. `explicit` says whether the caller chose (an option or
 * ZKGPU_GPUS): then an unknown name or index throws, naming what exists. The default ('all'
 * unasked) takes every hardware adapter, and with none the adapter Dawn offers first, as before
 * (a software one: 'auto' leaves it out, a pinned 'webgpu' still runs on it).
 */
export async function planAdapters(selection: GpuSelection, explicit: boolean): Promise<AdapterPlan> {
  if (selection === 'hardware' && !(await mayHaveGpuDevice())) {
    return { openings: [], notes: [`no hardware adapter: no GPU device node (${GPU_DEVICE_NODES}); Dawn not loaded (gpus: 'hardware')`] };
  }
  const create = await dawnCreate();
  const listed = create ? await listDawnAdapters() : null;
  if (!create || listed === null) {
    // Browsers, or a Dawn that lists nothing: the one adapter the platform gives.
    if (explicit && selection !== 'all' && selection !== 'hardware' && !(selection.length === 1 && (selection[0] === 0 || typeof selection[0] === 'string'))) {
      throw new ZkgpuError('INVALID_ARGUMENT', `gpus: ${showValue(selection)} asks for several adapters, but this platform exposes one (navigator.gpu)`, {
        details: { field: 'gpus' },
      });
    }
    return { openings: [{ label: 'default adapter', name: null, open: () => acquireGpu() }], notes: [] };
  }
  const notes: string[] = [];
  const byIndex = new Map(listed.map((a) => [a.index, a]));
  if (selection === 'hardware' && !listed.some((a) => !a.software)) {
    // For callers that would never give a software adapter work (the CLI under 'auto'): opening
    // one would only cost its device (~0.1-0.2 s and ~90 MiB with lavapipe).
    const soft = listed.map((a) => `'${a.name}'`);
    return { openings: [], notes: [listed.length === 0 ? 'Dawn lists no adapter' : `no hardware adapter; software adapter(s) ${soft.join(', ')} not opened (gpus: 'hardware')`] };
  }
  if (selection === 'all' || selection === 'hardware') {
    const hardware = listed.filter((a) => !a.software);
    if (hardware.length === 0) {
      if (listed.length === 0) return { openings: [], notes: ['Dawn lists no adapter'] };
      const soft = listed.filter((a) => a.software).map((a) => a.name);
      if (explicit || soft.length > 0)
        notes.push(`no hardware adapter; using the first software one (${soft[0] ?? listed[0].name}): 'auto' leaves it out unless the backends list names 'webgpu'`);
      return { openings: [byName(create, listed[0].name)], notes };
    }
    const skipped = listed.filter((a) => a.software).map((a) => `'${a.name}'`);
    if (skipped.length > 0) notes.push(`software adapter(s) ${skipped.join(', ')} not opened (name them in gpus / --gpus / ZKGPU_GPUS to use them)`);
    return { openings: uniqueNames(create, hardware, notes), notes };
  }
  if (typeof selection[0] === 'number') {
    const chosen = (selection as number[]).map((i) => {
      const a = byIndex.get(i);
      if (!a) throw new ZkgpuError('INVALID_ARGUMENT', `gpus: no adapter ${i}. Available adapters: ${listing(listed)}`, { details: { field: 'gpus', index: i } });
      return a;
    });
    return { openings: uniqueNames(create, chosen, notes), notes };
  }
  // Names: each opens the first adapter whose name contains it, once per entry (the same name
  // twice opens two devices on that adapter: what the multi-device tests do on one lavapipe).
  const openings = (selection as string[]).map((name) => {
    const matches = listed.filter((a) => a.name.includes(name));
    if (matches.length === 0)
      throw new ZkgpuError('INVALID_ARGUMENT', `gpus: no adapter name contains '${name}'. Available adapters: ${listing(listed)}`, { details: { field: 'gpus' } });
    if (new Set(matches.map((a) => a.name)).size > 1)
      notes.push(`'${name}' matches ${matches.length} adapters (${matches.map((a) => `'${a.name}'`).join(', ')}): Dawn opens the first`);
    else if (matches.length > 1) notes.push(`'${name}' matches ${matches.length} adapters of the same name: Dawn cannot tell them apart, so each '${name}' entry opens the first`);
    return byName(create, name, matches[0].name);
  });
  return { openings, notes };
}

/** One opening per distinct name: Dawn's adapter flag cannot select among adapters sharing one. */
function uniqueNames(create: (flags: string[]) => GPU, adapters: readonly ListedAdapter[], notes: string[]): GpuOpening[] {
  const seen = new Map<string, number>();
  for (const a of adapters) seen.set(a.name, (seen.get(a.name) ?? 0) + 1);
  for (const [name, count] of seen) {
    if (count > 1)
      notes.push(
        `${count} adapters are named '${name}': Dawn selects adapters by name, so one process opens one of them (run one process per GPU, e.g. NVIDIA_VISIBLE_DEVICES per container, to use the others)`,
      );
  }
  return [...seen.keys()].map((name) => byName(create, name));
}
