#!/usr/bin/env bash
# Issue 14 benchmark: issue 14's MLP step (bench/gen_mlp.py, 784-256-256-10, batch 256, float64)
# recorded by gradlog, against its limits (bench/limit_tensor.c: the dgemm calls alone, and the
# leanest SQLite write of the same BLOBs) and against PyTorch (bench/torch_mlp.py: the compute,
# and one step saved by hand into sqlite3 through hooks); then the trainings of digits and moons
# (as bench/train.sh). Prints one markdown table, side by side in one run.
#
#   bench/tensor.sh          builds gradlog -c release, full size, best of BENCH_REPS (5)
#   bench/tensor.sh smoke    784-32-32-10, batch 16, one rep, digits 5 and moons 20 steps, PyTorch if present,
#                            with BENCH_GRADLOG (CI: BENCH_GRADLOG=.build/debug/gradlog)
#
# Environment: BENCH_GRADLOG=PATH (time this binary, no build), BENCH_REPS (processes and
# database writes), BENCH_INNER_REPS (in-process compute loops of the limit and PyTorch, 20; the
# 2 shared cores make single 2-thread runs noisy), BENCH_THREADS ("1 2"), BENCH_TIMEOUT (600 s a
# command), BENCH_KEEP=1 (keep the temp folder).
# gradlog's compute is forward + backward from `record --timings` (in-process, one process per
# rep, OPENBLAS_NUM_THREADS set to the thread count it is compared at: cold, the process's first
# and only step) and per step of `train --timings` (warm, as the limit's and PyTorch's loops; W =
# BENCH_WARM_STEPS, 20); its end-to-end times are
# wall times around the process (date +%s%N), peak RSS is the kernel's "Maximum resident set size"
# from /usr/bin/time -v, database bytes are .db + .db-wal after the process exits.
# Exit status: 1 when a command fails or gradlog's loss or gradient norm differs from the limit's
# or PyTorch's by more than 1e-12 relative; no time is asserted.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/bench"
SMOKE=0
[ "${1:-}" = smoke ] && SMOKE=1
if [ "$SMOKE" = 1 ]; then
    REPS=${BENCH_REPS:-1}; INNER_REPS=${BENCH_INNER_REPS:-2}; SIZE=(--hidden 32 --batch 16); DIGITS_STEPS=5; MOONS_STEPS=20
    WARM_STEPS=3
else
    REPS=${BENCH_REPS:-5}; INNER_REPS=${BENCH_INNER_REPS:-20}; SIZE=(); DIGITS_STEPS=200; MOONS_STEPS=100
    WARM_STEPS=${BENCH_WARM_STEPS:-20}
fi
read -r -a THREADS <<<"${BENCH_THREADS:-1 2}"
TIMEOUT=${BENCH_TIMEOUT:-600}
STATUS=0

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gradlog-tensor.XXXXXX")
cleanup() { if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi; }
trap cleanup EXIT
log() { echo "$*" >&2; }
fail() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# Build and workload

if [ -n "${BENCH_GRADLOG:-}" ]; then
    GRADLOG=$(realpath "$BENCH_GRADLOG")
    log "using BENCH_GRADLOG=$GRADLOG (no build)"
else
    log "building gradlog (swift build -c release --product gradlog) ..."
    (cd "$ROOT" && swift build -c release --product gradlog) >"$TMP/build.log" 2>&1 \
        || { tail -20 "$TMP/build.log" >&2; fail "release build failed"; }
    GRADLOG="$ROOT/.build/release/gradlog"
fi
[ -x "$GRADLOG" ] || fail "no gradlog at $GRADLOG"
gcc -O2 "$BENCH/limit_tensor.c" $(pkg-config --cflags --libs openblas) -lsqlite3 -lm -o "$TMP/limit_tensor" \
    || fail "cannot build limit_tensor.c (gcc, libopenblas-dev, libsqlite3-dev)"
read -r NB NI NH NO < <(python3 "$BENCH/gen_mlp.py" "${SIZE[@]}" "$TMP/mlp")
PROG="$TMP/mlp/mlp.grad"
log "MLP step: $NI-$NH-$NH-$NO, batch $NB; best of $REPS ($INNER_REPS in-process); threads ${THREADS[*]}"
TORCH=1
python3 -c 'import torch' 2>/dev/null || { TORCH=0; log "PyTorch is not importable: skipping it"; }

