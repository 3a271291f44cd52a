/** Default CPU worker count: every logical core the platform reports. */
export function defaultThreadCount(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (typeof process !== 'undefined' && process.versions?.node) {
    // availableParallelism() honours CPU affinity, unlike os.cpus().length. Loaded lazily so the
    // module stays importable in browsers; process.getBuiltinModule exists from Node 20.16.
    const os = (process as unknown as { getBuiltinModule?: (m: string) => typeof import('node:os') }).getBuiltinModule?.('node:os');
    if (os) return Math.max(1, os.availableParallelism());
  }
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}
