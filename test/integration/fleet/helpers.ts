/**
 * Helpers for the fleet tests: a real redis-server per test file (on a free loopback port, its own
 * directory, AOF on, RDB snapshots off: the settings docs/fleet.md asks for), restartable on the
 * same port and directory; fleet roles started as child processes through the serve helpers; and
 * HTTP polling that rides out a Redis restart (503 QUEUE_UNAVAILABLE answers are retried).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, startServe, type ServeProcess } from '../serve/helpers.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export class RedisServer {
  private proc: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'zkgpu-fleet-redis-'));
  constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const r = new RedisServer(await freePort());
    await r.spawn();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private spawn(): Promise<void> {
    const proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    let out = '';
    return new Promise((resolve, reject) => {
      proc.stdout?.setEncoding('utf8').on('data', (c: string) => {
        out += c;
        if (out.includes('Ready to accept connections')) resolve();
      });
      proc.on('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${out}`)));
    });
  }

  /** SIGTERM (Redis writes and syncs its AOF on the way down), then the same port and directory again. */
  async restart(downMs = 500): Promise<void> {
    await this.stop(false);
    await new Promise((r) => setTimeout(r, downMs));
    await this.spawn();
  }

  async stop(removeDir = true): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await exited;
    }
    this.proc = null;
    if (removeDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A fleet role: `zkgpu serve --queue URL --role ROLE` (after the serve helpers' defaults). */
export function startRole(redis: RedisServer, role: 'api' | 'worker' | 'all', args: string[], env: Record<string, string | undefined> = {}): Promise<ServeProcess> {
  return startServe(['--queue', redis.url, '--role', role, ...args], env);
}

/** GET that retries while the API answers 503 or is unreachable (Redis restarting). */
export async function getJob(url: string, id: string, waitS = 0): Promise<any> {
  for (let i = 0; ; i++) {
    try {
      const r = await api(url, 'GET', `/v1/proofs/${id}${waitS > 0 ? `?wait=${waitS}` : ''}`);
      if (r.status === 200) return r.body;
      if (r.status !== 503 || i > 100) throw new Error(`GET ${id}: ${r.status} ${JSON.stringify(r.body)}`);
    } catch (e) {
      if (i > 100 || !(e instanceof TypeError)) throw e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Long-polls (through Redis restarts) until the job ends. */
export async function waitEnd(url: string, id: string, limitS = 150): Promise<any> {
  const until = Date.now() + limitS * 1000;
  for (;;) {
    const job = await getJob(url, id, 10);
    if (['done', 'failed', 'cancelled'].includes(job.status)) return job;
    if (Date.now() > until) throw new Error(`job ${id} still ${job.status} after ${limitS} s: ${JSON.stringify(job).slice(0, 300)}`);
  }
}

/** POST that retries a 503 (Redis away: nothing was accepted) until a 202. */
export async function submit(url: string, body: unknown): Promise<string> {
  for (let i = 0; ; i++) {
    const r = await api(url, 'POST', '/v1/proofs', body).catch(() => null);
    if (r?.status === 202) return r.body.id as string;
    if ((r && r.status !== 503) || i > 100) throw new Error(`POST: ${r?.status} ${JSON.stringify(r?.body)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** Ids of the jobs a worker finished (its 'job done' log lines). */
export function doneBy(worker: ServeProcess): string[] {
  return worker.logs.filter((l) => l.msg === 'job done').map((l) => l.job as string);
}

/** Waits until `pred` holds, polling every 100 ms. */
export async function until(pred: () => boolean | Promise<boolean>, what: string, limitS = 60): Promise<void> {
  const end = Date.now() + limitS * 1000;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out after ${limitS} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
