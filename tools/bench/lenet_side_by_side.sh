#!/usr/bin/env bash
# One MNIST epoch of LeNet-5 (batch 64, SGD lr 0.05 momentum 0.9), ConvKit then PyTorch
# with 2 threads, in one run; prints both epoch times and the ratio.
#
#   tools/bench/lenet_side_by_side.sh PYTHON_WITH_TORCH [MNIST_DIR (default $CONVKIT_DATA/mnist)] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/paths.sh
python="${1:?usage: $0 PYTHON_WITH_TORCH [MNIST_DIR] [EPOCHS]}"
data="${2:-$CONVKIT_DATA/mnist}"
epochs="${3:-3}"
swift build -c release --product convkit > /dev/null
run=$(mktemp -d)
.build/release/convkit train --model lenet5 --dataset mnist --data-dir "$data" --epochs "$epochs" --batch-size 64 \
    --optimizer sgd --lr 0.05 --momentum 0.9 --weight-decay 0 --schedule constant --out "$run" > /dev/null
"$python" tools/bench/lenet_torch.py --data-dir "$data" --epochs "$epochs" > "$run/torch.jsonl"
"$python" - "$run" <<'PY'
import json, statistics, sys
run = sys.argv[1]
ours = json.load(open(f"{run}/metrics.json"))
theirs = [json.loads(line) for line in open(f"{run}/torch.jsonl")]
a = statistics.median(e["train_seconds"] for e in ours)
b = statistics.median(e["train_seconds"] for e in theirs)
print(f"epochs: {len(ours)}")
print(f"ConvKit  median epoch {a:.2f} s, last test accuracy {ours[-1]['test_accuracy']:.4f}")
print(f"PyTorch  median epoch {b:.2f} s, last test accuracy {theirs[-1]['test_accuracy']:.4f}")
print(f"ratio ConvKit/PyTorch: {a / b:.2f}")
PY
rm -rf "$run"
