#!/usr/bin/env bash
# The GPU setup end to end (issue 25), run by .ci/run after new-user.sh (a few minutes: too slow for
# vitest). These machines have no GPU and their pip index serves no CUDA wheels, so the real
# tensorflow-cpu wheel stands in for TensorFlow's CUDA build and small fake wheels for the NVIDIA
# ones (test/e2e/stand-in-wheels.ts): everything but the CUDA libraries themselves runs. In a fresh
# project with the packed attnc installed, into a cache of its own (ATTNC_CACHE_DIR):
#   - without a driver, `attnc setup --gpu` stops first, with the reason;
#   - `attnc setup --gpu --from <folder> --no-driver-check` unpacks, builds the binding against the
#     unpacked TensorFlow, loads it; a second run reuses everything; a run interrupted mid-unpack resumes;
#   - doctor names the library (a CPU build standing in) and why there is no GPU; `--backend auto`
#     stays on the CPU library and says why;
#   - `--backend tensorflow-gpu` trains and gives the same losses as `--backend tensorflow`, and
#     doctor --placement finds every fast path working on it;
#   - after node_modules/.attnc is gone (as `npm ci` leaves it), attnc's postinstall lays it out again.
#
#   test/e2e/gpu-setup.sh            # in a temp folder, removed afterwards
#   KEEP=1 test/e2e/gpu-setup.sh     # keep the folder to look at
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/attnc-gpu-setup.XXXXXX")
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$work"' EXIT
step() { echo "== gpu setup: $*"; }
fail() { echo "gpu setup FAILED: $*" >&2; exit 1; }
quiet() { grep -vE 'oneDNN|absl::' || true; }

