// Run as a child process by test/integration/groth16/prover/default-runtime.test.ts: two proofs
// through groth16.prove without a runtime (the default one, GPU selection as by default), no
// dispose; Node must then exit by itself. Prints one JSON line: both proofs (the parent verifies
// them with snarkjs), whether the second proof ran on the runtime the first created, and times.
import { groth16 } from '../../../src/index.js';
import { defaultRuntime } from '../../../src/groth16/prover/default-runtime.js';

const [zkey, wtns] = process.argv.slice(2);
const t0 = performance.now();
const first = await groth16.prove(zkey, wtns);
const t1 = performance.now();
const runtime = await defaultRuntime();
let secondJobs = 0;
runtime.addEventListener('job', () => secondJobs++);
const second = await groth16.prove(zkey, wtns);
const t2 = performance.now();
console.log(
  JSON.stringify({
    proofs: [first, second],
    secondJobsOnFirstRuntime: secondJobs,
    sameRuntime: (await defaultRuntime()) === runtime,
    gpu: runtime.gpu?.description ?? null,
    firstMs: Math.round(t1 - t0),
    secondMs: Math.round(t2 - t1),
  }),
);
