#!/usr/bin/env bash
# End-to-end checks of transferlab-cli as a user meets it: every bad input ends
# with a non-zero exit and one line naming the file or field; a tiny real run
# writes run.json and metrics.csv.
# Usage: cli_test.sh PATH/TO/transferlab-cli
set -u
cli=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Runs are recorded in a history of this test's own, never the user's.
export TRANSFERLAB_DATA_DIR="$work/data"
passed=0 failed=0

# expect_failure NAME EXPECTED_EXIT EXPECTED_STDERR_SUBSTRING -- ARGS...
expect_failure() {
  local name=$1 code=$2 text=$3; shift 4
  "$cli" "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  local lines
  lines=$(grep -c . "$work/err")
  if [ "$rc" -eq "$code" ] && grep -qF -- "$text" "$work/err" && { [ "$code" -eq 2 ] || [ "$lines" -eq 1 ]; }; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit $rc (want $code), stderr:"; sed 's/^/    /' "$work/err"
  fi
}

config() {  # config NAME JSON → path
  printf '%s\n' "$2" >"$work/$1.json"
  echo "$work/$1.json"
}

tiny='"target": {"classes": [0, 1], "shots_per_class": 20, "test_per_class": 20, "val_fraction": 0.02},
      "training": {"epochs": 1, "batch_size": 16}'

expect_failure unknown-command 2 "unknown command 'frobnicate'" -- frobnicate
expect_failure missing-config 1 "$work/nope.json: cannot open the config file" -- run "$work/nope.json"
expect_failure bad-json 1 "not valid JSON" -- run "$(config badjson '{"name": ')"
expect_failure batch-zero 1 "training.batch_size: expected an integer in 1..65536, got 0" -- \
  run "$(config batch '{"model": {"architecture": "small_cnn"}, "training": {"batch_size": 0}}')"
expect_failure wrong-type 1 'training.epochs: expected an integer in 1..10000, got "3"' -- \
  run "$(config type '{"training": {"epochs": "3"}}')"
expect_failure zero-classes 1 "target.classes: expected at least two classes, got []" -- \
  run "$(config classes '{"target": {"classes": []}}')"
expect_failure unknown-layer 1 "transfer.layers.features.7: no such layer in small_cnn" -- \
  run "$(config layer '{"model": {"architecture": "small_cnn"}, "transfer": {"layers": {"features.7": {"trainable": false}}}}')"
expect_failure too-many-shots 1 "target.shots_per_class: class 0 (T-shirt/top) has 5400 examples, fewer than k = 100000" -- \
  run "$(config shots '{"model": {"architecture": "small_cnn"}, "target": {"classes": [0, 1], "shots_per_class": 100000}}')"
expect_failure missing-dataset 1 "$work/no-data/train-images-idx3-ubyte.gz" -- \
  run "$(config data "{\"model\": {\"architecture\": \"small_cnn\"}, \"target\": {\"root\": \"$work/no-data\"}}")"
head -c 1000 /dev/urandom >"$work/corrupt.safetensors"
expect_failure corrupt-checkpoint 1 "$work/corrupt.safetensors" -- layers --model "$work/corrupt.safetensors"
expect_failure corrupt-checkpoint-run 1 "$work/corrupt.safetensors" -- \
  run "$(config ckpt "{\"model\": {\"pretrained\": \"$work/corrupt.safetensors\"}}")"
expect_failure unknown-model 1 "model 'no-such-model': no such built-in model or file" -- layers --model no-such-model
expect_failure bad-epochs-flag 2 "--epochs: expected an integer >= 1, got 'x'" -- run "$work/any.json" --epochs x
expect_failure pretrain-needs-out 2 "pretrain needs --out FILE" -- pretrain "$work/any.json"
expect_failure sweep-no-section 1 'sweep: expected a "sweep" section' -- \
  sweep "$(config nosweep '{"model": {"architecture": "small_cnn"}}')"
expect_failure sweep-empty-axis 1 "sweep.axes[0].values: expected a non-empty array" -- \
  sweep "$(config emptyaxis '{"sweep": {"axes": [{"field": "frozen_depth", "values": []}]}}')"
