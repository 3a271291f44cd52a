/**
 * What Dawn writes to stderr while it looks for adapters, made fit for a terminal.
 *
 * Dawn's adapter discovery (synchronous inside requestAdapter()) writes from C++ straight to fd 2:
 * two "maxDynamic...BuffersPerPipelineLayout artificially reduced ... to 16" warnings for every
 * driver that reports more dynamic buffers than Dawn supports (lavapipe reports 1000000), and on a
 * machine without a Vulkan driver the loader's complaints ending in a source path of Dawn's CI
 * build ("at CheckVkSuccessImpl (/home/runner/work/node-webgpu/...)"). No Dawn toggle, create()
 * flag or log level gates these (Dawn's limit normalisation calls its WarningLog unconditionally),
 * and JavaScript cannot intercept a native write. So, when stderr is a terminal (a person reads
 * it), fd 2 points at a private temp file for the duration of that one call, and what Dawn wrote
 * is filtered by dawnLogLines(): the two known warnings are dropped, the no-Vulkan dump becomes
 * one line, and anything else is printed as it was (real errors still show).
 *
 * FRAGILE: it swaps fd 2 with close() + open() (Node has no dup2): an open() on another thread in
 * that instant could take fd 2; both swaps check they got fd 2 and give up otherwise. Only on Linux
 * with a TTY stderr: a terminal can be reopened through /proc/self/fd exactly, while a file would
 * get its own offset (overwriting 2>&1 output) and a socket cannot be reopened; there Dawn's lines
 * stay as they are.
 */

const KNOWN_WARNING = /^Warning: maxDynamic(Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.$/;
/** A source location in Dawn's own build tree, printed under a warning. */
const DAWN_SOURCE_PATH = /^\s+at \S+ \(.*\/dawn\/src\/.*:\d+\)$/;
const NO_VULKAN = /vkCreateInstance|Found no drivers|loader_get_json|Couldn't load Vulkan|libvulkan/;

/** The lines worth showing from what Dawn wrote during adapter discovery (see the file comment). */
export function dawnLogLines(text: string): string[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !KNOWN_WARNING.test(l) && !DAWN_SOURCE_PATH.test(l));
  const vulkan = lines.filter((l) => NO_VULKAN.test(l));
  if (vulkan.length === 0) return lines;
  const failure = vulkan.find((l) => /failed with/.test(l)) ?? vulkan[vulkan.length - 1];
  const summary = `WebGPU unavailable: no usable Vulkan driver (${failure.replace(/^Warning:\s*/, '')})`;
  return [summary, ...lines.filter((l) => !NO_VULKAN.test(l))];
}

type Fs = typeof import('node:fs');

/**
 * Off by default: a library must not touch its host's fd 2. Command-line tools (zkgpu's own CLI)
 * turn it on, where a person reads the terminal.
 */
let filterEnabled = false;

/** Lets adapter discovery filter Dawn's stderr (see the file comment); for command-line tools. */
export function filterDawnStderr(enabled = true): void {
  filterEnabled = enabled;
}

/**
 * Runs `call` (synchronous native work) with fd 2 captured when filterDawnStderr() was called and
 * stderr is a terminal on Linux, then prints dawnLogLines() of what was captured. Otherwise just
 * runs it.
 */
export async function withDawnLogFiltered<T>(call: () => T): Promise<T> {
  const g = globalThis as { process?: { platform?: string; stderr?: { isTTY?: boolean; write(s: string): unknown }; pid?: number } };
  if (!filterEnabled || g.process?.platform !== 'linux' || !g.process.stderr?.isTTY) return call();
  let fs: Fs;
  let dir: string;
  try {
    const spec = ['node:fs', 'node:os'];
    fs = (await import(/* @vite-ignore */ spec[0])) as Fs;
    dir = ((await import(/* @vite-ignore */ spec[1])) as typeof import('node:os')).tmpdir();
  } catch {
    return call();
  }
  const capture = startCapture(fs, `${dir}/zkgpu-dawn-${g.process.pid}-${Math.random().toString(36).slice(2)}.log`);
  if (!capture) return call();
  let text = '';
  try {
    return call();
  } finally {
    text = capture.stop();
    for (const line of dawnLogLines(text)) g.process.stderr.write(`${line}\n`);
  }
}

function startCapture(fs: Fs, path: string): { stop(): string } | null {
  let terminal: number;
  try {
    terminal = fs.openSync('/proc/self/fd/2', 'w');
  } catch {
    return null;
  }
  const restore = (): void => {
    // close(2) then open() takes the lowest free descriptor: 2 again (checked).
    const back = fs.openSync(`/proc/self/fd/${terminal}`, 'w');
    if (back !== 2) fs.closeSync(back);
    fs.closeSync(terminal);
  };
  fs.closeSync(2);
  let fd = -1;
  try {
    fd = fs.openSync(path, 'wx+', 0o600);
    fs.unlinkSync(path);
  } catch {
    // fall through: fd is not 2
  }
  if (fd !== 2) {
    if (fd >= 0) fs.closeSync(fd);
    restore();
    return null;
  }
  return {
    stop: () => {
      let text = '';
      try {
        const size = fs.fstatSync(2).size;
        const buf = new Uint8Array(size);
        fs.readSync(2, buf, 0, size, 0);
        text = new TextDecoder().decode(buf);
      } finally {
        fs.closeSync(2);
        restore();
      }
      return text;
    },
  };
}
