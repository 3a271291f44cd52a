/// <reference types="@webgpu/types" />
/**
 * Buffer pool: buffers are reused by (usage, size rounded up to a power of two >= 256 B).
 * Callers release a buffer only after the submission that used it has completed (they await
 * its readback first), so a later writeBuffer into a reused buffer never races a dispatch.
 */

export interface PoolStats {
  /** Bytes in GPU buffers this pool owns (in use + free). */
  allocatedBytes: number;
  inUseBytes: number;
  peakInUseBytes: number;
  buffers: number;
}

function bucketSize(size: number): number {
  let s = 256;
  while (s < size) s *= 2;
  return s;
}

export class BufferPool {
  readonly #device: GPUDevice;
  readonly #free = new Map<string, GPUBuffer[]>();
  readonly #sizes = new Map<GPUBuffer, number>();
  readonly #inUse = new Set<GPUBuffer>();
  #allocated = 0;
  #inUseBytes = 0;
  #peak = 0;

  constructor(device: GPUDevice) {
    this.#device = device;
  }

  acquire(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const bytes = bucketSize(size);
    const key = `${usage}:${bytes}`;
    let buf = this.#free.get(key)?.pop();
    if (!buf) {
      buf = this.#device.createBuffer({ size: bytes, usage, label });
      this.#sizes.set(buf, bytes);
      this.#allocated += bytes;
    } else {
      buf.label = label;
    }
    this.#inUse.add(buf);
    this.#inUseBytes += bytes;
    this.#peak = Math.max(this.#peak, this.#inUseBytes);
    return buf;
  }

  /** Returns buffers to the free lists; the work that used them must have completed. */
  release(buffers: GPUBuffer[]): Promise<void> {
    for (const b of buffers) {
      if (!this.#inUse.delete(b)) continue;
      const bytes = this.#sizes.get(b)!;
      this.#inUseBytes -= bytes;
      const key = `${b.usage}:${bytes}`;
      let list = this.#free.get(key);
      if (!list) this.#free.set(key, (list = []));
      list.push(b);
    }
    return Promise.resolve();
  }

  /** Destroys in-use buffers instead of pooling them (an allocation that failed is not reusable). */
  drop(buffers: GPUBuffer[]): void {
    for (const b of buffers) {
      if (!this.#inUse.delete(b)) continue;
      const bytes = this.#sizes.get(b)!;
      this.#inUseBytes -= bytes;
      this.#allocated -= bytes;
      this.#sizes.delete(b);
      b.destroy();
    }
  }

  /** Destroys free buffers (in-use ones stay with their holder). */
  trim(): void {
    for (const list of this.#free.values()) {
      for (const b of list) {
        this.#allocated -= this.#sizes.get(b)!;
        this.#sizes.delete(b);
        b.destroy();
      }
    }
    this.#free.clear();
  }

  destroyAll(): void {
    this.trim();
    for (const b of this.#inUse) {
      b.destroy();
      this.#allocated -= this.#sizes.get(b)!;
      this.#inUseBytes -= this.#sizes.get(b)!;
      this.#sizes.delete(b);
    }
    this.#inUse.clear();
  }

  stats(): PoolStats {
    return { allocatedBytes: this.#allocated, inUseBytes: this.#inUseBytes, peakInUseBytes: this.#peak, buffers: this.#sizes.size };
  }
}
