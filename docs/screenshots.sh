#!/bin/sh
# Regenerates the README screenshots: `docs/screenshots.sh [build-dir] [out-dir]`.
# Runs the real flow in tst_TrainingFlow's screenshot mode (hymenoptera, MobileNetV2 feature
# extractor, 10 epochs, the sample photos predicted) and grabs each of the seven tabs at 1400x900.
# Needs ../shared/data (GRAFT_SHARED_DATA overrides). Uses Xvfb when xvfb-run is installed,
# otherwise Qt's offscreen platform; ImageMagick's convert (optional) shrinks large PNGs.
set -eu
build=${1:-build}
out=${2:-docs/screenshots}
test="$build/tests/tst_TrainingFlow"
[ -x "$test" ] || { echo "no $test: build the tst_TrainingFlow target first" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
: "${GRAFT_SHARED_DATA:=$(cd "$(dirname "$0")/../.." && pwd)/shared/data}"
export GRAFT_SHARED_DATA GRAFT_SCREENSHOTS_DIR="$out"
if command -v xvfb-run >/dev/null 2>&1; then
    xvfb-run -a -s "-screen 0 1400x900x24" "$test" screenshots textReviewsEndToEnd
else
    QT_QPA_PLATFORM=offscreen "$test" screenshots textReviewsEndToEnd
fi
# Photo thumbnails make some tabs large: quantize those over 300 KB when ImageMagick is present.
if command -v convert >/dev/null 2>&1; then
    for f in "$out"/*.png; do
        if [ "$(wc -c < "$f")" -gt 300000 ]; then
            convert "$f" -dither FloydSteinberg -colors 256 "PNG8:$f"
        fi
    done
fi
ls -l "$out"/*.png
