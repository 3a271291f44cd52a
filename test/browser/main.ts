/**
 * Browser test page for the CPU engine: the public runtime on module Web Workers, each result
 * checked against an independent reference computed here on the main thread: @noble/curves'
 * Pippenger (BN254 G1) and the BigInt oracle in src/math (BLS12-381 G2 MSM, NTTs). Results go
 * to window.__zkgpu for test/browser/chromium.test.ts; ?seed=N replays a run.
 */
import { bn254 } from '@noble/curves/bn254.js';
import { pippenger } from '@noble/curves/abstract/curve.js';
import {
  createRuntime,
  groth16,
  hardwareFingerprint,
  isZkgpuError,
  type Calibration,
  type GpuAdapterInfo,
  type Groth16Proof,
  type JobReport,
  type Runtime,
} from '../../src/index.js';
import { defaultBytesPerElement } from '../../src/scheduler/models.js';
import {
  BABYBEAR_GENERATOR,
  BABYBEAR_P,
  babybearNttReference,
  CURVES,
  createRng,
  decodePoint,
  decodePoints,
  decodeScalars,
  encodePoint,
  encodePoints,
  encodeScalars,
  frField,
  g1,
  g2,
  msmNaive,
  nttNaive,
  nttReference,
  randomSeed,
  rootOfUnity,
  type CurveName,
  type Rng,
} from '../../src/math/index.js';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export interface PageResults {
  done: boolean;
  seed: number;
  /** Set when the page itself failed (not one check). */
  error?: string;
  info: {
    crossOriginIsolated: boolean;
    hardwareConcurrency: number;
    threads: number;
    userAgent: string;
    /** Worker URLs the test harness saw at checkpoints (absent when opened by hand). */
    workersAfterMsm?: string[];
    workersAfterAbort?: string[];
    /** The WebGPU adapter the runtime opened (SwiftShader in CI), or null. */
    gpu?: string | null;
  };
  checks: CheckResult[];
  /** Groth16 proofs made in the page, for the test to verify with snarkjs (absent without ?vectors=). */
  groth16?: BrowserProof[];
}

export interface BrowserProof {
  /** The vector it proves, e.g. "bn128/mulchain" (test/vectors/groth16/<vector>). */
  vector: string;
  how: string;
  proof: Groth16Proof;
  publicSignals: string[];
}

declare global {
  interface Window {
    __zkgpu?: PageResults;
    /** Installed by the test (playwright exposeFunction): the URLs of the page's live workers. */
    __zkgpuWorkers?: () => Promise<string[]>;
  }
}

const MSM_N = 9000; // > 2 · MIN_POINTS_PER_WORKER (512): the runtime splits it over both workers
const G2_N = 20;
const NTT_LOG_N = 16; // MIN_SPLIT_LOG_N: the four-step path across workers
const COSET_LOG_N = 4;
const ABORT_N = 1 << 17; // long enough (about a second on 2 cores) to abort in the middle
const ABORT_AFTER_MS = 150;

const seedParam = new URLSearchParams(location.search).get('seed');
const seed = seedParam !== null ? Number(seedParam) : randomSeed();
const results: PageResults = {
  done: false,
  seed,
  info: {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency,
    threads: 0,
    userAgent: navigator.userAgent,
  },
  checks: [],
};

