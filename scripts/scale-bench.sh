#!/usr/bin/env bash
# Measures what docs/scale.md reports: N worker files of RUNS runs each (scripts/make-workers.sh)
# for the seed program and a NODES-node chain; `gradlog merge` of all of them (time, size),
# merging them again (nothing new), and DuckDB aggregating an input's gradient across the N
# files without merging (sqlite_scan of typed_inputs), checked against gradlog query on the
# merged file.
#   scripts/scale-bench.sh [N] [RUNS] [NODES]     default 100 100 10000 (needs ~12 GB of disk)
# Release build; WORK (default a temporary folder, removed after) holds the files. Needs
# python3 with duckdb==1.4.4 and duckdb-ext-sqlite (see .ci/run).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n=${1:-100}
runs=${2:-100}
nodes=${3:-10000}
cd "$root"
swift build -c release --product gradlog >/dev/null
export GRADLOG="$(swift build -c release --show-bin-path)/gradlog"
work=${WORK:-$(mktemp -d)}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT

seconds() { python3 -c 'import sys, time; print("%.2f" % (time.time() - float(sys.argv[1])))' "$1"; }
megabytes() { du -cm "$@" | tail -1 | cut -f1; }

for program in seed "chain:$nodes"; do
    dir="$work/${program/:/-}"
    start=$(date +%s.%N)
    scripts/make-workers.sh "$n" "$runs" "$dir" "$program" >/dev/null
    made=$(seconds "$start")
    files=("$dir"/worker-*.db)
    start=$(date +%s.%N)
    "$GRADLOG" merge "$dir/all.db" "${files[@]}" --format csv >/dev/null
    merged=$(seconds "$start")
    start=$(date +%s.%N)
    "$GRADLOG" merge "$dir/all.db" "${files[@]}" --format csv >/dev/null
    again=$(seconds "$start")
    count=$("$GRADLOG" query "SELECT count(*) FROM runs" --db "$dir/all.db" --format csv | tail -1)
    # DuckDB: every run's gradient of x in every file, without merging.
    duck=$(python3 - "${files[@]}" <<'PY'
import duckdb, glob, importlib.util, os, sys, time
spec = importlib.util.find_spec("duckdb_ext")
ext = glob.glob(os.path.join(list(spec.submodule_search_locations)[0], "extensions",
                             "v" + duckdb.__version__, "*", "sqlite_scanner.duckdb_extension"))[0]
con = duckdb.connect()
con.execute("LOAD '" + ext + "'")
start = time.time()
union = " UNION ALL ".join("SELECT * FROM sqlite_scan('%s', 'typed_inputs')" % f for f in sys.argv[1:])
count, mean, low, high = con.execute(
    "SELECT count(*), avg(grad), min(grad), max(grad) FROM (" + union + ") WHERE name = 'x'").fetchone()
print("%.2f %d %r %r %r" % (time.time() - start, count, mean, low, high))
PY
)
    check=$("$GRADLOG" query "SELECT count(*), avg(grad), min(grad), max(grad) FROM inputs WHERE name = 'x'" \
        --db "$dir/all.db" --format csv | tail -1)
    printf '%s: %d workers x %d runs made in %s s, %d MB of worker files; merge %s s -> %d runs, %d MB; merge again %s s; DuckDB over the %d files %s (count, avg, min, max of grad x: %s); gradlog query on the merged file: %s\n' \
        "$program" "$n" "$runs" "$made" "$(megabytes "${files[@]}")" "$merged" "$count" "$(megabytes "$dir/all.db")" \
        "$again" "$n" "${duck%% *} s" "${duck#* }" "$check"
done