# ---------------------------------------------------------------------------------------------
# Measuring

min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a + 0 < b + 0) ? a : b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && a != "-" && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }
sum() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a + b }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
dbbytes() { local s=0 f; for f in "$1" "$1-wal"; do [ -f "$f" ] && s=$((s + $(stat -c %s "$f"))); done; echo "$s"; }
field() { awk -v k="$1" -v t="${3:-}" '$1 == k && (t == "" || $2 == t) { print $NF; exit }' "$2"; }
phase() { awk -v p="$1" '$1 == "timing" && $2 == p { print $3; exit }' "$TMP/stderr.txt"; }

# gradlog THREADS DB ARGS... : one process, its wall time (WALL), peak RSS in KB (RSS_KB), stdout
# in $TMP/stdout.txt, stderr (the timing lines) in $TMP/stderr.txt; fails the script on error.
gradlog() {
    local threads=$1 db=$2 t0 t1; shift 2
    rm -f "$db" "$db-wal" "$db-shm"
    t0=$(date +%s%N)
    OPENBLAS_NUM_THREADS=$threads timeout "$TIMEOUT" /usr/bin/time -v -o "$TMP/time.txt" \
        "$GRADLOG" "$@" --db "$db" >"$TMP/stdout.txt" 2>"$TMP/stderr.txt" \
        || { head -5 "$TMP/stderr.txt" >&2; fail "gradlog $* (OPENBLAS_NUM_THREADS=$threads)"; }
    t1=$(date +%s%N)
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e9 }')
    RSS_KB=$(awk -F: '/Maximum resident set size/ { print $2 + 0 }' "$TMP/time.txt")
}

# "loss gradnorm" of a `record --format json` output: the output's value and the L2 norm of
# every input's adjoint together (from the adjoints' statistics).
json_values() {
    python3 -c 'import json, math, sys; d = json.load(open(sys.argv[1]))
print(repr(float(d["output"]["value"])), repr(math.sqrt(sum(i["grad"]["norm"] ** 2 for i in d["inputs"]))))' "$1"
}

CHECKS=()
# agree LABEL "loss norm" "loss norm": both within 1e-12 relative, else the run fails
agree() {
    if awk -v a="$2" -v b="$3" 'BEGIN { split(a, x, " "); split(b, y, " ")
            for (i = 1; i <= 2; i++) { d = x[i] - y[i]; m = (x[i] < 0 ? -x[i] : x[i]); if (d < 0) d = -d
                if (d > 1e-12 * m) exit 1 } }'; then
        CHECKS+=("$1 agree")
    else
        CHECKS+=("$1 DIFFER: $2 vs $3"); STATUS=1
    fi
}

# ---------------------------------------------------------------------------------------------
# The limits and PyTorch

log "limit_tensor ..."
"$TMP/limit_tensor" "$NB" "$NI" "$NH" "$NO" "$TMP/mlp/mlp.safetensors" "$TMP/limit.db" "$INNER_REPS" "$REPS" "${THREADS[@]}" \
    >"$TMP/limit.txt" || fail "limit_tensor failed"
LIMIT_VALUES="$(field loss "$TMP/limit.txt") $(field gradnorm "$TMP/limit.txt")"
STORE=$(field store "$TMP/limit.txt")
TAPE=$(field blob_bytes "$TMP/limit.txt")   # every value, adjoint and stored derivative, from the shapes
LIMIT_DB=$(dbbytes "$TMP/limit.db")

if [ "$TORCH" = 1 ]; then
    log "torch_mlp.py ..."
    python3 "$BENCH/torch_mlp.py" "$TMP/mlp" --compute-reps "$INNER_REPS" --reps "$REPS" --threads "${THREADS[@]}" --hooks-db "$TMP/torch.db" \
        >"$TMP/torch.txt" || fail "torch_mlp.py failed"
    agree "PyTorch and the limit" "$(field loss "$TMP/torch.txt") $(field gradnorm "$TMP/torch.txt")" "$LIMIT_VALUES"
