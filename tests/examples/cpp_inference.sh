#!/usr/bin/env bash
# Issue 7: the standalone C++ example (examples/cpp-inference: its own CMake project, OpenCV +
# LibTorch only) builds, reads the model.json that Graft writes beside an export, and gives the
# same top-1 as `graft-cli predict` on 40 validation images.
set -euo pipefail
src=${GRAFT_SOURCE_DIR:?}; bin=${GRAFT_BINARY_DIR:?}; shared=${GRAFT_SHARED_DATA:-}
if [ ! -d "$shared/images/hymenoptera" ] || [ ! -d "$shared/weights" ]; then
    echo "SKIP: needs ../shared/data/images/hymenoptera and weights"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake -S "$src/examples/cpp-inference" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release > "$work/configure.log" \
    || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" > "$work/build.log" || { cat "$work/build.log"; exit 1; }
"$bin/app/graft-cli" train --data "$shared/images/hymenoptera" --backbone mobilenet_v2_imagenet \
    --weights-dir "$shared/weights" --epochs 3 --cache-dir "$work/cache" --export "$work/ants.pt" --quiet
test -s "$work/ants.json" || { echo "no model.json beside the export"; exit 1; }
# Globs, not `ls | head`: head closing the pipe early made ls fail under pipefail (flaky).
ants=("$shared"/images/hymenoptera/val/ants/*.jpg)
bees=("$shared"/images/hymenoptera/val/bees/*.jpg)
imgs=("${ants[@]:0:20}" "${bees[@]:0:20}")
"$bin/app/graft-cli" predict --model "$work/ants.pt" --json "${imgs[@]}" > "$work/graft.json"
"$work/build/graft-infer" "$work/ants.pt" "${imgs[@]}" > "$work/example.jsonl"
/usr/bin/python3 - "$work/graft.json" "$work/example.jsonl" <<'PY'
import json, sys
graft = {p["file"]: p["top"][0] for p in json.load(open(sys.argv[1]))}
example = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
assert len(example) == len(graft) == 40, (len(example), len(graft))
agree = sum(graft[e["file"]]["label"] == e["label"] for e in example)
diff = max(abs(graft[e["file"]]["prob"] - e["probability"]) for e in example
           if graft[e["file"]]["label"] == e["label"])
print(f"C++ example vs graft-cli predict: top-1 agreement {agree}/{len(example)}, max |dp| {diff:.2e}")
# Graft decodes large JPEGs with libjpeg's DCT-domain downscale before resizing; the example
# decodes at full size: identical top-1, probabilities within a few thousandths.
sys.exit(0 if agree == len(example) and diff < 0.02 else 1)
PY
