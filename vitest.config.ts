import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Three suites (test/README.md): `npx vitest run` runs them one after the other, unit first
 * (sequence.groupOrder), so a broken build fails within the first minutes; `npx vitest run
 * --project unit` runs one. Timeouts are per suite and sized for an otherwise idle 2-core machine
 * (CI). On a shared machine, scale them: ZKGPU_TEST_TIMEOUT_SCALE=4 npx vitest run ...
 * (a unit run beside other engineers' suites at load average 25 on 2 cores took 9 min instead
 * of ~2 min, and its heaviest tests 80 s).
 */
const scale = Number(process.env.ZKGPU_TEST_TIMEOUT_SCALE ?? 1);
if (!(scale >= 1)) throw new Error(`ZKGPU_TEST_TIMEOUT_SCALE must be a number >= 1, got "${process.env.ZKGPU_TEST_TIMEOUT_SCALE}"`);
const seconds = (s: number) => Math.round(s * 1000 * scale);

export default defineConfig({
  test: {
    // Child processes, not threads: Dawn and the wasm worker pools each get a process of their own.
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // No GPU adapter, no child process, no browser, no server: wasm worker threads at most.
          include: ['test/unit/**/*.test.ts'],
          // The heaviest unit tests (G2 MSMs, n = 1000, against a JS double-and-add in
          // cpu/wasm-engine.test.ts) take about 7 s of CPU each (25-45 s under load): 60 s leaves room for a busy
          // neighbour (cargo test runs beside this suite in scripts/test.sh) and still flags a hang.
          testTimeout: seconds(60),
          // beforeAll compiles the wasm engine and starts worker pools.
          hookTimeout: seconds(60),
          // Two files at once: most unit files wait on their 1-2 wasm workers, so two forks keep
          // both cores busy.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          // Everything outside unit/ and browser/ is integration, so a test file added anywhere else
          // (test/integration/serve/, test/integration/package/, a folder not yet moved) still runs.
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/unit/**', 'test/browser/**'],
          testTimeout: seconds(120),
          // GPU suites compile their pipelines and build 2^16-point inputs in beforeAll.
          hookTimeout: seconds(300),
          // One file at a time: llvmpipe (lavapipe) already spreads each dispatch over every core,
          // and child-process suites time their children against their own timeouts.
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          // Headless Chromium through playwright-core (test/browser/chromium.test.ts).
          include: ['test/browser/**/*.test.ts'],
          // Each page run sets its own limit (200 s: Vite build + cold Chromium + the page's checks).
          testTimeout: seconds(200),
          hookTimeout: seconds(120),
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
