#!/usr/bin/python3
"""The Python PyTorch side of tests/bench/run.sh.

    /usr/bin/python3 pytorch_loops.py JOB LOOP [--epochs E]

JOB as tl_bench's (smallcnn-full-finetune, resnet_narrow-feature-extraction, ...);
LOOP is "tutorial" (DataLoader with default settings over a TensorDataset,
default torch thread settings), "tuned" (torch.set_num_threads(os.cpu_count()),
batches sliced from the tensors, no DataLoader) or "tuned_channels_last" (the
tuned loop with the model's weights channels-last, as Transfer Lab trains: it
shows how much of the difference is the memory layout). The models mirror
core/models/small_cnn.cpp and core/models/resnet.cpp layer by layer (the
parameter count is printed so run.sh can check it against tl_bench's); the data,
batch size, optimizer and freezing follow tl_bench.cpp. Prints one JSON line.
"""
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

DATA_DIR = "/usr/share/datasets/fashion-mnist"
TRAIN_IMAGES, VALIDATION_IMAGES, CLASSES, BATCH = 2048, 512, 5, 64


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def first_of_classes(prefix, count):
    images = read_idx(f"{DATA_DIR}/{prefix}-images-idx3-ubyte.gz")
    labels = read_idx(f"{DATA_DIR}/{prefix}-labels-idx1-ubyte.gz")
    keep = np.nonzero(labels < CLASSES)[0][:count]
    x = torch.from_numpy(images[keep].astype(np.float32) / 255.0).unsqueeze(1).contiguous()
    y = torch.from_numpy(labels[keep].astype(np.int64))
    return x, y


# --- core/models/small_cnn.cpp -------------------------------------------------
def conv_block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True), nn.MaxPool2d(2))


class SmallCnn(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.features = nn.Sequential(conv_block(1, 32), conv_block(32, 64), conv_block(64, 128))
        self.classifier = nn.Linear(128, classes)

    def blocks(self):
        return [self.features[0], self.features[1], self.features[2]]

    def head(self):
        return self.classifier

    def embed(self, x):
        return F.adaptive_avg_pool2d(self.features(x), 1).flatten(1)

    def forward(self, x):
        return self.classifier(self.embed(x))


# --- core/models/resnet.cpp, basic_block.cpp (resnet_narrow) ---------------------
class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False),
                                            nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + identity)