expect_failure sweep-random-budget 1 "sweep.budget: expected an integer in 1..2" -- \
  sweep "$(config budget '{"sweep": {"axes": [{"field": "frozen_depth", "values": [0, 1]}], "order": "random"}}')"

# A tiny real run from scratch writes both files and nothing half-written.
run_config=$(config tiny "{\"name\": \"tiny\", \"model\": {\"architecture\": \"small_cnn\"}, $tiny}")
if "$cli" run "$run_config" --out "$work/run" >"$work/out" 2>"$work/err" &&
   grep -q '"test_accuracy"' "$work/run/run.json" && grep -q '"drift"' "$work/run/run.json" &&
   [ "$(wc -l <"$work/run/metrics.csv")" -eq 2 ] && ! ls "$work/run" | grep -q tmp; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); echo "FAIL tiny-run:"; cat "$work/err" "$work/out"
fi

# The finished run leaves its model (safetensors + metadata JSON), which loads
# wherever a checkpoint does.
if grep -q "^wrote $work/run/model.safetensors and $work/run/model.json$" "$work/out" &&
   grep -q '"freeze_plan"' "$work/run/model.json" && grep -q '"preprocessing"' "$work/run/model.json" &&
   "$cli" layers --model "$work/run/model.safetensors" | grep -q "Conv2d"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); echo "FAIL exported-model:"; cat "$work/out"; ls "$work/run"
fi

# predict: images made here (28x28 grey PNG, 40x30 colour PNG) with Python's
# standard library only.
/usr/bin/python3 - "$work" <<'PY'
import struct, sys, zlib
def png(path, width, height, channels):
    rows = b"".join(b"\0" + bytes((x * 7 + y * 3 + c * 50) % 256 for x in range(width) for c in range(channels))
                    for y in range(height))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0 if channels == 1 else 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
png(sys.argv[1] + "/grey.png", 28, 28, 1)
png(sys.argv[1] + "/colour.png", 40, 30, 3)
PY
if "$cli" predict --model "$work/run/model.safetensors" --top 1 "$work/grey.png" "$work/colour.png" >"$work/out" 2>"$work/err" &&
   [ "$(grep -c '^  *[0-9.]*%  \(T-shirt/top\|Trouser\)$' "$work/out")" -eq 2 ] &&
   "$cli" predict --model "$work/run/model.safetensors" --logits "$work/grey.png" >"$work/logits.json" 2>"$work/err" &&
   /usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["architecture"] == "small_cnn" and d["preprocessing"]["resize"] == "stretch", d
assert [len(i["logits"]) for i in d["images"]] == [2] and len(d["images"][0]["top"]) == 2, d' "$work/logits.json"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); echo "FAIL predict:"; cat "$work/err" "$work/out" "$work/logits.json"
fi
expect_failure predict-not-an-image 1 "$work/corrupt.safetensors: not a PNG, JPEG or BMP image" -- \
  predict --model "$work/run/model.safetensors" "$work/corrupt.safetensors"
expect_failure predict-missing-image 1 "$work/nope.png: cannot open the file" -- \
  predict --model "$work/run/model.safetensors" "$work/nope.png"
expect_failure predict-needs-model 2 "predict needs --model FILE and IMAGE..." -- predict "$work/grey.png"
expect_failure predict-bad-top 2 "--top: expected an integer >= 1, got '0'" -- \
  predict --model "$work/run/model.safetensors" --top 0 "$work/grey.png"
expect_failure predict-arch-mismatch 1 "--arch resnet18 does not match the checkpoint's architecture small_cnn" -- \
  predict --model "$work/run/model.safetensors" --arch resnet18 "$work/grey.png"

