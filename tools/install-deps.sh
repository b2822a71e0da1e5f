#!/usr/bin/env bash
# Installs every Debian package that building, testing and running Transfer Lab
# needs. Idempotent: packages already present are left as they are.
set -euo pipefail

packages=(
  # toolchain
  cmake g++ ninja-build pkg-config
  # core: tensors and autograd, fast BLAS for Linear layers, JSON, gzip, images
  libtorch-dev libopenblas0-pthread nlohmann-json3-dev zlib1g-dev libstb-dev
  # the run history
  libsqlite3-dev
  # the GUI and its plots
  qt6-base-dev libqcustomplot-dev libgl-dev
  # tests
  libgtest-dev xvfb xauth
  # the torchvision conformance oracle (/usr/bin/python3; the test skips without them);
  # PIL decodes the image of the predict conformance check
  python3-torch python3-torchvision python3-pil
  # the real data of the built-in demo (Fashion-MNIST, IDX files)
  dataset-fashion-mnist
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
