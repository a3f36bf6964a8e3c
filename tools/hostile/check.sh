#!/usr/bin/env bash
# Runs convkit on each hostile input of issue 11 (made by make_hostile.py) under
# `ulimit -v 6000000` and a 60 s timeout, and prints a Markdown table: case, exit status,
# seconds, maximum RSS (from /usr/bin/time -v), output lines and the first line.
# Every case must end with status 1 and one line, except the CMYK/YCCK JPEGs (status 0).
#
# Usage: tools/hostile/check.sh [path/to/convkit]   (default: builds the release binary)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -x /usr/bin/time ] || { echo "$0 measures memory with /usr/bin/time: apt-get install time" >&2; exit 1; }
convkit=${1:-}
if [ -z "$convkit" ]; then
    (cd "$root" && swift build -c release --product convkit >&2)
    convkit="$root/.build/release/convkit"
fi
convkit=$(realpath "$convkit")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$root/tools/hostile/make_hostile.py" "$work/in"
cd "$work/in"

failures=0
echo "| case | status | seconds | max RSS | lines | output |"
echo "|---|---|---|---|---|---|"
run() {  # NAME EXPECTED_STATUS ARGUMENTS...
    local name=$1 expected=$2 status=0
    shift 2
    ( ulimit -v 6000000; exec /usr/bin/time -v -o "$work/time" timeout 60 "$convkit" "$@" ) >"$work/out" 2>&1 || status=$?
    local seconds rss lines first
    seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f MB", $2 / 1024}' "$work/time")
    lines=$(wc -l <"$work/out")
    first=$(head -n 1 "$work/out" | cut -c 1-220 | sed 's/|/\\|/g')
    echo "| $name | $status | $seconds | $rss | $lines | $first |"
    if [ "$status" != "$expected" ] || { [ "$expected" = 1 ] && [ "$lines" != 1 ]; }; then failures=$((failures + 1)); fi
}
predict_weights() { run "$1" 1 predict --model lenet5 --weights "$2" --image digit.png; }
predict_image() { run "$1" 1 predict --model lenet5 --weights unused.pth --image "$2"; }
predict_npy() { run "$1" 1 predict --model lenet5 --weights unused.pth --input-npy "$2"; }

for kind in tuple list dict; do
    for format in legacy zip; do predict_weights "100k nested ${kind}s, $format .pth" "deep_${kind}_$format.pth"; done
done
predict_weights "30k nested tuples, legacy .pth" deep_tuple_30k_legacy.pth
predict_weights ".pth stride-0 view [10^6, 10^6] of 1 element" stride0_1e6x1e6.pth
predict_weights ".pth stride-0 view [40000, 40000] of 1 element" stride0_40000x40000.pth
predict_weights ".pth shape [2^32, 2^32]" shape_2e32x2e32.pth
predict_weights "safetensors header length 2^63 - 8" header_2e63.safetensors
predict_weights "safetensors shape [2^32, 2^32]" shape_2e32x2e32.safetensors
predict_weights "safetensors overlapping data_offsets" overlap.safetensors
predict_npy ".npy negative shape (-1, 3)" negative_shape.npy
predict_npy ".npy shape (2^32, 2^32)" overflow_shape.npy
predict_npy ".npy dtype <i0" dtype_i0.npy
predict_npy ".npy dtype <f-4" dtype_f-4.npy
run "IDX dims 0xFFFFFFFF x 3" 1 eval --dataset mnist --data-dir idx_overflow --weights unused.safetensors
run "IDX gzip bomb (4 MB of gzip, 4 GB inflated)" 1 eval --dataset mnist --data-dir idx_gzip_bomb --weights unused.safetensors
predict_image "JPEG claiming 65500x65500 ($(stat -c %s bomb_65500.jpg) bytes)" bomb_65500.jpg
predict_image "PNG 20000x20000 ($(stat -c %s bomb_20000.png) bytes)" bomb_20000.png
predict_image "JPEG cut short (EOI after 10% of the scan)" truncated.jpg
run "Adobe CMYK JPEG (decodes)" 0 augment --image cmyk_adobe.jpg --transforms hflip --n 1 --out "$work/cmyk.png"
run "Adobe YCCK JPEG (decodes)" 0 augment --image ycck_adobe.jpg --transforms hflip --n 1 --out "$work/ycck.png"
echo
echo "$failures case(s) did not end as expected"
[ "$failures" = 0 ]
