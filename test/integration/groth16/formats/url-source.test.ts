/**
 * Keys and witnesses from URLs (src/groth16/formats/source.ts): a real HTTP server on loopback.
 * With range support the key is read section by section (and piece by piece when the proof
 * streams), never in one response; without it, the one response is the whole file. Every proof
 * verified by snarkjs; a missing file is FILE_READ_ERROR naming the URL.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groth16 } from '../../../../src/groth16/index.js';
import { FORCE_PIECE_ELEMENTS } from '../../../../src/groth16/prover/memory-plan.js';
import { createRuntime, type Runtime } from '../../../../src/runtime/runtime.js';
import { fixture, loadSnarkjs, readJson, terminateSnarkjsCurves } from '../../../support/groth16/committed-vectors.js';

const f = fixture('bn128/mulchain');
const files: Record<string, Buffer> = { '/circuit.zkey': readFileSync(f.zkey), '/witness.wtns': readFileSync(f.wtns) };
/** Bytes of each response body, per path, in order. */
const served = new Map<string, number[]>();
let server: Server;
let base: string;
let runtime: Runtime;

beforeAll(async () => {
  server = createServer((req, res) => {
    const [route, path] = [req.url!.split('/')[1], `/${req.url!.split('/').slice(2).join('/')}`];
    const body = files[path];
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    const list = served.get(`${route}${path}`) ?? [];
    served.set(`${route}${path}`, list);
    if (route === 'ranges' && range) {
      const [from, to] = [Number(range[1]), Math.min(Number(range[2]), body.length - 1)];
      const part = body.subarray(from, to + 1);
      list.push(part.length);
      res.writeHead(206, { 'content-range': `bytes ${from}-${to}/${body.length}`, 'content-length': part.length }).end(part);
      return;
    }
    list.push(body.length);
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  runtime = await createRuntime({ threads: 2, gpu: false });
});

afterAll(async () => {
  await runtime?.dispose();
  await new Promise((r) => server?.close(r));
  await terminateSnarkjsCurves();
});

async function verifies(result: { proof: unknown; publicSignals: string[] }): Promise<boolean> {
  const snarkjs = await loadSnarkjs();
  return snarkjs.groth16.verify(readJson(f.vkey), result.publicSignals, result.proof as never);
}

describe('URL sources', () => {
  it('with range support: the key is read in sections, never whole in one response, and the proof verifies', async () => {
    const result = await groth16.prove(`${base}/ranges/circuit.zkey`, `${base}/ranges/witness.wtns`, { runtime, verify: false });
    expect(await verifies(result)).toBe(true);
    const key = served.get('ranges/circuit.zkey')!;
    expect(key.length).toBeGreaterThan(6);
    expect(Math.max(...key)).toBeLessThan(files['/circuit.zkey'].length / 2);
  }, 60_000);

  it('streamed: each piece is its own range request', async () => {
    served.clear();
    const result = await groth16.prove(`${base}/ranges/circuit.zkey`, `${base}/ranges/witness.wtns`, { runtime, verify: false, [FORCE_PIECE_ELEMENTS]: 500 } as never);
    expect(await verifies(result)).toBe(true);
    const h = await groth16.readZkeyHeader(f.zkey);
    // Every piece of the five point sections (at most 500 points each) came as one response.
    const pieces = [h.nVars, h.nVars, h.nVars, h.nVars - h.nPublic - 1, h.domainSize].reduce((n, points) => n + Math.ceil(points / 500), 0);
    expect(served.get('ranges/circuit.zkey')!.filter((bytes) => bytes <= 500 * 128).length).toBeGreaterThanOrEqual(pieces);
  }, 60_000);

  it('without range support: the first response is the whole file, and the proof verifies', async () => {
    const result = await groth16.prove(`${base}/whole/circuit.zkey`, `${base}/whole/witness.wtns`, { runtime, verify: false });
    expect(await verifies(result)).toBe(true);
    expect(served.get('whole/circuit.zkey')).toEqual([files['/circuit.zkey'].length]);
  }, 60_000);

  it('a missing file: FILE_READ_ERROR naming the URL', async () => {
    await expect(groth16.prove(`${base}/ranges/nothing.zkey`, `${base}/ranges/witness.wtns`, { runtime })).rejects.toMatchObject({
      code: 'FILE_READ_ERROR',
      message: expect.stringContaining(`${base}/ranges/nothing.zkey`),
    });
  });
});
