#!/usr/bin/python3
"""Writes tests/data/torchvision/<arch>.keys.txt: every state_dict key of
torchvision's model with its shape ("layer1.0.conv1.weight 64,64,3,3"; a scalar
has an empty shape), in state_dict order. The C++ models must match these
files exactly, so that weights exported from PyTorch load by name.

Run once with Debian's interpreter (python3-torchvision 0.14):
    /usr/bin/python3 tools/torchvision-keys.py tests/data/torchvision
"""
import os
import sys

import torchvision

ARCHITECTURES = ["resnet18", "resnet34", "resnet50", "mobilenet_v2"]


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name in ARCHITECTURES:
        model = getattr(torchvision.models, name)(weights=None)
        lines = [f"{key} {','.join(str(d) for d in t.shape)}" for key, t in model.state_dict().items()]
        with open(os.path.join(out_dir, f"{name}.keys.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        print(f"{name}: {len(lines)} keys")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/data/torchvision")
