/**
 * `zkgpu submit`: one job to a `zkgpu serve` through ProverClient, waiting for its end; writes
 * proof.json and public.json as snarkjs does. Exit 0 with a proof, 1 when the job or the request
 * failed (the error code first on stderr, for scripts), 2 on bad usage.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { CliIO } from './io.js';

export const SUBMIT_USAGE = `Usage: zkgpu submit --url URL --circuit NAME <input.json | witness.wtns> <proof.json> <public.json> [options]

Sends one proof job to a zkgpu serve, waits until it ends, and writes the proof and public signals
(snarkjs's JSON). A .wtns file is sent as the witness; any other file is read as the input JSON.

Options:
  --url URL            the server, e.g. http://127.0.0.1:8080
  --circuit NAME       a circuit the server registers (zkgpu serve --circuit NAME=...)
  --token T            bearer token (default: $ZKGPU_API_TOKEN)
  --priority N         higher runs first (default 0)
  --timeout SECONDS    the job's own time limit (the server's --job-timeout caps it)
  --wait SECONDS       stop waiting after this long and exit 1 (the job keeps running; default: no limit)
  --json               print the finished job (timings included) as JSON on stdout
  -h, --help           this text`;

class SubmitUsageError extends Error {
  readonly code = 'USAGE';
}

export async function runSubmit(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        circuit: { type: 'string' },
        token: { type: 'string' },
        priority: { type: 'string' },
        timeout: { type: 'string' },
        wait: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new SubmitUsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(SUBMIT_USAGE);
    return 0;
  }
  if (!values.url) throw new SubmitUsageError('--url is required');
  if (!values.circuit) throw new SubmitUsageError('--circuit is required');
  if (positionals.length !== 3) throw new SubmitUsageError(`expected 3 files (input.json or witness.wtns, proof.json, public.json), got ${positionals.length}`);
  const [inputPath, proofPath, publicPath] = positionals;
  const number = (name: string, v: string | undefined, integer: boolean): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || (integer && !Number.isSafeInteger(n))) throw new SubmitUsageError(`--${name} must be a ${integer ? 'whole number' : 'number'}, got "${v}"`);
    return n;
  };
  const priority = number('priority', values.priority, true);
  const timeoutS = number('timeout', values.timeout, false);
  const waitS = number('wait', values.wait, false);

  const { ProverClient, ProverClientError } = await import('../client/index.js');
  let client;
  try {
    client = new ProverClient({ url: values.url, token: values.token ?? process.env.ZKGPU_API_TOKEN });
  } catch (e) {
    throw new SubmitUsageError((e as Error).message);
  }
  const payload = await readJobInput(inputPath, io);
  if (!payload) return 1;
  try {
    const { id } = await client.submit({
      circuit: values.circuit,
      input: payload.input,
      witness: payload.witness,
      priority,
      timeoutMs: timeoutS === undefined ? undefined : Math.max(1, Math.round(timeoutS * 1000)),
    });
    io.err(`zkgpu submit: job ${id} queued`);
    const job = await client.wait(id, { timeoutMs: waitS === undefined ? undefined : waitS * 1000 });
    await writeFile(proofPath, `${JSON.stringify(job.proof, null, 1)}\n`);
    await writeFile(publicPath, `${JSON.stringify(job.publicSignals, null, 1)}\n`);
    if (values.json) io.out(JSON.stringify(job, null, 2));
    else io.err(`zkgpu submit: job ${id} done in ${Math.round(job.timings?.totalMs ?? 0)} ms (attempts ${job.attempts}); wrote ${proofPath} and ${publicPath}`);
    return 0;
  } catch (e) {
    if (e instanceof ProverClientError) {
      io.err(`zkgpu submit: ${e.code}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

/** The input JSON, or the witness when the file is a .wtns; null (the reason on stderr) when it cannot be read. */
async function readJobInput(inputPath: string, io: CliIO): Promise<{ input?: Record<string, unknown>; witness?: Uint8Array } | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(inputPath);
  } catch (e) {
    io.err(`zkgpu submit: cannot read ${inputPath}: ${(e as Error).message}`);
    return null;
  }
  const isWtns = inputPath.endsWith('.wtns') || bytes.subarray(0, 4).toString('latin1') === 'wtns';
  if (isWtns) return { witness: new Uint8Array(bytes) };
  try {
    return { input: JSON.parse(bytes.toString('utf8')) as Record<string, unknown> };
  } catch (e) {
    io.err(`zkgpu submit: ${inputPath} is not JSON: ${(e as Error).message}`);
    return null;
  }
}