fi
torch_field() { if [ "$TORCH" = 1 ]; then field "$1" "$TMP/torch.txt" "${2:-}"; else echo -; fi; }

# ---------------------------------------------------------------------------------------------
# gradlog record, --capture full at each thread count, then --capture stats

ROWS=()
declare -A COMPUTE FULL PHASES
RSS_MAX=0
for T in "${THREADS[@]}"; do
    log "record --capture full, $T thread(s) ..."
    compute=""; full=""; phases=""
    for _ in $(seq "$REPS"); do
        gradlog "$T" "$TMP/g.db" record "$PROG" --capture full --timings --format json
        fb=$(sum "$(phase forward)" "$(phase backward)")
        compute=$(min "$fb" "$compute"); full=$(min "$WALL" "$full")
        [ "$RSS_KB" -gt "$RSS_MAX" ] && RSS_MAX=$RSS_KB
        if [ "$full" = "$WALL" ]; then   # the phases of the fastest run
            phases=$(awk '$1 == "timing" { printf "%s%s %s", sep, $2, $3; sep = ", " }' "$TMP/stderr.txt")
        fi
    done
    COMPUTE[$T]=$compute; FULL[$T]=$full; PHASES[$T]=$phases
    agree "gradlog ($T thread(s), full) and the limit" "$(json_values "$TMP/stdout.txt")" "$LIMIT_VALUES"
    GRADLOG_DB=$(dbbytes "$TMP/g.db")
done
if command -v sqlite3 >/dev/null; then   # does the limit write what gradlog writes? (run_node: storage, may change)
    stored=$(sqlite3 "$TMP/g.db" "SELECT sum(coalesce(length(CASE typeof(value) WHEN 'blob' THEN value END), 0)
        + coalesce(length(CASE typeof(grad) WHEN 'blob' THEN grad END), 0) + coalesce(length(CASE typeof(d0) WHEN 'blob' THEN d0 END), 0)
        + coalesce(length(CASE typeof(d1) WHEN 'blob' THEN d1 END), 0)) FROM run_node" 2>/dev/null) || stored="?"
    [ "$stored" = "$TAPE" ] || log "NOTE: gradlog's BLOBs hold $stored bytes, the limit writes $TAPE: bring limit_tensor.c up to date"
fi
# A second step recorded into the same log: what each step adds, without the new log's fixed cost
# (its schema: a root page per table and index, about 0.4 MB with 16 KB pages).
OPENBLAS_NUM_THREADS=1 "$GRADLOG" record "$PROG" --capture full --db "$TMP/g.db" >/dev/null \
    || fail "a second gradlog record into the same log"
GRADLOG_DB_ADDED=$(( $(dbbytes "$TMP/g.db") - GRADLOG_DB ))

# The same step's compute warm, as the limit's and PyTorch's loops are measured: W steps of a
# training in one process (`train --capture none --timings`: forward and backward summed over
# the steps, divided by them; the first step's backward is cold). The steps change the weights
# (lr 1e-3), so only the first step's loss is checked, against the limit's.
declare -A WARM
for T in "${THREADS[@]}"; do
    log "train --capture none (warm steps), $T thread(s) ..."
    warm=""
    for _ in $(seq "$REPS"); do
        gradlog "$T" "$TMP/w.db" train "$PROG" --steps "$WARM_STEPS" --lr 0.001 --capture none --timings --format json
        steps=$(phase steps)
        warm=$(min "$(awk -v f="$(phase forward)" -v b="$(phase backward)" -v n="$steps" 'BEGIN { printf "%.6f", (f + b) / n }')" "$warm")
    done
    WARM[$T]=$warm
    first=$(python3 -c 'import json, sys; print(repr(float(json.load(open(sys.argv[1]))["loss"][0])))' "$TMP/stdout.txt")
    agree "gradlog's training ($T thread(s)) at step 0 and the limit" "$first 1" "$(field loss "$TMP/limit.txt") 1"
done

T1=${THREADS[0]}
log "record --capture stats, $T1 thread(s) ..."
stats=""; stats_compute=""; stats_fb=""
for _ in $(seq "$REPS"); do
    gradlog "$T1" "$TMP/s.db" record "$PROG" --capture stats --timings --format json
    fb=$(sum "$(phase forward)" "$(phase backward)")
    stats=$(min "$WALL" "$stats"); stats_fb=$(min "$fb" "$stats_fb")
    stats_compute=$(min "$(sum "$fb" "$(phase statistics)")" "$stats_compute")
