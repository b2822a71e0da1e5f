#!/usr/bin/python3
"""Checks that an exported Transfer Lab model loads back into torchvision with
tools/load-exported-model.py and gives Transfer Lab's logits.

    /usr/bin/python3 tests/conformance/exported_model_check.py MODEL.safetensors IO.safetensors

IO.safetensors holds "input" [N, C, H, W] and "logits" [N, classes], computed
by Transfer Lab. Prints the largest difference; exits 1 above 1e-4.
"""
import importlib.util
import os
import sys

import torch

TOOL = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "load-exported-model.py")


def load_tool():
    spec = importlib.util.spec_from_file_location("load_exported_model", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(model_path, io_path):
    tool = load_tool()
    model, info = tool.load_exported_model(model_path)
    io, _ = tool.read_safetensors(io_path)
    with torch.no_grad():
        logits = model(io["input"])
    delta = float((logits - io["logits"]).abs().max())
    print(f"{info['architecture']}: max |delta logit| = {delta:.3g}, classes {info['class_names']}")
    sys.exit(0 if delta <= 1e-4 else 1)


if __name__ == "__main__":
    main(*sys.argv[1:3])
