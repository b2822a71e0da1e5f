#!/usr/bin/python3
"""Exports a torchvision model, with its pretrained ImageNet weights, to a
TorchScript file that Transfer Lab imports by name:

    /usr/bin/python3 tools/export-torchvision.py resnet18 resnet18.pt
    build/app/transferlab-cli import resnet18.pt --arch resnet18 --out resnet18.safetensors

ARCH is one of resnet18, resnet34, resnet50, mobilenet_v2. torchvision
downloads the weights on first use (to ~/.cache/torch). --random-weights skips
the download and exports seeded random weights instead (for tests).
"""
import argparse

import torch
import torchvision

ARCHITECTURES = ["resnet18", "resnet34", "resnet50", "mobilenet_v2"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("arch", choices=ARCHITECTURES)
    parser.add_argument("out", help="the TorchScript file to write (.pt)")
    parser.add_argument("--random-weights", action="store_true", help="seeded random weights, no download")
    args = parser.parse_args()

    torch.manual_seed(0)
    weights = None if args.random_weights else "DEFAULT"
    model = getattr(torchvision.models, args.arch)(weights=weights).eval()
    torch.jit.script(model).save(args.out)
    count = sum(p.numel() for p in model.parameters())
    print(f"{args.arch}: {count:,} parameters ({'random' if weights is None else 'ImageNet'} weights) -> {args.out}")


if __name__ == "__main__":
    main()
