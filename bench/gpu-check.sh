#!/usr/bin/env bash
# One-shot GPU benchmark for a machine lent by the `device` tool (../shared/DEVICE.md packing).
# Prints the adapters, limits and nvidia-smi; then checks and times, on webgpu vs wasm vs the
# split: G1 and G2 MSM 2^16..2^22 (G2 when the runtime plans it on WebGPU), NTT 2^16..2^24,
# and a Groth16 2^16 proof (2^20 when its circuit is there) with the GPU against wasm-only.
# JSON (bench schema v1 from `zkgpu bench`; split.json is gpu-check's own) goes to $OUT.
#
# On the lent machine (one device run, about 8 minutes):
#   here:   npm ci && npm run build && bash ../shared/device/pack.sh
#   run:    carry [".device", "dist"] (+ ".cache/groth16/bench/bn128-16" if it fits 64 MiB)
#           command: . .device/setup.sh && bash bench/gpu-check.sh
# Here, on lavapipe, at tiny sizes (shows every step works): bash bench/gpu-check.sh --smoke
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
smoke=0; [ "${1:-}" = "--smoke" ] && smoke=1

if [ -f dist/src/cli/main.js ] && [ $smoke = 0 ]; then
  zk() { node bin/zkgpu.js "$@"; }
  check() { node dist/bench/node/gpu-check.js "$@"; }
else
  zk() { npx tsx src/cli/main.ts "$@"; }
  check() { npx tsx bench/node/gpu-check.ts "$@"; }
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}

if [ $smoke = 1 ]; then
  # lavapipe is a software adapter: name it (the default opens hardware adapters only).
  export ZKGPU_GPUS=${ZKGPU_GPUS:-llvmpipe}
  MSM=10,11; NTT=10,11; RUNS=1; SPLIT=10; G16=(--circuit bn128/tiny --runs 1); G20=()
else
  MSM=16,18,20,22; NTT=16,18,20,22,24; RUNS=3; SPLIT=16,18,20,22
  G16=(--bench-size 16 --runs 3); G20=(--bench-size 20 --runs 1)
fi
failures=0
step() { echo; echo "== $1 ($(date +%T))"; }
run() { "$@" || { failures=$((failures + 1)); echo "!! failed ($?): $*"; }; }

step "adapters, limits, telemetry"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=index,name,pci.bus_id,temperature.gpu,utilization.gpu,memory.used,memory.total,power.draw,clocks_throttle_reasons.active --format=csv,noheader,nounits | tee "$OUT/nvidia-smi.csv"
run zk info
zk info --json > "$OUT/info.json" 2>/dev/null

step "G1 MSM webgpu vs wasm (checked, then timed)"
run zk bench msm --curve bn254 --group g1 --sizes $MSM --runs $RUNS --backend webgpu,wasm --peers none --json "$OUT/msm-g1.json"
step "G1 MSM split across every GPU and the workers"
run check --sizes $SPLIT --runs $RUNS --group g1 --json "$OUT/split-g1.json"

if check --g2-probe | grep -q 'yes'; then
  step "G2 MSM webgpu vs wasm, and split"
  run zk bench msm --curve bn254 --group g2 --sizes $MSM --runs $RUNS --backend webgpu,wasm --peers none --json "$OUT/msm-g2.json"
  run check --sizes $SPLIT --runs $RUNS --group g2 --json "$OUT/split-g2.json"
else
  step "G2 MSM: skipped, this runtime has no G2 MSM on WebGPU yet"
fi

step "NTT webgpu vs wasm (an NTT runs whole on one backend: no split)"
run zk bench ntt --curve bn254 --sizes $NTT --runs $RUNS --backend webgpu,wasm --peers none --json "$OUT/ntt.json"

step "Groth16 2^16: GPU ('auto') against wasm-only"
if [ $smoke = 1 ] || [ -d .cache/groth16/bench/bn128-16 ]; then
  run zk bench groth16 "${G16[@]}" --backend auto --json "$OUT/groth16-16-gpu.json"
  run zk bench groth16 "${G16[@]}" --backend wasm --json "$OUT/groth16-16-wasm.json"
else
  echo "skipped: .cache/groth16/bench/bn128-16 was not carried (node scripts/make-groth16-fixtures.mjs --bench 16)"
fi
if [ ${#G20[@]} -gt 0 ] && [ -d .cache/groth16/bench/bn128-20 ]; then
  step "Groth16 2^20: GPU against wasm-only"
  run zk bench groth16 "${G20[@]}" --backend auto --json "$OUT/groth16-20-gpu.json"
  run zk bench groth16 "${G20[@]}" --backend wasm --json "$OUT/groth16-20-wasm.json"
elif [ $smoke = 0 ]; then
  step "Groth16 2^20: skipped, .cache/groth16/bench/bn128-20 is not here (too large to carry)"
fi

step "done: $failures step(s) failed; JSON in $OUT"
ls -l "$OUT"
exit $((failures > 0))
