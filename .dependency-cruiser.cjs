/**
 * The layer rules of zkgpu (docs/ARCHITECTURE.md), checked by `npm run lint:deps` in CI.
 *
 *   core -> math -> gpu | cpu -> msm, ntt -> scheduler -> runtime -> groth16 -> src/index.ts
 *   shells: src/cli, src/serve, src/client, bench/, examples/ (the public entries only)
 *   workers/: thin worker entries (the CPU engine only)
 *
 * Each library layer imports only the layers below it (anything inside its own layer). Type-only
 * imports count too: a type pulled from a higher layer couples the layers as much as a value does.
 * A rule that cannot hold yet carries a comment naming its issue; it is never weakened silently.
 */
const { builtinModules } = require('node:module');

/** Library layers, bottom up: each may import the folders of its own and every earlier entry. */
const LAYERS = [
  ['core', ['core']],
  ['math', ['math']],
  ['gpu', ['gpu']],
  ['cpu', ['cpu']],
  ['kernels', ['msm', 'ntt']],
  ['scheduler', ['scheduler']],
  ['runtime', ['runtime']],
  ['groth16', ['groth16']],
];

const folders = (names) => `^src/(${names.join('|')})/`;

/** What each layer may import of ours. gpu and cpu are siblings: neither sees the other. */
function allowedBelow(index) {
  const below = LAYERS.slice(0, index + 1).flatMap(([, dirs]) => dirs);
  const name = LAYERS[index][0];
  if (name === 'gpu') return below.filter((d) => d !== 'cpu');
  if (name === 'cpu') return below.filter((d) => d !== 'gpu');
  return below;
}

const layerRules = LAYERS.map(([name, dirs], index) => ({
  name: `layer-${name}`,
  comment: `src/${dirs.join(', src/')} may import only ${allowedBelow(index).join(', ')} (layers below it; gpu and cpu never each other)`,
  severity: 'error',
  from: { path: folders(dirs) },
  to: { path: '^(src|bench|workers|examples|test)/', pathNot: folders(allowedBelow(index)) },
}));

/** The public entries a shell may use: what a user of the published package can import. */
const PUBLIC_ENTRIES = ['^src/index\\.ts$', '^src/math/index\\.ts$', '^src/client/'];

/** Native or server packages: a browser bundle of zkgpu/client must not reach them. */
const NODE_ONLY_PACKAGES = ['better-sqlite3', 'fastify', 'pino', 'prom-client', 'webgpu', 'tsx', 'bullmq', 'ioredis'];
const nodeBuiltins = `^(node:)?(${builtinModules.filter((m) => !m.startsWith('_')).join('|')})(/|$)`;

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'public-entry',
      comment: 'src/index.ts re-exports the library layers; it never imports a shell',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: '^(src|bench|workers|examples|test)/', pathNot: folders(LAYERS.flatMap(([, dirs]) => dirs)) },
    },
    {
      name: 'shell-cli',
      comment:
        'src/cli uses the public entries only; known exceptions: `zkgpu bench` runs bench/node (issue 15), `zkgpu serve` starts src/serve (issue 16), `zkgpu prove` starts its workers (src/cpu/spawn.ts) before the library loads (issue 20: one-shot start-up)',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^(src|bench|workers|examples|test)/', pathNot: [...PUBLIC_ENTRIES, '^src/cli/', '^src/serve/', '^bench/node/', '^src/cpu/spawn\\.ts$'] },
    },
    {
      name: 'shell-serve',
      comment: 'src/serve (the prover service) uses the public entries only, and never the CLI',
      severity: 'error',
      from: { path: '^src/serve/' },
      to: { path: '^(src|bench|workers|examples|test)/', pathNot: [...PUBLIC_ENTRIES, '^src/serve/'] },
    },
    {
      name: 'shell-client',
      comment: 'src/client (zkgpu/client) uses the public entries only, and never the CLI or the service',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { path: '^(src|bench|workers|examples|test)/', pathNot: PUBLIC_ENTRIES },
    },
    {
      name: 'client-not-node-builtins',
      comment: 'zkgpu/client runs in browsers and Node: no Node built-in module, not even by dynamic import',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'client-not-node-only-packages',
      comment: 'zkgpu/client runs in browsers: no native or server-side package',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { path: `^node_modules/(${NODE_ONLY_PACKAGES.join('|')})/` },
    },
    {
      name: 'shell-bench',
      comment: 'bench/ uses the public entries only (core: platform-neutral, node: the CLI runner, web: the page)',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^(src|workers|examples|test)/', pathNot: PUBLIC_ENTRIES },
    },
    {
      name: 'bench-core-platform-neutral',
      comment: 'bench/core runs in Node and in the browser page: no Node built-ins, and never the node or web parts',
      severity: 'error',
      from: { path: '^bench/core/' },
      to: { path: ['^bench/(node|web)/', nodeBuiltins] },
    },
    {
      name: 'bench-parts',
      comment: 'bench/node and bench/web are siblings over bench/core',
      severity: 'error',
      from: { path: '^bench/(node|web)/' },
      to: { path: '^bench/(node|web)/', pathNot: '^bench/$1/' },
    },
    {
      name: 'examples-use-the-package',
      comment: "examples/ import 'zkgpu' as a user does (a file: dependency), never the repository's folders",
      severity: 'error',
      from: { path: '^examples/' },
      to: { path: '^(src|bench|workers|test)/' },
    },
    {
      name: 'workers-thin',
      comment: 'workers/ are thin entries: they load the CPU engine (src/cpu) and nothing above it',
      severity: 'error',
      from: { path: '^workers/' },
      to: { path: '^(src|bench|examples|test)/', pathNot: folders(['core', 'math', 'cpu']) },
    },
    {
      name: 'library-not-to-shells-or-tests',
      comment: 'nothing shipped imports tests, examples or the worker entries (workers are loaded by URL)',
      severity: 'error',
      from: { path: '^(src|bench|workers)/' },
      to: { path: '^(test|examples)/' },
    },
    {
      name: 'no-circular',
      comment:
        'a cycle makes load order matter and hides which module is the lower one. Cycles whose every link is a type-only import are left out: they vanish at run time (a module naming the types of the one that calls it, as groth16/profile/report.ts and attribution.ts do); a runtime cycle still fails',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'src-no-dev-dependencies',
      comment: 'the installed package has no devDependencies: src/ and workers/ may not import one, not even as a type (dist/*.d.ts would name it)',
      severity: 'error',
      from: { path: '^(src|workers)/', pathNot: '^workers/dev-entry\\.mjs$' },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'bench-peers-dynamic',
      comment:
        'bench peers (ffjavascript, @noble/curves) are optional devDependencies: loaded by dynamic import, so `zkgpu bench` runs without them; bench/web is bundled by Vite at build time (dist/page), so its devDependencies (vite, uplot) never load at run time',
      severity: 'error',
      from: { path: '^bench/', pathNot: '^bench/web/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['dynamic-import', 'type-only'] },
    },
    {
      name: 'no-unlisted-packages',
      comment: 'every package imported by shipped code is in package.json (a transitive one can vanish on any install)',
      severity: 'error',
      from: { path: '^(src|bench|workers)/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that does not resolve (a file moved without its importers)',
      severity: 'error',
      from: { path: '^(src|bench|workers)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^examples/[^/]+/(dist|node_modules)/'] },
    tsConfig: { fileName: 'tsconfig.json' },
    // Count `import type` too (see above); the circular rule still sees them, and a type-only cycle is still a tangle.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
