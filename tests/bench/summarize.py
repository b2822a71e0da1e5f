#!/usr/bin/python3
"""Turns run.sh's raw JSON lines into bench.json: medians over the repetitions."""
import json
import os
import statistics
import sys
import time

JOBS = ["smallcnn-feature-extraction", "smallcnn-partial-finetune", "smallcnn-full-finetune",
        "resnet_narrow-feature-extraction", "resnet_narrow-partial-finetune", "resnet_narrow-full-finetune",
        "smallcnn-dann"]
# Forward + backward of a training step costs ~3x the forward pass (the backward
# computes gradients with respect to both the inputs and the weights).
FLOP_FACTOR = 3


def main():
    raw, out = sys.argv[1], sys.argv[2]
    rows = [json.loads(line) for line in open(raw) if line.strip()]

    def pick(side, job, key="images_per_s"):
        values = [r[key] for r in rows if r["side"] == side and r["job"] == job]
        return (statistics.median(values), len(values)) if values else (None, 0)

    result = []
    for job in JOBS:
        ours, reps = pick("transferlab", job)
        tutorial, _ = pick("pytorch_tutorial", job)
        tuned, _ = pick("pytorch_tuned", job)
        if ours is None or tutorial is None or tuned is None:
            continue
        params = {r["side"]: r["parameters"] for r in rows if r["job"] == job and "parameters" in r}
        if len(set(params.values())) != 1:
            sys.exit(f"summarize: {job}: the models differ in parameter count: {params}")
        entry = {"job": job, "transferlab_images_per_s": round(ours, 1), "pytorch_images_per_s": round(tutorial, 1),
                 "pytorch_tuned_images_per_s": round(tuned, 1), "ratio": round(ours / tutorial, 2),
                 "ratio_tuned": round(ours / tuned, 2), "repetitions": reps,
                 "parameters": next(iter(params.values()))}
        nchw, _ = pick("transferlab_nchw", job)
        tuned_cl, _ = pick("pytorch_tuned_channels_last", job)
        if nchw and tuned_cl:
            entry["weight_layout"] = {"transferlab_nchw_images_per_s": round(nchw, 1),
                                      "channels_last_speedup": round(ours / nchw, 2),
                                      "pytorch_tuned_channels_last_images_per_s": round(tuned_cl, 1),
                                      "ratio_tuned_channels_last": round(ours / tuned_cl, 2)}
        glibc, _ = pick("transferlab_glibc_malloc", job)
        if glibc:
            faults, _ = pick("transferlab", job, "minor_page_faults")
            glibc_faults, _ = pick("transferlab_glibc_malloc", job, "minor_page_faults")
            entry["malloc"] = {"transferlab_glibc_default_images_per_s": round(glibc, 1),
                               "tuned_malloc_speedup": round(ours / glibc, 2),
                               "minor_page_faults": faults, "glibc_default_minor_page_faults": glibc_faults}
        if job.endswith("feature-extraction"):
            o, _ = pick("transferlab", job, "later_epochs_images_per_s")
            t, _ = pick("pytorch_tutorial", job, "later_epochs_images_per_s")
            u, _ = pick("pytorch_tuned", job, "later_epochs_images_per_s")
            entry.update({"later_epochs": {"transferlab_images_per_s": round(o, 1),
                                           "pytorch_images_per_s": round(t, 1),
                                           "pytorch_tuned_images_per_s": round(u, 1),
                                           "ratio": round(o / t, 2), "ratio_tuned": round(u and o / u, 2)}})
        result.append(entry)

    peak, _ = pick("transferlab", "conv-peak", "conv_peak_gflops")
    full = [r for r in rows if r["side"] == "transferlab" and r["job"] == "smallcnn-full-finetune"]
    if peak and full:
        ips = statistics.median(r["images_per_s"] for r in full)
        flops = full[0]["flops_per_image"]
        achieved = flops * FLOP_FACTOR * ips / 1e9
        result.append({"job": "gflops", "model": "small_cnn", "step": "full fine-tuning (forward + backward + SGD)",
                       "flops_per_image_forward": flops, "flop_factor": FLOP_FACTOR,
                       "achieved_gflops": round(achieved, 2), "conv_peak_gflops": round(peak, 2),
                       "fraction_of_peak": round(achieved / peak, 3),
                       "peak_measured_by": "tl_bench peak: one conv2d 3x3 forward, input [32,128,28,28], "
                                           "128 filters, best of 10, all cores"})

    blas = {}
    for side in ("transferlab_openblas1", "transferlab_openblas2"):
        v, n = pick(side, "smallcnn-full-finetune")
        if v:
            blas[side] = (v, n)
    if len(blas) == 2:
        one, two = blas["transferlab_openblas1"][0], blas["transferlab_openblas2"][0]
        result.append({"job": "openblas-threads", "model": "small_cnn full fine-tuning",
                       "images_per_s_openblas_1_thread": round(one, 1),
                       "images_per_s_openblas_2_threads": round(two, 1), "speedup_of_1_thread": round(one / two, 3),
                       "repetitions": blas["transferlab_openblas1"][1]})

    one, n1 = pick("transferlab_threads1", "smallcnn-full-finetune")
    every, _ = pick("transferlab", "smallcnn-full-finetune")
    if one and every:
        result.append({"job": "torch-threads", "model": "small_cnn full fine-tuning",
                       "images_per_s_every_core": round(every, 1), "images_per_s_1_thread": round(one, 1),
                       "speedup_of_every_core": round(every / one, 3), "repetitions": n1})

    result.append({"job": "conditions", "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   "cores": os.cpu_count(), "train_images": 2048, "validation_images": 512, "batch_size": 64,
                   "optimizer": "SGD lr 0.01 momentum 0.9", "data": "Fashion-MNIST classes 0-4",
                   "statistic": "median over repetitions, each run after a 1-epoch warm-up; images/s over the "
                                "whole run (validation each epoch included)",
                   "note": "2 cores shared with other builds: absolute figures are noisy, the ratios come from "
                           "interleaved runs"})
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    os.replace(tmp, out)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
