#!/usr/bin/env bash
# A new user (issue 13), run by .ci/run after `npm test` (about a minute: too slow for vitest):
# pack attnc, install the tarball into a fresh project outside the repository from the npm cache
# that `npm ci` warmed (the native backend from the attnc cache, ~/.cache/attnc), write a spec there
# that extends a shipped one with one change, then validate, compile and train it there (3 steps)
# on the native backend, then `attnc sample`. Fails on the first step that fails.
#
#   test/e2e/new-user.sh            # in a temp folder, removed afterwards
#   KEEP=1 test/e2e/new-user.sh     # keep the folder to look at
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/attnc-new-user.XXXXXX")
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$work"' EXIT
step() { echo "== new user: $*"; }

step "npm pack (builds dist/ through prepare)"
(cd "$repo" && npm pack --silent --pack-destination "$work" >/dev/null)
tarball=$(ls "$work"/attnc-*.tgz)

step "npm install <tarball> in a fresh project $work/app"
mkdir "$work/app" && cd "$work/app"
npm init -y >/dev/null
# --prefer-offline: package tarballs come from the cache `npm ci` filled; only metadata for the
# version ranges may be asked of the registry. No other network access: tfjs-node's own download
# must not happen (attnc's preinstall lays out its binding first).
npm install --prefer-offline --no-audit --no-fund --foreground-scripts "$tarball" 2>&1 | tee "$work/install.log" | grep -E '^\[attnc setup\]|^added|ERR' || true
grep -q '^added' "$work/install.log" || { echo "npm install failed"; cat "$work/install.log"; exit 1; }
if grep -qE 'ENOTFOUND|storage.googleapis' "$work/install.log"; then echo "the install tried to download libtensorflow"; exit 1; fi

step "the native backend loads in the user's project"
npx attnc doctor --no-probe --format json > "$work/doctor.json"
node -e 'const d=require(process.argv[1]); if (d.name !== "tensorflow") { console.error("backend is", d.name, JSON.stringify(d.skipped)); process.exit(1) } console.log("   backend", d.name, "libtensorflow", d.libtensorflow ?? "?")' "$work/doctor.json"

step "attnc --version, and shipped specs named as attnc:<name> on the command line"
npx attnc --version | grep -qE '^attnc [0-9]+\.[0-9]+\.[0-9]+'
npx attnc validate attnc:tiny

step "a spec of the user's own that extends a shipped spec with one change"
cat > my-birds.yaml <<'EOF'
attnc: 1
name: my-birds
extends: attnc:tiny
train:
  gan: { batch_size: 4 }
EOF
npx attnc validate my-birds.yaml
npx attnc compile my-birds.yaml
test -f generated/my-birds/index.ts
grep -q "from 'attnc/runtime/" generated/my-birds/index.ts
npx attnc compile my-birds.yaml --check
npx attnc diff attnc:tiny my-birds.yaml > "$work/diff.txt"
grep -q 'training-only' "$work/diff.txt"

step "train 3 steps in the user's project (native backend)"
npx attnc train generated/my-birds --max-steps 3 --out runs/first 2>&1 | tee "$work/train.log"
test -d runs/first/checkpoints
grep -q 'stopped (max-steps) after 3 steps' "$work/train.log"
# TensorFlow's start-up lines are hidden (stderr is a pipe here); paths inside the project are relative.
if grep -qE 'oneDNN|absl::|cpu_feature_guard' "$work/train.log"; then echo "TensorFlow's start-up lines were printed"; exit 1; fi
grep -q '  run folder      runs/first$' "$work/train.log"

step "sample two captions from the run"
printf 'a small red bird with a short beak\na blue bird with white wings\n' > captions.txt
npx attnc sample runs/first --captions captions.txt --n 1 --seed 1 --out samples
test -s samples/index.html
find samples -name '*.png' | grep -q .

step "the run as a web page (attnc export --format web): the user's generated folder bundled for the browser"
npx attnc export runs/first --format web --out site
test -s site/index.html && test -s site/worker.js && test -s site/tfjs-backend-wasm-simd.wasm && test -s site/weights/netG.safetensors
grep -q '"name": "my-birds"' site/manifest.json

step "eval uses the attribute classifier shipped with attnc (nothing trained)"
npx attnc eval runs/first --samples 20 --metrics attributes 2>&1 | tee "$work/eval.log"
grep -q 'attribute classifier: shipped with attnc' "$work/eval.log"
if grep -q 'training the attribute classifier' "$work/eval.log"; then echo "eval trained the classifier"; exit 1; fi

step "npm install git+file://<the repository> in a second fresh project (npm clones the committed HEAD and builds it through prepare)"
mkdir "$work/app-git" && cd "$work/app-git"
npm init -y >/dev/null
npm install --prefer-offline --no-audit --no-fund --foreground-scripts "git+file://$repo" > "$work/install-git.log" 2>&1 || { echo "npm install from git failed"; cat "$work/install-git.log"; exit 1; }
if grep -qE 'ENOTFOUND|storage.googleapis' "$work/install-git.log"; then echo "the git install tried to download libtensorflow"; exit 1; fi
test -f node_modules/attnc/dist/build.json
printf 'attnc: 1\nname: my-coco\nextends: attnc:attngan2\ndata: { words_num: 15 }\n' > my-coco.yaml
npx attnc validate my-coco.yaml
npx attnc compile my-coco.yaml
grep -q "from 'attnc/runtime/" generated/my-coco/index.ts

step "ok"
