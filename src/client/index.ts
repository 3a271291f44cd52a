/**
 * `zkgpu/client`: a client for `zkgpu serve` that runs in browsers and Node (fetch only, no Node
 * modules). Every failure is a ProverClientError subclass with a stable `code`: HTTP errors carry
 * the server's code and status, a job that ends without a proof rejects wait() with JobFailedError
 * (or JobCancelledError) carrying the job's own code (PROOF_TIMEOUT, INPUT_INVALID, ...).
 */

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** snarkjs's Groth16 proof JSON, as snarkjs.groth16.verify takes it. */
export interface Groth16ProofJson {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

export interface JobTimings {
  queuedMs: number;
  witnessMs: number;
  proveMs: number;
  verifyMs: number;
  totalMs: number;
  stages: Record<string, number>;
}

export interface ProofJob {
  id: string;
  circuit: string;
  status: JobStatus;
  priority: number;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  proof?: Groth16ProofJson;
  publicSignals?: string[];
  error?: { code: string; message: string };
  timings?: JobTimings;
  /** While running: the stage that last finished and the share of stages done. */
  progress?: { stage: string; done: number; total: number; share: number };
}

export interface CircuitInfo {
  name: string;
  curve: string;
  maxConstraints: number;
  domainSize: number;
  nVars: number;
  publicSignals: number;
  takesInput: boolean;
  memory: { proofBytes: number; keyBytes: number; totalBytes: number };
}

export interface SubmitRequest {
  circuit: string;
  /** Signal values (the server computes the witness); needs a circuit registered with its .wasm. */
  input?: Record<string, unknown>;
  /** A .wtns file: bytes, or already base64. */
  witness?: Uint8Array | ArrayBuffer | string;
  /** Higher runs first. */
  priority?: number;
  /** Limit on the job's own run time; the server's --job-timeout caps it. */
  timeoutMs?: number;
}

export interface ProverClientOptions {
  /** The server's base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  /** One of the server's ZKGPU_API_TOKENS. */
  token?: string;
  /** Defaults to globalThis.fetch. */
  fetch?: typeof fetch;
}

export interface WaitOptions {
  /** Give up after this long (WaitTimeoutError); the job keeps running. Default: no limit. */
  timeoutMs?: number;
  /** Seconds per long-poll request (the server caps it). Default 30. */
  pollS?: number;
  signal?: AbortSignal;
}

export class ProverClientError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProverClientError';
    this.code = code;
  }
}

/** The server answered with an error status; `code` is the server's (BAD_REQUEST, INPUT_INVALID, ...). */
export class ProverHttpError extends ProverClientError {
  readonly status: number;
  /** Seconds the server asked to wait (503). */
  readonly retryAfterS?: number;
  constructor(status: number, code: string, message: string, retryAfterS?: number) {
    super(code, `HTTP ${status} ${code}: ${message}`);
    this.name = 'ProverHttpError';
    this.status = status;
    this.retryAfterS = retryAfterS;
  }
}

export class UnauthorizedError extends ProverHttpError {
  override readonly name = 'UnauthorizedError';
}
export class NotFoundError extends ProverHttpError {
  override readonly name = 'NotFoundError';
}
export class PayloadTooLargeError extends ProverHttpError {
  override readonly name = 'PayloadTooLargeError';
}
/** 503: the queue is full or the server is draining; retry after `retryAfterS`. */
export class UnavailableError extends ProverHttpError {
  override readonly name = 'UnavailableError';
}

/** The server could not be reached, or answered something that is not this API. */
export class NetworkError extends ProverClientError {
  override readonly name = 'NetworkError';
}

/** The job ended `failed`; `code` is the job's (PROOF_TIMEOUT, INPUT_INVALID, PROOF_INVALID, ...). */
export class JobFailedError extends ProverClientError {
  override readonly name = 'JobFailedError';
  constructor(readonly job: ProofJob) {
    super(job.error?.code ?? 'FAILED', `job ${job.id} failed: ${job.error?.code ?? 'FAILED'}: ${job.error?.message ?? '(no message)'}`);
  }
}

export class JobCancelledError extends ProverClientError {
  override readonly name = 'JobCancelledError';
  constructor(readonly job: ProofJob) {
    super('CANCELLED', `job ${job.id} was cancelled`);
  }
}

/** wait() ran out of its timeoutMs; the job is still queued or running on the server. */
export class WaitTimeoutError extends ProverClientError {
  override readonly name = 'WaitTimeoutError';
  constructor(readonly job: ProofJob) {
    super('WAIT_TIMEOUT', `job ${job.id} is still ${job.status} after the wait ran out`);
  }
}

export class AbortedError extends ProverClientError {
  override readonly name = 'AbortError';
  constructor(reason: unknown) {
    super('ABORTED', `aborted${reason instanceof Error ? `: ${reason.message}` : ''}`, { cause: reason });
  }
}

