#!/usr/bin/env bash
# Fuzzes gradlog's readers with damaged and crafted database files.
#   scripts/fuzz-db.sh [CASES]    default 100,000 cases; CI runs a short form (FUZZ_DB_CASES)
# Records a valid database with the release build (the seed program, a second run, another
# program, a program text over 64 KiB, a sweep, a gradcheck), then scripts/fuzz_db.py mutates
# copies of it (bytes, single-column UPDATEs with hostile values, deleted rows, schema objects,
# truncation) and runs every reading command and gradcheck on each, in parallel, each under a
# time limit. A case is one command on one mutant. Any signal, backtrace, exit status other than
# 0/1/2, hang, or change to the file by a reading command is a failure: the mutant is saved to
# Tests/Fuzz/db-crashes/ (fix the bug, keep the file: DatabaseFuzzReplayTests replays them).
# Prints one summary line; exits 1 on a failure.
#   FUZZ_DB_GRADLOG=PATH   use this gradlog binary instead of building the release one
#   FUZZ_DB_JOBS=N         parallel mutants (default: the number of cores)
#   FUZZ_DB_SEED=N         the random seed (default: the time), printed for a replay
#   FUZZ_DB_MESSAGES=1     also print how often each error message came
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-100000}
gradlog=${FUZZ_DB_GRADLOG:-}
if [ -z "$gradlog" ]; then
    swift build -c release --product gradlog >/dev/null
    gradlog=.build/release/gradlog
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The seed database: runs 1..4 as fuzz_db.py's commands expect, then a sweep (runs 5..9).
seed="$work/seed.db"
record() { "$gradlog" record "$@" --db "$seed" >/dev/null; }
record examples/cs231n.grad
record examples/cs231n.grad --set x=2 --set y=-1 --name probe --tag note=smaller
sed 's/^den = sigx + xpysqr$/den = sigx + xpysqr + 1e-9/' examples/cs231n.grad >"$work/eps.grad"
record "$work/eps.grad"
{ cat examples/cs231n.grad; for i in $(seq 1 1200); do echo "# padding line $i so that the text is stored compressed (over 64 KiB) ....."; done; } >"$work/long.grad"
record "$work/long.grad"
record examples/cs231n.grad --sweep x=-2:2:5
"$gradlog" gradcheck 1 --db "$seed" >/dev/null
# One self-contained file: fold the write-ahead log in.
python3 -c "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute('PRAGMA wal_checkpoint(TRUNCATE)'); db.close()" "$seed"

python3 scripts/fuzz_db.py --gradlog "$gradlog" --seed-db "$seed" --cases "$cases" \
    --jobs "${FUZZ_DB_JOBS:-$(nproc)}" ${FUZZ_DB_SEED:+--seed "$FUZZ_DB_SEED"} ${FUZZ_DB_MESSAGES:+--messages} --crashes Tests/Fuzz/db-crashes
