/**
 * A POST /v1/proofs body, checked once at the boundary: its shape (zod), the circuit, and then the
 * input against the circuit's signal table or the witness against the circuit's key (field and
 * number of values), so a job is only accepted if it can be proved.
 */
import { z } from 'zod';
import { groth16, type Witness } from '../index.js';
import type { Circuit } from './circuits.js';
import { ServeError } from './errors.js';
import { normaliseInput } from './input.js';
import type { JobPayload } from './queue/store.js';

/** Priorities are a small integer range so they sort as integers in every store (SQLite, Redis scores). */
export const MAX_PRIORITY = 1_000_000;

export const proofRequestSchema = z
  .object({
    circuit: z.string().min(1).max(64),
    input: z.record(z.string(), z.unknown()).optional(),
    witness: z.string().min(1).optional(),
    priority: z.number().int().min(-MAX_PRIORITY).max(MAX_PRIORITY).optional(),
    timeoutMs: z.number().int().positive().optional(),
  })
  .strict();

export type ProofRequest = z.infer<typeof proofRequestSchema>;

export function parseProofRequest(body: unknown): ProofRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ServeError(
      'BAD_REQUEST',
      `the body must be a JSON object { "circuit", "input" | "witness", "priority"?, "timeoutMs"? }, got ${Array.isArray(body) ? 'an array' : body === null ? 'null' : typeof body}`,
    );
  }
  const parsed = proofRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : 'body';
    throw new ServeError('BAD_REQUEST', `${where}: ${issue.message}`);
  }
  const req = parsed.data;
  if ((req.input === undefined) === (req.witness === undefined)) {
    throw new ServeError('BAD_REQUEST', 'give exactly one of "input" (signal values; the server computes the witness) and "witness" (a base64 .wtns file)');
  }
  return req;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The payload to store for an accepted request; throws the 400 that names the problem. */
export async function checkPayload(req: ProofRequest, circuit: Circuit): Promise<JobPayload> {
  if (req.input !== undefined) {
    if (!circuit.wasm) {
      throw new ServeError('INPUT_INVALID', `circuit "${circuit.name}" was registered without a .wasm witness calculator: send "witness" (a base64 .wtns) instead of "input"`);
    }
    return { kind: 'input', input: normaliseInput(req.input, circuit.header.r, circuit.table, circuit.name) };
  }
  const text = (req.witness as string).replace(/\s+/g, '');
  if (text.length % 4 !== 0 || !BASE64.test(text)) {
    throw new ServeError(
      'WITNESS_INVALID',
      `"witness" is not valid base64 (${text.length} characters${text.length % 4 ? `, not a multiple of 4: truncated?` : ', characters outside A-Z a-z 0-9 + / ='})`,
    );
  }
  const wtns = new Uint8Array(Buffer.from(text, 'base64'));
  let w: Witness;
  try {
    w = await groth16.readWtns(wtns);
  } catch (e) {
    throw new ServeError('WITNESS_INVALID', `"witness" (${wtns.length} bytes) is not a readable .wtns file: ${(e as Error).message}`, { cause: e });
  }
  const h = circuit.header;
  if (w.q !== h.r || w.nWitness !== h.nVars) {
    throw new ServeError(
      'WITNESS_MISMATCH',
      `"witness" belongs to another circuit: it has ${w.nWitness} values over ${w.curve}, circuit "${circuit.name}" has ${h.nVars} variables over ${h.curve}`,
    );
  }
  return { kind: 'witness', wtns };
}
