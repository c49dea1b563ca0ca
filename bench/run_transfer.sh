#!/usr/bin/env bash
# Feature-extractor job on hymenoptera: Graft vs PyTorch peers A (tutorial, no cache) and
# B (features precomputed once), same threads, BLAS and allocator settings, in one run.
# Usage: bench/run_transfer.sh [BUILD_DIR] [SHARED_DATA] [PEER_A_EPOCHS]
# Peer A runs PEER_A_EPOCHS epochs (default 2) and its 10-epoch time is extrapolated from the
# mean epoch time (it takes ~20 s per epoch here); everything else runs the full 10 epochs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
shared=${2:-$here/../../shared/data}
aEpochs=${3:-2}
data=$shared/images/hymenoptera
threads=2
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=1073741824
# Benchmarks may use the machine's best OpenBLAS kernel (see shared/PERFORMANCE.md).
run() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=$threads "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $threads threads"
t0=$(date +%s.%N)
run "$build/app/graft-cli" train --data "$data" --backbone mobilenet_v2_imagenet \
    --weights-dir "$shared/weights" --epochs 10 --threads $threads --cache-dir "$tmp/cache" \
    --export "$tmp/model.pt" --report "$tmp/cold.json" --quiet > /dev/null
t1=$(date +%s.%N)
run "$build/app/graft-cli" train --data "$data" --backbone mobilenet_v2_imagenet \
    --weights-dir "$shared/weights" --epochs 10 --threads $threads --cache-dir "$tmp/cache" \
    --export "$tmp/model2.pt" --report "$tmp/warm.json" --quiet > /dev/null
t2=$(date +%s.%N)
b=$(run /usr/bin/python3 "$here/peer_transfer.py" B "$data" 10 $threads)
a=$(run /usr/bin/python3 "$here/peer_transfer.py" A "$data" "$aEpochs" $threads)
/usr/bin/python3 - "$t0" "$t1" "$t2" "$tmp/cold.json" "$tmp/warm.json" "$b" "$a" <<'PY'
import json, sys
t0, t1, t2 = map(float, sys.argv[1:4])
cold, warm = json.load(open(sys.argv[4])), json.load(open(sys.argv[5]))
b, a = json.loads(sys.argv[6]), json.loads(sys.argv[7])
gc, gw = t1 - t0, t2 - t1
a10 = sum(a["epoch_seconds"]) / len(a["epoch_seconds"]) * 10 + (a["seconds"] - sum(a["epoch_seconds"]))
print(f"Graft, cold feature cache (scan + features + 10 epochs + export + verify): {gc:.2f} s, val acc {cold['val_accuracy']*100:.1f} %")
print(f"Graft, warm feature cache:                                               {gw:.2f} s, val acc {warm['val_accuracy']*100:.1f} %")
print(f"Peer B (precompute once, 10 epochs):                                     {b['seconds']:.2f} s")
print(f"Peer A (tutorial, no cache; {a['epochs']} epochs measured, 10 extrapolated):        {a10:.2f} s")
print(f"ratios: B / Graft(cold) = {b['seconds']/gc:.2f}x (goal >= 4x), A / Graft(cold) = {a10/gc:.2f}x")
PY
