#!/usr/bin/env bash
# Installs the Debian packages the build and the test suite need, on a machine that has nothing:
# the Rust->wasm32 toolchain (rustc-web with its library source: crates.io is out of reach, so
# core is built from Debian's own copy) and binaryen. Idempotent; a no-op when all is present.
set -euo pipefail
need=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22 binaryen)
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-system: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
