"""``collab.parsing.decode_text`` and ``csv_columns``: the one reading of
uploaded CSV files, shared by the bank import (finance) and the campaign
responses import (enablement)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from collab.parsing import csv_columns, decode_text

TEXT = "日期,金额\n2026-01-05,5000.00\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gb18030"), "gb18030"),
        (b"\x84\x31\x95\x33" + TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("utf-16"), "utf-16"),  # Python writes the BOM of this machine's order
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "gb18030-bom", "utf16-bom", "utf16be-bom"],
)
def test_every_encoding_reads_to_the_same_text(data, encoding):
    assert decode_text(data) == (TEXT, encoding)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\x81\x30", "encoding"),  # neither UTF-8 nor GB18030
        (TEXT.encode("utf-16-le"), "binary"),  # UTF-16 without its BOM: NUL bytes
        (b"PK\x03\x04\x00\x00", "binary"),  # an XLSX
    ],
)
def test_unreadable_files_are_refused(data, code):
    with pytest.raises(ValidationError) as refused:
        decode_text(data)
    assert refused.value.code == code


COLUMNS = {"date": ("日期", "date"), "amount": ("金额", "Amount"), "note": ("备注", "note")}


def test_columns_by_chinese_or_english_header_any_case():
    assert csv_columns([" AMOUNT ", "日期", "x"], COLUMNS, ("date", "amount")) == {
        "amount": 0,
        "date": 1,
    }


def test_missing_columns_are_named_in_both_languages():
    with pytest.raises(ValidationError) as refused:
        csv_columns(["date"], COLUMNS, ("date", "amount"))
    assert refused.value.messages == ["缺少列：金额（需要 日期、金额）。"]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        csv_columns(["x"], COLUMNS, ("date", "amount"))
    assert refused.value.messages == ["Missing columns: 日期、金额 (needed: 日期、金额)."]
