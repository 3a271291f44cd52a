// One multi-scalar multiplication on the zkgpu runtime, checked against the naive BigInt MSM of
// zkgpu/math (the library's test oracle). `node msm.mjs [log2 n] [seed]`; prints one JSON line.
import { createRuntime } from 'zkgpu';
import { CURVES, createRng, decodePoints, encodePoint, encodeScalars, msmNaive, randomSeed } from 'zkgpu/math';

const curve = 'bn254';
const group = 'g1';
const n = 2 ** Number(process.argv[2] ?? 8);
// Print the seed: the same seed gives the same points and scalars, so a mismatch can be replayed.
const seed = Number(process.argv[3] ?? randomSeed());

const runtime = await createRuntime();
try {
  const points = await runtime.samplePoints({ curve, group, n, seed });
  const rng = createRng(seed);
  const scalars = Array.from({ length: n }, () => rng.nextBigInt(CURVES[curve].r));

  let report;
  const sum = await runtime.msm({ curve, group, points, scalars: encodeScalars(scalars), onReport: (r) => (report = r) });

  // The oracle: Σ scalarᵢ·pointᵢ one point at a time, in BigInt (slow; fine for a few hundred points).
  const expected = encodePoint(curve, group, msmNaive(curve, group, decodePoints(curve, group, points), scalars));
  const matches = sum.length === expected.length && sum.every((byte, i) => byte === expected[i]);

  console.log(JSON.stringify({ curve, group, n, seed, backend: report.backend, ms: Math.round(report.ms), matches }));
  if (!matches) process.exitCode = 1;
} finally {
  await runtime.dispose();
}
