/**
 * Helpers for the `zkgpu serve` tests: the server as a real child process (the CLI from the sources
 * through tsx, as bin/zkgpu.js runs it from dist/), on 127.0.0.1 with port 0 (the OS picks a free
 * port; the server prints it in its "listening" log line), real HTTP through fetch, and every proof
 * checked with snarkjs.groth16.verify against the vector's own vkey.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const VECTORS = join(ROOT, 'test/vectors/groth16/bn128');
export const TOKEN = 'serve-test-token-0123456789abcdef';

export function vector(name: 'tiny' | 'mulchain', file: string): string {
  return join(VECTORS, name, file);
}

export function circuitFlag(name: 'tiny' | 'mulchain', withWasm = true): string {
  return `${name}=${vector(name, 'circuit.zkey')}${withWasm ? `,wasm=${vector(name, 'circuit.wasm')}` : ''}`;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `zkgpu-serve-${prefix}-`));
}

export interface ServeProcess {
  url: string;
  proc: ChildProcess;
  /** stdout lines parsed as JSON (pino), in order. */
  logs: Record<string, unknown>[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const CLI = ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];

/**
 * Starts `zkgpu serve` with `args` (after the defaults: port 0, wasm backend, 2 threads) and
 * resolves once it listens; rejects with its output if it exits first.
 */
export function startServe(args: string[], env: Record<string, string | undefined> = {}): Promise<ServeProcess> {
  const proc = spawn(process.execPath, [...CLI, 'serve', '--port', '0', '--backend', 'wasm', '--threads', '2', ...args], {
    cwd: ROOT,
    env: { ...process.env, ZKGPU_API_TOKENS: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  return new Promise((resolveStart, rejectStart) => {
    let buffered = '';
    proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'listening') resolveStart({ url: entry.url as string, proc, logs, stderr, exited });
        } catch {
          stderr.push(`(stdout) ${line}`);
        }
      }
    });
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
    void exited.then(({ code, signal }) => rejectStart(new Error(`zkgpu serve exited (${code ?? signal}) before listening:\n${stderr.join('')}`)));
  });
}

/** Runs the CLI to its end (commands that exit: a refused start, submit). */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<SpawnResult> {
  const proc = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...process.env, ZKGPU_API_TOKENS: undefined, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((res) => proc.on('exit', (code) => res({ code, stdout, stderr })));
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function api<T = any>(url: string, method: string, path: string, body?: unknown, token?: string, rawBody?: string): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined || rawBody !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${path}`, { method, headers, body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // /metrics is text
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Long-polls until the job ends (done, failed, cancelled). */
export async function waitEnd(url: string, id: string, token?: string, limitS = 90): Promise<any> {
  const until = Date.now() + limitS * 1000;
  for (;;) {
    const r = await api(url, 'GET', `/v1/proofs/${id}?wait=20`, undefined, token);
    if (r.status !== 200) throw new Error(`GET ${id}: ${r.status} ${JSON.stringify(r.body)}`);
    if (['done', 'failed', 'cancelled'].includes(r.body.status)) return r.body;
    if (Date.now() > until) throw new Error(`job ${id} still ${r.body.status} after ${limitS} s`);
  }
}

/** Polls (without waiting for the end) until `pred` holds for the job. */
export async function pollUntil(url: string, id: string, pred: (job: any) => boolean, token?: string, limitS = 60): Promise<any> {
  const until = Date.now() + limitS * 1000;
  for (;;) {
    const r = await api(url, 'GET', `/v1/proofs/${id}`, undefined, token);
    if (pred(r.body)) return r.body;
    if (Date.now() > until) throw new Error(`job ${id}: condition not met after ${limitS} s; last ${JSON.stringify(r.body).slice(0, 300)}`);
    await new Promise((r2) => setTimeout(r2, 25));
  }
}

interface Snarkjs {
  groth16: { verify(vkey: unknown, publicSignals: unknown, proof: unknown): Promise<boolean> };
}
// snarkjs ships no types: a computed specifier and the one member used.
const SNARKJS = 'snarkjs';
let snarkjs: Promise<Snarkjs> | null = null;
const vkeys = new Map<string, unknown>();

/** snarkjs.groth16.verify with the vector's vkey.json (never the server's own key). */
export async function verifyProof(circuit: 'tiny' | 'mulchain', proof: unknown, publicSignals: unknown): Promise<boolean> {
  snarkjs ??= import(SNARKJS) as Promise<Snarkjs>;
  if (!vkeys.has(circuit)) vkeys.set(circuit, JSON.parse(readFileSync(vector(circuit, 'vkey.json'), 'utf8')));
  return (await snarkjs).groth16.verify(vkeys.get(circuit), publicSignals, proof);
}

/** The vector's input.json and its expected public signals. */
export function vectorInput(circuit: 'tiny' | 'mulchain'): { input: Record<string, unknown>; publicSignals: string[] } {
  return { input: JSON.parse(readFileSync(vector(circuit, 'input.json'), 'utf8')), publicSignals: JSON.parse(readFileSync(vector(circuit, 'public.json'), 'utf8')) };
}

/** Prometheus text format -> sample name{labels} -> value (comments skipped). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    out.set(m[1], Number(m[2]));
  }
  return out;
}

/** Sum of every sample of `name` whose labels include all of `labels`. */
export function metricSum(samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const [key, v] of samples) {
    const m = /^([^{]+)(?:\{(.*)\})?$/.exec(key);
    if (!m || m[1] !== name) continue;
    const have = new Map([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, val]) => have.get(k) === val)) sum += v;
  }
  return sum;
}

/** Sends SIGTERM (or `signal`) and resolves with the exit. */
export async function stop(s: ServeProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill(signal);
  return s.exited;
}
