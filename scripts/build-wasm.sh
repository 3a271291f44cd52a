#!/usr/bin/env bash
# Builds wasm/pkg/zkgpu.wasm from the zkgpu-wasm crate (recipe: /work/shared/RECIPES.md, "Rust to
# wasm32"). Needs Debian's rustc-web toolchain (rustc-web cargo-web rust-web-src rust-web-llvm
# lld-22 binaryen): rustup toolchains have no wasm32 std here, so std is rebuilt from Debian's
# source with -Z build-std.
#   bash scripts/build-wasm.sh          build and write wasm/pkg/zkgpu.wasm
#   bash scripts/build-wasm.sh --check  build into a temp dir; exit 1 if it differs from the
#                                       committed wasm/pkg/zkgpu.wasm
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CRATE="$ROOT/wasm"
PKG="$CRATE/pkg/zkgpu.wasm"
CHECK=0
if [[ "${1:-}" == "--check" ]]; then CHECK=1; elif [[ -n "${1:-}" ]]; then
  echo "usage: $0 [--check]" >&2; exit 2
fi

CARGO=/usr/bin/cargo
export RUSTC=/usr/bin/rustc
export RUSTC_BOOTSTRAP=1
for tool in "$CARGO" "$RUSTC" wasm-opt; do
  command -v "$tool" >/dev/null || { echo "build-wasm: missing $tool (see RECIPES.md: rustc-web, cargo-web, binaryen)" >&2; exit 1; }
done

# Everything that affects the output is pinned here, not taken from the environment.
# simd128 is off: measured no gain for the 32-bit-limb CIOS (see wasm/README.md).
unset RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS
export CARGO_ENCODED_RUSTFLAGS="-Copt-level=3"$'\x1f'"-Cllvm-args=-unroll-threshold=3000"$'\x1f'"-Ccodegen-units=1"$'\x1f'"-Cpanic=abort"$'\x1f'"--remap-path-prefix=$ROOT=/zkgpu"$'\x1f'"--remap-path-prefix=$HOME=/home"
export SOURCE_DATE_EPOCH=0
export CARGO_INCREMENTAL=0

if [[ $CHECK == 1 ]]; then
  TARGET_DIR="$(mktemp -d)"
  trap 'rm -rf "$TARGET_DIR"' EXIT
else
  TARGET_DIR="$CRATE/target"
fi

(cd "$CRATE" && "$CARGO" build --release --offline --lib \
  --target wasm32-unknown-unknown \
  -Z build-std=std,panic_abort \
  --target-dir "$TARGET_DIR" \
  --config 'source.crates-io.replace-with="rust-src-vendor"' \
  --config 'source.rust-src-vendor.directory="/usr/lib/rustlib/src/rust/library/vendor"')

RAW="$TARGET_DIR/wasm32-unknown-unknown/release/zkgpu_wasm.wasm"
OUT="$TARGET_DIR/zkgpu.opt.wasm"
# -ocimfs 2000: binaryen inlines a function with one caller only below that size. Unlimited (its
# default), the four curve/group MSMs and their helpers became one 139 KB zk_msm, and V8's
# optimising compile of it cost ~25 MiB of peak RSS per process (merkle in-process 149 vs 124 MiB
# VmHWM) for the same MSM speed (A/B in one process, BN254 G1 2^10-2^16, G2 2^12, BLS G1 2^12).
wasm-opt -O3 -ocimfs 2000 --strip-debug --strip-producers "$RAW" -o "$OUT"

if [[ $CHECK == 1 ]]; then
  if [[ ! -f "$PKG" ]]; then echo "build-wasm --check: $PKG is missing" >&2; exit 1; fi
  if cmp -s "$OUT" "$PKG"; then
    echo "build-wasm --check: wasm/pkg/zkgpu.wasm matches the source ($(wc -c <"$OUT") bytes)"
  else
    echo "build-wasm --check: wasm/pkg/zkgpu.wasm differs from a fresh build ($(wc -c <"$OUT") vs $(wc -c <"$PKG") bytes); run: bash scripts/build-wasm.sh" >&2
    exit 1
  fi
else
  mkdir -p "$(dirname "$PKG")"
  cp "$OUT" "$PKG.tmp" && mv "$PKG.tmp" "$PKG"
  echo "build-wasm: wrote wasm/pkg/zkgpu.wasm ($(wc -c <"$PKG") bytes)"
fi
