/**
 * The memory cgroup harness for tests: run a command in a fresh memory cgroup with a limit, get its
 * exit, output, peak and OOM kill back. It lives in bench/node/cgroup.ts because the memory
 * benchmark (bench/node/memory.ts) measures the same way and shipped bench code may not import
 * test/; this is the tests' entry to it.
 */
export * from '../../bench/node/cgroup.js';
