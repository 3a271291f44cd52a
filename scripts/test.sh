#!/usr/bin/env bash
# The whole test suite from a fresh clone: system packages, npm packages, the wasm engine rebuilt
# from source and compared byte-for-byte with the shipped artefact, type checks, then vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
npm ci --no-audit --no-fund
bash scripts/build-wasm.sh --check
npx tsc -p tsconfig.json --noEmit
npx vitest run
