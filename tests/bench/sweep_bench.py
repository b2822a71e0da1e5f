#!/usr/bin/python3
"""Times a transfer-aware sweep against the same trials run one by one.

A 4-depth x 3-seed sweep (frozen_depth 0-3) of a preset (default: the default
preset) with `transferlab-cli sweep`, which trains each seed's scratch twin
once and shares it between the depths, against the same 12 trials run one by
one with `transferlab-cli run TRIAL --twin --seeds 1 --seed S` (each trial's
own config.json, as the sweep wrote it, so both sides train the same jobs).
Prints the wall time and the peak resident memory (/usr/bin/time -v "Maximum
resident set size") of each side, the time ratio, and whether every trial's
transfer and twin accuracies agree between the two.

Not part of ctest (about 5 minutes on 2 cores). Run it alone, under the
build lock:

  flock /tmp/tl-build.lock tests/bench/sweep_bench.py [--cli PATH] [--preset FILE]
                                                     [--threads N] [--seeds K]

Exit status: 0 when the accuracies agree, 1 when one differs, 2 on a run error."""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEPTHS = [0, 1, 2, 3]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "transferlab-cli"))
    p.add_argument("--preset", default=os.path.join(ROOT, "resources", "presets", "default.json"))
    p.add_argument("--threads", type=int, default=0, help="LibTorch threads; 0 = every core")
    p.add_argument("--seeds", type=int, default=3)
    return p.parse_args()


def timed(command, env):
    """Runs `command` under /usr/bin/time -v; returns (seconds, peak RSS in MiB)."""
    start = time.monotonic()
    done = subprocess.run(["/usr/bin/time", "-v"] + command, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    seconds = time.monotonic() - start
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        sys.exit("sweep_bench.py: failed: " + " ".join(command))
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return seconds, int(match.group(1)) / 1024.0 if match else float("nan")


def per_seed_accuracies(run_json):
    with open(run_json) as f:
        record = json.load(f)
    return [(row["transfer"]["test_accuracy"], row["baseline"]["test_accuracy"]) for row in record["per_seed"]]


def main():
    args = parse_args()
    with open(args.preset) as f:
        config = json.load(f)
    config["training"] = dict(config["training"], threads=args.threads)
    config["sweep"] = {"axes": [{"field": "frozen_depth", "values": DEPTHS}], "seeds": args.seeds}
    work = tempfile.mkdtemp(prefix="sweep-bench-")
    env = dict(os.environ, TRANSFERLAB_DATA_DIR=os.path.join(work, "data"))
    config_path = os.path.join(work, "sweep.json")
    with open(config_path, "w") as f:
        json.dump(config, f)

    sweep_dir = os.path.join(work, "sweep")
    sweep_seconds, sweep_rss = timed([args.cli, "sweep", config_path, "--out", sweep_dir], env)
    with open(os.path.join(sweep_dir, "sweep.json")) as f:
        table = json.load(f)

    first_seed = config["training"].get("seed", 1)
    one_by_one_seconds, one_by_one_rss, mismatches = 0.0, 0.0, []
    for trial in table["trials"]:
        trial_config = os.path.join(trial["run_dir"], "config.json")
        for i, seed in enumerate(trial["seeds"]):
            out = os.path.join(work, "one-by-one", "trial-%d-seed-%d" % (trial["index"], seed))
            seconds, rss = timed([args.cli, "run", trial_config, "--twin", "--seeds", "1", "--seed", str(seed),
                                  "--out", out], env)
            one_by_one_seconds += seconds
            one_by_one_rss = max(one_by_one_rss, rss)
            transfer, twin = per_seed_accuracies(os.path.join(out, "run.json"))[0]
            if (transfer, twin) != (trial["accuracy"][i], trial["twin_accuracy"][i]):
                mismatches.append("trial %d seed %d: sweep %s/%s, run %s/%s" % (
                    trial["index"], seed, trial["accuracy"][i], trial["twin_accuracy"][i], transfer, twin))

    jobs = len(table["trials"]) * args.seeds
    print("preset %s, %d depths x %d seeds (seeds %d-%d), threads %d (0 = every core, %d here)" % (
        os.path.basename(args.preset), len(DEPTHS), args.seeds, first_seed, first_seed + args.seeds - 1,
        args.threads, os.cpu_count()))
    print("sweep:       %7.1f s, peak RSS %6.0f MiB (%d transfer jobs + %d twins)" % (
        sweep_seconds, sweep_rss, jobs, len(os.listdir(os.path.join(sweep_dir, "twins")))))
    print("one by one:  %7.1f s, peak RSS %6.0f MiB per run (%d runs, each with its twin)" % (
        one_by_one_seconds, one_by_one_rss, jobs))
    print("time ratio:  %.2fx less time with the sweep" % (one_by_one_seconds / sweep_seconds))
    for t in table["trials"]:
        print("  depth %d: %.1f%% +- %.1f, twin %.1f%%, %+.1f points" % (
            t["values"]["frozen_depth"], 100 * t["mean"], 100 * t["std"], 100 * t["twin_mean"], t["gain"]))
    if mismatches:
        print("accuracies differ:\n  " + "\n  ".join(mismatches))
        return 1
    print("every trial's transfer and twin accuracies are the same both ways")
    return 0


if __name__ == "__main__":
    sys.exit(main())
