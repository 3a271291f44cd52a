/// <reference types="@webgpu/types" />
/**
 * Programs, the WGSL composer and the pipeline cache.
 *
 * A program is (name, sources, defines, entry point). Its cache key covers every parameter that
 * changes the composed source (name + entry + defines + the prelude text), so two curves or two
 * tile sizes never share a pipeline. Every GPU object is labelled with the program name.
 * `ZKGPU_DUMP_WGSL=dir` (or acquireGpu({ dumpWgslDir })) writes each composed module to dir.
 */
/**
 * What the cache needs of its owner (GpuContext, which holds one cache): the device, and where to
 * dump WGSL. Named here so the cache does not import the context that imports it.
 */
export interface ProgramHost {
  readonly device: GPUDevice;
  readonly dumpWgslDir: string | undefined;
}

export interface ProgramSpec {
  /** Label for every GPU object of this program, and part of the cache key. */
  name: string;
  /** WGSL chunks in order (generated prelude first); concatenated into one module. */
  sources: readonly string[];
  entryPoint?: string;
  /** Values that changed the sources (curve, limb count, tile size...): part of the cache key. */
  key: string;
}

export interface Program {
  name: string;
  key: string;
  code: string;
  module: GPUShaderModule;
  pipeline: GPUComputePipeline;
}

export class ProgramCache {
  readonly #ctx: ProgramHost;
  readonly #cache = new Map<string, Promise<Program>>();
  /** Number of pipelines compiled (not served from cache). */
  compiled = 0;

  constructor(ctx: ProgramHost) {
    this.#ctx = ctx;
  }

  get(spec: ProgramSpec): Promise<Program> {
    const cacheKey = `${spec.name}|${spec.entryPoint ?? 'main'}|${spec.key}`;
    let p = this.#cache.get(cacheKey);
    if (!p) {
      p = this.#compile(spec, cacheKey);
      this.#cache.set(cacheKey, p);
      p.catch(() => this.#cache.delete(cacheKey));
    }
    return p;
  }

  async #compile(spec: ProgramSpec, cacheKey: string): Promise<Program> {
    const device = this.#ctx.device;
    const code = spec.sources.join('\n');
    if (this.#ctx.dumpWgslDir) await dumpWgsl(this.#ctx.dumpWgslDir, cacheKey, code);
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ label: spec.name, code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    const pipeline = await device
      .createComputePipelineAsync({ label: spec.name, layout: 'auto', compute: { module, entryPoint: spec.entryPoint ?? 'main' } })
      .catch((e: unknown) => e as Error);
    const scopeErr = await device.popErrorScope();
    if (errors.length > 0 || pipeline instanceof Error || scopeErr) {
      const msg = errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n');
      throw new Error(`WGSL program '${spec.name}' failed to compile: ${msg || (pipeline instanceof Error ? pipeline.message : scopeErr?.message)}`);
    }
    this.compiled++;
    return { name: spec.name, key: cacheKey, code, module, pipeline };
  }

  clear(): void {
    this.#cache.clear();
  }
}

async function dumpWgsl(dir: string, key: string, code: string): Promise<void> {
  try {
    const fs = await import('node:fs/promises');
    const path = await import('node:path');
    await fs.mkdir(dir, { recursive: true });
    const file = key.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 180) + '.wgsl';
    await fs.writeFile(path.join(dir, file), code);
  } catch {
    // Dumping is a debugging aid; browsers have no fs.
  }
}

const shaderCache = new Map<string, Promise<string>>();

/** Loads shaders/<name>.wgsl: fs in Node, fetch in browsers (the URL resolves from src/ and dist/src/). */
export function loadShader(name: string): Promise<string> {
  let p = shaderCache.get(name);
  if (!p) {
    const url = new URL(`../../shaders/${name}.wgsl`, import.meta.url);
    p = (async () => {
      if (url.protocol === 'file:') {
        const fs = await import('node:fs/promises');
        return fs.readFile(url, 'utf8');
      }
      const res = await fetch(url);
      if (!res.ok) throw new Error(`cannot load shader ${name}: HTTP ${res.status}`);
      return res.text();
    })();
    shaderCache.set(name, p);
    p.catch(() => shaderCache.delete(name));
  }
  return p;
}

/** Removes the `// @standalone-begin ... // @standalone-end` block that makes a file valid on its own. */
export function stripStandalone(src: string): string {
  return src.replace(/\/\/ @standalone-begin[\s\S]*?\/\/ @standalone-end\n?/g, '');
}