# The run history: every run above went into $TRANSFERLAB_DATA_DIR/runs.sqlite.
if "$cli" runs --json >"$work/runs.json" 2>"$work/err" &&
   tiny_id=$(/usr/bin/python3 -c 'import json, sys
runs = [r for r in json.load(open(sys.argv[1])) if r["name"] == "tiny"]
assert len(runs) == 1 and runs[0]["origin"] == "cli" and runs[0]["status"] == "finished", runs
assert runs[0]["output_dir"] == sys.argv[2] and runs[0]["config"]["name"] == "tiny", runs
print(runs[0]["id"])' "$work/runs.json" "$work/run") &&
   "$cli" runs --filter TIN --status finished >"$work/out" && grep -q "^ *$tiny_id  tiny " "$work/out" &&
   "$cli" runs show "$tiny_id" >"$work/out" && grep -q "^    1 " "$work/out" &&
   "$cli" runs export "$tiny_id" --csv "$work/runs.csv" >/dev/null &&
   [ "$(head -1 "$work/runs.csv")" = "run_id,name,epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds" ] &&
   [ "$(grep -c "^$tiny_id,tiny,1," "$work/runs.csv")" -eq 1 ] &&
   "$cli" runs rename "$tiny_id" "tiny, renamed" >/dev/null && "$cli" runs show "$tiny_id" | grep -q "^run $tiny_id: tiny, renamed$" &&
   "$cli" runs delete "$tiny_id" >/dev/null && ! "$cli" runs --json | grep -q "\"id\": $tiny_id,"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); echo "FAIL runs:"; cat "$work/err" "$work/out" "$work/runs.json"
fi
expect_failure runs-unknown-id 1 "$TRANSFERLAB_DATA_DIR/runs.sqlite: no run with id 99999" -- runs show 99999
expect_failure runs-bad-id 2 "runs: expected a run id (a number from 'transferlab-cli runs'), got 'x'" -- runs delete x
expect_failure runs-unknown-action 2 "runs: unknown action 'frobnicate'" -- runs frobnicate
expect_failure runs-bad-status 2 "--status: expected one of finished, cancelled, failed, diverged, got 'done'" -- runs --status done
expect_failure runs-export-needs-csv 2 "runs export needs ID... --csv FILE" -- runs export 1
mkdir -p "$work/corrupt-data" && head -c 4096 /dev/urandom >"$work/corrupt-data/runs.sqlite"
TRANSFERLAB_DATA_DIR="$work/corrupt-data" expect_failure runs-corrupt-history 1 \
  "$work/corrupt-data/runs.sqlite: switching to WAL mode: file is not a database" -- runs
# A history that cannot be written costs a warning, never the run.
if TRANSFERLAB_DATA_DIR="$work/corrupt-data" "$cli" run "$run_config" --out "$work/unrecorded" >"$work/out" 2>"$work/err" &&
   [ -f "$work/unrecorded/run.json" ] &&
   grep -q "^transferlab-cli: warning: the run was not added to the run history: $work/corrupt-data/runs.sqlite: " "$work/err"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); echo "FAIL run-with-corrupt-history:"; cat "$work/err" "$work/out"
fi

# An unwritable output directory fails before training starts.
expect_failure unwritable-out 1 "cannot create the output directory" -- run "$run_config" --out /proc/transferlab/out

# Resume: a run killed with SIGKILL after its first checkpoint continues from it
# and ends with the metrics of an uninterrupted run (seconds aside).
expect_failure resume-with-config 2 "run --resume DIR takes no config or other options" -- run "$run_config" --resume "$work/x"
expect_failure resume-without-run 1 "$work/no-run/config.json" -- run --resume "$work/no-run"
long_config=$(config long "{\"name\": \"long\", \"model\": {\"architecture\": \"small_cnn\"},
  \"target\": {\"classes\": [0, 1], \"shots_per_class\": 100, \"test_per_class\": 20, \"val_fraction\": 0.02},
  \"training\": {\"epochs\": 6, \"batch_size\": 16}}")
