/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium (ZKGPU_CHROMIUM points
 * elsewhere: any Chromium 113+ with WebGPU) through playwright-core, with WebGPU on (SwiftShader
 * where there is no GPU). One place for the flags, so the page, engine and example tests launch
 * the same browser.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.ZKGPU_CHROMIUM || '/usr/bin/chromium';

/** Throws the sentence that tells how to get the browser, when it is missing. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium. Run scripts/setup-system.sh (as root) to install it, or set ZKGPU_CHROMIUM.`);
  }
}

export async function launchChromium(): Promise<Browser> {
  requireChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--enable-unsafe-webgpu',
      '--disable-sync',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      // Chromium's sandbox will not start as root (containers, CI).
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ],
    // Without it Chromium warns on every launch that XDG_RUNTIME_DIR is unset.
    env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' },
  });
}
