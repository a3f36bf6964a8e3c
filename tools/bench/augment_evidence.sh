#!/bin/bash
# Issue 5's evidence: LeNet-5 on 5,000 Fashion-MNIST training images, 40 epochs, with and without
# augmentation (random crop with 2-pixel padding + horizontal flip), three seeds; prints the
# final test accuracy on the full 10,000-image test set.
#
#   swift build -c release && tools/bench/augment_evidence.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(mktemp -d)
for seed in 0 1 2; do
  for spec in none "randomcrop(28,padding=2);hflip(0.5)"; do
    args=(--model lenet5 --dataset fashion-mnist --limit-train 5000 --epochs 40 --seed "$seed" --no-report
          --out "$OUT/$seed-${spec%%(*}")
    [ "$spec" != none ] && args+=(--augment "$spec")
    accuracy=$(.build/release/convkit train "${args[@]}" 2>&1 | sed -n 's/^epoch 40:.*test loss [0-9.]* acc \([0-9.]*\).*/\1/p')
    echo "seed $seed  augment $spec  test accuracy $accuracy"
  done
done
