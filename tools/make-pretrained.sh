#!/usr/bin/env bash
# Remakes the built-in pretrained checkpoints in resources/models from the
# recipes in resources/recipes (Fashion-MNIST classes 0-4, fixed seeds).
# Usage: tools/make-pretrained.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cli="$build/app/transferlab-cli"
[ -x "$cli" ] || { echo "make-pretrained: build first ($cli not found)" >&2; exit 1; }
mkdir -p resources/models
for recipe in resources/recipes/pretrain-*.json; do
  arch=$(basename "$recipe" .json); arch=${arch#pretrain-}
  "$cli" pretrain "$recipe" --out "resources/models/${arch}-fmnist0-4.safetensors"
done
