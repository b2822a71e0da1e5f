#!/usr/bin/python3
"""Writes the seed corpus of the fuzz targets into tests/fuzz/corpus/<target>/.

Small valid files and near-valid variants (one field off), so the fuzzers
start inside each format instead of guessing its magic. Standard library
only; the output is deterministic, and committed.
"""
import gzip
import json
import pathlib
import shutil
import struct

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
PRESETS = HERE.parent.parent / "resources" / "presets"


def write(target, name, data):
    path = CORPUS / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


# ---- IDX ---------------------------------------------------------------------

def idx(dims, payload=None, type_code=0x08):
    header = bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    if payload is None:
        count = 1
        for d in dims:
            count *= d
        payload = bytes(i * 7 % 256 for i in range(count))
    return header + payload


def idx_corpus():
    labels = idx([6], bytes([9, 0, 0, 3, 0, 2]))
    images = idx([2, 4, 4])
    write("idx", "labels.idx", labels)
    write("idx", "labels.idx.gz", gz(labels))
    write("idx", "images.idx", images)
    write("idx", "images.idx.gz", gz(images))
    write("idx", "four-dims.idx", idx([2, 1, 3, 2]))
    write("idx", "empty-dim.idx", idx([0, 28, 28]))
    write("idx", "truncated-payload.idx", images[:-5])
    write("idx", "truncated-header.idx", images[:9])
    write("idx", "float-type.idx", idx([2], b"\0" * 8, type_code=0x0D))
    write("idx", "huge-declared.idx.gz", gz(idx([65536, 65536], b"")))


# ---- safetensors and checkpoints --------------------------------------------

def safetensors(tensors, metadata=None):
    """tensors: list of (name, dtype code, shape, raw bytes)."""
    header, offset, data = {}, 0, b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        data += raw
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text.encode() + data


def f32(*values):
    return struct.pack("<%df" % len(values), *values)


SMALL_TENSORS = [
    ("fc.weight", "F32", [2, 3], f32(0.5, -1.0, 2.0, 0.0, 1.5, -0.25)),
    ("fc.bias", "F32", [2], f32(0.1, -0.1)),
    ("bn.num_batches_tracked", "I64", [], struct.pack("<q", 12)),
]


def safetensors_corpus():
    write("safetensors", "small.safetensors", safetensors(SMALL_TENSORS, {"format": "pt"}))
    write("safetensors", "all-dtypes.safetensors", safetensors([
        ("f64", "F64", [1], struct.pack("<d", 1.0)),
        ("f16", "F16", [2], b"\x00\x3c\x00\xc0"),
        ("bf16", "BF16", [1], b"\x80\x3f"),
        ("i32", "I32", [1], struct.pack("<i", -7)),
        ("i16", "I16", [1], struct.pack("<h", 3)),
        ("i8", "I8", [2], b"\x01\xff"),
        ("u8", "U8", [3], b"\x01\x02\x03"),
        ("bool", "BOOL", [2], b"\x01\x00"),
        ("empty", "F32", [0, 4], b""),
    ]))
    write("safetensors", "empty-header.safetensors", safetensors([]))
    good = safetensors(SMALL_TENSORS)
    write("safetensors", "truncated-data.safetensors", good[:-4])
    write("safetensors", "header-too-long.safetensors", struct.pack("<Q", 1 << 63) + good[8:])
    bad = safetensors([("x", "F32", [2], f32(1.0, 2.0))]).replace(b'"data_offsets":[0,8]', b'"data_offsets":[0,9]')
    write("safetensors", "offsets-beyond-end.safetensors", bad)


def checkpoint_metadata():
    return {
        "architecture": "small_cnn",
        "input": {"channels": 1, "height": 28, "width": 28},
        "source_task": "Fashion-MNIST classes 0-4",
        "class_names": ["T-shirt/top", "Trouser"],
        "training_images": 30000,
        "source_accuracy": 0.9,
        "seed": 1,
        "created": "2026-11-26T12:06:19Z",
        "license": "MIT",
        "normalization_mean": [0.286],
        "normalization_std": [0.353],
        "extra": {"epochs": 3, "recipe": {"name": "pretrain-small_cnn"}},
    }


def checkpoint_corpus():
    meta = checkpoint_metadata()
    write("checkpoint", "small.safetensors",
          safetensors(SMALL_TENSORS, {"transferlab": json.dumps(meta)}))
    nan = [("fc.weight", "F32", [2], f32(float("nan"), float("inf")))]
    write("checkpoint", "nan-weights.safetensors", safetensors(nan, {"transferlab": json.dumps(meta)}))
    write("checkpoint", "no-transferlab-entry.safetensors", safetensors(SMALL_TENSORS, {"format": "pt"}))
    write("checkpoint", "metadata-not-json.safetensors", safetensors([], {"transferlab": "{\"architecture\":"}))
    wrong = dict(meta, class_names="T-shirt", seed=-1, input=[1, 28, 28])
    write("checkpoint", "metadata-wrong-types.safetensors", safetensors([], {"transferlab": json.dumps(wrong)}))


# ---- configs -------------------------------------------------------------------

def config_corpus():
    for preset in sorted(PRESETS.glob("*.json")):
        shutil.copyfile(preset, CORPUS / "config" / preset.name)
    write("config", "minimal.json", json.dumps({"model": {"architecture": "small_cnn"}}))
    write("config", "every-section.json", json.dumps({
        "name": "all",
        "model": {"architecture": "resnet_narrow"},
        "source": {"classes": [0, 1, 2, 3, 4]},
        "target": {"classes": [5, 6], "shots_per_class": 5, "seed": 3,
                   "shift": {"kind": "rotate", "strength": 0.5},
                   "mismatch": {"swaps": [[5, 6]], "label_noise": 0.1}},
        "transfer": {"similarity": "low", "strategy": "full_fine_tuning",
                     "layers": {"fc": {"trainable": True, "lr_multiplier": 2.0}}},
        "training": {"epochs": 1, "batch_size": 8, "learning_rate": 0.1, "optimizer": "adam"},
        "mitigations": {"l2sp": 0.01},
        "probe": {},
    }, indent=1))
    write("config", "wrong-types.json", json.dumps({
        "name": 5, "model": [], "target": {"classes": "all"}, "training": {"epochs": "ten"}}))
    write("config", "unknown-field.json", json.dumps({"model": {"architecture": "small_cnn", "layers": 3}}))


if __name__ == "__main__":
    (CORPUS / "config").mkdir(parents=True, exist_ok=True)
    idx_corpus()
    safetensors_corpus()
    checkpoint_corpus()
    config_corpus()
