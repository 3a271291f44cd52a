#!/usr/bin/env node
/**
 * Builds the Groth16 test vectors: each circuit in test/support/groth16/circuits/<name>/ (circuit.circom +
 * input.json) is compiled with circom2 (the npm build of circom 2, run under WASI), given a proving
 * key by snarkjs (powers of tau: new + contribute + prepare phase 2; groth16 setup; one phase-2
 * contribution), and its witness is computed by snarkjs. Results land in
 * test/vectors/groth16/<curve>/<name>/:
 *   circuit.wasm  witness.wtns  circuit.zkey  vkey.json  input.json
 *   proof.json public.json      (snarkjs's own proof of the witness: the oracle the tests compare to)
 *   plonk.zkey                  (bn128/tiny only: a PLONK key, for the "wrong protocol" test)
 *   meta.json                   (sizes, tool versions, sha256 of every file and of the sources)
 *
 * Idempotent: a circuit whose meta.json matches its sources and whose files still hash as recorded
 * is skipped; --force rebuilds. The entropy of the contributions is fixed text, but snarkjs mixes
 * 64 random bytes into it, so a rebuild gives different (equally valid) keys: the vectors are
 * committed and rebuilt only when a source changes.
 *
 * Powers-of-tau files are never committed: they are cached under .cache/groth16/ptau/ (ignored).
 *
 *   node scripts/make-groth16-fixtures.mjs [--force] [--only name,...] [--curve bn128|bls12381]
 *   node scripts/make-groth16-fixtures.mjs --bench 16 [--curve bn128]   -> .cache/groth16/bench/bn128-16/
 *   node scripts/make-groth16-fixtures.mjs --bench 20 --dev-setup       -> same layout, but the key comes
 *     from zkgpu's INSECURE dev setup (zkgpu setup: toxic waste from a seed; minutes instead of hours),
 *     for benchmarks only. meta.json records setup "zkgpu-dev-insecure" and the seed.
 *   node scripts/make-groth16-fixtures.mjs --classes all|sha256,merkle,bits,manypublic[,merkle-4,...]
 *     -> .cache/groth16/classes/<class>/: the circuit classes of `zkgpu bench groth16 --circuit-class`
 *     (circom2 + circomlib, dev-setup key), each with circuit.r1cs as well. A class name with a
 *     suffix sets its size: sha256-<bytes>, merkle-<depth>, bits-<values>, manypublic-<inputs>.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import * as snarkjs from 'snarkjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = join(ROOT, 'test/support/groth16/circuits');
const VECTORS = join(ROOT, 'test/vectors/groth16');
const CACHE = join(ROOT, '.cache/groth16');
const CIRCOM = join(ROOT, 'node_modules/circom2/cli.js');

/** Bump when this script changes what it writes, so every fixture is rebuilt once. */
const GENERATOR_VERSION = 1;
const CURVES = ['bn128', 'bls12381'];
/** Fixed text for the contributions (snarkjs asks interactively without it). */
const ENTROPY = 'zkgpu test vectors: not a trusted setup';
/** Smallest ptau made for the fixtures: one file per curve then covers every fixture (all <= 2^11). */
const MIN_FIXTURE_POWER = 12;

/** Which circuits are built on which curves (circomlib's Poseidon constants exist for BN254 only). */
const CIRCUITS = [
  { name: 'tiny', curves: ['bn128', 'bls12381'], plonk: ['bn128'] },
  { name: 'mulchain', curves: ['bn128', 'bls12381'] },
  { name: 'poseidon', curves: ['bn128'] },
  { name: 'manypublic', curves: ['bn128', 'bls12381'] },
  { name: 'bits', curves: ['bn128', 'bls12381'] },
];

const run = promisify(execFile);

function log(line) {
  process.stderr.write(`${line}\n`);
}

