"""What an uploaded file really is: its first bytes (``filetype``'s magic
numbers) against the type its extension claims. An executable renamed
``payload.pdf`` is refused with the type that was detected, instead of being
stored and later served as a PDF."""

from __future__ import annotations

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HEAD_BYTES = 8192
OLE2 = "application/x-ole-storage"  # .doc/.xls/.ppt: filetype does not name them
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
TEXT = None  # no binary signature, no NUL byte

# The detected types each extension may carry.
EXPECTED: dict[str, set[str | None]] = {
    "pdf": {"application/pdf"},
    "png": {"image/png"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "gif": {"image/gif"},
    "webp": {"image/webp"},
    "zip": {"application/zip"},
    **{ext: {"application/zip", mime} for ext, mime in _OOXML.items()},
    **{
        ext: {
            OLE2,
            "application/msword",
            "application/vnd.ms-excel",
            "application/vnd.ms-powerpoint",
        }
        for ext in ("doc", "xls", "ppt")
    },
    **{ext: {TEXT} for ext in ("txt", "csv", "md")},
}


def detect(head: bytes) -> str | None:
    """The MIME type the content says it is, or None for plain text."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if head.startswith(_OLE2_MAGIC):
        return OLE2
    if b"\x00" in head:
        return "application/octet-stream"
    return TEXT


def read_head(file) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(position)
    return head if isinstance(head, bytes) else head.encode()


def check_content(file, extension: str) -> str | None:
    """Raise ``ValidationError`` when the content is not what ``extension``
    claims, naming the detected type; return the detected type."""
    detected = detect(read_head(file))
    expected = EXPECTED.get(extension.lower())
    if expected is None or detected in expected:
        return detected
    raise ValidationError(
        _("文件内容与扩展名 .%(ext)s 不符：检测到的类型是 %(detected)s。")
        % {"ext": extension, "detected": detected or _("纯文本")},
        code="content_mismatch",
    )
