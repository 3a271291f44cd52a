/**
 * The iden3 binary container shared by .zkey, .wtns, .r1cs and .ptau:
 *   magic (4 ASCII bytes) | version u32 | section count u32 | sections...
 *   section = id u32 | byte length u64 | payload
 * all little-endian. Sections may appear in any order; the prover needs each id exactly once.
 *
 * Every structural problem becomes a FILE_FORMAT ZkgpuError naming the file, the section and the
 * byte offset (in its message and as details: file, section, offset, field), so a truncated
 * download or a flipped byte is reported instead of producing a hang, a crash or a wrong proof.
 */
import { ZkgpuError, type ZkgpuErrorDetails } from '../../core/errors.js';
import type { RandomAccess } from './source.js';

export interface SectionEntry {
  id: number;
  /** Byte offset of the payload (after the 12-byte section header). */
  offset: number;
  size: number;
}

export class BinFile {
  private constructor(
    readonly file: RandomAccess,
    readonly kind: string,
    readonly version: number,
    private readonly sections: Map<number, SectionEntry[]>,
    private readonly sectionNames: Record<number, string>,
  ) {}

  get name(): string {
    return this.file.name;
  }

  /**
   * Reads the container header and the section table. `magic` is the expected 4-byte type
   * ("zkey", "wtns"); versions above `maxVersion` are refused (snarkjs writes 1 and 2).
   */
  static async open(file: RandomAccess, magic: string, maxVersion: number, sectionNames: Record<number, string>): Promise<BinFile> {
    const fail = (offset: number, message: string, where?: Pick<ZkgpuErrorDetails, 'section' | 'field'>): never => {
      throw new ZkgpuError('FILE_FORMAT', `${file.name}: ${message} (byte offset ${offset})`, { details: { file: file.name, offset, ...where } });
    };
    if (file.size < 12) fail(0, `too short for a .${magic} file: ${file.size} bytes, the header alone needs 12`);
    const head = await file.read(0, 12);
    const found = String.fromCharCode(...head.subarray(0, 4));
    if (found !== magic) fail(0, `not a .${magic} file: magic is ${JSON.stringify(found)}, expected ${JSON.stringify(magic)}`, { field: 'magic' });
    const view = new DataView(head.buffer, head.byteOffset, 12);
    const version = view.getUint32(4, true);
    if (version < 1 || version > maxVersion) fail(4, `unsupported .${magic} version ${version} (supported: 1 to ${maxVersion})`, { field: 'version' });
    const count = view.getUint32(8, true);
    // Each section costs at least 12 header bytes, which bounds the count before we loop on it.
    if (count * 12 > file.size - 12) fail(8, `declares ${count} sections, more than ${file.size} bytes can hold`, { field: 'section count' });
    const sections = new Map<number, SectionEntry[]>();
    let pos = 12;
    for (let i = 0; i < count; i++) {
      if (pos + 12 > file.size) fail(pos, `section header ${i + 1} of ${count} runs past the end of the file (${file.size} bytes): truncated?`);
      const h = await file.read(pos, 12);
      const hv = new DataView(h.buffer, h.byteOffset, 12);
      const id = hv.getUint32(0, true);
      const size = hv.getUint32(4, true) + hv.getUint32(8, true) * 2 ** 32;
      const label = describeSection(id, sectionNames);
      const payload = pos + 12;
      if (size > file.size - payload) {
        fail(pos, `${label} declares ${size} bytes from byte ${payload}, but the file ends at byte ${file.size}: truncated?`, { section: id, field: 'section size' });
      }
      const list = sections.get(id) ?? [];
      list.push({ id, offset: payload, size });
      sections.set(id, list);
      pos = payload + size;
    }
    if (pos !== file.size) fail(pos, `${file.size - pos} unexpected bytes after the last section`);
    return new BinFile(file, magic, version, sections, sectionNames);
  }

  /** True when at least one section has this id (for optional sections). */
  has(id: number): boolean {
    return (this.sections.get(id)?.length ?? 0) > 0;
  }

  /** The one section with this id; FILE_FORMAT if it is missing or repeated. */
  section(id: number): SectionEntry {
    const list = this.sections.get(id);
    const label = describeSection(id, this.sectionNames);
    if (!list || list.length === 0) {
      throw new ZkgpuError('FILE_FORMAT', `${this.name}: missing ${label} (byte offset ${this.file.size}, end of file reached without it)`, {
        details: { file: this.name, section: id, offset: this.file.size },
      });
    }
    if (list.length > 1) {
      throw new ZkgpuError('FILE_FORMAT', `${this.name}: ${label} appears ${list.length} times (second at byte offset ${list[1].offset - 12})`, {
        details: { file: this.name, section: id, offset: list[1].offset - 12 },
      });
    }
    return list[0];
  }

  /** Requires the section to hold exactly `expected` bytes (what its header fields imply). */
  expectSize(id: number, expected: number, why: string): SectionEntry {
    const s = this.section(id);
    if (s.size !== expected) {
      throw new ZkgpuError(
        'FILE_FORMAT',
        `${this.name}: ${describeSection(id, this.sectionNames)} holds ${s.size} bytes, expected ${expected} (${why}) (byte offset ${s.offset - 12})`,
        { details: { file: this.name, section: id, offset: s.offset - 12, field: 'section size' } },
      );
    }
    return s;
  }

  async readSection(id: number): Promise<Uint8Array> {
    const s = this.section(id);
    return this.file.read(s.offset, s.size);
  }

  /** A cursor over one (small) section, for header fields. */
  async cursor(id: number): Promise<SectionCursor> {
    const s = this.section(id);
    return new SectionCursor(this.name, id, describeSection(id, this.sectionNames), s.offset, await this.file.read(s.offset, s.size));
  }

  label(id: number): string {
    return describeSection(id, this.sectionNames);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

function describeSection(id: number, names: Record<number, string>): string {
  const name = names[id];
  return name ? `section ${id} (${name})` : `section ${id}`;
}

/** Sequential little-endian reads inside one section; overruns name the file, section and offset. */
export class SectionCursor {
  private pos = 0;
  private readonly view: DataView;

  constructor(
    readonly fileName: string,
    readonly sectionId: number,
    readonly sectionLabel: string,
    /** Absolute byte offset of bytes[0] in the file. */
    readonly base: number,
    readonly bytes: Uint8Array,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Absolute file offset of the next byte to read. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** FILE_FORMAT at `at`; `where` adds the field (or element index) at fault to the error's details. */
  fail(message: string, at = this.offset, where?: Pick<ZkgpuErrorDetails, 'field' | 'index'>): never {
    throw new ZkgpuError('FILE_FORMAT', `${this.fileName}: ${this.sectionLabel}: ${message} (byte offset ${at})`, {
      details: { file: this.fileName, section: this.sectionId, offset: at, ...where },
    });
  }

  private need(n: number, what: string): number {
    if (this.pos + n > this.bytes.length) {
      this.fail(`${what} needs ${n} bytes but the section ends after ${this.bytes.length - this.pos}: section too short`, this.offset, { field: what });
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u32(what: string): number {
    return this.view.getUint32(this.need(4, what), true);
  }

  take(n: number, what: string): Uint8Array {
    const at = this.need(n, what);
    return this.bytes.subarray(at, at + n);
  }

  /** Requires the whole section to have been consumed. */
  end(): void {
    if (this.pos !== this.bytes.length) {
      this.fail(`${this.bytes.length - this.pos} unexpected bytes at the end of the section (it holds ${this.bytes.length})`);
    }
  }
}
