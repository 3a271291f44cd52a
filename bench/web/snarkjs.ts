/**
 * snarkjs's browser build, shipped beside the page (vite.config.ts) and loaded on demand with a
 * script tag: the Groth16 peer (its prover), the judge of every proof (its verifier), and
 * ffjavascript's curves (bundled inside it) as the MSM/NTT peer. Typed here with the members used.
 */
import type { FfModule } from '../core/peers/ffjavascript.js';

export interface SnarkjsProof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

/** snarkjs reads in-memory files given as { type: 'mem', data }. */
export interface MemFile {
  type: 'mem';
  data: Uint8Array;
}

export interface SnarkjsBrowser {
  groth16: {
    prove(zkey: MemFile, wtns: MemFile): Promise<{ proof: SnarkjsProof; publicSignals: string[] }>;
    verify(vk: unknown, publicSignals: unknown, proof: unknown): Promise<boolean>;
  };
  curves: { getCurveFromName(name: string): Promise<Awaited<ReturnType<FfModule['buildBn128']>>> };
}

declare global {
  interface Window {
    snarkjs?: SnarkjsBrowser;
  }
}

let loading: Promise<SnarkjsBrowser> | null = null;

/** Rejects with a sentence when the script is missing (a build without peers) or does not define snarkjs. */
export function loadSnarkjs(url = new URL('peers/snarkjs.min.js', document.baseURI).href): Promise<SnarkjsBrowser> {
  loading ??= new Promise<SnarkjsBrowser>((resolve, reject) => {
    if (window.snarkjs) return resolve(window.snarkjs);
    const script = document.createElement('script');
    script.src = url;
    script.async = true;
    script.onload = () => (window.snarkjs ? resolve(window.snarkjs) : reject(new Error(`${url} loaded but defined no snarkjs global`)));
    script.onerror = () => reject(new Error(`snarkjs's browser build could not be loaded from ${url}`));
    document.head.append(script);
  }).catch((e: unknown) => {
    loading = null;
    throw e;
  });
  return loading;
}

/** ffjavascript's curves as snarkjs builds them (its worker pool: one thread per core). */
export function ffjavascriptFromSnarkjs(s: SnarkjsBrowser): FfModule {
  return {
    buildBn128: () => s.curves.getCurveFromName('bn128'),
    buildBls12381: () => s.curves.getCurveFromName('bls12381'),
  };
}
