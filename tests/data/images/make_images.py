#!/usr/bin/env python3
"""Writes the tiny image folder the CLI test trains on (tests/cli/cli_test.sh).

Three classes of 12x12 colour PNGs, each bright in its own channel with some
texture, plus a grey BMP and a text file named .png that the loader must skip
and report. Standard library only; the output is deterministic, so running
it again reproduces the checked-in files byte for byte.

    /usr/bin/python3 tests/data/images/make_images.py tests/data/images/colours
"""
import os
import struct
import sys
import zlib

SIZE = 12
PER_CLASS = 6
CLASSES = {"blue": 2, "green": 1, "red": 0}


def png(width, height, rows):
    """rows: list of bytes objects of width*3 RGB values."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + r for r in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def grey_bmp(width, height, value):
    """A 24-bit BMP (bottom-up rows padded to 4 bytes) of one grey level."""
    row = bytes([value] * 3 * width) + b"\x00" * ((4 - 3 * width % 4) % 4)
    pixels = row * height
    header = b"BM" + struct.pack("<IHHI", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return header + info + pixels


def colour_image(channel, index):
    rows = []
    for y in range(SIZE):
        row = bytearray()
        for x in range(SIZE):
            texture = (x * 13 + y * 7 + index * 29) % 64
            pixel = [texture, texture, texture]
            pixel[channel] = 160 + (x + y + index) % 96
            row += bytes(pixel)
        rows.append(bytes(row))
    return png(SIZE, SIZE, rows)


def main(root):
    for name, channel in CLASSES.items():
        os.makedirs(os.path.join(root, name), exist_ok=True)
        for i in range(PER_CLASS):
            with open(os.path.join(root, name, f"{i}.png"), "wb") as f:
                f.write(colour_image(channel, i))
    with open(os.path.join(root, "green", "grey.bmp"), "wb") as f:
        f.write(grey_bmp(SIZE, SIZE, 128))
    with open(os.path.join(root, "red", "notes.png"), "w") as f:
        f.write("not an image: the loader skips and reports this file\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "colours"))
