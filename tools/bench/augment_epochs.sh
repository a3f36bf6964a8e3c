#!/bin/bash
# LeNet-5 epoch time on MNIST without and with augmentation (the issue's "at most 15% slower").
#
#   swift build -c release && tools/bench/augment_epochs.sh [ROUNDS] [MNIST_DIR (default $CONVKIT_DATA/mnist)] [OUT_DIR]
#
# Alternates plain and augmented 2-epoch runs so drift on a shared machine hits both alike,
# then prints each variant's median and minimum per-epoch training seconds (from metrics.csv).
# OMP_WAIT_POLICY=PASSIVE keeps oneDNN's threads from spinning against other processes, which
# on a busy 2-core machine otherwise stretches an epoch from seconds to minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/paths.sh
ROUNDS=${1:-6}
DATA=${2:-$CONVKIT_DATA/mnist}
OUT=${3:-$(mktemp -d)}
SPEC="randomcrop(28,padding=2);affine(10,translate=0.1,scale=0.9-1.1)"
[ -n "${OMP_WAIT_POLICY+set}" ] || export OMP_WAIT_POLICY=PASSIVE
[ -n "$OMP_WAIT_POLICY" ] || unset OMP_WAIT_POLICY  # OMP_WAIT_POLICY= (empty): libgomp's default
for round in $(seq 1 "$ROUNDS"); do
  for variant in plain aug; do
    args=(--model lenet5 --dataset mnist --data-dir "$DATA" --epochs 2 --seed 0 --out "$OUT/$variant-$round")
    [ "$variant" = aug ] && args+=(--augment "$SPEC")
    .build/release/convkit train "${args[@]}" > "$OUT/$variant-$round.log" 2>&1
  done
done
python3 - "$OUT" <<'PY'
import csv, glob, statistics, sys
medians = {}
for variant in ["plain", "aug"]:
    seconds = [float(row["train_seconds"]) for path in sorted(glob.glob(f"{sys.argv[1]}/{variant}-*/metrics.csv"))
               for row in csv.DictReader(open(path))]
    medians[variant] = statistics.median(seconds)
    print(f"{variant}: median {medians[variant]:.3f} s/epoch, min {min(seconds):.3f} ({len(seconds)} epochs)")
print(f"augmented / plain (medians): {medians['aug'] / medians['plain']:.3f}")
PY
