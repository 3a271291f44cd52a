/**
 * `--gpus`, shared by every verb that creates a runtime (prove, fullprove, profile, bench,
 * calibrate, info, serve). main.ts takes it out of the verb's arguments before the verb parses
 * them and hands it on as ZKGPU_GPUS, the variable createRuntime reads when its `gpus` option is
 * absent: so runtimes made deep inside a verb (groth16.prove's own, the bench runner's) honour it
 * without each passing it down. Checked here, once, with the runtime's own rules.
 */
export const GPU_VERBS: ReadonlySet<string> = new Set(['prove', 'fullprove', 'profile', 'bench', 'calibrate', 'info', 'serve']);

export const GPUS_USAGE = `  --gpus LIST           GPU adapters to open, one device each: 'all' (every hardware adapter, the
                        default), 'hardware' (the same, but no software one even when there is
                        nothing else), indices ('0,1') or names ('NVIDIA A10G'); software adapters
                        (llvmpipe) only when named. Same as env ZKGPU_GPUS; zkgpu info lists them`;

class GpusUsageError extends Error {
  readonly code = 'USAGE';
}

/** Removes every `--gpus X` / `--gpus=X` from argv (the last one wins) and returns it. */
export function takeGpusOption(argv: readonly string[]): { argv: string[]; gpus: string | undefined } {
  const rest: string[] = [];
  let gpus: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--gpus') {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new GpusUsageError("--gpus needs a value: 'all', indices like 0,1 or adapter names");
      gpus = argv[++i];
    } else if (a.startsWith('--gpus=')) gpus = a.slice('--gpus='.length);
    else rest.push(a);
  }
  return { argv: rest, gpus };
}

/** Checks a --gpus value as createRuntime would and sets ZKGPU_GPUS for this process. */
export function applyGpusOption(gpus: string | undefined): void {
  if (gpus === undefined) return;
  const value = gpus.trim();
  if (value === '' || value.split(',').some((p) => p.trim() === '')) throw new GpusUsageError(`--gpus: empty entry in "${gpus}" (use 'all', indices like 0,1 or adapter names)`);
  // Which adapters exist is known only once Dawn is asked: createRuntime refuses an unknown one, listing them.
  process.env.ZKGPU_GPUS = value;
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, kib: 2 ** 10, m: 2 ** 20, mib: 2 ** 20, g: 2 ** 30, gib: 2 ** 30, t: 2 ** 40, tib: 2 ** 40 };

/**
 * A byte count from the command line: a whole number of bytes, or a number with a binary unit
 * ("512MiB", "1.5G", "64k": K, M, G, T are powers of 1024, as memory limits are). Throws an Error
 * naming the option; the command wraps it in its usage error.
 */
export function parseByteSize(option: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? BYTE_UNITS[m[2].toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new Error(`--${option} must be a positive size in bytes, optionally with a unit (KiB, MiB, GiB, TiB; e.g. 512MiB), got "${text}"`);
  }
  return bytes;
}

/** parseByteSize for an optional flag, its error as the command's own usage error (exit code 2). */
export function byteSizeOption(option: string, text: string | undefined, usageError: new (message: string) => Error): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseByteSize(option, text);
  } catch (e) {
    throw new usageError((e as Error).message);
  }
}

/** The most worker threads a command line may ask for (the runtime's own cap is far above any machine we know of). */
export const MAX_CLI_THREADS = 1024;

/** A --threads value as a number, or null when it is not a whole number from 1 to MAX_CLI_THREADS. */
export function threadsValue(text: string): number | null {
  return /^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= MAX_CLI_THREADS ? Number(text) : null;
}
