#!/usr/bin/env bash
# Fuzzes the .grad parser with libFuzzer and AddressSanitizer.
#   scripts/fuzz.sh [RUNS]    default 1,000,000 executions; CI runs a short form
# Crashing inputs land in Tests/Fuzz/crashes/ (fix the bug, then keep the file there: the
# test suite replays every file in Tests/Fuzz/ through the same entry point).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1000000}
scratch=.build-fuzz
swift build -c release --product gradlog-fuzz --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp Tests/Fuzz/corpus/* "$work/"
mkdir -p Tests/Fuzz/crashes
"$scratch/release/gradlog-fuzz" "$work" -runs="$runs" -max_len=4096 -timeout=10 \
    -artifact_prefix=Tests/Fuzz/crashes/ -print_final_stats=1 2>&1 | tail -n 20