function log(line: string): void {
  console.log(`[zkgpu page] ${line}`);
  const el = document.getElementById('log');
  if (el) el.textContent += `${line}\n`;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function check(name: string, body: () => Promise<string>): Promise<void> {
  const t0 = performance.now();
  let ok = true;
  let detail: string;
  try {
    detail = await body();
  } catch (e) {
    ok = false;
    detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  const ms = Math.round(performance.now() - t0);
  results.checks.push({ name, ok, detail, ms });
  log(`${ok ? 'ok  ' : 'FAIL'} ${name} (${ms} ms): ${detail}`);
}

function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

function randomScalars(curve: CurveName, n: number, rng: Rng): bigint[] {
  return Array.from({ length: n }, () => rng.nextBigInt(CURVES[curve].r));
}

async function workers(): Promise<string[] | undefined> {
  return window.__zkgpuWorkers ? window.__zkgpuWorkers() : undefined;
}

/** Σ sᵢ·Pᵢ by @noble/curves, from points decoded and validated independently of the engine. */
function nobleBn254G1Msm(points: Uint8Array, scalars: bigint[]): { x: bigint; y: bigint } | null {
  const P = bn254.G1.Point;
  const decoded = decodePoints('bn254', 'g1', points);
  const pts = [];
  const ks = [];
  for (let i = 0; i < decoded.length; i++) {
    const p = decoded[i];
    // noble's pippenger rejects zero scalars and the identity; both add nothing.
    if (p.infinity || scalars[i] === 0n) continue;
    const q = P.fromAffine({ x: p.x, y: p.y });
    q.assertValidity();
    pts.push(q);
    ks.push(scalars[i]);
  }
  const sum = pts.length === 0 ? P.ZERO : pippenger(P, pts, ks);
  return sum.is0() ? null : sum.toAffine();
}

async function run(rt: Runtime): Promise<void> {
  const rng = createRng(`browser:${seed}`);
  const r254 = CURVES.bn254.r;

  // BN254 G1, n = 9000, split across the two workers; noble's Pippenger is the reference.
  const points = await rt.samplePoints({ curve: 'bn254', group: 'g1', n: MSM_N, seed: seed >>> 0 });
  const scalars = randomScalars('bn254', MSM_N, rng);
  scalars.splice(0, 4, 0n, 1n, 2n, r254 - 1n); // boundary scalars among the random ones
  const scalarBytes = encodeScalars(scalars);
  let msmResult: Uint8Array = new Uint8Array();
  await check(`msm bn254 g1 n=${MSM_N} on ${rt.threads} workers vs @noble/curves pippenger`, async () => {
    const t0 = performance.now();
    msmResult = await rt.msm({ curve: 'bn254', group: 'g1', points, scalars: scalarBytes });
    const engineMs = Math.round(performance.now() - t0);
    results.info.workersAfterMsm = await workers();
    const got = decodePoint('bn254', 'g1', msmResult);
    const want = nobleBn254G1Msm(points, scalars);
    assert(want !== null && !got.infinity, `unexpected point at infinity (engine ${got.infinity}, noble ${want === null})`);
    assert(got.x === want.x && got.y === want.y, `engine (${got.x}, ${got.y}) != noble (${want.x}, ${want.y})`);
    return `engine ${engineMs} ms, equal to noble`;
  });

  // BLS12-381 G2, n = 20, points made by the oracle, reference msmNaive.
  await check(`msm bls12-381 g2 n=${G2_N} vs BigInt msmNaive`, async () => {
    const G = g2('bls12-381');
    const r = CURVES['bls12-381'].r;
    const pts = Array.from({ length: G2_N }, () => G.random(rng));
    pts[5] = G.infinity;
    pts[7] = pts[6];
    const ks = randomScalars('bls12-381', G2_N, rng);
    ks.splice(0, 3, 0n, 1n, r - 1n);
    const got = await rt.msm({ curve: 'bls12-381', group: 'g2', points: encodePoints('bls12-381', 'g2', pts), scalars: encodeScalars(ks) });
    const want = encodePoint('bls12-381', 'g2', msmNaive('bls12-381', 'g2', pts, ks));
    assert(hex(got) === hex(want), `engine ${hex(got)} != oracle ${hex(want)}`);
    return 'equal to oracle';
  });

  // NTT 2^16 forward (four-step split over both workers) against the O(n log n) BigInt
  // reference and, at a few outputs, the DFT definition itself; then the inverse round trip.
  await check(`ntt bn254 2^${NTT_LOG_N} forward vs BigInt reference, inverse round trip`, async () => {
    const n = 1 << NTT_LOG_N;
    const values = randomValues('bn254', n, rng);
    values[0] = 0n;
    values[1] = r254 - 1n;
    const input = encodeScalars(values);
    const t0 = performance.now();
    const forward = await rt.ntt({ curve: 'bn254', values: input });
    const fwdMs = Math.round(performance.now() - t0);
    const got = decodeScalars(forward);
    const want = nttReference('bn254', values);
    const bad = got.findIndex((v, i) => v !== want[i]);
    assert(bad < 0, `forward differs from nttReference at index ${bad}`);
    const F = frField('bn254');
    const omega = rootOfUnity('bn254', NTT_LOG_N);
    for (const k of [0, 1, n - 1, 1 + (rng.nextU32() % (n - 2))]) {
      const wk = F.pow(omega, BigInt(k));
      let acc = 0n;
      let w = 1n;
      for (let j = 0; j < n; j++) {
        acc = (acc + values[j] * w) % F.p;
        w = F.mul(w, wk);
      }
      assert(got[k] === acc, `forward output ${k} differs from the DFT sum`);
    }
    const t1 = performance.now();
    const back = await rt.ntt({ curve: 'bn254', values: forward, inverse: true });
    const invMs = Math.round(performance.now() - t1);
    assert(hex(back) === hex(input), 'inverse(forward(x)) != x');
    return `forward ${fwdMs} ms, inverse ${invMs} ms, equal to reference`;
  });

  // Coset NTT 2^4 on the field's generator coset, against the DFT definition.
  await check(`coset ntt bls12-381 2^${COSET_LOG_N} vs BigInt nttNaive`, async () => {
    const curve: CurveName = 'bls12-381';
    const values = randomValues(curve, 1 << COSET_LOG_N, rng);
    const shift = CURVES[curve].frGenerator;
    const forward = await rt.ntt({ curve, values: encodeScalars(values), coset: true });
    const want = nttNaive(curve, values, { shift });
    assert(hex(forward) === hex(encodeScalars(want)), 'coset forward differs from nttNaive');
    const back = await rt.ntt({ curve, values: forward, coset: true, inverse: true });
    assert(hex(back) === hex(encodeScalars(values)), 'coset inverse(forward(x)) != x');
    return 'equal to nttNaive, round trip exact';
  });

  // Abort in the middle of a long MSM: rejects with ABORTED at once, and the pool recovers.
  await check(`abort msm bn254 g1 n=2^17 after ${ABORT_AFTER_MS} ms`, async () => {
    const big = tile(points, ABORT_N * 64);
    const bigScalars = tile(scalarBytes, ABORT_N * 32);
    const ac = new AbortController();
    let abortedAt = 0;
    const timer = setTimeout(() => {
      abortedAt = performance.now();
      ac.abort(new Error('test abort'));
    }, ABORT_AFTER_MS);
    let code: string | undefined;
    try {
      await rt.msm({ curve: 'bn254', group: 'g1', points: big, scalars: bigScalars, signal: ac.signal });
    } catch (e) {
      code = isZkgpuError(e) ? e.code : `not a ZkgpuError: ${String(e)}`;
    } finally {
      clearTimeout(timer);
    }
    assert(abortedAt > 0, `the 2^17 MSM finished within ${ABORT_AFTER_MS} ms, before the abort: make it longer`);
    const latency = Math.round(performance.now() - abortedAt);
    assert(code === 'ABORTED', `expected code ABORTED, got ${code}`);
    // The busy workers are terminated and replaced. A terminated worker is still listed for a
    // few ms (over a second when the replacements are busy): wait, bounded, until two are left.
    const t1 = performance.now();
    let live = await workers();
    while (live !== undefined && live.length > 2 && performance.now() - t1 < 5000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      live = await workers();
    }
    results.info.workersAfterAbort = live;
    const goneMs = Math.round(performance.now() - t1);
    // The replacements must work: the same MSM again gives the same point.
    const t2 = performance.now();
    const again = await rt.msm({ curve: 'bn254', group: 'g1', points, scalars: scalarBytes });
    const againMs = Math.round(performance.now() - t2);
    assert(hex(again) === hex(msmResult), 'MSM after the abort differs from the first run');
    return `rejected ${latency} ms after abort(); aborted workers gone ${goneMs} ms later; same MSM on the replacements ${againMs} ms, same point`;
  });
}

function randomValues(curve: CurveName, n: number, rng: Rng): bigint[] {
  return randomScalars(curve, n, rng);
}

/** `bytes` repeated to `length` bytes (repeated points are valid MSM input). */
function tile(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let o = 0; o < length; o += bytes.length) out.set(bytes.subarray(0, Math.min(bytes.length, length - o)), o);
  return out;
}

/**
 * The WebGPU engine through the same runtime (SwiftShader under headless Chromium): every call is
 * pinned to 'webgpu', its report must name the GPU, and results are checked against the BigInt
 * reference (and against the WASM engine on the same input).
 */
async function runGpu(rt: Runtime): Promise<void> {
  const rng = createRng(`browser-gpu:${seed}`);
  const ranOnGpu = (reports: JobReport[]) => {
    assert(reports.length > 0 && reports.every((r) => r.backend === 'webgpu' && r.adapter !== null), `not run on the GPU: ${JSON.stringify(reports)}`);
  };
  for (const [curve, logN] of [
    ['bn254', 10],
    ['bls12-381', 8],
  ] as const) {
    await check(`webgpu ntt ${curve} 2^${logN} (plain, coset, inverse) vs BigInt reference and wasm`, async () => {
      assert(rt.gpu !== null, 'no WebGPU adapter in this browser (expected SwiftShader with --enable-unsafe-webgpu)');
      const values = randomValues(curve, 1 << logN, rng);
      values[0] = 0n;
      values[1] = CURVES[curve].r - 1n;
      const input = encodeScalars(values);
      const reports: JobReport[] = [];
      const onReport = (r: JobReport) => void reports.push(r);
      const forward = await rt.ntt({ curve, values: input, backend: 'webgpu', onReport });
      assert(hex(forward) === hex(encodeScalars(nttReference(curve, values))), 'forward differs from nttReference');
      const coset = await rt.ntt({ curve, values: input, coset: true, backend: 'webgpu', onReport });
      const cosetWasm = await rt.ntt({ curve, values: input, coset: true, backend: 'wasm' });
      assert(hex(coset) === hex(cosetWasm), 'coset NTT: webgpu differs from wasm');
      const back = await rt.ntt({ curve, values: coset, coset: true, inverse: true, backend: 'webgpu', onReport });
      assert(hex(back) === hex(input), 'inverse(coset forward(x)) != x');
      ranOnGpu(reports);
      return `on ${reports[0].adapter?.description || reports[0].adapter?.vendor}; ${reports.map((r) => Math.round(r.ms)).join('/')} ms`;
    });
  }
}

async function runGpuMsm(rt: Runtime): Promise<void> {
  await check('webgpu msm bn254 g1 n=300 vs BigInt msmNaive and wasm', async () => {
    const rng = createRng(`browser-gpu-msm:${seed}`);
    const G = g1('bn254');
    const n = 300;
    const pts = Array.from({ length: n }, () => G.random(rng));
    pts[4] = G.infinity;
    pts[9] = pts[8];
    const ks = randomScalars('bn254', n, rng);
    ks.splice(0, 3, 0n, 1n, CURVES.bn254.r - 1n);
    const points = encodePoints('bn254', 'g1', pts);
    const scalars = encodeScalars(ks);
    const reports: JobReport[] = [];
    const got = await rt.msm({ curve: 'bn254', group: 'g1', points, scalars, backend: 'webgpu', onReport: (r) => void reports.push(r) });
    const cpu = await rt.msm({ curve: 'bn254', group: 'g1', points, scalars, backend: 'wasm' });
    const want = encodePoint('bn254', 'g1', msmNaive('bn254', 'g1', pts, ks));
    assert(hex(got) === hex(want), `webgpu ${hex(got)} != oracle ${hex(want)}`);
    assert(hex(cpu) === hex(want), 'wasm differs from the oracle');
    assert(reports.length === 1 && reports[0].backend === 'webgpu' && reports[0].adapter !== null, `not run on the GPU: ${JSON.stringify(reports)}`);
    return `${Math.round(reports[0].ms)} ms (first run, shader compilation included)`;
  });
}

async function runGpuBabyBear(rt: Runtime): Promise<void> {
  await check('webgpu ntt babybear 2^12 (coset, inverse) vs BigInt reference and wasm', async () => {
    const rng = createRng(`browser-bb:${seed}`);
    const n = 1 << 12;
    const values = Uint32Array.from({ length: n }, () => rng.nextU32() % BABYBEAR_P);
    values[0] = BABYBEAR_P - 1;
    const reports: JobReport[] = [];
    const onReport = (r: JobReport) => void reports.push(r);
    const gpu = await rt.nttBabyBear({ values, coset: true, backend: 'webgpu', onReport });
    const cpu = await rt.nttBabyBear({ values, coset: true, backend: 'wasm' });
    assert(
      gpu.every((v, i) => v === cpu[i]),
      'webgpu differs from wasm',
    );
    const want = babybearNttReference(values, { shift: BABYBEAR_GENERATOR });
    assert(
      gpu.every((v, i) => v === want[i]),
      'webgpu differs from the reference',
    );
    const back = await rt.nttBabyBear({ values: gpu, coset: true, inverse: true, backend: 'webgpu', onReport });
    assert(
      back.every((v, i) => v === values[i]),
      'inverse(forward(x)) != x',
    );
    assert(
      reports.every((r) => r.backend === 'webgpu' && r.field === 'babybear'),
      `not run on the GPU: ${JSON.stringify(reports)}`,
    );
    return `${reports.map((r) => Math.round(r.ms)).join('/')} ms`;
  });
}

/**
 * The scheduler in the browser: a runtime sharing 'auto' jobs with SwiftShader, given a calibration
 * (as a web app would ship one) in which this adapter is 4x faster than the workers, and a GPU
 * budget of 100 BN254 G1 points, splits one MSM into several GPU chunks plus worker chunks; two
 * such jobs run at once. Both answers must equal the BigInt msmNaive.
 */
async function runScheduler(adapter: GpuAdapterInfo): Promise<void> {
  const maxGpuBytes = 100 * defaultBytesPerElement({ op: 'msm', curve: 'bn254', group: 'g1' }, 'webgpu').device;
  const model = (backend: 'wasm' | 'webgpu') => ({
    kernel: 'msm:bn254:g1',
    backend,
    fixedMs: 1,
    perElementNs: backend === 'wasm' ? 40_000 : 10_000,
    rmsResidualMs: 0,
    firstRunExtraMs: 0,
    measuredAt: new Date().toISOString(),
    quick: true,
    samples: [{ n: 256, medianMs: 1.5, runsMs: [1.5], warmupMs: 2 }],
    ...(backend === 'wasm' ? { threads: 2 } : { adapter: { vendor: adapter.vendor, architecture: adapter.architecture, description: adapter.description } }),
  });
  const { host } = await hardwareFingerprint();
  const calibration: Calibration = { schema: 1, host, updatedAt: new Date().toISOString(), models: [model('wasm'), model('webgpu')] };
  const rt = await createRuntime({ threads: 2, backends: ['webgpu', 'wasm'], maxGpuBytes, calibration });
  try {
    // SwiftShader compiles the MSM pipelines per device (~25 s): the pinned GPU MSM check runs on
    // this runtime so that it is paid once.
    await runGpuMsm(rt);
    await check('scheduler split msm bn254 g1 (SwiftShader + 2 workers, tiny GPU budget, 2 concurrent jobs) vs BigInt msmNaive', async () => {
      assert(rt.gpu !== null, 'no WebGPU adapter in the scheduler runtime');
      const rng = createRng(`browser-scheduler:${seed}`);
      const G = g1('bn254');
      const cases = [500, 420].map((n) => {
        const pts = Array.from({ length: n }, () => G.random(rng));
        const ks = randomScalars('bn254', n, rng);
        return { pts, ks, points: encodePoints('bn254', 'g1', pts), scalars: encodeScalars(ks) };
      });
      const planned = await rt.plan({ op: 'msm', curve: 'bn254', group: 'g1', n: 500 });
      assert(planned.calibrated, `the plan is not calibrated: ${planned.reason}`);
      assert(
        planned.chunks.every((c) => c.deviceBytes <= maxGpuBytes),
        `a chunk exceeds the GPU budget: ${JSON.stringify(planned.chunks)}`,
      );
      const reports: JobReport[] = [];
      const got = await Promise.all(cases.map((c) => rt.msm({ curve: 'bn254', group: 'g1', points: c.points, scalars: c.scalars, onReport: (r) => void reports.push(r) })));
      cases.forEach((c, i) => {
        const want = encodePoint('bn254', 'g1', msmNaive('bn254', 'g1', c.pts, c.ks));
        assert(hex(got[i]) === hex(want), `job ${i}: ${hex(got[i])} != oracle ${hex(want)}`);
      });
      const first = reports.find((r) => r.n === 500);
      assert(first !== undefined && reports.length === 2, `expected 2 reports, got ${reports.length}`);
      const gpuChunks = first.chunks.filter((c) => c.backend === 'webgpu');
      const cpuChunks = first.chunks.filter((c) => c.backend === 'wasm');
      assert(gpuChunks.length >= 2 && cpuChunks.length >= 1, `expected several GPU chunks and worker chunks: ${JSON.stringify(first.chunks)}`);
      assert(
        gpuChunks.every((c) => c.count <= 100),
        `a GPU chunk holds more than 100 points: ${JSON.stringify(gpuChunks)}`,
      );
      const covered = first.chunks.reduce((n, c) => n + c.count, 0);
      assert(covered === 500, `the chunks cover ${covered} of 500 points`);
      return `${gpuChunks.length} GPU + ${cpuChunks.length} worker chunks; ${reports.map((r) => Math.round(r.ms)).join('/')} ms`;
    });
  } finally {
    await rt.dispose();
  }
}

/**
 * Groth16 as a web app calls it: key, witness, circuit wasm and input fetched by URL from the
 * test's vector server (?vectors=URL), proved on this page's workers. The page checks the public
 * signals against the vector's public.json and that the proof went through the expected QAP path;
 * the test verifies each proof with snarkjs in Node.
 */
async function runGroth16(rt: Runtime): Promise<void> {
  const base = new URLSearchParams(location.search).get('vectors');
  if (!base) {
    log('groth16: no ?vectors= URL, skipped (opened by hand?)');
    return;
  }
  results.groth16 = [];
  const url = (vector: string, file: string) => `${base}/${vector}/${file}`;
  const expected = async (vector: string) => (await (await fetch(url(vector, 'public.json'))).json()) as string[];
  const cases = [
    { vector: 'bn128/mulchain', how: 'prove, qap auto (one worker task on 2 threads, wasm)', qap: undefined, stage: 'qap', full: false },
    { vector: 'bls12381/mulchain', how: 'prove, qap stages (each transform a runtime job, wasm)', qap: 'stages' as const, stage: 'ntt', full: false },
    { vector: 'bn128/mulchain', how: 'fullProve from input.json and circuit.wasm, qap one-task', qap: 'one-task' as const, stage: 'qap', full: true },
  ];
  for (const c of cases) {
    await check(`groth16 ${c.vector} ${c.how}`, async () => {
      const stages: string[] = [];
      const options = { runtime: rt, backend: 'wasm' as const, qap: c.qap, onProgress: (p: { stage: string }) => void stages.push(p.stage) };
      const t0 = performance.now();
      const out = c.full
        ? await groth16.fullProve(
            (await (await fetch(url(c.vector, 'input.json'))).json()) as Record<string, string>,
            url(c.vector, 'circuit.wasm'),
            url(c.vector, 'circuit.zkey'),
            options,
          )
        : await groth16.prove(url(c.vector, 'circuit.zkey'), url(c.vector, 'witness.wtns'), options);
      const ms = Math.round(performance.now() - t0);
      const want = await expected(c.vector);
      assert(JSON.stringify(out.publicSignals) === JSON.stringify(want), `public signals ${JSON.stringify(out.publicSignals)} != public.json ${JSON.stringify(want)}`);
      assert(stages.includes(c.stage), `expected a '${c.stage}' stage, the prover reported ${stages.join(', ')}`);
      results.groth16!.push({ vector: c.vector, how: c.how, proof: out.proof, publicSignals: out.publicSignals });
      return `${ms} ms; stages ${stages.join(', ')}; public signals equal public.json`;
    });
  }
}

async function main(): Promise<void> {
  log(`seed ${seed}; crossOriginIsolated ${results.info.crossOriginIsolated}; hardwareConcurrency ${results.info.hardwareConcurrency}`);
  let rt: Runtime | undefined;
  try {
    rt = await createRuntime({ threads: 2 });
    results.info.threads = rt.threads;
    results.info.gpu = rt.gpu ? `${rt.gpu.vendor} ${rt.gpu.architecture} ${rt.gpu.description}`.trim() : null;
    await run(rt);
    await runGroth16(rt);
    await runGpu(rt);
    await runGpuBabyBear(rt);
    const adapter = rt.gpu;
    await check('dispose, then calls reject with DISPOSED', async () => {
      const r = rt!;
      rt = undefined;
      await r.dispose();
      let code: string | undefined;
      try {
        await r.ntt({ curve: 'bn254', values: new Uint8Array(32) });
      } catch (e) {
        code = isZkgpuError(e) ? e.code : String(e);
      }
      assert(code === 'DISPOSED', `expected DISPOSED, got ${code}`);
      return 'disposed';
    });
    if (adapter) await runScheduler(adapter);
  } catch (e) {
    results.error = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
    log(`page error: ${results.error}`);
  } finally {
    await rt?.dispose();
    results.done = true;
    window.__zkgpu = results;
    log('done');
  }
}

void main();
