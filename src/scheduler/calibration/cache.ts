/**
 * Where calibrations live between runs, one per host fingerprint (fingerprint.ts):
 * - Node: a JSON file per host in $ZKGPU_CACHE_DIR, else $XDG_CACHE_HOME/zkgpu, else ~/.cache/zkgpu;
 * - browsers: IndexedDB (database 'zkgpu', store 'calibrations', keyed by the host key).
 * Anything read back that is unreadable, malformed or written for another host is ignored with a
 * warning: a cache must never be the reason a proof fails.
 */
import { ZkgpuError } from '../../core/errors.js';
import { calibrationFor, checkCalibration, sameHost, CALIBRATION_SCHEMA, type Calibration, type MeasuredModel } from './calibration.js';
import { adapterKey, hostKey, shortHash, type FingerprintInput, type HostFingerprint } from '../hardware/fingerprint.js';

export interface CalibrationCacheOptions {
  /** Node: the directory to use instead of the default (env ZKGPU_CACHE_DIR does the same). */
  dir?: string;
  /** Where warnings go (default console.warn). */
  warn?: (message: string) => void;
}

export interface SaveOptions extends CalibrationCacheOptions {
  /**
   * Keep the stored models this calibration did not measure (default true): `zkgpu calibrate
   * --backend webgpu` then leaves the wasm models in place. A model is replaced when the same
   * kernel was measured again on the same backend (and adapter).
   */
  merge?: boolean;
}

const DB_NAME = 'zkgpu';
const DB_STORE = 'calibrations';

type Env = Record<string, string | undefined>;

function nodeProcess(): { env: Env; pid: number } | null {
  const g = globalThis as { process?: { versions?: { node?: string }; env: Env; pid: number } };
  return g.process?.versions?.node ? g.process : null;
}

async function nodeModules() {
  const [fs, path, os] = ['node:fs/promises', 'node:path', 'node:os'];
  return {
    fs: (await import(/* @vite-ignore */ fs)) as typeof import('node:fs/promises'),
    path: (await import(/* @vite-ignore */ path)) as typeof import('node:path'),
    os: (await import(/* @vite-ignore */ os)) as typeof import('node:os'),
  };
}

/** Node: the cache directory; null outside Node. */
export async function calibrationCacheDir(options: Pick<CalibrationCacheOptions, 'dir'> = {}): Promise<string | null> {
  const proc = nodeProcess();
  if (!proc) return null;
  if (options.dir) return options.dir;
  const { path, os } = await nodeModules();
  if (proc.env.ZKGPU_CACHE_DIR) return proc.env.ZKGPU_CACHE_DIR;
  if (proc.env.XDG_CACHE_HOME) return path.join(proc.env.XDG_CACHE_HOME, 'zkgpu');
  return path.join(os.homedir(), '.cache', 'zkgpu');
}

/** Where the calibration for this host is (or would be) stored: a file path, or an IndexedDB key; null where there is no storage. */
export async function calibrationLocation(host: HostFingerprint, options: Pick<CalibrationCacheOptions, 'dir'> = {}): Promise<string | null> {
  const dir = await calibrationCacheDir(options);
  if (dir !== null) return (await nodeModules()).path.join(dir, `calibration-${shortHash(hostKey(host))}.json`);
  return hasIndexedDb() ? `indexedDB ${DB_NAME}/${DB_STORE}/${hostKey(host)}` : null;
}

/** A stored value that passed every check and belongs to this host, or null (with a warning when something was there). */
function accept(raw: unknown, host: HostFingerprint, where: string, warn: (m: string) => void): Calibration | null {
  const problem = checkCalibration(raw);
  if (problem) {
    warn(`zkgpu: ignoring the calibration cache at ${where}: ${problem}`);
    return null;
  }
  const cal = raw as Calibration;
  if (!sameHost(cal.host, host)) {
    warn(`zkgpu: ignoring the calibration cache at ${where}: it was written for "${hostKey(cal.host)}", not "${hostKey(host)}"`);
    return null;
  }
  return cal;
}

