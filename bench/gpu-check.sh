#!/usr/bin/env bash
# The GPU check (issue 25), to run as is on a machine with an NVIDIA GPU where this checkout is
# installed (`npm ci`) and the GPU library provisioned (`npx attnc setup --gpu`); a few minutes.
#   1. `attnc doctor --placement` on tensorflow-gpu: the GPU as TensorFlow sees it, where the fast
#      paths run (it stops here, with the reason, when there is no GPU);
#   2. birds AttnGAN2 (generated/attngan2, random weights): one GAN iteration at batch 16, timed,
#      and the first step's losses, on the GPU (also with TF32 off) and on the CPU library: the same
#      step within 1e-3 relative;
#   3. sampling at 256 px, batch 1 and 16, timed;
#   4. the tiny demo's first 200 training steps (`attnc train generated/tiny --max-steps 200`);
#   5. a markdown table for README's "GPU" section (bench/gpu-check-gpu.md, or --out).
#
#   bench/gpu-check.sh [--out file.md]
#   bench/gpu-check.sh --cpu [--out file.md]   # dry run where there is no GPU: everything but the GPU
#                                              # (the device side on DEVICE_BACKEND, default tensorflow;
#                                              # batch 2, 60 tiny steps, so 2 cores finish in ~3 minutes)
#   KEEP=1 bench/gpu-check.sh                  # keep the results folder (JSON of every step, logs)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=gpu
out=''
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) mode=cpu ;;
    --out) out=$2; shift ;;
    *) echo "usage: bench/gpu-check.sh [--cpu] [--out file.md]" >&2; exit 2 ;;
  esac
  shift
done
res=$(mktemp -d "${TMPDIR:-/tmp}/attnc-gpu-check.XXXXXX")
if [ "${KEEP:-}" = 1 ]; then echo "results in $res" >&2; else trap 'rm -rf "$res"' EXIT; fi
export TF_CPP_MIN_LOG_LEVEL=2 NO_COLOR=1
if [ "$mode" = gpu ]; then dev=${DEVICE_BACKEND:-tensorflow-gpu}; B=16; SB=1,16; iters=3; tiny=200
else dev=${DEVICE_BACKEND:-tensorflow}; B=2; SB=1,2; iters=1; tiny=60; fi
out=${out:-bench/gpu-check-$mode.md}
start=$(date +%s)
load=$(cut -d' ' -f1-3 /proc/loadavg)
step() { echo "== gpu-check ($mode, $dev): $*" >&2; }
tsx() { node --import tsx "$@"; }

step "doctor --placement"
node bin/attnc.mjs --backend "$dev" doctor --no-probe --placement --format json > "$res/doctor.json"
node -e '
  const d = require(process.argv[1]);
  console.error(`   backend ${d.name}, libtensorflow ${d.libtensorflow}; gpu: ${d.gpu.reason ?? d.gpu.tensorflow.devices.map((x) => x.name).join(", ")}`);
  for (const f of d.placement?.fastPaths ?? []) console.error(`   ${f.id.padEnd(17)} ${f.fallback ? "falls back: " + f.fallback : "ok"}`);
  if (process.argv[2] === "gpu" && d.gpu.reason) { console.error(`no GPU to check: ${d.gpu.reason}`); process.exit(1); }
' "$res/doctor.json" "$mode"

step "GAN iteration at batch $B (its first step's losses, then $iters timed) and sampling at 256 px, batch $SB"
tsx bench/gpu-check/run.ts run --backend "$dev" --batch "$B" --iters "$iters" --sample "$SB" > "$res/device.json"
if [ "$mode" = gpu ]; then
  step "the first step again with TF32 off (NVIDIA_TF32_OVERRIDE=0)"
  NVIDIA_TF32_OVERRIDE=0 tsx bench/gpu-check/run.ts run --backend "$dev" --batch "$B" --iters 0 > "$res/device-tf32-off.json"
fi
step "the same first step on the CPU library"
tsx bench/gpu-check/run.ts run --backend tensorflow --batch "$B" --iters 0 > "$res/cpu.json"

step "the tiny demo's first $tiny steps"
t=$(date +%s)
node bin/attnc.mjs --backend "$dev" train generated/tiny --max-steps "$tiny" --out "$res/tiny" > "$res/tiny.log" 2>&1 || { cat "$res/tiny.log" >&2; exit 1; }
tiny_s=$(( $(date +%s) - t ))

node -e '
  const fs = require("fs");
  const [res, mode, device, tinySteps, tinyS, total, load] = process.argv.slice(1);
  const m = fs.readFileSync(`${res}/tiny/metrics.jsonl`, "utf8").trim().split("\n").map(JSON.parse).filter((l) => l.phase);
  const last = m[m.length - 1];
  const loss = Object.entries(last.losses).filter(([k]) => k.endsWith("/loss")).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(", ");
  const commit = require("child_process").execSync("git rev-parse --short HEAD 2>/dev/null || echo ?").toString().trim();
  fs.writeFileSync(`${res}/env.json`, JSON.stringify({ mode, device: mode === "gpu" ? "gpu" : "cpu", date: new Date().toISOString().slice(0, 16).replace("T", " "), host: require("os").cpus()[0].model.trim() + ` × ${require("os").cpus().length}`, load, commit,
    tiny_steps: Number(tinySteps), tiny_s: Number(tinyS), tiny_line: `${last.phase} step ${last.step}: ${loss}; ${last.images_per_s} img/s`, total_s: Number(total) }) + "\n");
' "$res" "$mode" "$dev" "$tiny" "$tiny_s" "$(( $(date +%s) - start ))" "$load"
step "report → $out"
tsx bench/gpu-check/run.ts report "$res" "$out"
if grep -q '\*\*FAIL\*\*' "$out"; then echo "gpu-check: the losses differ by more than 1e-3" >&2; exit 1; fi
