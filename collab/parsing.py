"""Reading untrusted input, once, where it enters.

Query parameters, form fields and JSON bodies all pass through these helpers
instead of ``int()``, ``str.isdigit()`` or ``date.fromisoformat()`` scattered
over views: "²" is a digit to ``str.isdigit()``, year 1 is a date to Python
but not to the pages that print it, and a NUL byte is a string to Python but
not to PostgreSQL. Each helper either returns a clean value or raises
``django.core.exceptions.ValidationError`` with a message for the person; the
``optional_*`` variants return ``None`` for blank or bad input, for filters
where a bad value simply means "no filter".

Dates are kept between ``DATE_MIN`` and ``DATE_MAX`` everywhere (forms, API,
filters, imports), so no stored row can later break a page or an export.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
MAX_ID = 2**63 - 1  # PostgreSQL bigint

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
# C0 and C1 control characters except tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def range_message():
    return _("日期须在 %(min)s 到 %(max)s 之间") % {
        "min": DATE_MIN.isoformat(),
        "max": DATE_MAX.isoformat(),
    }


# ---------------------------------------------------------------- ids


def parse_id(value: object) -> int:
    """A positive database id written in ASCII digits, or ``ValidationError``."""
    text = str(value).strip() if value is not None else ""
    if not _ASCII_DIGITS.fullmatch(text) or not 0 < int(text) <= MAX_ID:
        raise ValidationError(_("编号格式不正确"), code="invalid_id")
    return int(text)


def optional_id(value: object) -> int | None:
    try:
        return parse_id(value)
    except ValidationError:
        return None


# ---------------------------------------------------------------- dates


def check_date(value: dt.date) -> dt.date:
    """Refuse a date outside DATE_MIN..DATE_MAX (a datetime is checked by its date)."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(range_message(), code="date_range")
    return value


def parse_date(value: object) -> dt.date:
    text = str(value).strip() if value is not None else ""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(_("日期格式不正确，应为 YYYY-MM-DD"), code="invalid_date") from None
    return check_date(day)


def optional_date(value: object) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return parse_date(value)
    except ValidationError:
        return None


def parse_month(value: object) -> dt.date:
    """ "2026-12" → the first day of that month."""
    match = _MONTH.fullmatch(str(value).strip() if value is not None else "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValidationError(_("月份格式不正确，应为 YYYY-MM"), code="invalid_month")
    return check_date(dt.date(int(match.group(1)), int(match.group(2)), 1))


def optional_month(value: object) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return parse_month(value)
    except ValidationError:
        return None


def check_datetime(value: dt.datetime) -> dt.datetime:
    check_date(value)
    return value


def validate_date_range(value) -> None:
    """A model/form validator for date and datetime fields."""
    if value is not None:
        check_date(value)


# ---------------------------------------------------------------- text


def clean_text(value: str) -> str:
    """Drop NUL and other control characters (PostgreSQL refuses NUL; the rest
    break XML exports), keeping tabs and line breaks."""
    return _CONTROL.sub("", value)


def has_control_characters(value: str) -> bool:
    return bool(_CONTROL.search(value))


# ---------------------------------------------------------------- text files (CSV imports)

# Byte-order marks, longest first: Excel writes UTF-8 with a BOM ("CSV UTF-8")
# and UTF-16 LE with one ("Unicode text"); GB18030 has its own BOM.
# (mark, codec of the rest, the encoding reported)
_BOMS = (
    (b"\x84\x31\x95\x33", "gb18030", "gb18030"),
    (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)


def decode_text(data: bytes) -> tuple[str, str]:
    """An uploaded text file's text and the encoding it was read in: a BOM
    decides (UTF-8, UTF-16, GB18030), else UTF-8, else GB18030 (what
    Chinese banks' exports and Excel on Chinese Windows write). Raises
    ``ValidationError`` when neither reads or the text holds NUL bytes (a
    binary file: a spreadsheet, an image)."""
    candidates = [(codec, name, len(bom)) for bom, codec, name in _BOMS if data.startswith(bom)]
    candidates += [("utf-8", "utf-8", 0), ("gb18030", "gb18030", 0)]
    for codec, name, skip in candidates:
        try:
            text, encoding = data[skip:].decode(codec), name
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("无法识别文件编码：请使用 UTF-8 或 GB18030。"), code="encoding")
    if "\x00" in text:
        raise ValidationError(_("这不是 CSV 文本文件。"), code="binary")
    return text, encoding


def csv_columns(header: list[str], columns: dict[str, tuple[str, ...]], required) -> dict[str, int]:
    """Where each column is in a CSV header row: ``columns`` maps a key to
    its header names (Chinese and English, matched trimmed and
    case-insensitively; the first listed is the one named in messages); the
    first matching cell wins. Raises ``ValidationError`` naming the
    ``required`` columns that are missing."""
    names = [str(h).strip().lower() for h in header]
    found: dict[str, int] = {}
    for key, aliases in columns.items():
        wanted = {a.lower() for a in aliases}
        for index, name in enumerate(names):
            if name in wanted:
                found[key] = index
                break
    missing = [columns[k][0] for k in required if k not in found]
    if missing:
        raise ValidationError(
            _("缺少列：%(cols)s（需要 %(needed)s）。")
            % {"cols": "、".join(missing), "needed": "、".join(columns[k][0] for k in required)},
            code="columns",
        )
    return found


# ---------------------------------------------------------------- countries, emails


def parse_country(value: object) -> str:
    """A country or region code the ``holidays`` package knows ("CN"), upper-cased."""
    import holidays

    code = str(value or "").strip().upper()
    if code not in holidays.list_supported_countries():
        raise ValidationError(
            _("不支持的国家/地区代码：%(code)s") % {"code": clean_text(code)[:10]},
            code="invalid_country",
        )
    return code


EMAIL_LOCAL_MAX = 64
EMAIL_MAX = 254


def validate_email_lengths(value: str) -> None:
    """RFC 5321's limits, which Django's EmailValidator does not check: a
    local part of at most 64 characters, an address of at most 254."""
    local = str(value).rpartition("@")[0]
    if len(local) > EMAIL_LOCAL_MAX:
        raise ValidationError(
            _("邮箱 @ 前的部分最多 %(max)s 个字符。") % {"max": EMAIL_LOCAL_MAX},
            code="email_local_length",
        )
    if len(str(value)) > EMAIL_MAX:
        raise ValidationError(
            _("邮箱地址最多 %(max)s 个字符。") % {"max": EMAIL_MAX}, code="email_length"
        )


# ---------------------------------------------------------------- form and API fields


class BoundedDateField(forms.DateField):
    default_validators = [validate_date_range]


class BoundedDateTimeField(forms.DateTimeField):
    default_validators = [validate_date_range]


class BoundedDateSerializerField(serializers.DateField):
    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        try:
            return check_date(day)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class BoundedDateTimeSerializerField(serializers.DateTimeField):
    def to_internal_value(self, value):
        try:
            if isinstance(value, str):
                # Checked before DRF applies the timezone, which overflows at year 1.
                try:
                    parsed = parse_datetime(value.strip())
                except ValueError:
                    parsed = None
                if parsed is not None:
                    check_datetime(parsed)
            return check_datetime(super().to_internal_value(value))
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class IdSerializerField(serializers.IntegerField):
    """An object id in a JSON body: 1 .. bigint's maximum, so 10^30 is a field
    error rather than an overflow in the database."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdFormField(forms.IntegerField):
    """An object id in a form: 1 .. bigint's maximum."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