done
agree "gradlog (stats) and the limit" "$(json_values "$TMP/stdout.txt")" "$LIMIT_VALUES"

for T in "${THREADS[@]}"; do
    lim=$(field compute "$TMP/limit.txt" "$T"); tc=$(torch_field compute "$T")
    ROWS+=("| MLP step compute (forward + backward), $T thread(s), cold: one \`record\` | ${COMPUTE[$T]} | $lim (dgemm only) | **$(ratio "${COMPUTE[$T]}" "$lim")** | $tc | **$(ratio "${COMPUTE[$T]}" "$tc")** | ≤ 1.2 × limit, ≤ 1 × PyTorch |")
    ROWS+=("| MLP step compute (forward + backward), $T thread(s), warm: per step of \`train\` | ${WARM[$T]} | $lim (dgemm only) | **$(ratio "${WARM[$T]}" "$lim")** | $tc | **$(ratio "${WARM[$T]}" "$tc")** | ≤ 1.2 × limit, ≤ 1 × PyTorch |")
done
for T in "${THREADS[@]}"; do
    lim=$(sum "$(field compute "$TMP/limit.txt" "$T")" "$STORE"); th=$(torch_field hooks "$T")
    ROWS+=("| \`record --capture full\`, end to end, $T thread(s) | ${FULL[$T]} | $lim (compute + storage $STORE) | **$(ratio "${FULL[$T]}" "$lim")** | $th (hooks → sqlite3) | **$(ratio "${FULL[$T]}" "$th")** | ≤ 1.3 × limits, < 1 × PyTorch |")
done
for T in "${THREADS[@]}"; do
    ROWS+=("| ↳ phases of the fastest full run, $T thread(s) (s) | ${PHASES[$T]} | | | | | |")
done
ROWS+=("| \`record --capture stats\`, end to end, $T1 thread(s) | $stats | $stats_fb (its forward + backward) | $(ratio "$stats" "$stats_fb") | | | |")
ROWS+=("| ↳ compute + statistics vs compute only, $T1 thread(s) | $stats_compute | $stats_fb | **$(ratio "$stats_compute" "$stats_fb")** | | | ≤ 1.1 |")
rss=$((RSS_MAX * 1024))
ROWS+=("| peak RSS of a full-capture step (MB) | $(mb "$rss") | tape $(mb "$TAPE") + 30 | **$(awk -v r="$rss" -v t="$TAPE" 'BEGIN { printf "%.2f", (r - 31457280) / t }')** (RSS − 30 MB) / tape | | | ≤ 1.5 |")
ROWS+=("| database after a full-capture step (MB) | $(mb "$GRADLOG_DB") | raw tensors $(mb "$TAPE") (limit's file $(mb "$LIMIT_DB")) | **$(ratio "$GRADLOG_DB" "$TAPE")** | $(if [ "$TORCH" = 1 ]; then mb "$(dbbytes "$TMP/torch.db")"; else echo -; fi) (values + grads only) | | ≤ 1.02 + scalar rows |")
ROWS+=("| ↳ what a second full-capture step adds to the same log (MB) | $(mb "$GRADLOG_DB_ADDED") | raw tensors $(mb "$TAPE") | **$(ratio "$GRADLOG_DB_ADDED" "$TAPE")** | | | ≤ 1.02 + scalar rows |")

# ---------------------------------------------------------------------------------------------
# Trainings (as bench/train.sh), one thread

