#!/usr/bin/python3
"""Conformance cases for Transfer Lab's torchvision architectures.

For each architecture writes into OUT_DIR:
  <arch>.pt     torch.jit.script of torchvision's model with seeded random
                weights, in eval mode (what a user's export looks like)
  <arch>.io.pt  a TorchScript module whose buffers "input" [2, 3, 224, 224]
                and "logits" [2, 1000] are torchvision's forward on that input

The weights are torchvision's seeded initialisation plus random batch-norm
scales and shifts, and running statistics measured on random images (so every
batch norm does real work in eval mode without the activations blowing up).
Must run under Debian's interpreter, /usr/bin/python3 (python3-torchvision).

    /usr/bin/python3 tests/conformance/torchvision_cases.py OUT_DIR [ARCH...]
"""
import os
import sys

import torch
import torchvision

ARCHITECTURES = ["resnet18", "resnet34", "resnet50", "mobilenet_v2"]


class InputAndLogits(torch.nn.Module):
    def __init__(self, x, logits):
        super().__init__()
        self.register_buffer("input", x)
        self.register_buffer("logits", logits)

    def forward(self):
        return self.logits


def seeded_model(name, seed):
    torch.manual_seed(seed)
    model = getattr(torchvision.models, name)(weights=None)
    batch_norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for bn in batch_norms:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.normal_(0.0, 0.1)
            bn.momentum = 1.0  # one training pass sets the running statistics to its batch's
        model.train()
        model(torch.randn(4, 3, 112, 112))
        for bn in batch_norms:
            bn.momentum = 0.1
    return model.eval()


def main(out_dir, names):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    for i, name in enumerate(names):
        model = seeded_model(name, seed=i + 1)
        torch.manual_seed(100 + i)
        x = torch.randn(2, 3, 224, 224)
        with torch.no_grad():
            logits = model(x)
        torch.jit.script(model).save(os.path.join(out_dir, f"{name}.pt"))
        torch.jit.script(InputAndLogits(x, logits)).save(os.path.join(out_dir, f"{name}.io.pt"))
        print(f"{name}: logits in [{logits.min().item():.3f}, {logits.max().item():.3f}]")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:] or ARCHITECTURES)
