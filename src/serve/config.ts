/**
 * The server's settings: defaults, the JSON config file (--config) and the command line, merged in
 * that order (a flag wins over the file). Every value is checked here, once, with a message naming
 * the setting and where it came from.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ServeError } from './errors.js';

export interface CircuitSpec {
  name: string;
  zkey: string;
  wasm?: string;
}

export interface ServeConfig {
  host: string;
  port: number;
  dataDir: string;
  /** Proofs running at once on the one runtime. */
  concurrency: number;
  /** Largest request body, bytes. */
  maxBody: number;
  /** Longest a job may run (witness, proof, check); a request's timeoutMs may only lower it. */
  jobTimeoutS: number;
  /** Price of this machine per hour, for zkgpu_proof_cost_usd_total (0: no cost metric moves). */
  costPerHour: number;
  /** Worker threads of the runtime (default: the available cores, cgroup quota included). */
  threads?: number;
  backend: 'auto' | 'wasm' | 'webgpu';
  maxHostBytes?: number;
  maxGpuBytes?: number;
  circuits: CircuitSpec[];
  /** Queued jobs beyond which POST answers 503 with Retry-After. */
  maxQueue: number;
  /** On SIGTERM, how long running proofs may take to finish before they are aborted and re-queued. */
  drainTimeoutS: number;
  /** Memory for parsed keys kept between proofs (default: a quarter of the host budget). */
  keyCacheBytes?: number;
  /** Finished jobs (and their proofs) are deleted this long after they end. */
  retentionS: number;
  /** Starts of one job (a crash mid-proof counts) before it fails with INTERRUPTED. */
  maxAttempts: number;
  /** Longest long-poll a GET ?wait= may hold. */
  maxWaitS: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** redis://HOST:PORT[/DB]: a fleet on BullMQ (docs/fleet.md); absent: the embedded queue in dataDir. */
  queue?: string;
  /** With `queue`: api serves HTTP and enqueues, worker proves, all does both. */
  role: 'all' | 'api' | 'worker';
  /** A worker's hardware class in GET /v1/fleet (default: its GPU's description, or cpu-<threads>t). */
  workerClass?: string;
  /** A fleet worker silent this long (its job lock not renewed) loses its jobs to the others. */
  stallTimeoutS: number;
  /**
   * A fleet worker leaves a circuit to live GPU workers whose GPU wins it, until the circuit's
   * oldest waiting job has waited this long (then it takes jobs too). 0: never defers.
   */
  gpuWaitS: number;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: './zkgpu-data',
  // One proof already keeps every worker busy most of the time (the prover spreads its MSMs over
  // the pool); a second one fills the gaps at its start and end. Measured with bench/node/serve.ts.
  concurrency: 2,
  // A 2^20-constraint witness is 32 MiB, 43 MiB in base64: the default takes it with room.
  maxBody: 64 * 2 ** 20,
  jobTimeoutS: 600,
  costPerHour: 0,
  backend: 'auto',
  circuits: [],
  maxQueue: 10_000,
  drainTimeoutS: 60,
  retentionS: 7 * 24 * 3600,
  maxAttempts: 3,
  maxWaitS: 60,
  logLevel: 'info',
  role: 'all',
  // BullMQ's default lock: renewed every 15 s, so a worker must miss two renewals to lose its jobs.
  stallTimeoutS: 30,
  // A GPU worker between two jobs fetches the next at once, so a job that waited 10 s is behind
  // busy GPUs: it starts on a CPU worker within ~12 s (plus the 2 s re-decision), far below the
  // backlog an autoscaler reacts to (KEDA polls every 30 s by default).
  gpuWaitS: 10,
} as const satisfies Partial<ServeConfig>;

const positiveInt = z.number().int().positive();
const circuitName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a circuit name is 1-64 letters, digits, _ . - (starting with a letter or digit)');

const fileSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535),
    dataDir: z.string().min(1),
    concurrency: positiveInt.max(64),
    maxBody: positiveInt,
    jobTimeout: z.number().positive(),
    costPerHour: z.number().min(0),
    threads: positiveInt.max(256),
    backend: z.enum(['auto', 'wasm', 'webgpu']),
    maxHostBytes: positiveInt,
    maxGpuBytes: positiveInt,
    maxQueue: positiveInt,
    drainTimeout: z.number().min(0),
    keyCacheBytes: z.number().int().min(0),
    retention: z.number().positive(),
    maxAttempts: positiveInt.max(100),
    maxWait: z.number().min(0).max(3600),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    queue: z.string().regex(/^rediss?:\/\/./, 'a redis:// or rediss:// URL'),
    role: z.enum(['all', 'api', 'worker']),
    workerClass: z.string().min(1).max(64),
    stallTimeout: z.number().min(1),
    gpuWait: z.number().min(0),
    circuits: z.record(circuitName, z.object({ zkey: z.string().min(1), wasm: z.string().min(1).optional() }).strict()),
  })
  .partial()
  .strict();

