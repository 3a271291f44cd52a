// The seed, rng and number helpers moved to test/helpers/seed.ts so other suites share one seed
// per run; the math suites keep importing them from here.
export * from '../../helpers/seed.js';
