#!/usr/bin/env bash
# The whole test suite from a fresh clone (CI: 2 cores). After the system packages:
#
#   rust (background)           | npm ci -> tsc -> vitest unit
#     build-wasm --check        |
#     cargo test, cargo clippy  |
#   ------------------------------------------------------------- (both done)
#   vitest integration (lavapipe, child processes, servers), then browser (Chromium)
#
# The Rust builds and npm ci's one long compile (better-sqlite3's amalgamated sqlite3.c) each keep
# about one core busy, so they share the two cores; the GPU suites run alone because llvmpipe
# spreads every dispatch over all cores. The Rust phase's log is printed whole when it ends.
# Every phase runs even after another failed; the exit status is 1 if any failed. The log ends
# with a table of phase times and the line CI looks for: "vitest: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"  # Dawn/Vulkan warn without it
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/phases"

# phase NAME CMD...: runs CMD, appends "NAME seconds status" to the table; returns CMD's status.
phase() {
  local name=$1 start=$SECONDS rc=0
  shift
  echo "=== $name"
  "$@" || rc=$?
  printf '%-34s %5ds  %s\n' "$name" $((SECONDS - start)) "$([ $rc = 0 ] && echo ok || echo "FAILED (exit $rc)")" >>"$work/phases"
  return $rc
}

finish() {
  echo
  echo "=== phases (wall time)"
  cat "$work/phases"
  # One plain summary over every vitest project (CI looks for "N passed, N failed").
  node -e '
const fs = require("fs");
let passed = 0, failed = 0, skipped = 0, brokenFiles = 0;
const missing = [];
for (const [name, file] of process.argv.slice(1).map((a) => a.split("="))) {
  if (!fs.existsSync(file)) { missing.push(name); continue; }
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
  // A file that fails to load has no failed test, only a failed suite.
  brokenFiles += r.testResults.filter((f) => f.status === "failed" && f.assertionResults.every((a) => a.status !== "failed")).length;
}
console.log(`vitest: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : "") +
  (brokenFiles ? `, ${brokenFiles} files failed outside any test` : "") + (missing.length ? `; no report from: ${missing.join(", ")}` : ""));
' "unit=$work/unit.json" "integration+browser=$work/rest.json" || true
  if grep -q FAILED "$work/phases"; then exit 1; fi
  exit 0
}

# The offline Rust toolchain is Debian's rustc-web (RECIPES.md): /usr/bin first, or rustup's
# proxies in ~/.cargo/bin would pick another rustc and clippy.
rust_cargo() { (cd wasm && PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc CARGO_INCREMENTAL=0 /usr/bin/cargo "$@"); }
rust() {
  local rc=0
  phase "rust: build-wasm --check" bash scripts/build-wasm.sh --check || rc=1
  # The crate has no dependencies; --locked keeps Cargo.lock as committed.
  phase "rust: cargo test" rust_cargo test --offline --locked || rc=1
  # Allowed lints: every extern "C" entry takes raw pointers into linear memory, documented once in
  # wasm/README.md's ABI table rather than 15 `# Safety` sections; limb loops index several arrays
  # in step (a[i], b[j], t[i + j]), which iterators would hide.
  phase "rust: cargo clippy" rust_cargo clippy --offline --locked --all-targets -- -D warnings \
    -A clippy::missing_safety_doc -A clippy::needless_range_loop || rc=1
  return $rc
}

phase "setup-system" bash scripts/setup-system.sh || finish

rust >"$work/rust.log" 2>&1 &
rust_pid=$!

phase "npm ci" npm ci --no-audit --no-fund || { wait $rust_pid || true; cat "$work/rust.log"; finish; }
phase "tsc --noEmit" npx tsc -p tsconfig.json --noEmit || true
# The layer rules (.dependency-cruiser.cjs) and Biome's lint + format check (biome.json).
phase "lint: layers (dependency-cruiser)" npm run -s lint:deps || true
phase "lint: biome check" npx biome check . || true
phase "vitest unit" npx vitest run --project unit \
  --reporter=default --reporter=json --outputFile.json="$work/unit.json" || true

wait $rust_pid || true
echo "=== rust (ran beside npm ci and the unit suite)"
cat "$work/rust.log"

phase "vitest integration + browser" npx vitest run --project integration --project browser \
  --reporter=default --reporter=json --outputFile.json="$work/rest.json" || true
finish