class ResNetNarrow(nn.Module):
    def __init__(self, classes, widths=(16, 32, 64, 128)):
        super().__init__()
        self.conv1 = nn.Conv2d(1, widths[0], 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        inplanes = widths[0]
        for s, planes in enumerate(widths):
            setattr(self, f"layer{s + 1}", nn.Sequential(BasicBlock(inplanes, planes, 1 if s == 0 else 2)))
            inplanes = planes
        self.fc = nn.Linear(widths[-1], classes)

    def blocks(self):
        return [nn.ModuleList([self.conv1, self.bn1]), self.layer1, self.layer2, self.layer3, self.layer4]

    def head(self):
        return self.fc

    def embed(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return F.adaptive_avg_pool2d(x, 1).flatten(1)

    def forward(self, x):
        return self.fc(self.embed(x))


# --- core/transfer/domain_classifier.cpp, gradient_reversal.cpp (DANN) -----------
class DomainClassifier(nn.Module):
    def __init__(self, feature_dim, hidden=64):
        super().__init__()
        self.fc1, self.fc2, self.out = nn.Linear(feature_dim, hidden), nn.Linear(hidden, hidden), nn.Linear(hidden, 1)

    def forward(self, f):
        return self.out(F.relu(self.fc2(F.relu(self.fc1(f))))).squeeze(1)


class ReverseGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lam):
        ctx.lam = lam
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return -ctx.lam * grad, None


def dann_lambda(progress):
    return 2.0 / (1.0 + math.exp(-10.0 * min(1.0, max(0.0, progress)))) - 1.0


class DannStep:
    """The Trainer's DANN step: labelled and unlabelled images through the
    blocks together, task CE + BCE of the domain classifier behind gradient
    reversal (unlabelled target = the inverted training images)."""

    def __init__(self, model, total_batches):
        self.model, self.total, self.done = model, total_batches, 0
        self.domain = DomainClassifier(model.head().in_features)

    def parameters(self):
        return list(self.domain.parameters())

    def __call__(self, xb, yb, tb):
        self.done += 1
        lam = dann_lambda((self.done - 1) / self.total)
        feats = self.model.embed(torch.cat([xb, tb]))
        out = self.model.head()(feats[:len(xb)])
        task = F.cross_entropy(out, yb)
        domains = torch.cat([torch.zeros(len(xb)), torch.ones(len(tb))])
        logits = self.domain(ReverseGradient.apply(feats, lam))
        return out, task, task + F.binary_cross_entropy_with_logits(logits, domains)


def build(job):
    arch, strategy = job.split("-", 1)
    model = SmallCnn(CLASSES) if arch == "smallcnn" else ResNetNarrow(CLASSES)
    blocks = model.blocks()
    # core/transfer/strategy.cpp with default options: feature extraction freezes
    # every block; partial fine-tuning trains the top block and the head.
    frozen = {"feature-extraction": blocks, "partial-finetune": blocks[:-1], "full-finetune": [], "dann": []}[strategy]
    for block in frozen:
        for p in block.parameters():
            p.requires_grad_(False)
    return model, frozen


def set_modes(model, frozen):
    model.train()
    for block in frozen:
        block.eval()  # frozen BatchNorm keeps its statistics, as the Trainer does


def train_tutorial(model, frozen, data, epochs, dann=False):
    (x, y), (vx, vy) = data
    loader = DataLoader(TensorDataset(x, y), batch_size=BATCH, shuffle=True)
    dann_step = DannStep(model, len(loader) * epochs) if dann else None
    target_loader = DataLoader(TensorDataset(1.0 - x), batch_size=BATCH, shuffle=True) if dann else None
    params = [p for p in model.parameters() if p.requires_grad] + (dann_step.parameters() if dann else [])
    opt = torch.optim.SGD(params, lr=0.01, momentum=0.9)
    val_loader = DataLoader(TensorDataset(vx, vy), batch_size=256)
    epoch_seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        set_modes(model, frozen)
        running_loss, correct = 0.0, 0
        targets = iter(target_loader) if dann else None
        for xb, yb in loader:
            tb = next(targets)[0] if dann else None
            out, loss = train_step(model, opt, dann_step, xb, yb, tb)
            running_loss += loss.item() * xb.size(0)
            correct += (out.argmax(1) == yb).sum().item()
        model.eval()
        val_correct = 0
        with torch.no_grad():
            for xb, yb in val_loader:
                val_correct += (model(xb).argmax(1) == yb).sum().item()
        epoch_seconds.append(time.perf_counter() - start)
    return epoch_seconds, val_correct / len(vy)


def train_step(model, opt, dann_step, xb, yb, tb):
    """One optimisation step, the same in both loops; with DANN, tb is the
    unlabelled target batch. Returns the logits and the task loss."""
    opt.zero_grad()
    if dann_step is not None:
        out, loss, objective = dann_step(xb, yb, tb)
        objective.backward()
    else:
        out = model(xb)
        loss = F.cross_entropy(out, yb)
        loss.backward()
    opt.step()
    return out, loss


def train_tuned(model, frozen, data, epochs, dann=False):
    (x, y), (vx, vy) = data
    n = len(y)
    dann_step = DannStep(model, (n + BATCH - 1) // BATCH * epochs) if dann else None
    target = 1.0 - x if dann else None
    params = [p for p in model.parameters() if p.requires_grad] + (dann_step.parameters() if dann else [])
    opt = torch.optim.SGD(params, lr=0.01, momentum=0.9)
    epoch_seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        set_modes(model, frozen)
        order = torch.randperm(n)
        target_order = torch.randperm(n) if dann else None
        running_loss, correct = 0.0, 0
        for b in range(0, n, BATCH):
            idx = order[b:b + BATCH]
            xb, yb = x.index_select(0, idx), y.index_select(0, idx)
            tb = target.index_select(0, target_order[b:b + BATCH]) if dann else None
            out, loss = train_step(model, opt, dann_step, xb, yb, tb)
            running_loss += loss.item() * xb.size(0)
            correct += (out.argmax(1) == yb).sum().item()
        model.eval()
        val_correct = 0
        with torch.no_grad():
            for b in range(0, len(vy), 256):
                val_correct += (model(vx[b:b + 256]).argmax(1) == vy[b:b + 256]).sum().item()
        epoch_seconds.append(time.perf_counter() - start)
    return epoch_seconds, val_correct / len(vy)


def run(job, loop, data, epochs):
    torch.manual_seed(1)
    model, frozen = build(job)
    if loop == "tuned_channels_last":
        model = model.to(memory_format=torch.channels_last)
    fn = train_tutorial if loop == "tutorial" else train_tuned
    return model, fn(model, frozen, data, epochs, dann=job.endswith("-dann"))


def main():
    job, loop = sys.argv[1], sys.argv[2]
    epochs = int(sys.argv[sys.argv.index("--epochs") + 1]) if "--epochs" in sys.argv else 3
    if loop in ("tuned", "tuned_channels_last"):
        torch.set_num_threads(os.cpu_count())
    elif loop != "tutorial":
        sys.exit("loop: expected tutorial, tuned or tuned_channels_last")
    data = (first_of_classes("train", TRAIN_IMAGES), first_of_classes("t10k", VALIDATION_IMAGES))
    small = ((data[0][0][:256], data[0][1][:256]), (data[1][0][:64], data[1][1][:64]))
    run(job, loop, small, 1)  # warm-up, as tl_bench does
    start = time.perf_counter()
    model, (epoch_seconds, val_accuracy) = run(job, loop, data, epochs)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "side": "pytorch_" + loop, "job": job,
        "images_per_s": TRAIN_IMAGES * epochs / seconds,
        "later_epochs_images_per_s": TRAIN_IMAGES * (epochs - 1) / sum(epoch_seconds[1:]) if epochs > 1 else 0.0,
        "first_epoch_s": epoch_seconds[0], "seconds": seconds, "epochs": epochs,
        "parameters": sum(p.numel() for p in model.parameters()),
        "threads": torch.get_num_threads(), "final_val_accuracy": val_accuracy,
    }))


if __name__ == "__main__":
    main()
