#!/usr/bin/env bash
# Issue 8: the whole test suite in an AddressSanitizer + UndefinedBehaviorSanitizer build.
# Usage: tests/sanitize/asan_suite.sh [build-dir]   (default: build-asan in the source tree)
#
# Fails on any sanitizer report (ASan: invalid access, use after free, overflow...; UBSan:
# undefined behaviour; both halt at the first error). Test failures without a sanitizer report
# are listed but do not fail this step: timing bounds (GUI stalls <= 100 ms, stop latency,
# speed) do not hold in a build that runs 5-10x slower, and the normal build checks them.
# Left out: the fuzzers (they are sanitizer builds already), the package and the C++ example
# (no Graft code of their own to instrument). LibTorch, Qt and OpenCV are not instrumented, so
# leaks are not checked (detect_leaks=0: their one-time allocations would drown real reports).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-asan}
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" -DGRAFT_SANITIZE="address;undefined" >/dev/null
cmake --build "$build"
export QTEST_FUNCTION_TIMEOUT=3000000 # ms; the soak and training tests run long here
log="$build/asan-tests.log"
set +e
(cd "$build" && ctest -E "fuzz|package|cpp_inference" --output-on-failure) >"$log" 2>&1
rc=$?
set -e
grep -E "Test +#|tests passed|tests failed" "$log" || true
if grep -qE "ERROR: AddressSanitizer|runtime error:" "$log"; then
    echo "asan_suite: sanitizer reports:"
    grep -nE -A30 "ERROR: AddressSanitizer|runtime error:" "$log" | head -200
    exit 1
fi
if [ "$rc" -ne 0 ]; then
    echo "asan_suite: no sanitizer report; some tests failed or timed out in the slow build" \
         "(timing bounds are checked by the normal build); log: $log"
fi
echo "asan_suite: clean (no AddressSanitizer or UndefinedBehaviorSanitizer report)"
