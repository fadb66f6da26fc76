#!/usr/bin/env python3
"""Writes the PNG fixtures of tests/report/png_check tests (stdlib only).

blank.png: 40x30 RGB, all white (what a screenshot of an unrendered page looks like).
drawn.png: 40x30 RGBA with dark "text" strokes and a coloured bar; row y uses PNG filter
           y % 5, so the decoder's five unfilter paths (None, Sub, Up, Average, Paeth) all run.
"""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(ftype, row, prev, bpp):
    out = bytearray()
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][ftype]
        out.append((x - pred) & 0xFF)
    return bytes([ftype]) + bytes(out)


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def write_png(path, w, h, color_type, pixel, cycle_filters):
    bpp = 4 if color_type == 6 else 3
    raw, prev = bytearray(), bytes(w * bpp)
    for y in range(h):
        row = bytes(v for x in range(w) for v in pixel(x, y))
        raw += filter_row(y % 5 if cycle_filters else 0, row, prev, bpp)
        prev = row
    ihdr = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def drawn(x, y):
    if 4 <= y <= 6 and 3 <= x <= 30 and x % 4 != 0:
        return (30, 35, 40, 255)       # a line of "text"
    if 12 <= y <= 20 and 5 <= x <= 5 + y:
        return (26, 127, 55, 255)      # a green bar
    return (246, 247, 249, 255)        # page background


write_png(os.path.join(HERE, "blank.png"), 40, 30, 2, lambda x, y: (255, 255, 255), False)
write_png(os.path.join(HERE, "drawn.png"), 40, 30, 6, drawn, True)