async function readStored(host: HostFingerprint, options: CalibrationCacheOptions): Promise<Calibration | null> {
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const location = await calibrationLocation(host, options);
  if (location === null) return null;
  if (nodeProcess()) {
    const { fs } = await nodeModules();
    let text: string;
    try {
      text = await fs.readFile(location, 'utf8');
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') warn(`zkgpu: ignoring the calibration cache at ${location}: ${(e as Error).message}`);
      return null;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      warn(`zkgpu: ignoring the calibration cache at ${location}: not JSON (${(e as Error).message})`);
      return null;
    }
    return accept(raw, host, location, warn);
  }
  try {
    const raw = await idbRequest('readonly', (store) => store.get(hostKey(host)));
    return raw === undefined ? null : accept(raw, host, location, warn);
  } catch (e) {
    warn(`zkgpu: ignoring the calibration cache at ${location}: ${(e as Error)?.message ?? String(e)}`);
    return null;
  }
}

/**
 * The stored calibration for this fingerprint: its host's models, less the webgpu models of other
 * adapters; null when there is none (or none usable, or the store is unreadable: see the warning).
 */
export async function loadCalibration(fp: FingerprintInput, options: CalibrationCacheOptions = {}): Promise<Calibration | null> {
  const stored = await readStored(fp.host, options);
  return stored ? calibrationFor(stored, fp) : null;
}

const modelSlot = (m: MeasuredModel) => `${m.kernel}|${m.backend}|${m.adapter ? adapterKey(m.adapter) : ''}`;

/** Stores a calibration (merged with what is stored for its host unless merge is false); returns where, and what was stored. */
export async function saveCalibration(calibration: Calibration, options: SaveOptions = {}): Promise<{ location: string | null; calibration: Calibration }> {
  const problem = checkCalibration(calibration);
  if (problem) throw new ZkgpuError('INVALID_ARGUMENT', `saveCalibration: ${problem}`);
  let stored = calibration;
  if (options.merge !== false) {
    const previous = await readStored(calibration.host, options);
    if (previous) {
      const fresh = new Set(calibration.models.map(modelSlot));
      stored = { ...calibration, models: [...previous.models.filter((m) => !fresh.has(modelSlot(m))), ...calibration.models] };
    }
  }
  stored = { ...stored, schema: CALIBRATION_SCHEMA };
  const location = await calibrationLocation(calibration.host, options);
  if (location === null) {
    (options.warn ?? ((m: string) => console.warn(m)))('zkgpu: no calibration storage here (neither Node nor IndexedDB): the calibration was not saved');
    return { location: null, calibration: stored };
  }
  if (nodeProcess()) {
    const { fs, path } = await nodeModules();
    await fs.mkdir(path.dirname(location), { recursive: true });
    // Write then rename: a reader (another process starting up) never sees half a file.
    const tmp = `${location}.${nodeProcess()?.pid ?? 0}.tmp`;
    await fs.writeFile(tmp, `${JSON.stringify(stored, null, 2)}\n`);
    await fs.rename(tmp, location);
  } else {
    await idbRequest('readwrite', (store) => store.put(stored, hostKey(calibration.host)));
  }
  return { location, calibration: stored };
}

// ---- IndexedDB (browsers): behind a feature check, opened per call (calibrations are rare) ----

function hasIndexedDb(): boolean {
  return !nodeProcess() && typeof (globalThis as { indexedDB?: unknown }).indexedDB === 'object' && (globalThis as { indexedDB?: unknown }).indexedDB !== null;
}

function promised<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

async function idbRequest<T>(mode: IDBTransactionMode, op: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const open = indexedDB.open(DB_NAME, 1);
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(DB_STORE)) open.result.createObjectStore(DB_STORE);
  };
  const db = await promised(open);
  try {
    const tx = db.transaction(DB_STORE, mode);
    // Listening before the request: a write is durable only once its transaction completes.
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
    done.catch(() => undefined); // handled below; a failed request rejects first
    const result = await promised(op(tx.objectStore(DB_STORE)));
    await done;
    return result;
  } finally {
    db.close();
  }
}