function httpError(status: number, code: string, message: string, retryAfterS?: number): ProverHttpError {
  if (status === 401) return new UnauthorizedError(status, code, message);
  if (status === 404) return new NotFoundError(status, code, message);
  if (status === 413) return new PayloadTooLargeError(status, code, message);
  if (status === 503) return new UnavailableError(status, code, message, retryAfterS);
  return new ProverHttpError(status, code, message, retryAfterS);
}

/** Base64 without Node's Buffer: chunks through btoa (32 KiB per String.fromCharCode call). */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export class ProverClient {
  private readonly base: string;
  private readonly token?: string;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ProverClientOptions) {
    if (typeof options?.url !== 'string' || !/^https?:\/\//i.test(options.url)) {
      throw new ProverClientError('INVALID_ARGUMENT', `url must be an http(s) URL, got ${JSON.stringify(options?.url)}`);
    }
    this.base = options.url.replace(/\/+$/, '');
    this.token = options.token;
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new ProverClientError('INVALID_ARGUMENT', 'no fetch: pass options.fetch');
    this.fetchImpl = f.bind(globalThis);
  }

  /** Queues a job; resolves to its id once the server has stored it (202). */
  async submit(request: SubmitRequest, signal?: AbortSignal): Promise<{ id: string; status: JobStatus }> {
    const { witness, ...rest } = request;
    const body: Record<string, unknown> = { ...rest };
    if (witness !== undefined) {
      body.witness = typeof witness === 'string' ? witness : toBase64(witness instanceof Uint8Array ? witness : new Uint8Array(witness));
    }
    return this.request('POST', '/v1/proofs', body, signal) as Promise<{ id: string; status: JobStatus }>;
  }

  /** The job now, or (waitS > 0) once it ends or waitS pass, whichever comes first. */
  async get(id: string, options: { waitS?: number; signal?: AbortSignal } = {}): Promise<ProofJob> {
    const q = options.waitS !== undefined && options.waitS > 0 ? `?wait=${options.waitS}` : '';
    return this.request('GET', `/v1/proofs/${encodeURIComponent(id)}${q}`, undefined, options.signal) as Promise<ProofJob>;
  }

  /** Waits (long-polling) until the job is done; rejects with JobFailedError / JobCancelledError otherwise. */
  async wait(id: string, options: WaitOptions = {}): Promise<ProofJob & { proof: Groth16ProofJson; publicSignals: string[] }> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    const pollS = options.pollS ?? 30;
    for (;;) {
      const leftMs = deadline - Date.now();
      const waitS = Math.max(0, Math.min(pollS, Math.ceil(leftMs / 1000)));
      const job = await this.get(id, { waitS, signal: options.signal });
      if (job.status === 'done') return job as ProofJob & { proof: Groth16ProofJson; publicSignals: string[] };
      if (job.status === 'failed') throw new JobFailedError(job);
      if (job.status === 'cancelled') throw new JobCancelledError(job);
      if (Date.now() >= deadline) throw new WaitTimeoutError(job);
    }
  }

  /** submit, then wait: the proof and public signals, exactly as snarkjs.groth16.verify takes them. */
  async prove(request: SubmitRequest, options: WaitOptions = {}): Promise<{ id: string; proof: Groth16ProofJson; publicSignals: string[]; timings?: JobTimings }> {
    const { id } = await this.submit(request, options.signal);
    const job = await this.wait(id, options);
    return { id, proof: job.proof, publicSignals: job.publicSignals, timings: job.timings };
  }

  /** Cancels a queued or running job; resolves to the job (status cancelled). */
  async cancel(id: string, signal?: AbortSignal): Promise<ProofJob> {
    return this.request('DELETE', `/v1/proofs/${encodeURIComponent(id)}`, undefined, signal) as Promise<ProofJob>;
  }

  async circuits(signal?: AbortSignal): Promise<CircuitInfo[]> {
    return ((await this.request('GET', '/v1/circuits', undefined, signal)) as { circuits: CircuitInfo[] }).circuits;
  }

  /** True when /readyz answers 200 (the server takes jobs). */
  async ready(signal?: AbortSignal): Promise<boolean> {
    try {
      const res = await this.fetchImpl(`${this.base}/readyz`, { signal });
      return res.ok;
    } catch (e) {
      if (signal?.aborted) throw new AbortedError(signal.reason);
      return false;
    }
  }

  private async request(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (e) {
      if (signal?.aborted) throw new AbortedError(signal.reason);
      throw new NetworkError('NETWORK', `${method} ${this.base}${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new NetworkError('BAD_RESPONSE', `${method} ${path}: HTTP ${res.status} with a body that is not JSON: ${text.slice(0, 120)}`);
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const retry = res.headers.get('retry-after');
      const retryAfterS = retry === null ? undefined : Number(retry);
      throw httpError(
        res.status,
        typeof err?.code === 'string' ? err.code : `HTTP_${res.status}`,
        typeof err?.message === 'string' ? err.message : text.slice(0, 200),
        Number.isFinite(retryAfterS) ? retryAfterS : undefined,
      );
    }
    return json;
  }
}
