/**
 * `zkgpu bench groth16 --cli`: whole command lines as a user runs them, each proof a fresh process
 * (proof-process.ts times it from spawn to exit and samples its peak RSS):
 *   zkgpu prove circuit.zkey witness.wtns proof.json public.json      (this package's bin/zkgpu.js)
 *   snarkjs groth16 prove circuit.zkey witness.wtns proof.json public.json   (snarkjs's CLI)
 * and rapidsnark's prover when --rapidsnark is given. Start-up, reading the key and witness,
 * proving and writing the files are all in the time, as they are in a user's.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { ProverBackend } from '../core/schema.js';
import type { ProofCommand } from './proof-process.js';

export interface CliProvers {
  zkgpu: ProofCommand;
  snarkjs: ProofCommand;
  /** Worker threads each CLI proves with. */
  threads: { zkgpu: number; snarkjs: number };
  /** Each command line as a user would type it, relative to `root` where it lies inside. */
  shown: { zkgpu: string; snarkjs: string };
  /** What makes the figures less than a user's (an old build, sources through tsx), for stderr. */
  warnings: string[];
}

/**
 * snarkjs's CLI, the file node_modules/.bin/snarkjs links to (its package.json's "bin"), found the
 * way Node finds the package, so an installed zkgpu uses the snarkjs it depends on.
 */
export function snarkjsCliPath(): string {
  // The "require" condition resolves to snarkjs/build/main.cjs; cli.cjs lies beside it.
  return join(dirname(createRequire(import.meta.url).resolve('snarkjs')), 'cli.cjs');
}

/**
 * ffjavascript (snarkjs 0.7's engine) sizes its pool from os.cpus(), at most 64 (threadman.js), and
 * snarkjs's CLI has no option to change it.
 */
const SNARKJS_MAX_THREADS = 64;

/** The newest file under `dir` (recursively) and its mtime; null when there is none. */
function newestFile(dir: string): { path: string; mtimeMs: number } | null {
  let newest: { path: string; mtimeMs: number } | null = null;
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isFile() && (newest === null || st.mtimeMs > newest.mtimeMs)) newest = { path, mtimeMs: st.mtimeMs };
  }
  return newest;
}

/**
 * `zkgpu prove` as users start it: the package's bin/zkgpu.js (the built CLI in dist/), or, in a
 * clone that was never built, the sources through tsx (with a warning: every proof then pays tsx's
 * compile of the CLI, about a second here, that no user pays).
 */
export function cliProvers(root: string, options: { threads: number | null; backend: ProverBackend }): CliProvers {
  const warnings: string[] = [];
  const builtCli = join(root, 'dist/src/cli/main.js');
  const flags = ['--backend', options.backend, ...(options.threads !== null ? ['--threads', String(options.threads)] : [])];
  let zkgpuArgs: string[];
  if (existsSync(builtCli)) {
    zkgpuArgs = [join(root, 'bin/zkgpu.js'), 'prove'];
    // A clone's dist/ is only as new as its last build; an installed package has no src/ to compare.
    const srcDir = join(root, 'src');
    const newest = existsSync(srcDir) ? newestFile(srcDir) : null;
    if (newest !== null && newest.mtimeMs > statSync(builtCli).mtimeMs) {
      warnings.push(
        `warning: ${relative(root, newest.path)} is newer than the built CLI (${relative(root, builtCli)}): \`zkgpu prove\` runs the last build; run npm run build first for figures of these sources`,
      );
    }
  } else {
    zkgpuArgs = ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'prove'];
    warnings.push(`warning: no built CLI (${builtCli}): \`zkgpu prove\` runs from the sources through tsx, whose compile every proof pays; run npm run build first`);
  }
  const snarkjsCli = snarkjsCliPath();
  const show = (args: readonly string[], extra: readonly string[]) =>
    ['node', ...args.map((a) => (a.startsWith(root) ? relative(root, a) : a)), 'circuit.zkey', 'witness.wtns', 'proof.json', 'public.json', ...extra].join(' ');
  // Both CLIs on the Node running the bench, without its loader flags: `node_modules/.bin/snarkjs`
  // would take whichever node is first on PATH, and a shim between would be the process sampled.
  return {
    zkgpu: { label: 'zkgpu prove', executable: process.execPath, args: zkgpuArgs, flags },
    snarkjs: { label: 'snarkjs groth16 prove', executable: process.execPath, args: [snarkjsCli, 'groth16', 'prove'] },
    threads: { zkgpu: options.threads ?? availableParallelism(), snarkjs: Math.min(cpus().length, SNARKJS_MAX_THREADS) },
    shown: { zkgpu: show(zkgpuArgs, flags), snarkjs: show([snarkjsCli, 'groth16', 'prove'], []) },
    warnings,
  };
}
