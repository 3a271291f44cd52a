/**
 * The HTTP contract (docs/serve.md): /v1 routes behind bearer auth when tokens are set, /healthz,
 * /readyz and /metrics open. Every error is `{ "error": { "code", "message" } }` with the status
 * its code maps to; a bad request never reaches the queue and never stops the server.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { TokenAuth } from './auth.js';
import { circuitInfo, type Circuit } from './circuits.js';
import type { ServeConfig } from './config.js';
import { ServeError, type JobError } from './errors.js';
import type { JobProgress } from './job-runner.js';
import type { ServeMetrics } from './metrics.js';
import { FINISHED, type JobRecord, type JobTimings, type NewJob } from './queue/store.js';
import { checkPayload, parseProofRequest } from './submission.js';

/** The jobs as the routes see them: the embedded queue and dispatcher, or a fleet's Redis. */
export interface JobService {
  submit(job: NewJob): Promise<JobRecord>;
  get(id: string): Promise<JobRecord | null>;
  queuedCount(): Promise<number>;
  /** queued or running -> cancelled (a running proof is aborted); null for an unknown id. */
  cancel(id: string): Promise<JobRecord | null>;
  progressOf(record: JobRecord): Promise<JobProgress | null>;
  /** Why a queued job is not being taken up (a fleet where no live worker takes its circuit), else null. */
  whyWaiting(record: JobRecord): Promise<JobError | null>;
}

export interface AppContext {
  config: ServeConfig;
  jobs: JobService;
  /** False on a fleet worker: it serves /healthz, /readyz, /metrics only. */
  serveApi: boolean;
  /** More routes (GET /v1/fleet on a fleet's API), added behind the same auth and error handling. */
  routes?(app: FastifyInstance): void;
  circuits: ReadonlyMap<string, Circuit>;
  metrics: ServeMetrics;
  auth: TokenAuth | null;
  log: Logger;
  /** Null when ready, else why not (draining, starting, closed). */
  notReady(): string | null;
  /** Resolves when job `id` ends or `ms` pass; false on timeout. */
  waitForEnd(id: string, ms: number, signal: AbortSignal): Promise<void>;
}

/** The job as GET returns it. */
export interface JobView {
  id: string;
  circuit: string;
  status: JobRecord['status'];
  priority: number;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  proof?: unknown;
  publicSignals?: string[];
  error?: { code: string; message: string };
  timings?: JobTimings;
  progress?: JobProgress & { share: number };
  /** A queued job that nothing will take up as things stand, and why (fleet: no live worker fits). */
  waiting?: JobError;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function jobView(r: JobRecord, progress: JobProgress | null, waiting: JobError | null = null): JobView {
  const v: JobView = {
    id: r.id,
    circuit: r.circuit,
    status: r.status,
    priority: r.priority,
    attempts: r.attempts,
    createdAt: iso(r.createdAt) as string,
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
  };
  if (r.result) {
    v.proof = r.result.proof;
    v.publicSignals = r.result.publicSignals;
    v.timings = r.result.timings;
  }
  if (r.error) v.error = r.error;
  if (r.status === 'running' && progress) v.progress = { ...progress, share: progress.total > 0 ? progress.done / progress.total : 0 };
  if (r.status === 'queued' && waiting) v.waiting = waiting;
  return v;
}

/** Fastify's own errors, as this API's codes. */
function fromFastify(e: { code?: string; statusCode?: number; message: string }, maxBody: number): ServeError {
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ServeError('BODY_TOO_LARGE', `the body is larger than this server's limit of ${maxBody} bytes (--max-body)`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ServeError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ServeError('BAD_JSON', 'the body is empty; a JSON object is expected');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ServeError('BAD_JSON', `the body is not valid JSON: ${e.message}`);
  }
  if (e.statusCode === 400 && /JSON/i.test(e.message)) return new ServeError('BAD_JSON', `the body is not valid JSON: ${e.message}`);
  if (e.statusCode === 413) return new ServeError('BODY_TOO_LARGE', `the body is larger than this server's limit of ${maxBody} bytes (--max-body)`);
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) return new ServeError('BAD_REQUEST', e.message);
  return new ServeError('PROVER_ERROR', e.message);
}

function sendError(reply: FastifyReply, e: ServeError, status = e.status): FastifyReply {
  if (e.retryAfterS !== undefined) reply.header('Retry-After', String(Math.ceil(e.retryAfterS)));
  if (e.code === 'UNAUTHORIZED') reply.header('WWW-Authenticate', 'Bearer realm="zkgpu"');
  return reply.code(status).send({ error: { code: e.code, message: e.message } });
}

