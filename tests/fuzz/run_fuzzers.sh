#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (a standalone CMake project: no LibTorch) and runs
# each for SECONDS (default 30) from a copy of its seed corpus in tests/fuzz/corpus/<name>.
# Exit 0 when no fuzzer found a crash, a leak-free timeout aside; 77 when clang is missing.
# Usage: tests/fuzz/run_fuzzers.sh [SECONDS] [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-30}
build=${2:-$(mktemp -d)}
if ! command -v clang++ > /dev/null; then
    echo "SKIP: clang++ not installed (packaging/install-deps.sh installs it)"
    exit 77
fi
CXX=clang++ cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$build.configure.log" 2>&1 \
    || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" > "$build.build.log" 2>&1 || { tail -50 "$build.build.log"; exit 1; }
fail=0
for name in fuzz_safetensors fuzz_image fuzz_delimited fuzz_project; do
    corpus=$(mktemp -d)
    cp "$here/corpus/$name"/* "$corpus"/
    log="$build/$name.log"
    if ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
        "$build/$name" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 \
        -artifact_prefix="$build/$name-" > "$log" 2>&1; then
        echo "ok   $name: $(grep -Eo '#[0-9]+ +DONE.*' "$log" | tail -1 || tail -1 "$log")"
    else
        echo "FAIL $name:"
        tail -40 "$log"
        fail=1
    fi
    rm -rf "$corpus"
done
exit $fail
