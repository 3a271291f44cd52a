/**
 * ffjavascript in Node: the platform-neutral adapter (bench/core/peers/ffjavascript.ts) over a
 * dynamic import through a computed specifier, so `zkgpu bench` runs where it is not installed.
 */
import type { PeerAdapter } from '../../core/cases.js';
import { type FfModule, createFfjavascriptPeerWith } from '../../core/peers/ffjavascript.js';

const SPECIFIER = 'ffjavascript';

export function createFfjavascriptPeer(): PeerAdapter {
  return createFfjavascriptPeerWith(() => import(SPECIFIER) as Promise<FfModule>);
}
