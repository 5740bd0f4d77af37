#!/usr/bin/env bash
# Issue 5 benchmark: gradlog record vs the SQLite "limit" (bench/limit.c) vs micrograd + sqlite3.
#
#   bench/run.sh                 N = 10000 100000 1000000
#   bench/run.sh 10000           one small N (CI smoke run)
#
# Environment knobs:
#   BENCH_REPS=3        best-of-R for wall times (a size whose first run takes > 10 s is run once)
#   BENCH_PEER=1        0 skips the micrograd peer (also skipped when micrograd is not installed)
#   BENCH_PEER_TOPO=recursive|iterative   how the peer gets past micrograd's recursive topo sort
#   BENCH_QUERY=1       0 skips the 20-run query timings at the largest N
#   BENCH_QUERY_RUNS=20 runs recorded into the query database
#   BENCH_TIMEOUT=600   seconds before a single gradlog/peer command is abandoned
#   BENCH_KEEP=1        keep the temp folder (databases, programs) for inspection
#   BENCH_GRADLOG=PATH  benchmark this gradlog binary instead of building one
#
# Prints markdown tables. Wall time is measured around the process (date +%s%N), peak RSS
# is the kernel's "Maximum resident set size" from /usr/bin/time -v. Bytes per node are
# (size of the .db file + its -wal) / N after the process exits.
# Exit status: 0 when everything ran and every value check passed, 1 otherwise.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/bench"
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(10000 100000 1000000)
REPS=${BENCH_REPS:-3}
PEER=${BENCH_PEER:-1}
PEER_TOPO=${BENCH_PEER_TOPO:-recursive}
QUERY=${BENCH_QUERY:-1}
QUERY_RUNS=${BENCH_QUERY_RUNS:-20}
TIMEOUT=${BENCH_TIMEOUT:-600}
STATUS=0

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gradlog-bench.XXXXXX")
cleanup() { if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi; }
trap cleanup EXIT
log() { echo "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Build

build_gradlog() {
    log "building gradlog (swift build -c release) ..."
    if ! (cd "$ROOT" && swift build -c release --product gradlog) >"$TMP/build.log" 2>&1; then
        log "ERROR: release build failed:"; tail -20 "$TMP/build.log" >&2
        exit 1
    fi
    GRADLOG="$ROOT/.build/release/gradlog"
}

if [ -n "${BENCH_GRADLOG:-}" ]; then GRADLOG=$BENCH_GRADLOG; log "using BENCH_GRADLOG=$GRADLOG (no build)"; else build_gradlog; fi
log "building bench/limit.c ..."
gcc "$BENCH/limit.c" -lsqlite3 -lm -O2 -o "$TMP/limit" || { log "ERROR: cannot build limit.c"; exit 1; }
LIMIT="$TMP/limit"

if [ "$PEER" = 1 ] && ! python3 -c 'import micrograd' 2>/dev/null; then
    log "micrograd is not installed (pip install micrograd): skipping the peer"
    PEER=0
fi

# ---------------------------------------------------------------------------------------------
# Measuring

# measure OUTFILE CMD...  -> sets WALL (seconds), RSS (MB), RC
measure() {
    local out=$1; shift
    local t0 t1
    t0=$(date +%s%N)
    timeout "$TIMEOUT" /usr/bin/time -v -o "$TMP/time.txt" "$@" >"$out" 2>"$TMP/stderr.txt"
    RC=$?
    t1=$(date +%s%N)
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    RSS=$(awk -F: '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$TMP/time.txt" 2>/dev/null)
    [ -z "$RSS" ] && RSS="?"
    if [ "$RC" = 124 ]; then log "  TIMEOUT after ${TIMEOUT}s: $*"; fi
}

# wall time of a shell pipeline (no RSS): timed_sh 'CMD | head' -> WALL
timed_sh() {
    local t0 t1
    t0=$(date +%s%N)
    bash -c "$1" >"$TMP/sh.out" 2>"$TMP/sh.err"
    RC=$?
    t1=$(date +%s%N)
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
}

dbbytes() { local s=0 f; for f in "$1" "$1-wal"; do [ -f "$f" ] && s=$((s + $(stat -c %s "$f"))); done; echo "$s"; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a + 0 < b + 0) ? a : b }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a + 0 > b + 0) ? a : b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a != "" && a != "-") printf "%.2f", a / b; else print "-" }'; }
perbyte() { awk -v a="$1" -v n="$2" 'BEGIN { printf "%.1f", a / n }'; }

# values ( "output y.grad" ) from each program's stdout
gradlog_values() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); y=[i for i in d["inputs"] if i["name"]=="y"][0]; print(repr(float(d["output"]["value"])), repr(float(y["grad"])))' "$1"; }
text_values() { python3 -c 'import re,sys; t=open(sys.argv[1]).read(); o=re.search(r"= (\S+), x", t).group(1); g=re.search(r"y.grad = (\S+)", t).group(1); print(repr(float(o)), repr(float(g)))' "$1"; }

