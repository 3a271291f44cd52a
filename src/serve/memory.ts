/**
 * Host memory: what one proof needs (estimated from the key's header, as the public API has no
 * estimate for a whole proof), the admission ledger that keeps concurrent proofs and the cached
 * keys inside the host budget, and the key cache (least recently used dropped first).
 */
import type { Groth16Prover, ZkeyHeader } from '../index.js';

const MiB = 2 ** 20;

/**
 * Bytes one proof holds beyond its key, from the key's header. The terms are the arrays a proof
 * makes: the witness (nVars x 32 B); the QAP's evaluations, their coset copies and the H scalars
 * (8 x domain x 32 B); every MSM's points and scalars as posted to the workers (A, B1, C and H in
 * G1, B2 in G2, plus the five scalar vectors). Scaled by 1.6 and 16 MiB added: the first proof on a
 * fresh runtime grew RSS by 109 MiB at 2^16 (nVars 65,474) where the terms add up to 61 MiB, and
 * by 16 MiB at 2^11 where they add up to 1.7 MiB (worker wasm memory and staging buffers grow once,
 * then stay; measured here, 2 worker threads, BN254).
 */
export function proofBytesEstimate(h: Pick<ZkeyHeader, 'n8q' | 'n8r' | 'nVars' | 'nPublic' | 'domainSize'>): number {
  const fr = h.n8r;
  const g1 = 2 * h.n8q;
  const g2 = 4 * h.n8q;
  const nPrivate = h.nVars - h.nPublic - 1;
  const witness = h.nVars * fr;
  const qap = 8 * h.domainSize * fr;
  const msmInputs = (2 * h.nVars + nPrivate + h.domainSize) * g1 + h.nVars * g2 + (4 * h.nVars + h.domainSize) * fr;
  return Math.ceil(1.6 * (witness + qap + msmInputs) + 16 * MiB);
}

/**
 * Who holds what of the host budget. `fixedBytes` is the process at start (runtime, workers, the
 * helper thread, the server); keys in the cache and admitted proofs come on top. A proof is admitted
 * only when all of it fits under the budget.
 */
export class MemoryLedger {
  private admitted = 0;
  private cached = 0;
  constructor(
    readonly budgetBytes: number,
    readonly fixedBytes: number,
  ) {}

  get admittedBytes(): number {
    return this.admitted;
  }

  get cachedBytes(): number {
    return this.cached;
  }

  /** What proofs may still take now. */
  get freeBytes(): number {
    return this.budgetBytes - this.fixedBytes - this.cached - this.admitted;
  }

  /** Reserves `bytes` if they fit; the caller returns them with release(). */
  tryAdmit(bytes: number): boolean {
    if (bytes > this.freeBytes) return false;
    this.admitted += bytes;
    return true;
  }

  release(bytes: number): void {
    this.admitted = Math.max(0, this.admitted - bytes);
  }

  setCached(bytes: number): void {
    this.cached = bytes;
  }
}

/**
 * Prepared provers (groth16.prover: the key's sections read once, kept for every proof of the
 * circuit) by circuit name, within `budgetBytes` of held key bytes; the least recently used goes
 * first. A key larger than the whole budget is never cached (its prover serves one proof).
 */
export class KeyCache {
  private readonly entries = new Map<string, Groth16Prover>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    readonly budgetBytes: number,
    private readonly onChange: (bytes: number) => void = () => {},
  ) {}

  get size(): number {
    return this.bytes;
  }

  get(name: string): Groth16Prover | undefined {
    const v = this.entries.get(name);
    if (v) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      this.entries.delete(name);
      this.entries.set(name, v);
      this.hits++;
    } else {
      this.misses++;
    }
    return v;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Stores the key, dropping the least recently used ones to make room; false if it can never fit. */
  put(name: string, key: Groth16Prover): boolean {
    if (key.byteLength > this.budgetBytes) return false;
    this.delete(name);
    for (const [other, v] of this.entries) {
      if (this.bytes + key.byteLength <= this.budgetBytes) break;
      this.entries.delete(other);
      this.bytes -= v.byteLength;
    }
    this.entries.set(name, key);
    this.bytes += key.byteLength;
    this.onChange(this.bytes);
    return true;
  }

  /**
   * Drops least recently used keys other than `keep` until `bytes` are freed or none is left to
   * drop; returns the bytes freed. A proof that waits for memory held by idle keys gets it.
   */
  evict(bytes: number, keep: string): number {
    let freed = 0;
    for (const [name, v] of [...this.entries]) {
      if (freed >= bytes) break;
      if (name === keep) continue;
      this.delete(name);
      freed += v.byteLength;
    }
    return freed;
  }

  delete(name: string): void {
    const v = this.entries.get(name);
    if (!v) return;
    this.entries.delete(name);
    this.bytes -= v.byteLength;
    this.onChange(this.bytes);
  }
}
