#!/usr/bin/env bash
# The three tiny families side by side (README "Side by side on the synthetic birds"):
#   bench/families.sh [minutes]        (default 20; writes runs/fam-*)
# One DAMSM run of spec/tiny.yaml gives the encoders all three share (their specs train identical
# DAMSM phases); the three GAN phases then run at the same time for the same wall-clock minutes, so
# they share the machine equally; then `attnc eval --split heldout --samples 200` of each.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES="${1:-20}"
FAMILIES=(tiny tiny-dmgan tiny-dfgan)
ENC=runs/fam-damsm/checkpoints/best-damsm
stamp() { echo "== $1: $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"; }

stamp "DAMSM (spec/tiny.yaml)"
[ -d runs/fam-damsm ] || npx attnc train generated/tiny --phase damsm --out runs/fam-damsm

mkdir -p runs/fam-spec
for s in "${FAMILIES[@]}"; do
  cat > "runs/fam-spec/$s.yaml" <<SPEC
# $s's GAN phase from the encoders of the shared DAMSM run (bench/families.sh)
attnc: 1
name: fam-$s
extends: ../../spec/$s.yaml
text_encoder: { weights: $ENC }
image_encoder: { weights: $ENC }
train:
  damsm: { enabled: false }
SPEC
  npx attnc compile "runs/fam-spec/$s.yaml" -o "runs/fam-gen/$s"
done

stamp "GAN phases, ${MINUTES} minutes each, at once"
pids=()
for s in "${FAMILIES[@]}"; do
  rm -rf "runs/fam-$s"
  npx attnc train "runs/fam-gen/$s" --max-minutes "$MINUTES" --out "runs/fam-$s" > "runs/fam-$s.log" 2>&1 &
  pids+=($!)
done
wait "${pids[@]}"
stamp "eval"
for s in "${FAMILIES[@]}"; do
  grep -h "stopped\|finished" "runs/fam-$s.log" | head -1
  npx attnc eval "runs/fam-$s" --split heldout --samples 200 | tee "runs/fam-$s.eval"
done
stamp "done"
