/**
 * Where a .zkey / .wtns / circuit .wasm comes from, opened as random-access bytes.
 *
 * A Node path is read through a file handle, one requested range at a time, so a multi-GiB key is
 * never loaded whole (the prover reads it section by section, or piece by piece when it streams,
 * and drops each after use). A URL is read the same way with HTTP range requests when its server
 * answers one (206 with Content-Range: static servers, CDNs and object stores do); otherwise the
 * first response's body is the whole file, held in memory.
 * Bytes, ArrayBuffers and snarkjs's `{ type: 'mem', data }` objects are used in place, never copied
 * and never written. Nothing here ever opens a file for writing.
 */
import { ZkgpuError } from '../../core/errors.js';

/** A path (Node) or URL string, a URL, bytes, or snarkjs's in-memory file object. */
export type BinSource = string | URL | Uint8Array | ArrayBuffer | { type: 'mem'; data: Uint8Array | ArrayBuffer; name?: string };

export interface RandomAccess {
  /** What error messages call this file: the path or URL, or 'bytes' for in-memory sources (their `name`, when given). */
  readonly name: string;
  readonly size: number;
  /** Exactly `length` bytes from `offset`; the caller keeps the range inside [0, size). */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node;
}

/** True when a string names something to fetch rather than a local path. */
function isFetchUrl(s: string): boolean {
  return /^(https?|data|blob):/i.test(s) || (!isNode() && !/^file:/i.test(s));
}

/** A short, stable description of a source for error messages. */
export function describeSource(source: unknown): string {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.href;
  return 'bytes';
}

export async function openSource(source: BinSource, what: string): Promise<RandomAccess> {
  if (source instanceof Uint8Array) return memory(source, 'bytes');
  if (source instanceof ArrayBuffer) return memory(new Uint8Array(source), 'bytes');
  if (typeof source === 'object' && source !== null && !(source instanceof URL) && (source as { type?: unknown }).type === 'mem') {
    const { data, name } = source as { data?: unknown; name?: unknown };
    // `name` (zkgpu's addition to snarkjs's object): what errors call it, e.g. the path it was read from.
    const label = typeof name === 'string' && name !== '' ? name : 'bytes';
    if (data instanceof Uint8Array) return memory(data, label);
    if (data instanceof ArrayBuffer) return memory(new Uint8Array(data), label);
    throw new ZkgpuError('INVALID_ARGUMENT', `${what}: { type: 'mem' } source needs data as a Uint8Array or ArrayBuffer`);
  }
  if (source instanceof URL) {
    if (source.protocol === 'file:' && isNode()) return openPath(source, source.href);
    return openUrl(source.href);
  }
  if (typeof source === 'string') {
    if (source.length === 0) throw new ZkgpuError('INVALID_ARGUMENT', `${what}: empty path`);
    if (isFetchUrl(source)) return openUrl(source);
    return openPath(/^file:/i.test(source) ? new URL(source) : source, source);
  }
  throw new ZkgpuError('INVALID_ARGUMENT', `${what} must be a path, a URL, a Uint8Array, an ArrayBuffer or { type: 'mem', data }, got ${source === null ? 'null' : typeof source}`);
}

function memory(bytes: Uint8Array, name: string): RandomAccess {
  return {
    name,
    size: bytes.length,
    // subarray: a view, not a copy; the readers only read it.
    read: async (offset, length) => bytes.subarray(offset, offset + length),
    close: async () => {},
  };
}

async function openPath(path: string | URL, name: string): Promise<RandomAccess> {
  const fs = await import('node:fs/promises');
  let handle: Awaited<ReturnType<typeof fs.open>>;
  let size: number;
  try {
    handle = await fs.open(path, 'r');
  } catch (e) {
    throw new ZkgpuError('FILE_READ_ERROR', `cannot open ${name}: ${(e as Error).message}`, { cause: e, details: { file: name } });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error('not a regular file');
    size = stat.size;
  } catch (e) {
    await handle.close().catch(() => {});
    throw new ZkgpuError('FILE_READ_ERROR', `cannot read ${name}: ${(e as Error).message}`, { cause: e, details: { file: name } });
  }
  let closed = false;
  return {
    name,
    size,
    async read(offset, length) {
      const out = new Uint8Array(length);
      let done = 0;
      try {
        // One read() returns at most 2 GiB on Linux; loop until the range is filled.
        while (done < length) {
          const { bytesRead } = await handle.read(out, done, length - done, offset + done);
          if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${offset + done} (the file shrank while being read?)`);
          done += bytesRead;
        }
      } catch (e) {
        throw new ZkgpuError('FILE_READ_ERROR', `cannot read ${name} at byte offset ${offset + done}: ${(e as Error).message}`, {
          cause: e,
          details: { file: name, offset: offset + done },
        });
      }
      return out;
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

/**
 * A URL as random-access bytes: a first request for byte 0 tells whether the server serves ranges
 * (206 and a total size in Content-Range); then each read is one range request. A server that
 * answers 200 sends the whole file, which is then held (data: and blob: URLs, servers without
 * range support).
 */
async function openUrl(url: string): Promise<RandomAccess> {
  let first: Response;
  try {
    first = await fetch(url, { headers: { Range: 'bytes=0-0' } });
    if (!first.ok) throw new Error(`HTTP ${first.status} ${first.statusText}`);
  } catch (e) {
    throw new ZkgpuError('FILE_READ_ERROR', `cannot fetch ${url}: ${(e as Error).message}`, { cause: e, details: { file: url } });
  }
  const total = first.status === 206 ? /\/(\d+)\s*$/.exec(first.headers.get('content-range') ?? '')?.[1] : undefined;
  if (total === undefined) return memory(await bodyOf(first, url), url);
  await first.body?.cancel();
  const size = Number(total);
  return {
    name: url,
    size,
    async read(offset, length) {
      if (length === 0) return new Uint8Array(0);
      let res: Response;
      try {
        res = await fetch(url, { headers: { Range: `bytes=${offset}-${offset + length - 1}` } });
        if (res.status !== 206) throw new Error(`HTTP ${res.status} ${res.statusText} to a range request (the server answered ranges before)`);
      } catch (e) {
        throw new ZkgpuError('FILE_READ_ERROR', `cannot fetch ${url} at byte offset ${offset}: ${(e as Error).message}`, { cause: e, details: { file: url, offset } });
      }
      const bytes = await bodyOf(res, url);
      if (bytes.length !== length) {
        throw new ZkgpuError('FILE_READ_ERROR', `${url}: asked for ${length} bytes at byte offset ${offset}, got ${bytes.length} (the file changed on the server?)`, {
          details: { file: url, offset },
        });
      }
      return bytes;
    },
    close: async () => {},
  };
}

async function bodyOf(res: Response, url: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new ZkgpuError('FILE_READ_ERROR', `cannot fetch ${url}: ${(e as Error).message}`, { cause: e, details: { file: url } });
  }
}

/** All bytes of a source (for the circuit .wasm, which the witness calculator needs whole). */
export async function readWhole(source: BinSource, what: string): Promise<{ name: string; bytes: Uint8Array }> {
  const file = await openSource(source, what);
  try {
    return { name: file.name, bytes: await file.read(0, file.size) };
  } finally {
    await file.close();
  }
}
