#!/bin/bash
# LeNet-5 epoch time on MNIST under each OpenMP wait policy and thread count, on the machine
# as it is and with a busy loop competing on every core (how `convkit` picks its OpenMP defaults).
#
#   swift build -c release && tools/bench/openmp_policy.sh MNIST_DIR [TRAIN_EXAMPLES] [TIMEOUT_S] [ROUNDS]
#
# Prints each run's per-epoch training seconds (the first epoch includes oneDNN's kernel
# compilation); the settings alternate within each round so drift on a shared machine hits all alike.
# "default" is libgomp's own policy (spin 300000 iterations, then sleep), set explicitly through
# GOMP_SPINCOUNT so that convkit keeps it. A run that exceeds TIMEOUT_S is reported as such.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:?usage: $0 MNIST_DIR [TRAIN_EXAMPLES] [TIMEOUT_S]}
LIMIT=${2:-12000}
TIMEOUT=${3:-180}
ROUNDS=${4:-2}
OUT=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
declare -A POLICY=([default]="GOMP_SPINCOUNT=300000" [active]="OMP_WAIT_POLICY=ACTIVE" [passive]="OMP_WAIT_POLICY=PASSIVE")
run() {  # load policy threads round
  local dir="$OUT/$1-$2-$3-$4"
  local start=$(date +%s.%N)
  if env ${POLICY[$2]} OMP_NUM_THREADS=$3 timeout "$TIMEOUT" .build/release/convkit train --model lenet5 --dataset mnist \
      --data-dir "$DATA" --epochs 3 --limit-train "$LIMIT" --limit-test 1000 --seed 0 --no-report --out "$dir" > "$dir.log" 2>&1; then
    python3 - "$dir/metrics.csv" "$1" "$2" "$3" "$start" <<'PY'
import csv, sys, time
seconds = [float(row["train_seconds"]) for row in csv.DictReader(open(sys.argv[1]))]
print(f"{sys.argv[2]:6} {sys.argv[3]:8} {sys.argv[4]} threads: epochs " + " ".join(f"{s:6.2f}" for s in seconds)
      + f" s, run {time.time() - float(sys.argv[5]):6.1f} s")
PY
  else
    local rate=$(grep -o '[0-9.]* img/s' "$dir.log" | tail -1)
    echo "$1 $2 $3 threads: did not finish in $TIMEOUT s (last: ${rate:-no progress})"
  fi
}
for load in shared loops; do
  pids=()
  if [ "$load" = loops ]; then
    for _ in $(seq "$(nproc)"); do (while :; do :; done) & pids+=($!); done
  fi
  for round in $(seq "$ROUNDS"); do
    for threads in 2 1; do
      for policy in default active passive; do run "$load" "$policy" "$threads" "$round"; done
    done
  done
  for pid in "${pids[@]+"${pids[@]}"}"; do kill "$pid"; done
done
