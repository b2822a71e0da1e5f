#!/usr/bin/python3
"""Re-measures every teaching preset and prints any whose verdict differs from
the `expected` verdict written in its file.

A preset with a "sweep" section is also swept (`transferlab-cli sweep`) in
every variant; for each value of its other axes, the frozen depth with the
highest and the one with the lowest accuracy in the sweep written in the file
(`expected.sweep`) must be so again, where the file's lead that depth by at
least 1 point over the next (closer ones are not claimed by a lesson).

Not part of ctest: each preset is run with its twin over two seed sets (1-3
and 4-6), once with 1 LibTorch thread and once with every core, which takes
~30 minutes on 2 cores. A lesson is only true if all four agree with the file.

  tests/bench/presets.py [--cli PATH] [--only ID ...] [--seed-sets 1,4]
                         [--threads 1,0] [--out FILE.jsonl]

Exit status: 0 when every measured verdict matches, 1 when one differs,
2 on a usage or run error. Each measurement is also appended to --out as a
JSON line (preset, first seed, threads, verdict, gap, std, both accuracies,
seconds)."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SEEDS_PER_SET = 3


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "transferlab-cli"))
    p.add_argument("--presets", default=os.path.join(ROOT, "resources", "presets"))
    p.add_argument("--only", nargs="*", default=None, help="preset ids (file names without .json)")
    p.add_argument("--seed-sets", default="1,4", help="first seed of each set of 3 seeds")
    p.add_argument("--threads", default="1,0", help="LibTorch threads per variant; 0 = every core")
    p.add_argument("--out", default=None, help="append each measurement to this JSON-lines file")
    return p.parse_args()


def preset_ids(directory, only):
    ids = sorted(f[:-5] for f in os.listdir(directory) if f.endswith(".json"))
    if only is None:
        return ids
    unknown = [i for i in only if i not in ids]
    if unknown:
        sys.exit("presets.py: no preset named " + ", ".join(unknown) + " (have: " + ", ".join(ids) + ")")
    return only


def write_config(config, workdir, name):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        json.dump(config, f)
    return path


def run_cli(command):
    """Runs a transferlab-cli command quietly; returns its wall time in seconds."""
    start = time.monotonic()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError(" ".join(command) + " failed:\n" + done.stderr[-2000:])
    return time.monotonic() - start


def measure(cli, preset, first_seed, threads, workdir):
    """Runs the preset with its twin over SEEDS_PER_SET seeds; returns run.json's verdict and the time."""
    config = dict(preset)
    config["training"] = dict(preset["training"], threads=threads)
    config_path = write_config(config, workdir, "config.json")
    out = os.path.join(workdir, "run-%d-%d" % (first_seed, threads))
    seconds = run_cli([cli, "run", config_path, "--seed", str(first_seed), "--seeds", str(SEEDS_PER_SET),
                       "--twin", "--out", out])
    with open(os.path.join(out, "run.json")) as f:
        run = json.load(f)
    accuracies = (run["transfer"]["test_accuracy"]["mean"], run["baseline"]["test_accuracy"]["mean"])
    return run["verdict"], accuracies, seconds


def group_key(values):
    """The trial's values but its frozen depth, as a printable key."""
    return json.dumps({k: v for k, v in values.items() if k != "frozen_depth"}, sort_keys=True)


MIN_LEAD = 0.01  # one point of accuracy, the smallest gap a verdict calls an effect


def extreme_depths(trials, min_lead=0.0):
    """{group: (best depth, worst depth)} of [(values, accuracy)]; a depth that
    leads the next by less than min_lead is None (not a claim)."""
    groups = {}
    for values, accuracy in trials:
        groups.setdefault(group_key(values), []).append((accuracy, values["frozen_depth"]))
    extremes = {}
    for g, rows in groups.items():
        rows.sort()
        best = rows[-1][1] if rows[-1][0] - rows[-2][0] >= min_lead else None
        worst = rows[0][1] if rows[1][0] - rows[0][0] >= min_lead else None
        extremes[g] = (best, worst)
    return extremes


def agrees(measured, written):
    return all(w is None or w == m for m, w in zip(measured, written))