"$cli" run "$long_config" --out "$work/killed" >/dev/null 2>&1 &
victim=$!
while kill -0 "$victim" 2>/dev/null && [ ! -f "$work/killed/checkpoint.safetensors" ]; do sleep 0.02; done
kill -9 "$victim" 2>/dev/null; wait "$victim" 2>/dev/null
if [ ! -f "$work/killed/run.json" ] && [ -f "$work/killed/config.json" ] &&
   grep -q '"kind":"checkpoint"' "$work/killed/events.jsonl" &&
   "$cli" run --resume "$work/killed" >"$work/out" 2>"$work/err" &&
   grep -q "resumed at epoch" "$work/err" && grep -q "finished after 6 epochs" "$work/out" &&
   "$cli" run "$long_config" --out "$work/unkilled" >/dev/null 2>&1 &&
   diff <(cut -d, -f1-5 "$work/killed/metrics.csv") <(cut -d, -f1-5 "$work/unkilled/metrics.csv") >"$work/diff"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); echo "FAIL resume-after-kill:"; cat "$work/err" "$work/out" "$work/diff" 2>/dev/null
fi

# Scratch twins, verdicts and the similarity meter: flags first, then real tiny runs
# on a checkpoint pretrained here in a few seconds.
expect_failure seeds-zero 2 "--seeds: expected an integer >= 1, got '0'" -- run "$work/any.json" --seeds 0
expect_failure seeds-not-integer 2 "--seeds: expected an integer >= 1, got '2.5'" -- run "$work/any.json" --seeds 2.5
expect_failure seeds-missing-value 2 "--seeds needs a value" -- run "$work/any.json" --seeds
expect_failure twin-of-scratch 1 "model.pretrained: expected a pretrained model; a run from scratch has no scratch twin" -- \
  run "$run_config" --twin --out "$work/twin-of-scratch"
expect_failure similarity-of-scratch 1 "model.pretrained: expected a pretrained model; the similarity meter" -- \
  similarity "$run_config"
expect_failure similarity-samples 2 "--samples: expected an integer >= 4, got '2'" -- similarity "$run_config" --samples 2

pretrain_config=$(config pretrain '{"model": {"architecture": "small_cnn"},
  "source": {"classes": [0, 1], "shots_per_class": 20, "test_per_class": 20, "val_fraction": 0.02},
  "training": {"epochs": 1, "batch_size": 16}}')
