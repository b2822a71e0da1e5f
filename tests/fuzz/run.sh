#!/bin/bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan on our
# code; LibTorch itself is not instrumented) and runs each for SECONDS
# (default 60). Needs the Debian packages clang and libclang-rt-14-dev
# (libFuzzer and the sanitizer runtimes) besides the normal build dependencies.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     TARGET: idx safetensors checkpoint config
#
# Environment: TL_FUZZ_BUILD_DIR (default build-fuzz in the repository),
# TL_FUZZ_JOBS (parallel compile jobs, default 2).
# New inputs found go to $TL_FUZZ_BUILD_DIR/fuzz-corpus/<target>/, crashes to
# fuzz-artifacts/<target>/; a crash makes the script fail. Turn each crash
# into a fix and a file under tests/fuzz/regressions/<target>/, which
# tl_hardening_tests replays in the normal build.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(idx safetensors checkpoint config)
build=${TL_FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${TL_FUZZ_JOBS:-2}

die() { echo "run.sh: $*" >&2; exit 2; }

[[ $seconds =~ ^[0-9]+$ ]] || die "SECONDS must be a whole number, got '$seconds'"
command -v clang++ >/dev/null || die "clang++ not found: install the Debian package clang"
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' >"$probe/p.cpp"
clang++ -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" 2>/dev/null ||
  die "clang++ cannot link libFuzzer with ASan/UBSan: install the Debian package libclang-rt-14-dev"

# Per-target input limits: real seeds are a few KB; larger inputs only slow the search.
declare -A max_len=([idx]=65536 [safetensors]=16384 [checkpoint]=16384 [config]=8192)
declare -A dict=([safetensors]=$here/safetensors.dict [checkpoint]=$here/safetensors.dict [config]=$here/config.dict)

if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DTL_BUILD_UI=OFF -DTL_BUILD_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j"$jobs" --target "${targets[@]/#/fuzz_}"

# ASan: any single allocation over 512 MB is a finding (a reader trusting a
# declared size), as is a process over 2 GB.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
summary=$build/fuzz-summary.txt
: >"$summary"
failed=0
for target in "${targets[@]}"; do
  work=$build/fuzz-corpus/$target
  artifacts=$build/fuzz-artifacts/$target
  mkdir -p "$work" "$artifacts"
  log=$build/fuzz-$target.log
  args=(-max_total_time="$seconds" -max_len="${max_len[$target]}" -rss_limit_mb=2048 -malloc_limit_mb=512
        -timeout=10 -print_final_stats=1 -artifact_prefix="$artifacts/")
  [ -n "${dict[$target]:-}" ] && args+=(-dict="${dict[$target]}")
  echo "== fuzz_$target for ${seconds}s (log: $log)"
  seeds=("$here/corpus/$target")
  [ -d "$here/regressions/$target" ] && seeds+=("$here/regressions/$target")
  if ! "$build/tests/fuzz/fuzz_$target" "${args[@]}" "$work" "${seeds[@]}" >"$log" 2>&1; then
    failed=1
    echo "fuzz_$target FOUND A PROBLEM: see $log and $artifacts" | tee -a "$summary"
  fi
  # The last status line: "#RUNS DONE cov: N ft: N corp: N/NKb ... exec/s: N ...".
  status=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  echo "fuzz_$target: $status" | tee -a "$summary"
done
echo "summary: $summary"
exit $failed
