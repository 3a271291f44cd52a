// A Groth16 proof with zkgpu (a drop-in for snarkjs.groth16.prove), verified by snarkjs.
// `node prove.mjs [dir]`: dir holds circuit.zkey, witness.wtns and vkey.json; the default is the
// repository's BN254 test vector (a 2^11-constraint multiplication chain made by circom + snarkjs).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as snarkjs from 'snarkjs';
import { groth16 } from 'zkgpu';

const dir = process.argv[2] ?? fileURLToPath(new URL('../../test/vectors/groth16/bn128/mulchain/', import.meta.url));

// Without a `runtime` option, prove() makes one (all cores, a GPU if there is a hardware one)
// and disposes it before it returns.
const result = await groth16.prove(join(dir, 'circuit.zkey'), join(dir, 'witness.wtns'));
const { proof, publicSignals } = result; // the same JSON snarkjs writes to proof.json and public.json

const vkey = JSON.parse(await readFile(join(dir, 'vkey.json'), 'utf8'));
const verified = await snarkjs.groth16.verify(vkey, publicSignals, proof);
// `timings` (per-stage ms) is non-enumerable, so it stays out of proof JSON written from the result.
console.log(JSON.stringify({ verified, proof, publicSignals, timings: result.timings }));

// snarkjs keeps its curve (and the curve's worker threads) in a global: end them so Node exits.
await globalThis.curve_bn128?.terminate();
if (!verified) process.exitCode = 1;
