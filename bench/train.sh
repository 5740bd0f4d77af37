#!/usr/bin/env bash
# Trainings side by side (issue 12): gradlog train of examples/moons.grad (100 steps, micrograd's
# demo) and examples/digits.grad (200 steps, and again with a whole run recorded every 10 steps)
# against PyTorch float64 on one thread (bench/torch_train.py, the loop timed in-process). gradlog
# is timed end to end (process start, parsing, data files, SQLite) with its release build. Best
# of BENCH_REPS (3). "with --capture none" is the same training keeping its metrics only, the
# yardstick of what keeping every node's statistics at every step costs. Prints a markdown
# table; no time is asserted.
#
#   bench/train.sh                       # builds gradlog -c release first
#   BENCH_GRADLOG=path bench/train.sh    # or times that binary
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${BENCH_REPS:-3}
if [ -n "${BENCH_GRADLOG:-}" ]; then GRADLOG=$BENCH_GRADLOG; else
    swift build -c release --product gradlog >/dev/null
    GRADLOG=$(swift build -c release --show-bin-path)/gradlog
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

best() {  # best wall time in seconds of REPS runs of "$@", each into a fresh database
    local best=""
    for _ in $(seq "$REPS"); do
        rm -f "$TMP"/t.db*
        local s e
        s=$(date +%s%N)
        if ! "$@" --db "$TMP/t.db" >/dev/null; then echo "failed: $*" >&2; exit 1; fi
        e=$(date +%s%N)
        local t; t=$(awk -v n=$((e - s)) 'BEGIN { printf "%.3f", n / 1e9 }')
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
    done
    echo "$best"
}

torch_best() {
    if ! python3 -c "import torch" 2>/dev/null; then echo "- -"; return; fi
    local best="" loss=""
    for _ in $(seq "$REPS"); do
        read -r t l < <(python3 bench/torch_train.py "$1" "$2")
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; loss=$l; fi
    done
    echo "$best $loss"
}

echo "gradlog: $GRADLOG; best of $REPS; $(nproc) cores"
echo
echo "| training | gradlog s (end to end) | with --capture none | stats / none | PyTorch s (loop only) | PyTorch final loss |"
echo "|---|---|---|---|---|---|"
[ -x "$GRADLOG" ] || { echo "no gradlog at $GRADLOG" >&2; exit 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
m=$(best "$GRADLOG" train examples/moons.grad --steps 100 --lr 1.0 --lr-end 0.1)
mn=$(best "$GRADLOG" train examples/moons.grad --steps 100 --lr 1.0 --lr-end 0.1 --capture none)
read -r tm lm < <(torch_best moons 100)
echo "| moons, 100 steps | $m | $mn | $(ratio "$m" "$mn") | $tm | $lm |"
d=$(best "$GRADLOG" train examples/digits.grad --steps 200 --lr 0.5)
dn=$(best "$GRADLOG" train examples/digits.grad --steps 200 --lr 0.5 --capture none)
read -r td ld < <(torch_best digits 200)
echo "| digits, 200 steps | $d | $dn | $(ratio "$d" "$dn") | $td | $ld |"
d10=$(best "$GRADLOG" train examples/digits.grad --steps 200 --lr 0.5 --capture-every 10)
echo "| digits, 200 steps, a whole run every 10 steps | $d10 | | | | |"