def measure_sweep(cli, preset, first_seed, threads, workdir):
    """Runs the preset's sweep; returns [(values, mean accuracy)] and the time."""
    config = dict(preset)
    config["training"] = dict(preset["training"], threads=threads, seed=first_seed)
    config_path = write_config(config, workdir, "sweep-config.json")
    out = os.path.join(workdir, "sweep-%d-%d" % (first_seed, threads))
    seconds = run_cli([cli, "sweep", config_path, "--out", out])
    with open(os.path.join(out, "sweep.json")) as f:
        table = json.load(f)
    return [(t["values"], t["mean"]) for t in table["trials"]], seconds


def check_sweep(pid, preset, first_seed, threads, args, workdir):
    """Prints the measured curve; returns what differs from the file's, or None."""
    trials, seconds = measure_sweep(args.cli, preset, first_seed, threads, workdir)
    seeds = "%d-%d" % (first_seed, first_seed + SEEDS_PER_SET - 1)
    written = extreme_depths([(t["values"], t["accuracy"]) for t in preset["expected"]["sweep"]], MIN_LEAD)
    measured = extreme_depths(trials)
    for group in sorted(measured):
        curve = sorted((v["frozen_depth"], a) for v, a in trials if group_key(v) == group)
        mark = "" if agrees(measured[group], written.get(group, (None, None))) else "   DIFFERS from the file's best/worst %s" % (
            written.get(group),)
        print("%-28s seeds %-4s threads %-3s sweep %s: %s  best/worst depth %s  %4.0f s%s" %
              (pid, seeds, threads or "all", group, " ".join("%d:%.1f%%" % (d, 100 * a) for d, a in curve),
               measured[group], seconds, mark), flush=True)
        if mark:
            return "seeds %s, threads %s, sweep %s: best/worst depth %s" % (seeds, threads or "all", group,
                                                                               measured[group])
    return None


def main():
    args = parse_args()
    seed_sets = [int(s) for s in args.seed_sets.split(",")]
    thread_counts = [int(t) for t in args.threads.split(",")]
    differing = []
    with tempfile.TemporaryDirectory(prefix="tl-presets-") as workdir:
        for pid in preset_ids(args.presets, args.only):
            with open(os.path.join(args.presets, pid + ".json")) as f:
                preset = json.load(f)
            expected = preset.get("expected", {}).get("verdict")
            if expected is None:
                differing.append((pid, "has no expected verdict"))
                print("%-28s has no expected verdict" % pid, flush=True)
                continue
            for first_seed in seed_sets:
                for threads in thread_counts:
                    verdict, (transfer, twin), seconds = measure(args.cli, preset, first_seed, threads, workdir)
                    seeds = "%d-%d" % (first_seed, first_seed + SEEDS_PER_SET - 1)
                    label = verdict["label"]
                    mark = "" if label == expected else "   DIFFERS from expected " + expected
                    print("%-28s seeds %-4s threads %-3s %-13s %+6.1f ± %4.1f points (%.1f%% vs %.1f%%)  %4.0f s%s" %
                          (pid, seeds, threads or "all", label, verdict["gap"], verdict["std"], 100 * transfer,
                           100 * twin, seconds, mark),
                          flush=True)
                    if mark:
                        differing.append((pid, "seeds %s, threads %s: %s" % (seeds, threads or "all", label)))
                    if "sweep" in preset:
                        sweep_difference = check_sweep(pid, preset, first_seed, threads, args, workdir)
                        if sweep_difference:
                            differing.append((pid, sweep_difference))
                    if args.out:
                        with open(args.out, "a") as log:
                            log.write(json.dumps({"preset": pid, "first_seed": first_seed, "threads": threads,
                                                  "verdict": label, "gap": round(verdict["gap"], 2),
                                                  "std": round(verdict["std"], 2), "expected": expected,
                                                  "transfer_accuracy": transfer, "baseline_accuracy": twin,
                                                  "seconds": round(seconds, 1)}) + "\n")
    if differing:
        print("\npresets whose measured verdict differs from the file:")
        for pid, what in differing:
            print("  %s: %s" % (pid, what))
        return 1
    print("\nevery preset's measured verdict matches its file")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        print("presets.py: " + str(e), file=sys.stderr)
        sys.exit(2)