step "stand-in wheels: the cached tensorflow-cpu wheel and fake NVIDIA wheels"
cache=$(cd "$repo" && node --input-type=module -e "import('./scripts/native/cache.mjs').then((m) => console.log(m.cacheRoot()))")
cpu_wheel=${ATTNC_TENSORFLOW_WHEEL:-$(ls "$cache"/wheels/tensorflow_cpu-2.21.0-*.whl 2>/dev/null | head -1)}
if [ -z "$cpu_wheel" ]; then
  python3 -m pip download --no-deps --only-binary=:all: --python-version 3.11 --platform manylinux_2_27_x86_64 -d "$work/cpu-wheel" tensorflow-cpu==2.21.0 >/dev/null
  cpu_wheel=$(ls "$work"/cpu-wheel/*.whl)
fi
(cd "$repo" && node --import tsx test/e2e/stand-in-wheels.ts "$work/wheels" "$cpu_wheel") | sed 's/^/   /'

step "npm pack, npm install <tarball> in a fresh project"
(cd "$repo" && npm pack --silent --pack-destination "$work" >/dev/null)
mkdir "$work/app" && cd "$work/app"
npm init -y >/dev/null
npm install --prefer-offline --no-audit --no-fund --foreground-scripts "$(ls "$work"/attnc-*.tgz)" > "$work/install.log" 2>&1 || { cat "$work/install.log"; fail "npm install"; }
export ATTNC_CACHE_DIR="$work/cache" NO_COLOR=1

if [ ! -e /proc/driver/nvidia/version ]; then
  step "without an NVIDIA driver, setup --gpu stops before fetching anything, with the reason"
  if npx attnc setup --gpu --from "$work/wheels" > "$work/nodriver.log" 2>&1; then fail "setup --gpu went on without a driver"; fi
  grep -q 'error\[ATTNC_SETUP\]: no NVIDIA driver' "$work/nodriver.log" || { cat "$work/nodriver.log"; fail "no driver message"; }
  grep -q -- '--no-driver-check' "$work/nodriver.log" || fail "no --no-driver-check hint"
  [ ! -d "$work/cache/tensorflow-gpu-2.21.0/site" ] || fail "unpacked without a driver"
else
  echo "   (this machine has an NVIDIA driver: the no-driver failure is covered by test/cli/setup/gpu.test.ts)"
fi

step "setup --gpu --from <wheels> --no-driver-check"
t=$(date +%s)
npx attnc setup --gpu --from "$work/wheels" --no-driver-check 2>&1 | tee "$work/setup1.log" | grep '^\[attnc setup\]' | sed 's/^/   /'
echo "   took $(( $(date +%s) - t )) s"
[ "$(grep -c 'unpacking' "$work/setup1.log")" = 13 ] || fail "expected 13 wheels unpacked"
grep -q 'binding (built from source)' "$work/setup1.log" || fail "the binding was not built"
grep -q 'TensorFlow created no GPU device here' "$work/setup1.log" || fail "setup did not report the GPU view"
test -f node_modules/.attnc/tfjs-node-gpu/attnc-gpu.json || fail "no package in node_modules/.attnc"
readelf -d node_modules/.attnc/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node | grep -q "RUNPATH.*$work/cache/tensorflow-gpu-2.21.0/site/tensorflow" || fail "the binding's run path does not name the unpacked TensorFlow"

step "a second run reuses the wheels, the unpack and the binding"
t=$(date +%s)
npx attnc setup --gpu --from "$work/wheels" --no-driver-check > "$work/setup2.log" 2>&1 || { cat "$work/setup2.log"; fail "second run"; }
echo "   took $(( $(date +%s) - t )) s"
grep -q 'reusing the unpacked wheels' "$work/setup2.log" || fail "did not reuse the unpack"
grep -q 'binding (cached binding)' "$work/setup2.log" || fail "did not reuse the binding"
! grep -q 'unpacking' "$work/setup2.log" || fail "unpacked again"

step "a run interrupted while unpacking cuDNN resumes with that wheel only"
rm "$work"/cache/tensorflow-gpu-2.21.0/site/.unpacked/nvidia_cudnn_cu12-*.whl
rm -rf "$work/cache/tensorflow-gpu-2.21.0/site/nvidia/cudnn"
npx attnc setup --gpu --from "$work/wheels" --no-driver-check > "$work/setup3.log" 2>&1 || { cat "$work/setup3.log"; fail "resumed run"; }
[ "$(grep -c 'unpacking' "$work/setup3.log")" = 1 ] && grep -q 'unpacking nvidia_cudnn_cu12' "$work/setup3.log" || fail "did not resume with cuDNN only"

step "doctor: the library, and why there is no GPU; auto stays on the CPU library and says why"
npx attnc doctor --no-probe --format json 2> "$work/doctor.err" > "$work/doctor.json"
node -e '
  const d = require(process.argv[1]);
  const ok = d.name === "tensorflow" && d.gpu.library && d.gpu.library.standIn === true && /standing in/.test(d.gpu.reason)
    && /no GPU visible/.test(d.skipped.find((s) => s.name === "tensorflow-gpu")?.reason ?? "");
  console.log("   backend", d.name, "| gpu:", d.gpu.reason);
  if (!ok) { console.error(JSON.stringify(d, null, 2)); process.exit(1); }' "$work/doctor.json" || fail "doctor"
grep -q 'attnc: backend tensorflow, not tensorflow-gpu: no GPU visible' "$work/doctor.err" || fail "auto did not say why it stayed on the CPU library"

step "--backend tensorflow-gpu: every fast path works on it (doctor --placement)"
npx attnc --backend tensorflow-gpu doctor --no-probe --placement --format json > "$work/placement.json" 2>/dev/null
node -e '
  const d = require(process.argv[1]);
  if (d.name !== "tensorflow-gpu" || d.placement.fastPaths.length !== 6 || d.placement.fastPaths.some((f) => f.error || f.fallback)) { console.error(JSON.stringify(d.placement, null, 2)); process.exit(1); }
  console.log("   " + d.placement.fastPaths.map((f) => f.id).join(", ") + ": ok");' "$work/placement.json" || fail "placement"

step "--backend tensorflow-gpu trains, with the losses of --backend tensorflow (the same library code here)"
printf 'attnc: 1\nname: my-birds\nextends: attnc:tiny\n' > my-birds.yaml
npx attnc compile my-birds.yaml > /dev/null 2>&1
for b in tensorflow tensorflow-gpu; do
  npx attnc --backend "$b" train generated/my-birds --max-steps 3 --seed 1 --out "runs/$b" 2>&1 | quiet > "$work/train-$b.log" || { cat "$work/train-$b.log"; fail "train on $b"; }
done
node -e '
  const fs = require("fs");
  const last = (b) => fs.readFileSync(`runs/${b}/metrics.jsonl`, "utf8").trim().split("\n").map(JSON.parse).filter((l) => l.losses).pop();
  const a = last("tensorflow"), g = last("tensorflow-gpu");
  if (!a || JSON.stringify(a.losses) !== JSON.stringify(g.losses)) { console.error(a, g); process.exit(1); }
  console.log("   step", a.step, JSON.stringify(a.losses));' || fail "losses differ between the backends"

step "node_modules/.attnc removed (as npm ci leaves it): attnc's postinstall lays the package out again"
rm -rf node_modules/.attnc
npm rebuild attnc --foreground-scripts > "$work/rebuild.log" 2>&1 || { cat "$work/rebuild.log"; fail "npm rebuild"; }
grep -q 'GPU library laid out in .*(cached binding)' "$work/rebuild.log" || { cat "$work/rebuild.log"; fail "postinstall did not lay the GPU library out"; }
npx attnc --backend tensorflow-gpu doctor --no-probe --format json 2>/dev/null | node -e 'let s="";process.stdin.on("data",(c)=>s+=c).on("end",()=>{if(JSON.parse(s).name!=="tensorflow-gpu")process.exit(1)})' || fail "tensorflow-gpu after the postinstall"

step "ok"
