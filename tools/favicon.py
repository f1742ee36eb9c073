"""Draws static/favicon.ico and apple-touch-icon.png (a white C on the brand blue) as PNG-in-ICO, no Pillow: `python3 tools/favicon.py`."""

import math
import struct
import zlib
from pathlib import Path


def pixels(n):
    rows = []
    c = (n - 1) / 2
    for y in range(n):
        row = bytearray()
        for x in range(n):
            # rounded square background
            dx, dy = abs(x - c) - (n / 2 - n * 0.2), abs(y - c) - (n / 2 - n * 0.2)
            inside = math.hypot(max(dx, 0), max(dy, 0)) <= n * 0.2
            r = math.hypot(x - c, y - c)
            ang = math.degrees(math.atan2(y - c, x - c))
            ring = n * 0.2 <= r <= n * 0.34 and not (-45 < ang < 45)
            if not inside:
                row += bytes((0, 0, 0, 0))
            elif ring:
                row += bytes((255, 255, 255, 255))
            else:
                row += bytes((0x1F, 0x5F, 0xBF, 255))
        rows.append(row)
    return rows


def png(n):
    raw = b"".join(b"\x00" + bytes(r) for r in pixels(n))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", n, n, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


images = [png(16), png(32), png(48)]
header = struct.pack("<HHH", 0, 1, len(images))
offset = 6 + 16 * len(images)
entries = b""
for n, data in zip((16, 32, 48), images, strict=True):
    entries += struct.pack("<BBBBHHII", n, n, 0, 0, 1, 32, len(data), offset)
    offset += len(data)
Path("static/favicon.ico").write_bytes(header + entries + b"".join(images))
Path("static/apple-touch-icon.png").write_bytes(png(180))