/** What the command line gave (undefined: not given). */
export type ServeFlags = Partial<Omit<ServeConfig, 'circuits'>> & { circuits?: CircuitSpec[]; config?: string };

function zodMessage(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`).join('; ');
}

/** Reads --config FILE: paths in it are relative to the file's folder. */
export function readConfigFile(path: string): Partial<ServeConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ServeError('CONFIG_INVALID', `cannot read the config file ${path}: ${(e as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new ServeError('CONFIG_INVALID', `config file ${path}: ${zodMessage(parsed.error)}`);
  const f = parsed.data;
  const base = dirname(resolve(path));
  const out: Partial<ServeConfig> = {
    host: f.host,
    port: f.port,
    dataDir: f.dataDir === undefined ? undefined : resolve(base, f.dataDir),
    concurrency: f.concurrency,
    maxBody: f.maxBody,
    jobTimeoutS: f.jobTimeout,
    costPerHour: f.costPerHour,
    threads: f.threads,
    backend: f.backend,
    maxHostBytes: f.maxHostBytes,
    maxGpuBytes: f.maxGpuBytes,
    maxQueue: f.maxQueue,
    drainTimeoutS: f.drainTimeout,
    keyCacheBytes: f.keyCacheBytes,
    retentionS: f.retention,
    maxAttempts: f.maxAttempts,
    maxWaitS: f.maxWait,
    logLevel: f.logLevel,
    queue: f.queue,
    role: f.role,
    workerClass: f.workerClass,
    stallTimeoutS: f.stallTimeout,
    gpuWaitS: f.gpuWait,
    circuits:
      f.circuits === undefined
        ? undefined
        : Object.entries(f.circuits).map(([name, c]) => ({ name, zkey: resolve(base, c.zkey), wasm: c.wasm === undefined ? undefined : resolve(base, c.wasm) })),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Partial<ServeConfig>;
}

/**
 * Defaults, then the config file, then the flags. Circuits from the file and the flags are merged
 * by name (a flag's circuit replaces the file's of the same name).
 */
export function resolveConfig(flags: ServeFlags): ServeConfig {
  const file = flags.config === undefined ? {} : readConfigFile(flags.config);
  const { config: _config, circuits: flagCircuits, ...flagValues } = flags;
  const given = Object.fromEntries(Object.entries(flagValues).filter(([, v]) => v !== undefined));
  const circuits = new Map<string, CircuitSpec>();
  for (const c of [...(file.circuits ?? []), ...(flagCircuits ?? [])]) {
    if (!circuitName.safeParse(c.name).success) throw new ServeError('CONFIG_INVALID', `circuit name "${c.name}": 1-64 letters, digits, _ . - (starting with a letter or digit)`);
    circuits.set(c.name, c);
  }
  const config: ServeConfig = { ...DEFAULTS, ...file, ...given, circuits: [...circuits.values()] };
  if (config.circuits.length === 0) throw new ServeError('CONFIG_INVALID', 'no circuit registered: give --circuit NAME=PATH.zkey[,wasm=PATH.wasm] or "circuits" in --config');
  if (config.queue !== undefined && !/^rediss?:\/\/./.test(config.queue))
    throw new ServeError('CONFIG_INVALID', `queue "${config.queue}": expected redis://HOST:PORT (a fleet on Redis) or no queue (the embedded one)`);
  if (config.queue === undefined && config.role !== 'all')
    throw new ServeError('CONFIG_INVALID', `role "${config.role}" needs a shared queue: give --queue redis://HOST:PORT (the embedded queue serves one process)`);
  return config;
}

/** Parses one --circuit value: NAME=PATH.zkey[,wasm=PATH.wasm]. */
export function parseCircuitFlag(value: string): CircuitSpec {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new ServeError('CONFIG_INVALID', `--circuit ${value}: expected NAME=PATH.zkey[,wasm=PATH.wasm]`);
  const name = value.slice(0, eq);
  const [zkey, ...rest] = value.slice(eq + 1).split(',');
  if (!zkey) throw new ServeError('CONFIG_INVALID', `--circuit ${value}: no .zkey path after "${name}="`);
  const spec: CircuitSpec = { name, zkey: resolve(zkey) };
  for (const part of rest) {
    const m = /^wasm=(.+)$/.exec(part);
    if (!m) throw new ServeError('CONFIG_INVALID', `--circuit ${value}: unknown part "${part}" (only wasm=PATH.wasm may follow the .zkey)`);
    spec.wasm = resolve(m[1]);
  }
  return spec;
}