async function exists(path) {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function sha256File(path) {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

function sha256(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

async function packageVersion(name) {
  return JSON.parse(await readFile(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

async function toolVersions() {
  return {
    circom2: await packageVersion('circom2'),
    snarkjs: await packageVersion('snarkjs'),
    circomlib: await packageVersion('circomlib'),
    node: process.version,
    generator: GENERATOR_VERSION,
  };
}

/** Compiles with circom2; returns the .r1cs and witness-calculator .wasm paths. */
async function compile(source, curve, outDir) {
  await mkdir(outDir, { recursive: true });
  const base = source
    .split('/')
    .pop()
    .replace(/\.circom$/, '');
  const args = [CIRCOM, relative(ROOT, source), '--r1cs', '--wasm', '-o', relative(ROOT, outDir), '--prime', curve, '-l', 'node_modules'];
  try {
    // circom2 under WASI buffers a lot of text for big circuits; 64 MiB keeps execFile from failing on it.
    await run(process.execPath, args, { cwd: ROOT, maxBuffer: 64 << 20 });
  } catch (e) {
    throw new Error(`circom2 failed on ${relative(ROOT, source)} (${curve}):\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  return { r1cs: join(outDir, `${base}.r1cs`), wasm: join(outDir, `${base}_js`, `${base}.wasm`) };
}

/** The smallest power of tau whose domain holds the circuit, by snarkjs's own rule (zkey_new.js). */
function groth16Power(info) {
  const n = info.nConstraints + info.nPubInputs + info.nOutputs + 1;
  return Math.ceil(Math.log2(n));
}

/** A prepared powers-of-tau file for `curve` with 2^power, made once and cached (never committed). */
async function ensurePtau(curve, power) {
  const dir = join(CACHE, 'ptau');
  const final = join(dir, `${curve}_${power}.ptau`);
  if (await exists(final)) return final;
  await mkdir(dir, { recursive: true });
  const t0 = performance.now();
  log(`  powers of tau ${curve} 2^${power}: new, contribute, prepare phase 2 (cached in ${relative(ROOT, dir)})`);
  const curveObj = await snarkjs.curves.getCurveFromName(curve);
  const p0 = join(dir, `${curve}_${power}.0.tmp`);
  const p1 = join(dir, `${curve}_${power}.1.tmp`);
  const p2 = join(dir, `${curve}_${power}.2.tmp`);
  await snarkjs.powersOfTau.newAccumulator(curveObj, power, p0);
  await snarkjs.powersOfTau.contribute(p0, p1, 'zkgpu fixtures', ENTROPY);
  await snarkjs.powersOfTau.preparePhase2(p1, p2);
  await rename(p2, final);
  await rm(p0, { force: true });
  await rm(p1, { force: true });
  log(`  powers of tau ${curve} 2^${power}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return final;
}

/**
 * Everything from a compiled circuit to a checked set of files in `outDir`: keys, witness,
 * snarkjs's proof of it (verified here, so a broken fixture never reaches the tests), meta.json
 * last (its presence marks the directory complete).
 */
/** Seed of the dev setup's toxic waste: fixed, so a rebuild gives the same (insecure) key. */
const DEV_SETUP_SEED = '20250101';

/** zkgpu's INSECURE dev setup through its CLI (run from the sources with tsx: dist/ may be stale). */
async function zkgpuDevSetup(r1cs, zkey, vkeyPath) {
  const args = ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'setup', r1cs, zkey, '--vkey', vkeyPath, '--seed', DEV_SETUP_SEED];
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: ROOT, maxBuffer: 16 << 20 });
    log(`  ${stdout.trim()}`);
    if (!stderr.includes('INSECURE')) throw new Error('zkgpu setup printed no insecure-key warning');
  } catch (e) {
    throw new Error(`zkgpu setup failed on ${relative(ROOT, r1cs)}:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

async function buildCircuit({
  name,
  curve,
  source,
  inputPath,
  outDir,
  buildDir,
  plonk,
  sourceHash,
  minPower,
  devSetup = false,
  keepR1cs = false,
  extraMeta = {},
  expectedPublic = null,
}) {
  const t0 = performance.now();
  const step = (what, since) => log(`  ${curve}/${name}: ${what} ${((performance.now() - since) / 1000).toFixed(1)} s`);
  let mark = performance.now();
  const { r1cs, wasm } = await compile(source, curve, buildDir);
  const info = await snarkjs.r1cs.info(r1cs);
  step('circom compile', mark);
  const power = Math.max(groth16Power(info), minPower);

  // The directory is all generated: start empty so no file of an older build (a plonk.zkey) stays.
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const out = (f) => join(outDir, f);
  mark = performance.now();
  if (devSetup) {
    await zkgpuDevSetup(r1cs, out('circuit.zkey'), out('vkey.json'));
    step('zkgpu dev setup (INSECURE)', mark);
  } else {
    const ptau = await ensurePtau(curve, power);
    const zkey0 = join(buildDir, 'circuit_0000.zkey');
    if ((await snarkjs.zKey.newZKey(r1cs, ptau, zkey0)) === -1) throw new Error(`snarkjs groth16 setup failed for ${name} (${curve})`);
    await snarkjs.zKey.contribute(zkey0, out('circuit.zkey'), 'zkgpu fixtures', ENTROPY);
    const vkey = await snarkjs.zKey.exportVerificationKey(out('circuit.zkey'));
    await writeFile(out('vkey.json'), `${JSON.stringify(vkey, null, 1)}\n`);
    step('snarkjs setup', mark);
  }
  const vkey = JSON.parse(await readFile(out('vkey.json'), 'utf8'));
  await copyFile(wasm, out('circuit.wasm'));
  await copyFile(inputPath, out('input.json'));
  const input = JSON.parse(await readFile(inputPath, 'utf8'));
  mark = performance.now();
  await snarkjs.wtns.calculate(input, out('circuit.wasm'), out('witness.wtns'));
  step('witness', mark);

  mark = performance.now();
  const { proof, publicSignals } = await snarkjs.groth16.prove(out('circuit.zkey'), out('witness.wtns'));
  if (!(await snarkjs.groth16.verify(vkey, publicSignals, proof))) throw new Error(`snarkjs's own proof does not verify for ${name} (${curve})`);
  step('snarkjs prove + verify', mark);
  if (expectedPublic !== null && JSON.stringify(publicSignals) !== JSON.stringify(expectedPublic)) {
    throw new Error(`${name} (${curve}): the circuit's public signals ${JSON.stringify(publicSignals)} are not the expected ${JSON.stringify(expectedPublic)}`);
  }
  await writeFile(out('proof.json'), `${JSON.stringify(proof, null, 1)}\n`);
  await writeFile(out('public.json'), `${JSON.stringify(publicSignals, null, 1)}\n`);

  const files = ['circuit.wasm', 'circuit.zkey', 'witness.wtns', 'input.json', 'vkey.json', 'proof.json', 'public.json'];
  if (keepR1cs) {
    await copyFile(r1cs, out('circuit.r1cs'));
    files.push('circuit.r1cs');
  }
  if (plonk) {
    if ((await snarkjs.plonk.setup(r1cs, ptau, out('plonk.zkey'))) === -1) throw new Error(`snarkjs plonk setup failed for ${name} (${curve})`);
    files.push('plonk.zkey');
  }
  const meta = {
    circuit: name,
    ...extraMeta,
    curve,
    constraints: info.nConstraints,
    nVars: info.nVars,
    nPublic: info.nOutputs + info.nPubInputs,
    nOutputs: info.nOutputs,
    nPubInputs: info.nPubInputs,
    nPrvInputs: info.nPrvInputs,
    domainSize: 2 ** groth16Power(info),
    ...(devSetup ? { setup: 'zkgpu-dev-insecure', seed: DEV_SETUP_SEED } : { setup: 'snarkjs', ptauPower: power }),
    tools: await toolVersions(),
    sourceSha256: sourceHash,
    files: {},
  };
  for (const f of files) meta.files[f] = await sha256File(out(f));
  await writeFile(out('meta.json'), `${JSON.stringify(meta, null, 1)}\n`);
  log(`  ${curve}/${name}: ${info.nConstraints} constraints, ${info.nVars} vars, ${meta.nPublic} public; ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** True when outDir holds a complete build of exactly these sources (meta.json and every file's hash). */
async function upToDate(outDir, sourceHash) {
  let meta;
  try {
    meta = JSON.parse(await readFile(join(outDir, 'meta.json'), 'utf8'));
  } catch {
    return false;
  }
  if (meta.sourceSha256 !== sourceHash) return false;
  for (const [f, hash] of Object.entries(meta.files ?? {})) {
    if (!(await exists(join(outDir, f))) || (await sha256File(join(outDir, f))) !== hash) return false;
  }
  return true;
}

/** Hash of everything a fixture is made from: the script's version, curve, sources, tool versions. */
async function sourceHashOf(curve, circomSource, inputText, extra = '') {
  const tools = await toolVersions();
  return sha256(`v${GENERATOR_VERSION} ${curve} ${tools.circom2} ${tools.snarkjs} ${tools.circomlib} ${extra}\n`, circomSource, '\n', inputText);
}

async function buildFixtures({ force, only, curves }) {
  for (const c of CIRCUITS) {
    if (only && !only.includes(c.name)) continue;
    const source = join(SOURCES, c.name, 'circuit.circom');
    const inputPath = join(SOURCES, c.name, 'input.json');
    const circomSource = await readFile(source, 'utf8');
    const inputText = await readFile(inputPath, 'utf8');
    for (const curve of c.curves) {
      if (!curves.includes(curve)) continue;
      const plonk = (c.plonk ?? []).includes(curve);
      const outDir = join(VECTORS, curve, c.name);
      const sourceHash = await sourceHashOf(curve, circomSource, inputText, plonk ? 'plonk' : '');
      if (!force && (await upToDate(outDir, sourceHash))) {
        log(`  ${curve}/${c.name}: up to date`);
        continue;
      }
      const buildDir = join(CACHE, 'build', curve, c.name);
      await rm(buildDir, { recursive: true, force: true });
      await buildCircuit({ name: c.name, curve, source, inputPath, outDir, buildDir, plonk, sourceHash, minPower: MIN_FIXTURE_POWER });
    }
  }
}

/**
 * The benchmark circuit with about 2^k constraints (2^k - 64, so the domain is 2^k and not 2^(k+1)).
 * bn128: chained circomlib Poseidon(2) hashes (a typical workload: Merkle paths, nullifiers) topped
 * up with multiplications; bls12381 (no Poseidon constants): half Num2Bits(64) blocks, half
 * multiplications, so both full-size and 0/1 witness values are present.
 */
function benchSource(curve, k, perHash) {
  const target = 2 ** k - 64;
  if (curve === 'bn128') {
    const nHash = Math.floor((0.9 * target) / perHash);
    const nMul = Math.max(1, target - nHash * perHash - 1);
    return `pragma circom 2.0.0;
include "circomlib/circuits/poseidon.circom";
template Bench(nHash, nMul) {
    signal input in[2];
    signal output out;
    component h[nHash];
    for (var i = 0; i < nHash; i++) {
        h[i] = Poseidon(2);
        h[i].inputs[0] <== i == 0 ? in[0] : h[i - 1].out;
        h[i].inputs[1] <== in[1];
    }
    signal x[nMul];
    x[0] <== h[nHash - 1].out * in[1];
    for (var i = 1; i < nMul; i++) x[i] <== x[i - 1] * (x[i - 1] + in[0]);
    out <== x[nMul - 1];
}
component main {public [in]} = Bench(${nHash}, ${nMul});
`;
  }
  // Num2Bits(64): 64 bit constraints + 1 linear one.
  const nBits = Math.floor(target / 2 / 65);
  const nMul = Math.max(1, target - nBits * 65 - 1);
  return `pragma circom 2.0.0;
include "circomlib/circuits/bitify.circom";
template Bench(nBits, nMul) {
    signal input in[2];
    signal output out;
    component nb[nBits];
    for (var i = 0; i < nBits; i++) {
        nb[i] = Num2Bits(64);
        nb[i].in <== in[0] * ${2 ** 20} + i;
    }
    signal x[nMul];
    x[0] <== in[0] * in[1];
    for (var i = 1; i < nMul; i++) x[i] <== x[i - 1] * (x[i - 1] + in[1]);
    out <== x[nMul - 1] + nb[nBits - 1].out[3];
}
component main {public [in]} = Bench(${nBits}, ${nMul});
`;
}

async function poseidonConstraintsPerHash() {
  const dir = join(CACHE, 'build', 'probe');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const count = async (n) => {
    const src = join(dir, `p${n}.circom`);
    await writeFile(
      src,
      `pragma circom 2.0.0;\ninclude "circomlib/circuits/poseidon.circom";\ntemplate P(n) { signal input a; signal output o; component h[n]; for (var i = 0; i < n; i++) { h[i] = Poseidon(2); h[i].inputs[0] <== i == 0 ? a : h[i-1].out; h[i].inputs[1] <== a; } o <== h[n-1].out; }\ncomponent main = P(${n});\n`,
    );
    const { r1cs } = await compile(src, 'bn128', dir);
    return (await snarkjs.r1cs.info(r1cs)).nConstraints;
  };
  return (await count(2)) - (await count(1));
}

async function buildBench({ k, curve, force, devSetup }) {
  const outDir = join(CACHE, 'bench', `${curve}-${k}`);
  const perHash = curve === 'bn128' ? await poseidonConstraintsPerHash() : 0;
  const circomSource = benchSource(curve, k, perHash);
  const inputText = `${JSON.stringify({ in: ['7', '11'] })}\n`;
  const sourceHash = await sourceHashOf(curve, circomSource, inputText, `bench ${k}${devSetup ? ' dev-setup' : ''}`);
  if (!force && (await upToDate(outDir, sourceHash))) {
    log(`  bench ${curve} 2^${k}: up to date in ${relative(ROOT, outDir)}`);
    return;
  }
  const buildDir = join(CACHE, 'build', 'bench', `${curve}-${k}`);
  await rm(buildDir, { recursive: true, force: true });
  await mkdir(buildDir, { recursive: true });
  const source = join(buildDir, 'circuit.circom');
  await writeFile(source, circomSource);
  const inputPath = join(buildDir, 'input.json');
  await writeFile(inputPath, inputText);
  await buildCircuit({ name: `bench-${k}`, curve, source, inputPath, outDir, buildDir, plonk: false, sourceHash, minPower: k, devSetup });
  log(`  bench circuit: ${relative(ROOT, outDir)}`);
}

// ---------------------------------------------------------------------------------------------
// Circuit classes (`zkgpu bench groth16 --circuit-class`): the circuits web apps prove most, built
// from circomlib, whose witnesses are mostly 0 and 1 (the dense bench chain above is the opposite).

const BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** A deterministic byte string / number sequence (no seed to carry around: the input is part of the cache key). */
function patternBytes(n) {
  return Array.from({ length: n }, (_, i) => (i * 73 + 41) & 0xff);
}

/**
 * Each class: its default size, the bounds of that size, the circom source and input for a size,
 * and (where JS can compute it) the public signals the circuit must produce, checked against
 * snarkjs's proof when the class is built.
 */
const CLASSES = {
  // circomlib's Sha256 over the bytes (range-checked to 8 bits each, as an app taking bytes must);
  // the digest leaves as two 128-bit numbers. 64 bytes: two compression blocks, ~59k constraints.
  sha256: {
    size: 64,
    min: 1,
    max: 512,
    unit: 'bytes',
    source: (n) => `pragma circom 2.0.0;
include "circomlib/circuits/sha256/sha256.circom";
include "circomlib/circuits/bitify.circom";
template Sha256Bytes(nBytes) {
    signal input in[nBytes];
    signal output digest[2];
    component byteBits[nBytes];
    component sha = Sha256(nBytes * 8);
    for (var i = 0; i < nBytes; i++) {
        byteBits[i] = Num2Bits(8);
        byteBits[i].in <== in[i];
        // circomlib's Sha256 takes each byte most significant bit first.
        for (var j = 0; j < 8; j++) sha.in[i * 8 + j] <== byteBits[i].out[7 - j];
    }
    component hi = Bits2Num(128);
    component lo = Bits2Num(128);
    for (var i = 0; i < 128; i++) {
        hi.in[i] <== sha.out[127 - i];
        lo.in[i] <== sha.out[255 - i];
    }
    digest[0] <== hi.out;
    digest[1] <== lo.out;
}
component main = Sha256Bytes(${n});
`,
    input: (n) => ({ in: patternBytes(n).map(String) }),
    expectedPublic: (n) => {
      const hex = createHash('sha256')
        .update(Buffer.from(patternBytes(n)))
        .digest('hex');
      return [BigInt(`0x${hex.slice(0, 32)}`).toString(), BigInt(`0x${hex.slice(32)}`).toString()];
    },
  },
  // A Poseidon(2) Merkle membership path: per level a boolean direction, a swap, one hash (~240
  // constraints). Depth 20 (a million leaves, a common tree size): ~5k constraints.
  merkle: {
    size: 20,
    min: 1,
    max: 64,
    unit: 'levels',
    source: (n) => `pragma circom 2.0.0;
include "circomlib/circuits/poseidon.circom";
template MerklePath(depth) {
    signal input leaf;
    signal input siblings[depth];
    signal input pathBits[depth];
    signal output root;
    signal node[depth + 1];
    signal left[depth];
    signal right[depth];
    component hash[depth];
    node[0] <== leaf;
    for (var i = 0; i < depth; i++) {
        pathBits[i] * (pathBits[i] - 1) === 0;
        left[i] <== node[i] + pathBits[i] * (siblings[i] - node[i]);
        right[i] <== siblings[i] + node[i] - left[i];
        hash[i] = Poseidon(2);
        hash[i].inputs[0] <== left[i];
        hash[i].inputs[1] <== right[i];
        node[i + 1] <== hash[i].out;
    }
    root <== node[depth];
}
component main {public [leaf]} = MerklePath(${n});
`,
    input: (n) => ({
      leaf: '123456789',
      siblings: Array.from({ length: n }, (_, i) => String(BigInt(i + 1) * 0x9e3779b97f4a7c15n * 0x1234567n)),
      pathBits: Array.from({ length: n }, (_, i) => String((i * 5 + 1) % 3 === 0 ? 1 : 0)),
    }),
    expectedPublic: null,
  },
  // Range checks: each value decomposed into 64 bits (Num2Bits(64): 64 boolean constraints + the
  // recomposition), their sum public. 512 values: 33,281 constraints, a witness of nearly all 0/1.
  bits: {
    size: 512,
    min: 1,
    max: 1 << 16,
    unit: 'values',
    source: (n) => `pragma circom 2.0.0;
include "circomlib/circuits/bitify.circom";
template RangeChecks(n) {
    signal input v[n];
    signal output sum;
    component bits[n];
    var acc = 0;
    for (var i = 0; i < n; i++) {
        bits[i] = Num2Bits(64);
        bits[i].in <== v[i];
        acc += v[i];
    }
    sum <== acc;
}
component main = RangeChecks(${n});
`,
    input: (n) => ({ v: bitsValues(n).map(String) }),
    expectedPublic: (n) => [
      bitsValues(n)
        .reduce((a, b) => a + b, 0n)
        .toString(),
    ],
  },
  // Hundreds of public inputs: the verifier's IC sum and the prover's public/private split over
  // many values; two constraints per input, so the key's public part is a large share of it.
  manypublic: {
    size: 512,
    min: 1,
    max: 1 << 14,
    unit: 'public inputs',
    source: (n) => `pragma circom 2.0.0;
template ManyPublic(n) {
    signal input x[n];
    signal input k;
    signal output out;
    signal y[n];
    signal acc[n];
    for (var i = 0; i < n; i++) {
        y[i] <== x[i] * k;
        acc[i] <== (i == 0 ? k : acc[i - 1]) * (y[i] + 1);
    }
    out <== acc[n - 1];
}
component main {public [x]} = ManyPublic(${n});
`,
    input: (n) => ({ x: manyPublicInputs(n).map(String), k: '7' }),
    expectedPublic: (n) => {
      const xs = manyPublicInputs(n);
      let acc = 7n;
      for (const x of xs) acc = (acc * ((x * 7n + 1n) % BN254_R)) % BN254_R;
      return [acc.toString(), ...xs.map(String)];
    },
  },
};

/** 64-bit values: the edges (0, 1, 2^63, 2^64 - 1) and a multiplicative walk between them. */
function bitsValues(n) {
  const edges = [0n, 1n, 1n << 63n, (1n << 64n) - 1n];
  return Array.from({ length: n }, (_, i) => (i < edges.length ? edges[i] : (BigInt(i) * 0x9e3779b97f4a7c15n) & ((1n << 64n) - 1n)));
}

/** Public inputs including 0, 1 and r - 1, so the public part of the key meets its edge scalars. */
function manyPublicInputs(n) {
  const edges = [0n, 1n, BN254_R - 1n];
  return Array.from({ length: n }, (_, i) => (i < edges.length ? edges[i] : (BigInt(i) * 0x9e3779b97f4a7c15n) % BN254_R));
}

/** "merkle" -> { cls: 'merkle', size: 20, dir: 'merkle' }; "merkle-4" -> size 4, dir 'merkle-4'. Throws on a bad name. */
function parseClassSpec(spec) {
  const m = /^([a-z0-9]+?)(?:-(\d+))?$/.exec(spec);
  const cls = m ? CLASSES[m[1]] : undefined;
  if (!m || !cls) throw new Error(`unknown circuit class "${spec}"; known: ${Object.keys(CLASSES).join(', ')} (optionally -<size>, e.g. merkle-4)`);
  const size = m[2] === undefined ? cls.size : Number(m[2]);
  if (size < cls.min || size > cls.max) throw new Error(`circuit class ${spec}: ${m[1]} takes ${cls.min} to ${cls.max} ${cls.unit}; got ${size}`);
  return { name: m[1], cls, size, dir: spec };
}

async function buildClass(spec, force) {
  const { name, cls, size, dir } = parseClassSpec(spec);
  const curve = 'bn128';
  const outDir = join(CACHE, 'classes', dir);
  const circomSource = cls.source(size);
  const inputText = `${JSON.stringify(cls.input(size))}\n`;
  const sourceHash = await sourceHashOf(curve, circomSource, inputText, `class ${dir} dev-setup`);
  if (!force && (await upToDate(outDir, sourceHash))) {
    log(`  class ${dir}: up to date in ${relative(ROOT, outDir)}`);
    return;
  }
  const buildDir = join(CACHE, 'build', 'classes', dir);
  await rm(buildDir, { recursive: true, force: true });
  await mkdir(buildDir, { recursive: true });
  const source = join(buildDir, 'circuit.circom');
  await writeFile(source, circomSource);
  const inputPath = join(buildDir, 'input.json');
  await writeFile(inputPath, inputText);
  await buildCircuit({
    name: dir,
    curve,
    source,
    inputPath,
    outDir,
    buildDir,
    plonk: false,
    sourceHash,
    minPower: 0,
    devSetup: true,
    keepR1cs: true,
    extraMeta: { class: name, size, sizeUnit: cls.unit },
    expectedPublic: cls.expectedPublic ? cls.expectedPublic(size) : null,
  });
}

const USAGE = `Usage: node scripts/make-groth16-fixtures.mjs [--force] [--only mulchain,poseidon,...] [--curve bn128|bls12381]
       node scripts/make-groth16-fixtures.mjs --bench <log2> [--curve bn128|bls12381] [--force] [--dev-setup]
       node scripts/make-groth16-fixtures.mjs --classes all|sha256,merkle,bits,manypublic[,merkle-4,...] [--force]
  --dev-setup: the bench key from zkgpu's INSECURE dev setup (seeded toxic waste; for benchmarks only)
  --classes: the circuit classes of zkgpu bench groth16 --circuit-class, into .cache/groth16/classes/
    (INSECURE dev-setup keys); <class>-<N> sets the size: sha256 bytes (64), merkle depth (20),
    bits values of 64 bits (512), manypublic public inputs (512)`;

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        force: { type: 'boolean' },
        only: { type: 'string' },
        curve: { type: 'string' },
        bench: { type: 'string' },
        'dev-setup': { type: 'boolean' },
        classes: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    log(`${e.message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    log(USAGE);
    return 0;
  }
  if (values.curve !== undefined && !CURVES.includes(values.curve)) {
    log(`--curve must be one of ${CURVES.join(', ')}\n${USAGE}`);
    return 2;
  }
  if (values['dev-setup'] && values.bench === undefined) {
    log(`--dev-setup is for --bench only: the committed fixtures keep snarkjs's own setup\n${USAGE}`);
    return 2;
  }
  if (values.classes !== undefined && (values.bench !== undefined || values.only !== undefined || values.curve !== undefined || values['dev-setup'])) {
    log(`--classes takes no --bench, --only, --curve or --dev-setup: the classes are BN254 with dev-setup keys\n${USAGE}`);
    return 2;
  }
  const t0 = performance.now();
  if (values.classes !== undefined) {
    const specs =
      values.classes.trim() === 'all'
        ? Object.keys(CLASSES)
        : values.classes
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
    if (specs.length === 0) {
      log(`--classes needs a list of classes or "all"\n${USAGE}`);
      return 2;
    }
    try {
      for (const spec of specs) parseClassSpec(spec);
    } catch (e) {
      log(e.message);
      return 2;
    }
    for (const spec of specs) await buildClass(spec, values.force === true);
  } else if (values.bench !== undefined) {
    const k = Number(values.bench);
    // 2^10: smaller leaves no room for the Poseidon part; 2^22: the ptau alone would take hours here.
    if (!Number.isInteger(k) || k < 10 || k > 22) {
      log(`--bench takes a log2 size from 10 to 22\n${USAGE}`);
      return 2;
    }
    await buildBench({ k, curve: values.curve ?? 'bn128', force: values.force === true, devSetup: values['dev-setup'] === true });
  } else {
    const only = values.only
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const name of only ?? []) {
      if (!CIRCUITS.some((c) => c.name === name)) {
        log(`unknown circuit "${name}"; known: ${CIRCUITS.map((c) => c.name).join(', ')}`);
        return 2;
      }
    }
    await buildFixtures({ force: values.force === true, only, curves: values.curve ? [values.curve] : CURVES });
  }
  log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return 0;
}

// snarkjs keeps ffjavascript worker pools alive after the last call: exit explicitly.
main().then(
  (code) => process.exit(code),
  (e) => {
    log(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);
