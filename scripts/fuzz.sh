#!/usr/bin/env bash
# Fuzzes the .grad parser with libFuzzer and AddressSanitizer.
#   scripts/fuzz.sh [RUNS]    default 1,000,000 executions; CI runs a short form
# Crashing inputs land in Tests/Fuzz/crashes/ (fix the bug, then keep the file there: the
# test suite replays every file in Tests/Fuzz/ through the same entry point).
# Prints one summary line; exits 1 if libFuzzer found a crash, leak or timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1000000}
scratch=.build-fuzz
start=$(date +%s)
swift build -c release --product gradlog-fuzz --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld >/dev/null
built=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" Tests/Fuzz/crashes
cp Tests/Fuzz/corpus/* "$work/corpus/"
status=0
"$scratch/release/gradlog-fuzz" "$work/corpus" -runs="$runs" -max_len=4096 -timeout=10 \
    -artifact_prefix=Tests/Fuzz/crashes/ -print_final_stats=1 >"$work/log" 2>&1 || status=$?
rmdir Tests/Fuzz/crashes 2>/dev/null || true  # only kept when it holds something

stat() { sed -n "s/^stat::$1: *//p" "$work/log" | grep . || echo "?"; }
if [ "$status" -ne 0 ]; then
    tail -n 60 "$work/log"
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$work/log" | head -n 1)
    echo "fuzz: FAILED (libFuzzer exit $status) after $(stat number_of_executed_units) executions; input: ${artifact:-none written}"
    exit 1
fi
echo "fuzz: OK, $(stat number_of_executed_units) executions in $(($(date +%s) - built)) s (build $((built - start)) s)," \
    "$(stat new_units_added) new inputs found, peak RSS $(stat peak_rss_mb) MB, no crash, leak or timeout"
