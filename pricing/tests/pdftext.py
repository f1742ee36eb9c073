"""The text of a reportlab PDF, for tests (no PDF reader is installed):
inflate each content stream (ASCII85 + Flate), read its string operands, and
decode them as the font wrote them (UCS-2 for the CJK font, Latin-1 else)."""

from __future__ import annotations

import base64
import re
import zlib

STREAM = re.compile(rb"/Filter \[ /ASCII85Decode /FlateDecode \].*?stream\r?\n(.*?)endstream", re.S)
FONT_AND_TEXT = re.compile(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj")
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(raw: bytes) -> bytes:
    def one(match: re.Match) -> bytes:
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8)])
        return ESCAPES.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.S)


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    out = []
    for match in STREAM.finditer(data):
        body = match.group(1).strip()
        body = body[:-2] if body.endswith(b"~>") else body
        content = zlib.decompress(base64.a85decode(body))
        font = b""
        for m in FONT_AND_TEXT.finditer(content):
            if m.group(1):
                font = m.group(1)
                continue
            raw = _unescape(m.group(2))
            cjk = font != b"F1" and len(raw) % 2 == 0
            out.append(raw.decode("utf-16-be") if cjk else raw.decode("latin-1"))
    return " ".join(out)
