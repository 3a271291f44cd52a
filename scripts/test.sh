#!/usr/bin/env bash
# The whole test suite from a fresh clone: system packages, npm packages, the wasm engine rebuilt
# from source and compared byte-for-byte with the shipped artefact, type checks, then vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"  # Dawn/Vulkan warn without it
bash scripts/setup-system.sh
npm ci --no-audit --no-fund
bash scripts/build-wasm.sh --check
npx tsc -p tsconfig.json --noEmit
report=$(mktemp)
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" || status=$?
# One plain summary line for whoever reads the log's end (CI looks for "N passed, N failed").
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report" || true
rm -f "$report"
exit $status
