/**
 * `zkgpu serve`: the prover service (src/serve/). Flags override the --config file. SIGTERM and
 * SIGINT drain (readyz 503, proofs in progress finish within the drain timeout, the rest stay
 * queued) and exit 0; a second signal stops the drain at once (jobs still go back to the queue).
 */
import { parseArgs } from 'node:util';
import type { CliIO } from './io.js';
import { byteSizeOption } from './options.js';

export const SERVE_USAGE = `Usage: zkgpu serve [--config FILE.json] [--circuit NAME=PATH.zkey[,wasm=PATH.wasm]]...
                   [--host 127.0.0.1] [--port 8080] [--data-dir DIR] [--concurrency N]
                   [--max-body SIZE] [--job-timeout SECONDS] [--cost-per-hour USD] [--threads N]
                   [--backend auto|wasm|webgpu] [--max-host-bytes SIZE] [--max-gpu-bytes SIZE]
                   [--queue redis://HOST:PORT [--role all|api|worker]]

A Groth16 prover over HTTP with a durable queue in --data-dir (SQLite), or, with --queue, one
process of a fleet on Redis (BullMQ). Contract and operation: docs/serve.md, docs/fleet.md.

Options:
  --config FILE.json       settings as JSON (same names in camelCase; paths relative to the file)
  --circuit NAME=PATH.zkey[,wasm=PATH.wasm]
                           register a circuit (repeat); with a .wasm it takes "input", else a witness
  --host H                 address to bind (default 127.0.0.1; another host needs ZKGPU_API_TOKENS)
  --port P                 port (default 8080; 0: any free port, printed in the "listening" log line)
  --data-dir DIR           queue and results (default ./zkgpu-data)
  --concurrency N          proofs at once on the shared runtime (default 2)
  --max-body SIZE          largest request body, bytes or e.g. 16MiB (default 64 MiB)
  --job-timeout SECONDS    longest a job may run; a request's timeoutMs may lower it (default 600)
  --cost-per-hour USD      machine price, for zkgpu_proof_cost_usd_total (default 0)
  --threads N              worker threads (default: available cores, cgroup quota included)
  --backend B              auto | wasm | webgpu (default auto)
  --max-host-bytes SIZE    host memory budget, bytes or e.g. 8GiB (default: detected,
                           cgroup-aware, x 0.75)
  --max-gpu-bytes SIZE     GPU memory budget, bytes or e.g. 40GiB (default: detected)
  --max-queue N            queued jobs before POST answers 503 (default 10000)
  --drain-timeout SECONDS  on SIGTERM, how long proofs in progress may finish (default 60)
  --key-cache-bytes N      memory for keys kept between proofs (default: host budget / 4)
  --retention SECONDS      finished jobs are deleted this long after they end (default 604800)
  --log-level L            fatal|error|warn|info|debug|trace|silent (default info)
  --queue redis://H:P      a fleet: jobs and results in Redis (BullMQ) instead of --data-dir
  --role R                 with --queue: api (HTTP, enqueue), worker (prove), all (default)
  --worker-class NAME      a worker's hardware class in GET /v1/fleet (default: GPU or cpu-<threads>t)
  --stall-timeout SECONDS  a worker silent this long loses its jobs to others (default 30)
  --gpu-wait SECONDS       a worker leaves circuits that a live GPU worker's calibration wins to it
                           until a job has waited this long (default 10; 0: never)
  -h, --help               this text

Environment:
  ZKGPU_API_TOKENS         comma-separated bearer tokens; when set, every /v1 route needs one`;

class ServeUsageError extends Error {
  readonly code = 'USAGE';
}

function intOption(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new ServeUsageError(`--${name} must be a whole number >= ${min}, got "${v}"`);
  return n;
}

function numberOption(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new ServeUsageError(`--${name} must be a number >= ${min}, got "${v}"`);
  return n;
}

type ServeModule = typeof import('../serve/index.js');

export async function runServe(argv: string[], io: CliIO): Promise<number> {
  const values = parseServeArgs(argv);
  if (values.help) {
    io.out(SERVE_USAGE);
    return 0;
  }
  const checked = checkChoices(values);
  const serve = await import('../serve/index.js');
  let server: import('../serve/index.js').ProverServer;
  try {
    const config = serve.resolveConfig(configFlags(values, checked, serve));
    server = await serve.startServer(config);
  } catch (e) {
    if (e instanceof serve.ServeError) {
      io.err(`zkgpu serve: ${e.code}: ${e.message}`);
      return e.code === 'CONFIG_INVALID' || e.code === 'INSECURE_BIND' ? 2 : 1;
    }
    throw e;
  }
  return runUntilSignal(server, io);
}

function parseServeArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        circuit: { type: 'string', multiple: true },
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        concurrency: { type: 'string' },
        'max-body': { type: 'string' },
        'job-timeout': { type: 'string' },
        'cost-per-hour': { type: 'string' },
        threads: { type: 'string' },
        backend: { type: 'string' },
        'max-host-bytes': { type: 'string' },
        'max-gpu-bytes': { type: 'string' },
        'max-queue': { type: 'string' },
        'drain-timeout': { type: 'string' },
        'key-cache-bytes': { type: 'string' },
        retention: { type: 'string' },
        'log-level': { type: 'string' },
        queue: { type: 'string' },
        role: { type: 'string' },
        'worker-class': { type: 'string' },
        'stall-timeout': { type: 'string' },
        'gpu-wait': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (e) {
    throw new ServeUsageError((e as Error).message);
  }
}

type ServeValues = ReturnType<typeof parseServeArgs>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

interface CheckedChoices {
  backend: 'auto' | 'wasm' | 'webgpu' | undefined;
  logLevel: (typeof LOG_LEVELS)[number] | undefined;
  role: 'all' | 'api' | 'worker' | undefined;
  port: number | undefined;
}

/** The flags with a fixed set of values, checked before the service module is loaded. */
function checkChoices(values: ServeValues): CheckedChoices {
  const backend = values.backend;
  if (backend !== undefined && backend !== 'auto' && backend !== 'wasm' && backend !== 'webgpu') {
    throw new ServeUsageError(`--backend must be auto, wasm or webgpu, got "${backend}"`);
  }
  const logLevel = values['log-level'];
  if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ServeUsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const role = values.role;
  if (role !== undefined && role !== 'all' && role !== 'api' && role !== 'worker') throw new ServeUsageError(`--role must be all, api or worker, got "${role}"`);
  const port = intOption('port', values.port, 0);
  if (port !== undefined && port > 65535) throw new ServeUsageError(`--port must be 0-65535, got ${port}`);
  return { backend, logLevel: logLevel as (typeof LOG_LEVELS)[number] | undefined, role, port };
}

function configFlags(values: ServeValues, { backend, logLevel, role, port }: CheckedChoices, serve: ServeModule): Parameters<ServeModule['resolveConfig']>[0] {
  return {
    config: values.config,
    circuits: values.circuit?.map(serve.parseCircuitFlag),
    host: values.host,
    port,
    dataDir: values['data-dir'],
    concurrency: intOption('concurrency', values.concurrency, 1),
    maxBody: byteSizeOption('max-body', values['max-body'], ServeUsageError),
    jobTimeoutS: numberOption('job-timeout', values['job-timeout'], 0.001),
    costPerHour: numberOption('cost-per-hour', values['cost-per-hour'], 0),
    threads: intOption('threads', values.threads, 1),
    backend,
    maxHostBytes: byteSizeOption('max-host-bytes', values['max-host-bytes'], ServeUsageError),
    maxGpuBytes: byteSizeOption('max-gpu-bytes', values['max-gpu-bytes'], ServeUsageError),
    maxQueue: intOption('max-queue', values['max-queue'], 1),
    drainTimeoutS: numberOption('drain-timeout', values['drain-timeout'], 0),
    keyCacheBytes: intOption('key-cache-bytes', values['key-cache-bytes'], 0),
    retentionS: numberOption('retention', values.retention, 1),
    logLevel,
    queue: values.queue,
    role,
    workerClass: values['worker-class'],
    stallTimeoutS: numberOption('stall-timeout', values['stall-timeout'], 1),
    gpuWaitS: numberOption('gpu-wait', values['gpu-wait'], 0),
  };
}

/** Runs until a signal: the first drains, a second cuts the drain short. */
function runUntilSignal(server: import('../serve/index.js').ProverServer, io: CliIO): Promise<number> {
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      if (signals === 1) {
        io.err(`zkgpu serve: ${sig}: draining (send it again to stop at once)`);
        server.shutdown().then(
          () => {
            process.off('SIGTERM', onSignal);
            process.off('SIGINT', onSignal);
            resolve(0);
          },
          (e: unknown) => {
            io.err(`zkgpu serve: shutdown failed: ${e instanceof Error ? e.message : String(e)}`);
            resolve(1);
          },
        );
      } else {
        io.err(`zkgpu serve: ${sig} again: stopping now; unfinished jobs go back to the queue`);
        void server.shutdown(0);
      }
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
