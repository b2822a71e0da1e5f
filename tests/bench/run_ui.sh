#!/bin/sh
# Builds tl_ui_bench and transferlab-cli and measures what the GUI costs:
# the same config run by the CLI and in a shown window, alternately (GUI
# overhead on the training time; event-loop stalls during the window's runs),
# LossPlot's replot time with 100,000 points, and event-loop stalls while
# the Analysis view computes a comparison's analysis. Writes
# tests/bench/ui_bench.json (or $1). Not part of ctest. Runs under xvfb-run
# when there is no display, so painting is real X11 painting.
#
#   tests/bench/run_ui.sh [OUTPUT.json]
#   TL_BENCH_REPS=5 tests/bench/run_ui.sh
set -eu
if [ -z "${DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ] && command -v xvfb-run >/dev/null; then
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${TL_BENCH_BUILD_DIR:-$root/build-bench-ui}
out=${1:-$here/ui_bench.json}
reps=${TL_BENCH_REPS:-3}

# A new build directory skips the tests; an existing one (TL_BENCH_BUILD_DIR=build)
# keeps its settings and only gains the benchmark targets.
if [ -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DTL_BUILD_BENCH=ON -DTL_BUILD_UI=ON >/dev/null
else
  cmake -S "$root" -B "$build" -G Ninja -DTL_BUILD_BENCH=ON -DTL_BUILD_UI=ON -DTL_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target tl_ui_bench transferlab-cli
bench="$build/tests/bench/tl_ui_bench"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cli="$build/app/transferlab-cli"

{
  echo "["
  "$bench" replot --points 100000 --reps 20
  echo ","
  "$bench" overhead "$cli" "$here/ui_bench_config.json" --reps "$reps"
  echo ","
  # The Analysis view computing the analysis of the same config's comparison.
  "$cli" run "$here/ui_bench_config.json" --twin --out "$scratch/run" >/dev/null
  "$bench" analysis "$scratch/run" --reps "$reps"
  echo "]"
} >"$out"
cat "$out"
echo "run_ui.sh: wrote $out" >&2
