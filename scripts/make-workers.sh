#!/usr/bin/env bash
# Makes N worker logs, as N machines or processes would each write their own:
# OUTDIR/worker-1.db ... worker-N.db, each holding RUNS runs of one program, recorded as one
# sweep of its input x over a range of its own (worker i: x from i to i + 0.5), so that no two
# workers' numbers are alike.
#   scripts/make-workers.sh N RUNS OUTDIR [seed|chain:NODES]
# seed is examples/cs231n.grad (22 nodes); chain:NODES a generated program of about NODES
# nodes (inputs x and y; v = tanh(v) + y, v = v * x, ...). GRADLOG names the binary (default:
# the debug build, built if needed); JOBS workers are written at a time (default: the cores).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n=${1:?usage: make-workers.sh N RUNS OUTDIR [seed|chain:NODES]}
runs=${2:?usage: make-workers.sh N RUNS OUTDIR [seed|chain:NODES]}
out=${3:?usage: make-workers.sh N RUNS OUTDIR [seed|chain:NODES]}
program=${4:-seed}
jobs=${JOBS:-$(nproc)}
if [ -z "${GRADLOG:-}" ]; then
    (cd "$root" && swift build --product gradlog >/dev/null)
    GRADLOG="$(cd "$root" && swift build --show-bin-path)/gradlog"
fi
mkdir -p "$out"
case $program in
    seed) source="$root/examples/cs231n.grad" ;;
    chain:*)
        nodes=${program#chain:}
        source="$out/chain-$nodes.grad"
        # Two lines make three nodes (tanh and add, then mul).
        awk -v n="$((nodes * 2 / 3))" 'BEGIN {
            print "input x = 0.5"; print "input y = -0.3"; print "v = x * y"
            for (i = 0; i < n; i++) print (i % 2 == 0 ? "v = tanh(v) + y" : "v = v * x")
        }' >"$source" ;;
    *) echo "make-workers.sh: unknown program '$program' (seed or chain:NODES)" >&2; exit 2 ;;
esac
seq 1 "$n" | xargs -P "$jobs" -I{} sh -c '
    i=$1
    "$0" record "$2" --db "$3/worker-$i.db" --sweep "x=$i:$i.5:$4" --format json >/dev/null
' "$GRADLOG" {} "$source" "$out" "$runs"
echo "make-workers: $n workers x $runs runs of $program in $out"