export function buildApp(ctx: AppContext) {
  const { config, metrics, auth } = ctx;
  const app = Fastify({
    bodyLimit: config.maxBody,
    // Requests are logged by the onResponse hook below (debug level), jobs by the dispatcher.
    logger: false,
    // Ids come from the route, never from a header a client controls.
    genReqId: () => randomUUID(),
    return503OnClosing: true,
  });

  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, _req, reply) => {
    if (err instanceof ServeError) return sendError(reply, err);
    const mapped = fromFastify(err, config.maxBody);
    if (mapped.code === 'PROVER_ERROR') ctx.log.error({ err }, 'unexpected error in a request');
    return sendError(reply, mapped, mapped.code === 'PROVER_ERROR' ? 500 : mapped.status);
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, new ServeError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!auth || !req.url.startsWith('/v1/')) return;
    if (!auth.check(req.headers.authorization)) {
      return sendError(
        reply,
        new ServeError('UNAUTHORIZED', req.headers.authorization ? "the bearer token is not one of this server's tokens" : 'this server needs "Authorization: Bearer <token>"'),
      );
    }
  });
  app.addHook('onResponse', async (req, reply) => {
    ctx.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  if (ctx.serveApi) registerApiRoutes(app, ctx);
  ctx.routes?.(app);

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const why = ctx.notReady();
    if (why === null) return { ready: true };
    return reply.code(503).send({ ready: false, reason: why });
  });
  app.get('/metrics', async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('Content-Type', metrics.registry.contentType).send(text);
  });
  return app;
}

/** The /v1 job routes (an API process; a fleet worker has none). */
function registerApiRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { config, jobs, circuits } = ctx;
  app.post('/v1/proofs', async (req, reply) => {
    const why = ctx.notReady();
    // Draining or closed refuses; Redis away (a fleet) too, as a queue outage; a fleet process whose
    // own GPU is lost still enqueues (other workers prove).
    if (why === 'draining' || why === 'closed') throw new ServeError('DRAINING', `not taking jobs: ${why}`, { retryAfterS: 30 });
    if (why?.startsWith('redis')) throw new ServeError('QUEUE_UNAVAILABLE', `not taking jobs: ${why}; nothing was accepted, retry`, { retryAfterS: 2 });
    const body = parseProofRequest(req.body);
    const circuit = circuits.get(body.circuit);
    if (!circuit) {
      throw new ServeError('UNKNOWN_CIRCUIT', `circuit "${body.circuit}" is not registered here; registered: ${[...circuits.keys()].join(', ')}`);
    }
    const payload = await checkPayload(body, circuit);
    if ((await jobs.queuedCount()) >= config.maxQueue) {
      throw new ServeError('QUEUE_FULL', `the queue holds its limit of ${config.maxQueue} jobs (--max-queue); retry later`, { retryAfterS: 5 });
    }
    const timeoutMs = Math.min(body.timeoutMs ?? config.jobTimeoutS * 1000, config.jobTimeoutS * 1000);
    const record = await jobs.submit({ id: randomUUID(), circuit: circuit.name, payload, priority: body.priority ?? 0, timeoutMs });
    return reply.code(202).header('Location', `/v1/proofs/${record.id}`).send({ id: record.id, status: record.status });
  });

  app.get<{ Params: { id: string }; Querystring: { wait?: string } }>('/v1/proofs/:id', async (req, reply) => {
    const id = req.params.id;
    let record = await jobs.get(id);
    if (!record) throw new ServeError('NOT_FOUND', `no job ${id}`);
    const waitRaw = req.query.wait;
    if (waitRaw !== undefined && !FINISHED.has(record.status)) {
      const waitS = Number(waitRaw);
      if (!Number.isFinite(waitS) || waitS < 0) throw new ServeError('BAD_REQUEST', `wait: expected seconds >= 0, got "${waitRaw}"`);
      const ms = Math.min(waitS, config.maxWaitS) * 1000;
      const gone = new AbortController();
      const onClose = () => gone.abort();
      req.raw.on('close', onClose);
      try {
        await ctx.waitForEnd(id, ms, gone.signal);
      } finally {
        req.raw.off('close', onClose);
      }
      record = (await jobs.get(id)) ?? record;
    }
    const progress = record.status === 'running' ? await jobs.progressOf(record) : null;
    const waiting = record.status === 'queued' ? await jobs.whyWaiting(record) : null;
    return reply.send(jobView(record, progress, waiting));
  });

  app.delete<{ Params: { id: string } }>('/v1/proofs/:id', async (req, reply) => {
    const id = req.params.id;
    const before = await jobs.get(id);
    if (!before) throw new ServeError('NOT_FOUND', `no job ${id}`);
    if (FINISHED.has(before.status)) {
      throw new ServeError('JOB_FINISHED', `job ${id} already ended (${before.status}); nothing to cancel`);
    }
    const after = (await jobs.cancel(id)) ?? before;
    if (after.status !== 'cancelled') throw new ServeError('JOB_FINISHED', `job ${id} ended (${after.status}) before it could be cancelled`);
    return reply.send(jobView(after, null));
  });

  app.get('/v1/circuits', async () => ({ circuits: [...circuits.values()].map(circuitInfo) }));
}
