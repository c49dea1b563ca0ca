#!/usr/bin/env bash
# Decode benchmark: Graft's pipeline vs torchvision ImageFolder + DataLoader (2 workers), same
# folder, same run. Usage: bench/run_decode.sh [BUILD_DIR] [DATA_DIR] [EPOCHS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
data=${2:-$here/../../shared/data/images/hymenoptera}
epochs=${3:-3}
# Same allocator tuning for both (see shared/PERFORMANCE.md); BLAS settings are irrelevant here.
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=1073741824
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
g=$("$build/bench/graft-bench-decode" "$data" "$epochs" 2 224)
p=$(/usr/bin/python3 "$here/peer_decode.py" "$data" "$epochs" 2 224)
echo "graft:       $g"
echo "torchvision: $p"
/usr/bin/python3 - "$g" "$p" <<'PY'
import json, sys
g, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
r = g["images_per_second"] / p["images_per_second"]
print(f"decode+resize 224: graft {g['images_per_second']:.0f} img/s, torchvision {p['images_per_second']:.0f} img/s, ratio {r:.2f}x (goal >= 2x)")
PY
