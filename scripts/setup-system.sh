#!/usr/bin/env bash
# Installs the Debian packages the build and the test suite need, on a machine that has nothing:
# - the Rust->wasm32 toolchain (rustc-web with its library source: crates.io is out of reach, so
#   std is built from Debian's own copy) and binaryen's wasm-opt;
# - chromium, which the browser suite (test/browser/) drives headless through playwright-core.
#   It is installed with its recommended packages, as on the machines where the suite was written.
# Idempotent: a no-op when everything is present.
set -euo pipefail
toolchain=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22 binaryen)
browser=(chromium)

missing() { for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done; }
mapfile -t need_toolchain < <(missing "${toolchain[@]}")
mapfile -t need_browser < <(missing "${browser[@]}")
if [ ${#need_toolchain[@]} -gt 0 ] || [ ${#need_browser[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  if [ ${#need_toolchain[@]} -gt 0 ]; then
    echo "setup-system: installing ${need_toolchain[*]}"
    apt-get install -y -qq --no-install-recommends "${need_toolchain[@]}" >/dev/null
  fi
  if [ ${#need_browser[@]} -gt 0 ]; then
    echo "setup-system: installing ${need_browser[*]}"
    apt-get install -y -qq "${need_browser[@]}" >/dev/null
  fi
fi
