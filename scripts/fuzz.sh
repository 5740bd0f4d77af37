#!/usr/bin/env bash
# Fuzzes the .grad parser (or the safetensors reader) with libFuzzer and AddressSanitizer.
#   scripts/fuzz.sh [RUNS] [parser|safetensors]    default 1,000,000 executions of the parser;
#                                                  CI runs a short form
# Crashing inputs land in Tests/Fuzz/crashes/ (safetensors: Tests/Fuzz/safetensors-crashes/);
# fix the bug, then keep the file there: the test suites replay them through the same checks.
# Prints one summary line; exits 1 if libFuzzer found a crash, leak or timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1000000}
case "${2:-parser}" in
    parser) product=gradlog-fuzz corpus=Tests/Fuzz/corpus crashes=Tests/Fuzz/crashes ;;
    safetensors) product=gradlog-fuzz-safetensors corpus=Tests/Fuzz/safetensors-corpus crashes=Tests/Fuzz/safetensors-crashes ;;
    *) echo "usage: scripts/fuzz.sh [RUNS] [parser|safetensors]" >&2; exit 2 ;;
esac
scratch=.build-fuzz
start=$(date +%s)
swift build -c release --product "$product" --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld >/dev/null
built=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$crashes"
cp "$corpus"/* "$work/corpus/"
status=0
"$scratch/release/$product" "$work/corpus" -runs="$runs" -max_len=4096 -timeout=10 \
    -artifact_prefix="$crashes/" -print_final_stats=1 >"$work/log" 2>&1 || status=$?
rmdir "$crashes" 2>/dev/null || true  # only kept when it holds something

stat() { sed -n "s/^stat::$1: *//p" "$work/log" | grep . || echo "?"; }
if [ "$status" -ne 0 ]; then
    tail -n 60 "$work/log"
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$work/log" | head -n 1)
    echo "fuzz ($product): FAILED (libFuzzer exit $status) after $(stat number_of_executed_units) executions; input: ${artifact:-none written}"
    exit 1
fi
echo "fuzz ($product): OK, $(stat number_of_executed_units) executions in $(($(date +%s) - built)) s (build $((built - start)) s)," \
    "$(stat new_units_added) new inputs found, peak RSS $(stat peak_rss_mb) MB, no crash, leak or timeout"