if "$cli" pretrain "$pretrain_config" --out "$work/tiny.safetensors" >"$work/out" 2>"$work/err"; then
  twin_config=$(config twin "{\"name\": \"twin\", \"model\": {\"pretrained\": \"$work/tiny.safetensors\"},
    \"transfer\": {\"strategy\": \"feature_extraction\"}, $tiny}")
  if "$cli" run "$twin_config" --seeds 2 --out "$work/twin" >"$work/out" 2>"$work/err" &&
     grep -q "^verdict: .* points over 2 seeds against the scratch twin$" "$work/out" &&
     grep -q '"verdict"' "$work/twin/run.json" && grep -q '"baseline"' "$work/twin/run.json" &&
     grep -q '"per_seed"' "$work/twin/run.json" && [ -f "$work/twin/twin/run.json" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAIL twin-run:"; cat "$work/err" "$work/out"
  fi
  # One seed tells no effect from seed noise: its verdict reports the gap and claims nothing.
  if "$cli" run "$twin_config" --twin --out "$work/twin1" >"$work/out" 2>"$work/err" &&
     grep -q "^verdict: single seed, [-+][0-9.]* points against the scratch twin — run 3 seeds to tell an effect from noise$" "$work/out" &&
     grep -q '"label": "single_seed"' "$work/twin1/run.json"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAIL single-seed-verdict:"; cat "$work/err" "$work/out"
  fi
  if "$cli" similarity "$twin_config" --samples 40 >"$work/out" 2>"$work/err" &&
     grep -q "^block3 " "$work/out" && grep -q "^recommendation: .* similarity, strategy " "$work/out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAIL similarity:"; cat "$work/err" "$work/out"
  fi
  # A sweep over two depths and one seed: a row per trial, one shared twin, both files.
  sweep_config=$(config sweep "{\"name\": \"depths\", \"model\": {\"pretrained\": \"$work/tiny.safetensors\"}, $tiny,
    \"sweep\": {\"axes\": [{\"field\": \"frozen_depth\", \"values\": [1, 3]}], \"seeds\": 1}}")
  if "$cli" sweep "$sweep_config" --out "$work/sweep" >"$work/out" 2>"$work/err" &&
     grep -q "^sweep depths: 2 trial(s)$" "$work/out" && grep -q "^trial   depth  accuracy" "$work/out" &&
     [ "$(grep -cE "^ +[01] +[13] +[0-9.]+% ± 0.0 +[0-9.]+% +[-+][0-9.]+ +[0-9.]+ +finished$" "$work/out")" -eq 2 ] &&
     grep -q "^best: trial [01] (depth=[13]): " "$work/out" &&
     [ "$(grep -c "scratch twin" "$work/err")" -ge 1 ] && [ "$(ls "$work/sweep/twins" | wc -l)" -eq 1 ] &&
     [ "$(wc -l <"$work/sweep/sweep.csv")" -eq 3 ] && grep -q '"total_trials": 2' "$work/sweep/sweep.json" &&
     "$cli" runs --filter "$work/sweep" >"$work/out" && [ "$(grep -c "depths · depth=" "$work/out")" -eq 2 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAIL sweep:"; cat "$work/err" "$work/out"
  fi
  expect_failure sweep-again 1 "$work/sweep/sweep.json: a sweep is already there; pass --resume" -- \
    sweep "$sweep_config" --out "$work/sweep"
  expect_failure sweep-deep 1 "sweep.axes[0].values[1]: expected a frozen depth in 0..3 (the model's blocks), got 4" -- \
    sweep "$(config deep "{\"model\": {\"pretrained\": \"$work/tiny.safetensors\"}, $tiny,
      \"sweep\": {\"axes\": [{\"field\": \"frozen_depth\", \"values\": [0, 4]}]}}")" --out "$work/deep"
else
  failed=$((failed + 1)); echo "FAIL tiny-pretrain:"; cat "$work/err"
fi

# An untrained zoo architecture's layer tree, by torchvision's names.
if "$cli" layers --model mobilenet_v2 >"$work/layers" 2>"$work/err" &&
   [ "$(grep -c InvertedResidual "$work/layers")" -eq 17 ] && grep -q "classifier" "$work/layers"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); echo "FAIL layers mobilenet_v2:"; cat "$work/err" "$work/layers"
fi

# A torchvision export imported as a checkpoint, when Debian's python3-torchvision is there.
tools=$(cd "$(dirname "$0")/../../tools" && pwd)
if /usr/bin/python3 -c 'import torchvision' 2>/dev/null; then
  if /usr/bin/python3 "$tools/export-torchvision.py" mobilenet_v2 "$work/mnv2.pt" --random-weights >/dev/null &&
     "$cli" import "$work/mnv2.pt" --arch mobilenet_v2 --out "$work/mnv2.safetensors" >"$work/out" 2>"$work/err" &&
     grep -q "^$work/mnv2.safetensors: loaded 314 tensors$" "$work/out" &&
     "$cli" layers --model "$work/mnv2.safetensors" | grep -q "InvertedResidual" &&
     "$cli" import "$work/mnv2.safetensors" --arch mobilenet_v2 --out "$work/again.safetensors" >"$work/out" &&
     grep -q "loaded 314 tensors$" "$work/out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAIL import mobilenet_v2:"; cat "$work/err" "$work/out"
  fi
  expect_failure import-wrong-arch 1 "$work/mnv2.pt: does not fit resnet18 outside its head (fc)" -- \
    import "$work/mnv2.pt" --arch resnet18 --out "$work/wrong.safetensors"
  expect_failure predict-torchscript-needs-arch 2 "$work/mnv2.pt is not a Transfer Lab checkpoint; name its architecture with --arch" -- \
    predict --model "$work/mnv2.pt" "$work/colour.png"
  # predict against torchvision on the same PNG: PIL decodes it, the eval
  # transform runs without resizing (the image is already 224x224), torchvision
  # computes the logits; ours must agree within 1e-4.
  if /usr/bin/python3 "$tools/export-torchvision.py" resnet18 "$work/r18.pt" --random-weights >/dev/null &&
     /usr/bin/python3 -c 'import sys; from PIL import Image
Image.effect_noise((224, 224), 60).convert("RGB").save(sys.argv[1])' "$work/r18.png" &&
     "$cli" predict --model "$work/r18.pt" --arch resnet18 --logits "$work/r18.png" >"$work/r18.json" 2>"$work/err" &&
     /usr/bin/python3 -c 'import json, sys, torch
from PIL import Image
from torchvision import transforms
model = torch.jit.load(sys.argv[1]).eval()
x = transforms.Compose([transforms.ToTensor(),
                        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])(Image.open(sys.argv[2]))
with torch.no_grad():
    expected = model(x.unsqueeze(0))[0]
ours = torch.tensor(json.load(open(sys.argv[3]))["images"][0]["logits"])
delta = float((ours - expected).abs().max())
print(f"predict resnet18 vs torchvision: max |delta logit| = {delta:.2g}")
sys.exit(0 if delta <= 1e-4 else 1)' "$work/r18.pt" "$work/r18.png" "$work/r18.json"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAIL predict-conformance:"; cat "$work/err"
  fi
else
  echo "skipped: import of a torchvision export (/usr/bin/python3 cannot import torchvision)"
fi

# The built-in models list and their layer trees, when the checkpoints are there.
if "$cli" models >"$work/models" 2>"$work/err"; then
  first=$(head -1 "$work/models")
  if grep -q "source task: Fashion-MNIST" "$work/models" && "$cli" layers --model "$first" | grep -q "Conv2d"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAIL models/layers"; cat "$work/models"
  fi
fi

# Probes: flags first, then a layer that does not exist and real probes of
# the checkpoint pretrained above (its layers are small_cnn's).
expect_failure probe-layer-and-all 2 "probe takes --layer PATH or --all-blocks, not both" -- \
  probe "$work/any.json" --layer features.0 --all-blocks
expect_failure probe-k-zero 2 "--k: expected an integer >= 1, got '0'" -- probe "$work/any.json" --k 0
expect_failure probe-bad-classifier 2 '--classifier: expected "logistic_regression", "knn" or "both", got "svm"' -- \
  probe "$work/any.json" --classifier svm
expect_failure probe-bad-l2 1 "probe.l2: expected a number in [0, 1e+06], got -1" -- \
  probe "$(config probel2 '{"model": {"architecture": "small_cnn"}, "probe": {"l2": -1}}')"
expect_failure probe-unknown-layer 1 "probe.layer: no layer 'features.7' in small_cnn; layers that can be probed: input, features.0" -- \
  probe "$run_config" --layer features.7 --out "$work/probe-unknown"
expect_failure probe-residual-inside 1 "probe.layer: 'layer1.0.conv1' is inside layer1.0 (BasicBlock)" -- \
  probe "$(config proberesnet "{\"model\": {\"architecture\": \"resnet_narrow\"}, $tiny}")" --layer layer1.0.conv1
if [ -f "$work/tiny.safetensors" ]; then
  probe_config=$(config probe "{\"name\": \"probe\", \"model\": {\"pretrained\": \"$work/tiny.safetensors\"}, $tiny}")
  if "$cli" probe "$probe_config" --layer features.1.2 --k 3 --out "$work/probe" >"$work/out" 2>"$work/err" &&
     grep -q "^features.1.2 *block2 *ReLU *1600 " "$work/out" &&
     grep -q "^wrote $work/probe/run.json and $work/probe/probe.csv$" "$work/out" &&
     grep -q '"best_layer": "features.1.2"' "$work/probe/run.json" &&
     [ "$(wc -l <"$work/probe/probe.csv")" -eq 2 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAIL probe-layer:"; cat "$work/err" "$work/out"
  fi
  if "$cli" probe "$probe_config" --all-blocks --classifier knn --out "$work/profile" >"$work/out" 2>"$work/err" &&
     grep -q "^input  *pixels *784 *- *- *[0-9.]*%$" "$work/out" && grep -q "^features.2 *block3 " "$work/out" &&
     [ "$(wc -l <"$work/profile/probe.csv")" -eq 5 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAIL probe-profile:"; cat "$work/err" "$work/out"
  fi
fi

# Your own images: a checked-in folder of three colour classes (12x12 PNGs, a
# grey BMP, a text file named .png) trains a grey model, and run.json reports
# the classes and the skipped file. The decode cache stays in $work.
images=$(cd "$(dirname "$0")/../data/images/colours" && pwd)
folder_config=$(config folder "{\"name\": \"folder\", \"model\": {\"architecture\": \"small_cnn\"},
  \"target\": {\"folder\": \"$images\", \"val_fraction\": 0.2}, \"training\": {\"epochs\": 1, \"batch_size\": 4}}")
if XDG_CACHE_HOME="$work/cache" "$cli" run "$folder_config" --out "$work/folder-run" >"$work/out" 2>"$work/err" &&
   grep -Eq '"skipped_count": ?1' "$work/folder-run/run.json" && grep -q "$images/red/notes.png" "$work/folder-run/run.json" &&
   ls "$work/cache/transferlab/images/"*.pt >/dev/null 2>&1; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); echo "FAIL folder-run:"; cat "$work/err" "$work/out"
fi
mkdir -p "$work/one-class/cats" && cp "$images/red/0.png" "$work/one-class/cats/"
expect_failure folder-one-class 1 "target.folder: $work/one-class: only one class folder ('cats'); a classifier needs at least two" -- \
  run "$(config oneclass "{\"model\": {\"architecture\": \"small_cnn\"}, \"target\": {\"folder\": \"$work/one-class\"}}")"
expect_failure folder-with-classes 1 "target.classes: applies to Fashion-MNIST only" -- \
  run "$(config folderclasses "{\"target\": {\"folder\": \"$images\", \"classes\": [0, 1]}}")"

# analyze: the comparison trained above (two seeds, its twin) gets its analysis
# folder and a summary; a run from scratch has no twin and no source images,
# which the summary says; a folder without a model and a bad flag are named.
if [ -f "$work/twin/model.safetensors" ]; then
  if "$cli" analyze "$work/twin" --samples 30 --top 3 >"$work/out" 2>"$work/err" &&
     grep -q "^test accuracy from the confusion matrix: transfer [0-9.]*% (recorded [0-9.]*%)$" "$work/out" &&
     grep -q "^feature map, pretrained model, features.2 (128 features): 30 source + 30 target images; MMD" "$work/out" &&
     grep -q "^feature map, trained model, features.2 " "$work/out" &&
     grep -q "^wrote $work/twin/analysis/ (confusion.csv, " "$work/out" &&
     [ "$(wc -l <"$work/twin/analysis/top_losses.csv")" -eq 4 ] &&
     [ "$(wc -l <"$work/twin/analysis/confusion.csv")" -eq 3 ] &&
     grep -q '"feature_maps"' "$work/twin/analysis/analysis.json" &&
     grep -q "^Trouser,[^,]*,[^,]*,[^,]*,2," "$work/twin/analysis/per_class.csv"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAIL analyze-comparison:"; cat "$work/err" "$work/out"
  fi
fi
if "$cli" analyze "$work/run" --samples 20 >"$work/out" 2>"$work/err" &&
   grep -q "^note: no twin: the run was trained without one (run --twin), so there are no twin columns$" "$work/out" &&
   grep -q "^note: the run trained from scratch: " "$work/out" &&
   [ -f "$work/run/analysis/embedding.csv" ] && ! ls "$work/run/analysis" | grep -q tmp; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); echo "FAIL analyze-single-run:"; cat "$work/err" "$work/out"
fi
mkdir -p "$work/no-model" "$work/not-a-run" && cp "$work/run/config.json" "$work/no-model/"
expect_failure analyze-no-model 1 "$work/no-model/model.safetensors: not found; the analysis needs the trained model" -- \
  analyze "$work/no-model"
expect_failure analyze-not-a-run 1 "$work/not-a-run: not a run folder (it has neither config.json nor run.json)" -- \
  analyze "$work/not-a-run"
expect_failure analyze-samples 2 "--samples: expected an integer >= 1, got '0'" -- analyze "$work/run" --samples 0
expect_failure analyze-layer 1 "feature map layer: no layer 'features.9' in small_cnn" -- analyze "$work/run" --layer features.9

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