MAIN_ROWS=()
EXTRA_ROWS=()
CHECK_ROWS=()

for N in "${SIZES[@]}"; do
    log "N = $N"
    PROG="$TMP/chain_$N.grad"
    python3 "$BENCH/gen_chain.py" "$N" "$PROG"
    GDB="$TMP/g_$N.db"; LDB="$TMP/l_$N.db"
    g_best=""; l_best=""; g_rss=""; l_rss=""; g_bytes=""; l_bytes=""; ok=1
    for rep in $(seq 1 "$REPS"); do
        rm -f "$GDB" "$GDB-wal" "$GDB-shm"
        measure "$TMP/g.out" "$GRADLOG" record "$PROG" --db "$GDB" --format json
        if [ "$RC" != 0 ]; then log "  gradlog record failed (exit $RC):"; head -5 "$TMP/stderr.txt" >&2; ok=0; break; fi
        g_best=$(min "$WALL" "$g_best"); g_rss=$(max "$RSS" "$g_rss"); g_bytes=$(dbbytes "$GDB"); g_first=$WALL
        rm -f "$LDB" "$LDB-wal" "$LDB-shm"
        measure "$TMP/l.out" "$LIMIT" "$N" "$LDB"
        [ "$RC" != 0 ] && { log "  limit failed"; cat "$TMP/stderr.txt" >&2; exit 1; }
        l_best=$(min "$WALL" "$l_best"); l_rss=$(max "$RSS" "$l_rss"); l_bytes=$(dbbytes "$LDB")
        log "  rep $rep: gradlog ${g_first}s  limit ${WALL}s"
        awk -v t="$g_first" 'BEGIN { exit !(t > 10) }' && break   # slow sizes: once is enough
    done
    [ "$ok" = 0 ] && { STATUS=1; MAIN_ROWS+=("| $N | failed | $l_best | - | - | $l_rss | - | - | - | - | - | - |"); continue; }

    gv=$(gradlog_values "$TMP/g.out"); lv=$(text_values "$TMP/l.out")
    check="gradlog=limit"; [ "$gv" != "$lv" ] && { check="MISMATCH gradlog ($gv) vs limit ($lv)"; STATUS=1; }

    # second run differing at every node, then diff
    measure "$TMP/g2.out" "$GRADLOG" record "$PROG" --db "$GDB" --set y=-0.3000001 --format json
    g2=$WALL; g2_bytes=$(( $(dbbytes "$GDB") - g_bytes ))
    [ "$RC" != 0 ] && { log "  second record failed (exit $RC)"; g2="failed"; STATUS=1; }
    # the two runs differ at every node from y on: diff must say so (exit 1)
    d_best=""
    for rep in $(seq 1 "$REPS"); do
        measure "$TMP/diff.out" "$GRADLOG" diff 1 2 --db "$GDB"
        if [ "$RC" != 1 ]; then log "  gradlog diff: exit $RC, expected 1 (differ):"; head -5 "$TMP/stderr.txt" >&2; d_best="failed"; STATUS=1; break; fi
        d_best=$(min "$WALL" "$d_best"); d_rss=$RSS
        awk -v t="$WALL" 'BEGIN { exit !(t > 10) }' && break
    done
    diff_s=$d_best; [ "$d_best" != failed ] && diff_s="$d_best ($d_rss MB)"; diff_ratio=$(ratio "$d_best" "$l_best")
    rm -f "$TMP/diff.out"

    p_s="-"; p_rss="-"; p_ratio="-"
    if [ "$PEER" = 1 ]; then
        p_best=""
        for rep in $(seq 1 "$REPS"); do
            PDB="$TMP/p_$N.db"; rm -f "$PDB" "$PDB-wal" "$PDB-shm"
            measure "$TMP/p.out" python3 "$BENCH/peer_micrograd.py" "$N" "$PDB" --topo "$PEER_TOPO"
            if [ "$RC" != 0 ]; then log "  peer failed (exit $RC):"; tail -3 "$TMP/stderr.txt" >&2; p_best="failed"; break; fi
            p_best=$(min "$WALL" "$p_best"); p_rss=$(max "$RSS" "${p_rss#-}")
            awk -v t="$WALL" 'BEGIN { exit !(t > 10) }' && break
        done
        rm -f "$PDB" "$PDB-wal" "$PDB-shm"
        p_s=$p_best; p_ratio=$(ratio "$p_best" "$l_best")
        if [ "$p_best" != failed ]; then
            pv=$(text_values "$TMP/p.out")
            if [ "$pv" = "$lv" ]; then check="$check=peer"; else check="$check; MISMATCH peer ($pv)"; STATUS=1; fi
        fi
    fi
    CHECK_ROWS+=("| $N | $(echo "$lv" | cut -d' ' -f1) | $(echo "$lv" | cut -d' ' -f2) | $check |")
    MAIN_ROWS+=("| $N | $g_best | $l_best | **$(ratio "$g_best" "$l_best")** | $g_rss | $l_rss | $(perbyte "$g_bytes" "$N") | $(perbyte "$l_bytes" "$N") | $diff_s | $diff_ratio | $p_s | $p_rss | $p_ratio |")
    EXTRA_ROWS+=("| $N | $g2 | $(perbyte "$g2_bytes" "$N") |")
    rm -f "$GDB" "$GDB-wal" "$GDB-shm" "$LDB" "$LDB-wal" "$LDB-shm"
