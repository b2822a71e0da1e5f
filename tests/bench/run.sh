#!/bin/sh
# Builds tl_bench and runs Transfer Lab's training jobs interleaved with the
# same jobs in two Python PyTorch loops (tests/bench/pytorch_loops.py), then
# writes tests/bench/bench.json (or $1). Not part of ctest: it takes ~10 minutes
# on 2 cores and its figures depend on what else the machine is doing.
#
#   tests/bench/run.sh [OUTPUT.json]
#   TL_BENCH_REPS=5 TL_BENCH_BUILD_DIR=/tmp/b tests/bench/run.sh
#   TL_BENCH_JOBS="smallcnn-dann" tests/bench/run.sh /tmp/dann.json
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${TL_BENCH_BUILD_DIR:-$root/build-bench}
out=${1:-$here/bench.json}
reps=${TL_BENCH_REPS:-3}
python=/usr/bin/python3  # Debian's python3-torch imports only here

if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "run.sh: installing python3-torch (the PyTorch side of the benchmark)" >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y python3-torch; else sudo apt-get install -y python3-torch; fi
fi

cmake -S "$root" -B "$build" -G Ninja -DTL_BUILD_BENCH=ON -DTL_BUILD_UI=OFF -DTL_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target tl_bench
bench="$build/tests/bench/tl_bench"

jobs=${TL_BENCH_JOBS:-"smallcnn-feature-extraction smallcnn-partial-finetune smallcnn-full-finetune
resnet_narrow-feature-extraction resnet_narrow-partial-finetune resnet_narrow-full-finetune smallcnn-dann"}
raw="$build/bench-raw.jsonl"
: >"$raw"
rep=1
while [ "$rep" -le "$reps" ]; do
  echo "run.sh: repetition $rep of $reps" >&2
  "$bench" peak >>"$raw"
  for job in $jobs; do
    case $job in *feature-extraction) epochs=3 ;; *) epochs=2 ;; esac
    "$bench" job "$job" --epochs "$epochs" >>"$raw"
    "$python" "$here/pytorch_loops.py" "$job" tutorial --epochs "$epochs" >>"$raw"
    "$python" "$here/pytorch_loops.py" "$job" tuned --epochs "$epochs" >>"$raw"
    tail -n 3 "$raw" | cut -c1-110 >&2
  done
  # The weight layout: ours in PyTorch's default NCHW, and the tuned Python
  # loop channels-last as ours trains, for the full fine-tuning jobs.
  # And malloc: glibc's default behaviour against the app's tuning.
  for job in smallcnn-full-finetune resnet_narrow-full-finetune; do
    "$bench" job "$job" --epochs 2 --memory-format nchw >>"$raw"
    "$python" "$here/pytorch_loops.py" "$job" tuned_channels_last --epochs 2 >>"$raw"
    "$bench" job "$job" --epochs 2 --malloc glibc-default >>"$raw"
  done
  # The OpenBLAS thread choice: the same full fine-tuning with OpenBLAS
  # forced to 1 thread versus its default.
  "$bench" job smallcnn-full-finetune --epochs 2 --openblas-threads 1 >>"$raw"
  "$bench" job smallcnn-full-finetune --epochs 2 --openblas-threads 2 >>"$raw"
  # LibTorch's intra-op threads: every core (the app's choice) versus 1.
  "$bench" job smallcnn-full-finetune --epochs 2 --threads 1 >>"$raw"
  rep=$((rep + 1))
done
"$python" "$here/summarize.py" "$raw" "$out"
echo "run.sh: wrote $out" >&2
