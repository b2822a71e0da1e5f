#!/usr/bin/python3
"""Loads a model that Transfer Lab exported (RUN_DIR/model.safetensors, written
by every finished `transferlab-cli run` and by File > Export model... in the
GUI) back into PyTorch, and classifies images with it:

    /usr/bin/python3 tools/load-exported-model.py runs/NAME/model.safetensors [IMAGE...]

Needs only torch (Debian's python3-torch) to read the file; torchvision
(python3-torchvision) to rebuild resnet18/34/50 and mobilenet_v2 and to
preprocess images. The safetensors package is not needed: the format is an
8-byte little-endian header length, a JSON header and the raw tensor bytes,
which read_safetensors below reads with json, struct and torch.frombuffer.
"""
import json
import struct
import sys

import torch

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
          "U8": torch.uint8, "BOOL": torch.bool}


def read_safetensors(path):
    """Returns ({name: tensor}, {key: string}) of a safetensors file."""
    with open(path, "rb") as f:
        (header_size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_size))
        data = bytearray(f.read())
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = DTYPES[entry["dtype"]]
        count = (end - begin) // torch.empty((), dtype=dtype).element_size()
        flat = torch.frombuffer(data, dtype=dtype, count=count, offset=begin) if count else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(entry["shape"]).clone()
    return tensors, metadata


def load_exported_model(path):
    """A torchvision model with the exported weights, in eval mode, and the
    export's metadata (architecture, class_names, extra.preprocessing, ...)."""
    import torchvision

    tensors, metadata = read_safetensors(path)
    info = json.loads(metadata["transferlab"])
    model = getattr(torchvision.models, info["architecture"])(num_classes=len(info["class_names"]))
    model.load_state_dict(tensors)  # strict: every name and shape must match
    return model.eval(), info


def image_transform(info):
    """torchvision transforms equal to the export's recorded preprocessing."""
    from torchvision import transforms

    p = info["extra"]["preprocessing"]
    channels, height, width = p["input"]
    steps = [transforms.Grayscale(1)] if channels == 1 else [transforms.Lambda(lambda im: im.convert("RGB"))]
    if p["resize"] == "shorter_side_then_center_crop":
        steps += [transforms.Resize(p["resize_size"]), transforms.CenterCrop((height, width))]
    else:
        steps += [transforms.Resize((height, width))]
    return transforms.Compose(steps + [transforms.ToTensor(), transforms.Normalize(p["mean"], p["std"])])


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    model, info = load_exported_model(argv[1])
    print(f"{info['architecture']}, {len(info['class_names'])} classes, "
          f"test accuracy {100 * info['source_accuracy']:.1f}% in run {info['extra']['run']['name']!r}")
    if len(argv) > 2:
        from PIL import Image

        transform = image_transform(info)
        for image in argv[2:]:
            with torch.no_grad():
                probabilities = model(transform(Image.open(image)).unsqueeze(0)).softmax(1)[0]
            best = int(probabilities.argmax())
            print(f"{image}: {info['class_names'][best]} ({100 * float(probabilities[best]):.1f}%)")


if __name__ == "__main__":
    main(sys.argv)
