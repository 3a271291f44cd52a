/**
 * Writes the iden3 container (binfile.ts) section by section, for the .zkey the dev setup makes:
 *   magic | version u32 | section count u32 | (id u32 | size u64 | payload)...
 * Each section's size is declared when it starts and checked when it ends, so a writer bug is an
 * error here rather than a key that snarkjs or zkey.ts later refuses. Sections go straight to the
 * sink: a 2^20 key (~0.5 GB) is never held whole when written to a file.
 */
import { ZkgpuError } from '../../core/errors.js';
import { concatBytes } from '../../core/bytes.js';

export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Collects everything in memory; bytes() concatenates once at the end. */
export function memorySink(): ByteSink & { bytes(): Uint8Array } {
  const parts: Uint8Array[] = [];
  return {
    write: async (b) => {
      parts.push(b);
    },
    close: async () => {},
    bytes: () => concatBytes(parts),
  };
}

/** Writes to `path` (Node only), created or truncated. */
export async function fileSink(path: string): Promise<ByteSink> {
  const fs = await import('node:fs/promises');
  let handle: Awaited<ReturnType<typeof fs.open>>;
  try {
    handle = await fs.open(path, 'w');
  } catch (e) {
    throw new ZkgpuError('FILE_READ_ERROR', `cannot create ${path}: ${(e as Error).message}`, { cause: e });
  }
  return {
    async write(bytes) {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
        done += bytesWritten;
      }
    },
    close: () => handle.close(),
  };
}

export class BinWriter {
  private open: { id: number; left: number } | null = null;
  private sectionsLeft: number;
  /** The container header waits here until the first section so that nothing is written twice. */
  private readonly pending: Uint8Array[] = [];

  constructor(
    private readonly sink: ByteSink,
    magic: string,
    version: number,
    sectionCount: number,
  ) {
    if (magic.length !== 4) throw new RangeError('magic must be 4 ASCII characters');
    this.sectionsLeft = sectionCount;
    const head = new Uint8Array(12);
    for (let i = 0; i < 4; i++) head[i] = magic.charCodeAt(i);
    const v = new DataView(head.buffer);
    v.setUint32(4, version, true);
    v.setUint32(8, sectionCount, true);
    this.pending.push(head);
  }

  async startSection(id: number, size: number): Promise<void> {
    if (this.open) throw new Error(`section ${this.open.id} still has ${this.open.left} bytes to write`);
    if (this.sectionsLeft === 0) throw new Error('more sections than declared');
    this.sectionsLeft--;
    const h = new Uint8Array(12);
    const v = new DataView(h.buffer);
    v.setUint32(0, id, true);
    v.setUint32(4, size % 2 ** 32, true);
    v.setUint32(8, Math.floor(size / 2 ** 32), true);
    this.pending.push(h);
    for (const p of this.pending.splice(0)) await this.sink.write(p);
    this.open = size > 0 ? { id, left: size } : null;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.open) throw new Error('write outside a section');
    if (bytes.length > this.open.left) throw new Error(`section ${this.open.id}: ${bytes.length} bytes written where ${this.open.left} remain`);
    this.open.left -= bytes.length;
    if (this.open.left === 0) this.open = null;
    await this.sink.write(bytes);
  }

  /** A whole section in one call. */
  async section(id: number, ...parts: Uint8Array[]): Promise<void> {
    await this.startSection(
      id,
      parts.reduce((n, p) => n + p.length, 0),
    );
    for (const p of parts) if (p.length > 0) await this.write(p);
  }

  async close(): Promise<void> {
    if (this.open) throw new Error(`section ${this.open.id} still has ${this.open.left} bytes to write`);
    if (this.sectionsLeft !== 0) throw new Error(`${this.sectionsLeft} declared sections were not written`);
    await this.sink.close();
  }
}

/** Little-endian u32 fields, for small header sections. */
export function u32s(...values: number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v.setUint32(4 * i, x, true));
  return out;
}
