#!/usr/bin/env bash
# Installs every Debian 12 package Graft needs to build, test and run.
# Idempotent: packages already present are skipped; apt-get update runs once per call.
set -euo pipefail

PACKAGES=(
    # toolchain
    g++ cmake ninja-build pkg-config dpkg-dev file git
    # libFuzzer targets (tests/fuzz) and the package check (lintian)
    clang lintian
    # libraries
    qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libqt6svg6 qt6-svg-dev
    libqcustomplot-dev libtorch-dev libopencv-dev zlib1g-dev libfasttext-dev
    # Qt's own dialogs and buttons (file dialogs, Yes/No) in Spanish
    qt6-translations-l10n
    # fast BLAS for LibTorch (the default reference BLAS is ~30x slower)
    libopenblas0-openmp
    # GUI tests and screenshots
    xvfb xauth imagemagick
    # reference checks and benchmark peers
    python3 python3-torch python3-torchvision python3-numpy python3-pil python3-onnx
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#PACKAGES[@]} packages already installed"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