done

# ---------------------------------------------------------------------------------------------
# Query timings on a database holding QUERY_RUNS runs at the largest N

QUERY_ROWS=()
if [ "$QUERY" = 1 ]; then
    N=$(printf '%s\n' "${SIZES[@]}" | sort -n | tail -1)
    PROG="$TMP/chain_$N.grad"; QDB="$TMP/q_$N.db"
    log "query database: $QUERY_RUNS runs of N = $N ..."
    rm -f "$QDB" "$QDB-wal" "$QDB-shm"
    q_ok=1
    for r in $(seq 1 "$QUERY_RUNS"); do
        y=$(awk -v r="$r" 'BEGIN { printf "%.7f", -0.3 - (r - 1) * 1e-7 }')
        if ! timeout "$TIMEOUT" "$GRADLOG" record "$PROG" --db "$QDB" --set "y=$y" >/dev/null 2>"$TMP/stderr.txt"; then
            log "  record $r failed"; head -3 "$TMP/stderr.txt" >&2; q_ok=0; STATUS=1; break
        fi
    done
    if [ "$q_ok" = 1 ]; then
        mid="v$((N / 2))"
        qbest() {  # label, shell command
            local best="" rep
            for rep in 1 2 3; do
                timed_sh "$2"
                [ "$RC" != 0 ] && [ "$RC" != 141 ] && { best="failed (exit $RC: $(head -c 120 "$TMP/sh.err"))"; break; }
                best=$(min "$WALL" "$best")
            done
            QUERY_ROWS+=("| $1 | $best | $(wc -l <"$TMP/sh.out") |")
        }
        G="'$GRADLOG'"; D="'$QDB'"
        qbest "gradlog runs" "$G runs --db $D"
        qbest "gradlog show 1 --format json \| head" "$G show 1 --db $D --format json | head"
        qbest "gradlog show latest --format json \| head" "$G show latest --db $D --format json | head"
        qbest "gradlog query \"SELECT run_id, value, grad FROM nodes WHERE name = '$mid'\"" "$G query \"SELECT run_id, value, grad FROM nodes WHERE name = '$mid'\" --db $D"
        qbest "gradlog query node --param name=$mid (all runs)" "$G query node --param name=$mid --db $D"
        qbest "gradlog query \"... WHERE run_id = $QUERY_RUNS AND name = '$mid'\"" "$G query \"SELECT value, grad FROM nodes WHERE run_id = $QUERY_RUNS AND name = '$mid'\" --db $D"
        if command -v sqlite3 >/dev/null; then
            # the same question asked of the schema directly, as a yardstick for the query command
            qbest "sqlite3: nodes view WHERE name = '$mid' ($QUERY_RUNS rows)" "sqlite3 $D \"SELECT run_id, id, value, grad FROM nodes WHERE name = '$mid'\""
        fi
        QUERY_ROWS+=("| database size | $(awk -v b="$(dbbytes "$QDB")" 'BEGIN { printf "%.0f MB", b / 1048576 }') | |")
    fi
    rm -f "$QDB" "$QDB-wal" "$QDB-shm"
fi

# ---------------------------------------------------------------------------------------------
# Report

echo
echo "gradlog: $GRADLOG ($("$GRADLOG" --version 2>/dev/null)); sqlite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1); $(nproc) cores; best of $REPS; peer topo: $PEER_TOPO"
echo
echo "| N | gradlog record s | limit s | ratio | gradlog RSS MB | limit RSS MB | gradlog B/node | limit B/node | diff s | diff/limit | peer s | peer RSS MB | peer/limit |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${MAIN_ROWS[@]}"
echo
echo "Second record into the same database (--set y=-0.3000001; the program's structure is shared):"
echo
echo "| N | 2nd record s | added B/node |"
echo "|---|---|---|"
printf '%s\n' "${EXTRA_ROWS[@]}"
echo
echo "| N | output (v{N-1}) | y.grad | check |"
echo "|---|---|---|---|"
printf '%s\n' "${CHECK_ROWS[@]}"
if [ ${#QUERY_ROWS[@]} -gt 0 ]; then
    echo
    echo "Queries on a database of $QUERY_RUNS runs at N = $N (best of 3):"
    echo
    echo "| command | s | lines out |"
    echo "|---|---|---|"
    printf '%s\n' "${QUERY_ROWS[@]}"
fi
exit $STATUS
