#!/usr/bin/env bash
# Kills a large `gradlog record` with SIGKILL at random moments, N times, on one database, and
# after each kill checks that the file passes PRAGMA integrity_check, that no run is partial
# (every run has all its nodes, `gradlog runs` lists only complete runs), and that every run
# recorded before the kill reads back bit for bit as it did.
#   scripts/kill-loop.sh [N] [LINES]    default 50 kills of a 50,000-line chain; CI runs a short form
# Needs the stock sqlite3 shell. Prints one summary line; exits 1 on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-50}
lines=${2:-50000}

swift build --product gradlog >/dev/null
gradlog="$(swift build --show-bin-path)/gradlog"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/g.db"

fail() {
    echo "kill-loop: FAILED after $1 of $kills kills: $2"
    exit 1
}

# A chain long enough that recording takes a while: v = tanh(v) + y, v = v * x, ...
awk -v n="$lines" 'BEGIN {
    print "input x = 0.5"; print "input y = -0.3"; print "v = x * y"
    for (i = 0; i < n; i++) print (i % 2 == 0 ? "v = tanh(v) + y" : "v = v * x")
}' >"$work/big.grad"

# A hash of everything stored for the runs up to $1, floats by their bits (the shell's
# sha3_query hashes each value's type and binary form). It reads the physical tables, which
# hold all of it, because the views over them make this several times slower.
fingerprint() {
    sqlite3 "$db" "SELECT hex(sha3_query('
        SELECT * FROM run WHERE id <= $1 ORDER BY id;
        SELECT * FROM run_tag WHERE run_id <= $1 ORDER BY run_id, key;
        SELECT * FROM run_node WHERE run_id <= $1 ORDER BY run_id, id;
        SELECT * FROM graph WHERE id IN (SELECT graph_id FROM run WHERE id <= $1) ORDER BY id'))"
}

"$gradlog" record examples/cs231n.grad --db "$db" --name seed >/dev/null
start=$(date +%s%N)
"$gradlog" record "$work/big.grad" --db "$db" >/dev/null
duration_ms=$(( ($(date +%s%N) - start) / 1000000 ))
runs=2
before=$(fingerprint "$runs")
landed=0

for ((i = 1; i <= kills; i++)); do
    delay_ms=$(( duration_ms * RANDOM / 32767 ))
    "$gradlog" record "$work/big.grad" --db "$db" --tag "kill=$i" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true

    check=$(sqlite3 "$db" "PRAGMA integrity_check")
    [ "$check" = ok ] || fail "$i" "integrity_check says: $check"
    partial=$(sqlite3 "$db" "SELECT count(*) FROM runs r WHERE r.status <> 'complete'
        OR r.node_count <> (SELECT count(*) FROM nodes n WHERE n.run_id = r.id)")
    [ "$partial" = 0 ] || fail "$i" "$partial partial run(s) after a kill at ${delay_ms} ms"
    count=$(sqlite3 "$db" "SELECT count(*) FROM runs")
    listed=$("$gradlog" runs --db "$db" --format csv | tail -n +2 | wc -l) || fail "$i" "gradlog runs failed"
    [ "$listed" = "$count" ] || fail "$i" "gradlog runs lists $listed runs, the file holds $count"
    [ "$(fingerprint "$runs")" = "$before" ] || fail "$i" "a run recorded before the kill changed"
    case $((count - runs)) in
        0) ;;
        1) landed=$((landed + 1)); runs=$count; before=$(fingerprint "$runs") ;;
        *) fail "$i" "$((count - runs)) runs appeared from one recording" ;;
    esac
done

"$gradlog" record examples/cs231n.grad --db "$db" >/dev/null || fail "$kills" "the log takes no new run after the kills"
echo "kill-loop: OK, $kills kills of a $((lines + 3))-line recording (${duration_ms} ms): $landed landed whole before the kill, $((kills - landed)) left no trace; integrity ok, no partial run, earlier runs unchanged"
