/**
 * The peers are optional at run time: devDependencies of zkgpu, absent where the package was
 * installed from npm. Each is loaded with a dynamic import; one that is not installed is left
 * out (and said once) instead of failing every size it would have run.
 */
import type { PeerAdapter } from '../../core/cases.js';
import type { BenchPeer } from '../../core/schema.js';
import { createFfjavascriptPeer } from './ffjavascript.js';
import { createNoblePeer } from './noble.js';

const FACTORIES: Record<BenchPeer, () => PeerAdapter> = {
  ffjavascript: createFfjavascriptPeer,
  noble: createNoblePeer,
};

export interface MissingPeer {
  name: BenchPeer;
  packageName: string;
}

export interface LoadedPeers {
  peers: Map<BenchPeer, PeerAdapter>;
  missing: MissingPeer[];
}

/** True when `e` says that `packageName` itself (not something it imports) cannot be found. */
export function isNotInstalled(e: unknown, packageName: string): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  return String((e as Error).message).includes(`'${packageName}`);
}

/** Loads each named peer; a missing one is listed in `missing`, any other load error is thrown. */
export async function loadPeers(names: readonly BenchPeer[]): Promise<LoadedPeers> {
  const peers = new Map<BenchPeer, PeerAdapter>();
  const missing: MissingPeer[] = [];
  for (const name of names) {
    const peer = FACTORIES[name]();
    try {
      await peer.load();
      peers.set(name, peer);
    } catch (e) {
      if (!isNotInstalled(e, peer.packageName)) throw e;
      missing.push({ name, packageName: peer.packageName });
    }
  }
  return { peers, missing };
}

export function missingPeerNote(missing: readonly MissingPeer[]): string {
  const packages = missing.map((m) => m.packageName);
  return `not installed: ${packages.join(', ')}; add ${packages.length > 1 ? 'them' : 'it'} with npm i -D ${packages.join(' ')}`;
}
