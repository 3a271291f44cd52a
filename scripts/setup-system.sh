#!/usr/bin/env bash
# Installs the Debian packages the build and the test suite need, on a machine that has nothing:
# - the Rust->wasm32 toolchain (rustc-web with its library source: crates.io is out of reach, so
#   std is built from Debian's own copy) and binaryen's wasm-opt;
# - chromium, which the browser suite (test/browser/) drives headless through playwright-core.
#   It is installed with its recommended packages, as on the machines where the suite was written;
# - Mesa 25's Vulkan drivers from bookworm-backports: lavapipe is the WebGPU adapter Dawn (the
#   `webgpu` npm package) finds on a machine without a GPU. Bookworm's own Mesa 22 is rejected
#   by Dawn (it lacks shaderUniform*ArrayDynamicIndexing).
# Idempotent: a no-op when everything is present.
set -euo pipefail
toolchain=(rustc-web cargo-web rust-web-clippy rust-web-src rust-web-llvm lld-22 binaryen)
# better-sqlite3 (the prover service's queue, src/serve/) has no prebuilt binary reachable here:
# npm ci builds it from source with node-gyp, which needs python3, make and a C++ compiler.
# redis-server: the fleet tests (test/integration/fleet/) start their own instance on a free port.
native=(python3 make g++ redis-server)
browser=(chromium)

backports=/etc/apt/sources.list.d/zkgpu-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  # Same archive and key as the machine's bookworm entry, backports suite.
  uris=$(awk '/^URIs:/ {u=$2} /^Suites:/ && $0 ~ /bookworm( |$)/ {print u; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "${uris:-http://deb.debian.org/debian}" > "$backports"
fi

missing() { for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done; }
mapfile -t need_toolchain < <(missing "${toolchain[@]}")
mapfile -t need_browser < <(missing "${browser[@]}")
mapfile -t need_native < <(missing "${native[@]}")
# dpkg -s alone cannot tell Mesa 22 from 25: ask for the version.
mesa=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
need_mesa=0; case "$mesa" in 2[5-9].*|[3-9][0-9].*) ;; *) need_mesa=1 ;; esac
if [ ${#need_toolchain[@]} -gt 0 ] || [ ${#need_browser[@]} -gt 0 ] || [ ${#need_native[@]} -gt 0 ] || [ $need_mesa = 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  if [ ${#need_toolchain[@]} -gt 0 ]; then
    echo "setup-system: installing ${need_toolchain[*]}"
    apt-get install -y -qq --no-install-recommends "${need_toolchain[@]}" >/dev/null
  fi
  if [ ${#need_native[@]} -gt 0 ]; then
    echo "setup-system: installing ${need_native[*]}"
    apt-get install -y -qq --no-install-recommends "${need_native[@]}" >/dev/null
  fi
  if [ ${#need_browser[@]} -gt 0 ]; then
    echo "setup-system: installing ${need_browser[*]}"
    apt-get install -y -qq "${need_browser[@]}" >/dev/null
  fi
  if [ $need_mesa = 1 ]; then
    echo "setup-system: installing mesa-vulkan-drivers from bookworm-backports"
    apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers >/dev/null
  fi
fi