log "trainings ..."
cd "$ROOT"
# Interleaved, rep by rep: statistics, nothing kept and PyTorch side by side, so that a noisy
# stretch of the shared machine falls on all of them rather than on one; statistics first in odd
# reps and nothing kept first in even ones, so that neither always follows PyTorch's processes.
d=""; dn=""; m=""; mn=""; ml=""; td=-; tm=-
# The steps of a `train --timings` summed: forward, backward, metrics, statistics, update and
# write (rows and commits); the loop without the process start, parse and log creation.
steps_time() { awk '$1 == "timing" && $2 ~ /^(forward|backward|metrics|statistics|update|write)$/ { s += $3 } END { printf "%.6f", s }' "$TMP/stderr.txt"; }
digits_stats() { gradlog 1 "$TMP/t.db" train examples/digits.grad --steps "$DIGITS_STEPS" --lr 0.5; d=$(min "$WALL" "$d"); }
digits_none() { gradlog 1 "$TMP/t.db" train examples/digits.grad --steps "$DIGITS_STEPS" --lr 0.5 --capture none; dn=$(min "$WALL" "$dn"); }
moons_stats() {
    gradlog 1 "$TMP/t.db" train examples/moons.grad --steps "$MOONS_STEPS" --lr 1.0 --lr-end 0.1 --timings
    m=$(min "$WALL" "$m"); ml=$(min "$(steps_time)" "$ml")
}
moons_none() { gradlog 1 "$TMP/t.db" train examples/moons.grad --steps "$MOONS_STEPS" --lr 1.0 --lr-end 0.1 --capture none; mn=$(min "$WALL" "$mn"); }
for rep in $(seq "$REPS"); do
    if [ $((rep % 2)) = 1 ]; then digits_stats; digits_none; moons_stats; moons_none
    else digits_none; digits_stats; moons_none; moons_stats; fi
    if [ "$TORCH" = 1 ]; then
        td=$(min "$(python3 "$BENCH/torch_train.py" digits "$DIGITS_STEPS" | cut -d' ' -f1)" "${td#-}")
        tm=$(min "$(python3 "$BENCH/torch_train.py" moons "$MOONS_STEPS" | cut -d' ' -f1)" "${tm#-}")
    fi
done
ROWS+=("| \`train\` digits, $DIGITS_STEPS steps, stats vs \`--capture none\` | $d | $dn | **$(ratio "$d" "$dn")** | $td (loop only) | $(ratio "$d" "$td") | ≤ 1.1 × none |")
ROWS+=("| \`train\` moons, $MOONS_STEPS steps, stats | $m | $mn (\`--capture none\`) | $(ratio "$m" "$mn") | $tm (loop only) | **$(ratio "$m" "$tm")** | ≤ 1 × PyTorch |")
ROWS+=("| ↳ the same, its loop only: the steps' \`--timings\` phases summed (forward, backward, metrics, statistics, update, write and commits) | $ml | | | $tm (loop only) | **$(ratio "$ml" "$tm")** | ≤ 1 × PyTorch |")

# ---------------------------------------------------------------------------------------------
# Report

echo
CORE=$(field blascore "$TMP/limit.txt")
echo "gradlog: $GRADLOG ($("$GRADLOG" --version 2>/dev/null)); MLP $NI-$NH-$NH-$NO, batch $NB, float64; $(nproc) cores; best of $REPS (in-process loops: $INNER_REPS); OpenBLAS kernels: $CORE${OPENBLAS_CORETYPE:+ (OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE)}; $(date -u +%Y-%m-%d)"
echo
echo "| measurement | gradlog s | limit / yardstick s | gradlog / limit | PyTorch s | gradlog / PyTorch | issue 14's target |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
case "$CORE" in
    Prescott|Core2|Penryn|Dunnington|Nehalem|Atom|Katmai|Coppermine|Northwood|Banias|unknown)
        echo "Note: OpenBLAS chose its $CORE kernels, without AVX2; a CPU it does not recognise (a newer model, or one a virtual machine names generically) falls back to them. If this CPU has AVX2 (grep avx2 /proc/cpuinfo), OPENBLAS_CORETYPE=Haswell or SkylakeX (with AVX-512) runs the same products 2 to 4 times faster, for gradlog, the limit and any program linked to this OpenBLAS."
        echo ;;
esac
echo "Values (loss, gradient norm) of the limit: $LIMIT_VALUES; within 1e-12 relative: $(printf '%s; ' "${CHECKS[@]}" | sed 's/; $//')."
if [ "$TORCH" = 1 ]; then
    echo "PyTorch times are in-process (after \`import torch\`, $(torch_field import) s here); gradlog's end-to-end times include its process start."
fi
exit $STATUS
